//! Compare mode in the window, on the real GTZAN tracks: the shipped waveform DSAE beside the
//! log-mel DSAE (another input, so the folder is read a second time), both models' maps linked,
//! the comparison's numbers, the moved clips playable as A, and stopping.

mod common;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::app::state::{CompareView, Derived, Instrument};

fn compare_view(h: &App) -> std::sync::Arc<CompareView> {
    match h.state().state.model().and_then(|m| m.compare.as_ref()) {
        Some(Derived::Ready(view)) => std::sync::Arc::clone(view),
        _ => panic!("no comparison shown"),
    }
}

/// Where the second model's clip `j` is drawn on its bottleneck map.
fn second_point(h: &App, view: &CompareView, j: usize) -> egui::Pos2 {
    let state = &h.state().state;
    let id = egui::Id::unique((
        "genrescope-compare-map",
        "map-code",
        &view.source,
        state.stamp().model,
    ));
    let memory = egui_plot::PlotMemory::load(&h.ctx, id).expect("the second row is drawn");
    let p = view.layers[1].as_ref().unwrap().projection.points[j];
    memory
        .transform()
        .position_from_point(&egui_plot::PlotPoint::new(p[0], p[1]))
}

#[test]
fn the_waveform_and_log_mel_models_side_by_side_linked_and_compared() {
    let Some(dir) = gtzan_dir() else { return };
    let model = std::path::PathBuf::from(common::cli::shipped("gtzan-mini-dsae.safetensors"));
    let mut h = window_with(dir, model, false);
    h.get_by_label("the log-mel DSAE").click();
    h.run_steps(2);
    run_until(&mut h, 240, "the comparison", |a| {
        a.state
            .model()
            .is_some_and(|m| matches!(m.compare, Some(Derived::Ready(_))))
            && a.state.is_idle()
    });
    let view = compare_view(&h);
    // Both read gtzan-mini's 640 clips alike; the log-mel model read it in its own features.
    assert_eq!(view.comparison.pairs.len(), 640);
    assert_ne!(
        view.dataset.features,
        h.state().state.dataset().unwrap().features
    );
    let table = view.comparison.cross_table.as_ref().unwrap();
    assert_eq!(table.counts.iter().flatten().sum::<usize>(), 640);
    let agreement = view.comparison.agreement.unwrap();
    assert!((0.0..=1.0).contains(&agreement));
    assert_eq!(view.comparison.moved.len(), 640);
    h.get_by_label_contains("640 of 640 clips read alike by both (waveform input beside logmel)");

    // Hovering and clicking the second model's point means the first model's same clip.
    let frame = {
        let id = egui::Id::unique((
            "genrescope-compare-map",
            "map-code",
            &view.source,
            h.state().state.stamp().model,
        ));
        egui_plot::PlotMemory::load(&h.ctx, id)
            .unwrap()
            .transform()
            .frame()
            .shrink(12.0)
    };
    let j = (0..view.dataset.len())
        .step_by(29)
        .find(|&j| frame.contains(second_point(&h, &view, j)))
        .expect("a point on screen");
    let pos = second_point(&h, &view, j);
    click_at(&mut h, pos);
    h.run_steps(2);
    let i = view.first_of(j).unwrap();
    assert_eq!(h.state().state.data.as_ref().unwrap().picks.a, Some(i));
    assert_eq!(view.second_of(i), Some(j));

    // The Compare instrument: the numbers, and a moved clip heard as A.
    h.get_by_label("Compare").click();
    h.run_steps(2);
    assert_eq!(h.state().state.instruments.shown, Instrument::Compare);
    h.get_by_label_contains("This model beside");
    h.get_by_label_contains(&format!(
        "Same genre from both on {:.1} %",
        100.0 * agreement
    ));
    let most = view.comparison.most_moved(1)[0];
    let (moved_clip, _) = view.comparison.pairs[most];
    let ds = h.state().state.dataset().cloned().unwrap();
    h.get_by_label(&format!(
        "{:.2}  {}",
        view.comparison.moved[most],
        ds.segment_label(moved_clip)
    ))
    .click();
    h.run_steps(2);
    assert_eq!(
        h.state().state.data.as_ref().unwrap().picks.a,
        Some(moved_clip)
    );
    h.get_by_label("▶ by the second model");
    // With B too, the A → B path in either model's space (decoded without an error; the
    // window has no sound device here, so nothing plays).
    pick_quietly(
        &mut h,
        moved_clip,
        Some(if moved_clip == 0 { 1 } else { 0 }),
    );
    run_until(&mut h, 60, "B picked", |a| {
        a.state.picks().b.is_some() && a.state.is_idle()
    });
    h.get_by_label("▶ in the second model's space").click();
    h.run_steps(2);
    assert!(no_errors_shown(&h));

    // Stopping leaves one model and its maps.
    h.get_by_label("Stop comparing").click();
    h.run_steps(2);
    let state = &h.state().state;
    assert!(state.model().unwrap().compare.is_none());
    assert!(state.view.compare_with.is_none());
    assert!(no_errors_shown(&h));
}

#[test]
fn a_library_is_compared_by_what_each_model_predicts() {
    let Some(gtzan) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("Music");
    std::fs::create_dir_all(&lib).unwrap();
    for (k, genre) in ["classical", "jazz", "metal", "pop"].iter().enumerate() {
        std::fs::copy(
            gtzan_track(&gtzan, genre, 5),
            lib.join(format!("{k:02} Song.wav")),
        )
        .unwrap();
    }
    // The library opens through the shipped log-mel model; the waveform DSAE beside it.
    let mut h = app_on(lib);
    run_until(&mut h, 240, "the library through the shipped model", |a| {
        settled(a)
            && projected(a)
            && a.state.dataset().is_some_and(|d| d.is_library())
            && a.state.model().is_some_and(|m| m.view.ready().is_some())
    });
    h.state_mut()
        .apply(genrescope::app::events::Command::CompareWithShipped(
            genrescope::model::shipped::Shipped::GtzanWaveform,
        ));
    run_until(&mut h, 240, "the comparison", |a| {
        a.state
            .model()
            .and_then(|m| m.compare.as_ref())
            .is_some_and(|c| c.ready().is_some())
    });
    let view = compare_view(&h);
    // A library's folder has no genres: the second row is coloured by the second model's own
    // predictions, in its genres, as the first row is by the first model's.
    assert_eq!(view.genres, ["classical", "jazz", "metal", "pop"]);
    let predicted: Vec<u32> = view
        .maps
        .predicted
        .as_ref()
        .unwrap()
        .iter()
        .map(|&(g, _)| g as u32)
        .collect();
    assert_eq!(view.labels, predicted);
    assert_eq!(view.labels.len(), view.dataset.len());
    assert!(
        view.labels
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            >= 2,
        "several predicted genres"
    );
    // Hiding a genre on the first row draws the second without errors.
    h.state_mut()
        .apply(genrescope::app::events::Command::ToggleGenre(2));
    h.run_steps(3);
    assert!(no_errors_shown(&h));
}
