//! Cross-validation from the window's training form: choosing kfold:8 runs every fold and then
//! the model on every track, the curve counts all nine runs, and the metrics tab shows each
//! fold beside the linear probe and the epoch early stopping kept.

mod common;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::dataset::SplitProtocol;

#[test]
fn the_form_cross_validates_over_eight_folds_then_trains_on_every_track() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // Eight tracks per genre: one per genre in every fold.
    make_dataset(&data, None, &["low", "high"], 8, 2.0);
    let mut h = app_on(data);
    run_until(&mut h, 60, "the folder", settled);
    edit_settings(&mut h, |s| {
        s.knobs.epochs = 3;
        s.knobs.regularization.best_on_dev = true;
    });
    // As a user would: the split menu offers it by name.
    h.get_by_label("split").click();
    h.run_steps(2);
    h.get_by_label("kfold:8 (every track tested once)").click();
    h.run_steps(2);
    assert_eq!(h.state().state.settings.protocol, SplitProtocol::KFold);
    // The menu's popup takes the next click to close itself: start as the Train button does.
    h.state_mut()
        .apply(genrescope::app::events::Command::StartTraining);
    run_until(
        &mut h,
        240,
        "eight folds and the final model",
        trained_and_shown,
    );
    assert!(no_errors_shown(&h));
    // The form says what the recipe is, folded away beside the paper's knobs.
    h.get_by_label_contains("Regularization: best epoch on dev");
    let state = &h.state().state;
    let model = state.model().unwrap();
    let record = model.saved.meta.training.as_ref().unwrap();
    let cv = record
        .crossval
        .as_ref()
        .expect("the folds are kept with the model");
    assert_eq!(cv.folds.len(), 8);
    assert_eq!(cv.folds.iter().map(|f| f.test_tracks).sum::<usize>(), 16);
    assert!(cv.folds.iter().all(|f| f.probe_accuracy.is_some()));
    let kept: Vec<usize> = cv.folds.iter().map(|f| f.best_epoch.unwrap()).collect();
    assert!(kept.iter().all(|e| (1..=3).contains(e)), "{kept:?}");
    // The final model trained on every track for the folds' median kept epoch.
    let mut sorted = kept.clone();
    sorted.sort_unstable();
    assert_eq!(record.epochs_run, sorted[4]);
    assert!(record.tracks.iter().all(|t| t.split.name() == "train"));
    // The curve numbered every run on one axis: 8 folds of 3 epochs, then the final run.
    let last = state.history.last().unwrap();
    assert_eq!(last.epochs, 9 * 3);
    assert_eq!(last.epoch, 8 * 3 + record.epochs_run);

    h.get_by_label("Metrics").click();
    h.run_steps(3);
    h.get_by_label("Cross-validation before this model was trained");
    h.get_by_label("kept epoch");
    h.get_by_label_contains("mean ± sd: clips");
}
