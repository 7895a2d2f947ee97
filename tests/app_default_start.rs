//! With no arguments the window opens on the demo; opening GTZAN offers the shipped model.

mod common;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::Command;
use genrescope::app::AppOptions;

#[test]
fn the_window_opens_on_the_demo_and_offers_the_gtzan_model_for_gtzan() {
    let mut h = app(AppOptions::default());
    // The first frame is drawn before anything is ready: no blocking work at start-up.
    h.step();
    assert!(h.state().state.data.is_none());
    run_until(&mut h, 60, "the demo's maps", |a| loaded(a) && projected(a));
    h.get_by_label("Synthetic demo set");
    h.get_by_label_contains("shipped demo model");
    for title in ["Raw input (500-d)", "Bottleneck (64-d)", "Logits (4-d)"] {
        h.get_by_label(title);
    }
    // A demo clip plays like any other (the synthesizer remakes it): no error.
    h.state_mut().apply(Command::Select(3));
    h.run_steps(2);
    assert!(
        h.state().state.notices.iter().all(|n| !n.error),
        "{:?}",
        h.state().state.notices
    );

    let Some(dir) = gtzan_dir() else { return };
    h.state_mut().apply(Command::LoadFolder(dir));
    run_until(&mut h, 60, "gtzan-mini", loaded);
    assert!(
        h.state().state.model.is_none(),
        "the demo model does not know these genres"
    );
    h.get_by_label_contains("knows other genres (house, metal, strings, swing)");
    h.get_by_label("Use the shipped gtzan-mini model").click();
    run_until(&mut h, 60, "the gtzan model's maps", projected);
    let model = h.state().state.model.as_ref().unwrap();
    assert!(model.source.contains("gtzan-mini"));
    assert_eq!(
        model.saved.meta.genres,
        ["classical", "jazz", "metal", "pop"]
    );
    assert!(model.report.as_ref().unwrap().splits[0].accuracy.unwrap() > 0.9);
    assert!(!h.state().state.offer_gtzan_model);
}
