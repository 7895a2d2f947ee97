//! With no arguments the window opens on the demo; opening GTZAN offers the shipped model.

mod common;

use genrescope::dataset::DataSource;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::Command;
use genrescope::app::AppOptions;
use genrescope::model::shipped::{Shipped, GTZAN_MODELS};

#[test]
fn the_window_opens_on_the_demo_and_offers_the_gtzan_model_for_gtzan() {
    let mut h = app(AppOptions::default());
    // The first frame is drawn before anything is ready: no blocking work at start-up.
    h.step();
    assert!(h.state().state.data.is_none());
    run_until(&mut h, 60, "the demo's maps", |a| loaded(a) && projected(a));
    h.get_by_label("Synthetic demo set");
    h.get_by_label_contains("shipped demo model");
    for title in [
        "Raw input (500-d waveform)",
        "Bottleneck (64-d)",
        "Logits (4-d)",
    ] {
        h.get_by_label(title);
    }
    // The first frames said what was loading, not "open a folder".
    assert!(h
        .query_by_label_contains("Open a folder of music")
        .is_none());

    let Some(dir) = gtzan_dir() else { return };
    h.state_mut()
        .apply(Command::LoadData(DataSource::Folder(dir)));
    run_until(&mut h, 60, "gtzan-mini", loaded);
    assert!(
        h.state().state.model().is_none(),
        "the demo model does not know these genres"
    );
    h.get_by_label_contains("knows other genres (house, metal, strings, swing)");
    assert_eq!(h.state().state.offers(), GTZAN_MODELS);
    // Each offer says what it scores on music it never heard.
    h.get_by_label_contains("82 ± 8 % of clips, 91 % of tracks in 8-fold cross-validation");
    h.get_by_label_contains("about 37 % of clips on unheard gtzan-mini tracks");
    h.get_by_label_contains("Use the shipped gtzan-mini waveform DSAE")
        .click();
    run_until(&mut h, 60, "the gtzan model's maps", |a| {
        settled(a) && projected(a)
    });
    let model = h.state().state.model().unwrap();
    assert!(model.source.contains("gtzan-mini"));
    assert_eq!(
        model.saved.meta.genres,
        ["classical", "jazz", "metal", "pop"]
    );
    assert!(model.report.as_ref().unwrap().splits[0].accuracy.unwrap() > 0.9);
    assert_eq!(h.state().state.offers(), [Shipped::GtzanLogmel]);
    // The offer's notice about the demo model being set aside no longer applies.
    assert!(h.query_by_label_contains("knows other genres").is_none());

    // The log-mel model needs the clips as log-mel patches: the folder is read again its way.
    h.get_by_label_contains("Use the shipped gtzan-mini log-mel DSAE")
        .click();
    run_until(&mut h, 60, "the log-mel model's maps", |a| {
        settled(a)
            && projected(a)
            && a.state
                .model()
                .is_some_and(|m| m.shipped == Some(Shipped::GtzanLogmel))
    });
    assert_eq!(h.state().state.dataset().unwrap().dim(), 38 * 64);
    h.get_by_label("Raw input (2432-d logmel)");
    let model = h.state().state.model().unwrap();
    // Trained on all of gtzan-mini: its one split is the training split, and it says so.
    let report = model.report.as_ref().unwrap();
    assert_eq!(report.held_out, "train");
    assert!(
        report.protocol.contains("training scores"),
        "{}",
        report.protocol
    );
    assert!(model.report.as_ref().unwrap().splits[0].accuracy.unwrap() > 0.95);
    assert_eq!(h.state().state.offers(), [Shipped::GtzanWaveform]);
}
