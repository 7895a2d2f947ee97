//! The shipped models still match what they were made from: the demo model the synthesizer
//! (changing the synthesizer without retraining fails here), the GTZAN model the real tracks.

use crate::common;

use std::sync::atomic::AtomicBool;

use common::*;
use genrescope::dataset::features::Featurizer;
use genrescope::dataset::sources::load_source;
use genrescope::dataset::{load_folder, DataSource, Dataset, FeatureConfig};
use genrescope::model::shipped::Shipped;
use genrescope::training::experiment::evaluate_folder;

fn demo_set() -> genrescope::dataset::Dataset {
    genrescope::dataset::demo::dataset(&Featurizer::new(&FeatureConfig::default()).unwrap())
}

/// Measured when the model was shipped: 100% of the 384 demo clips (models/demo-dsae.md).
const DEMO_ACCURACY_FLOOR: f64 = 0.95;
/// Measured when the model was shipped: 100% of gtzan-mini's 640 clips (models/gtzan-mini-dsae.md).
const GTZAN_ACCURACY_FLOOR: f64 = 0.95;

#[test]
fn the_demo_set_is_deterministic_and_labelled() {
    let a = demo_set();
    let b = demo_set();
    assert_eq!(a.vectors, b.vectors);
    assert_eq!(a.genres, ["house", "metal", "strings", "swing"]);
    assert_eq!(a.len(), 4 * 8 * 12);
    assert!(genrescope::dataset::demo::LABEL.contains("not GTZAN"));
    // A demo clip can be played: the synthesizer makes it again, identical to what was pooled.
    let track = &a.tracks[5];
    let clip = genrescope::dataset::demo::render_clip(&track.path, 40_000, 20_000).unwrap();
    let mut pooled = Vec::new();
    genrescope::dataset::features::pool_into(&clip, 40, &mut pooled);
    let i = a
        .segments
        .iter()
        .position(|s| s.track == 5 && s.index == 2)
        .unwrap();
    assert_eq!(pooled, a.vector(i));
}

#[test]
fn the_shipped_demo_model_still_classifies_the_demo_set() {
    let saved = Shipped::Demo.load().unwrap();
    assert_eq!(saved.meta.genres, ["house", "metal", "strings", "swing"]);
    let ds = load_source(
        &DataSource::Demo,
        &Default::default(),
        &saved.meta.features,
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap();
    let report = evaluate_folder(&saved, &ds, None).unwrap();
    let accuracy = report.splits[0].accuracy.unwrap();
    assert!(
        accuracy >= DEMO_ACCURACY_FLOOR,
        "the demo model gets {accuracy} of the regenerated \
        demo set; retrain it (models/demo-dsae.md)"
    );
}

#[test]
fn the_shipped_gtzan_model_fits_and_classifies_gtzan_mini() {
    let saved = Shipped::GtzanWaveform.load().unwrap();
    assert_eq!(saved.meta.genres, ["classical", "jazz", "metal", "pop"]);
    let Some(dir) = gtzan_dir() else { return };
    let ds = load_for(&dir, &saved);
    assert!(Shipped::GtzanWaveform.fits(&ds));
    let report = evaluate_folder(&saved, &ds, None).unwrap();
    let accuracy = report.splits[0].accuracy.unwrap();
    assert!(accuracy >= GTZAN_ACCURACY_FLOOR, "{accuracy}");
    // The .au copies are the same tracks: the same answers.
    if let Some(au) = gtzan_au_dir() {
        let ds = load_folder(
            &au,
            None,
            &saved.meta.features,
            &AtomicBool::new(false),
            &|_| {},
        )
        .unwrap();
        assert!(
            evaluate_folder(&saved, &ds, None).unwrap().splits[0]
                .accuracy
                .unwrap()
                >= GTZAN_ACCURACY_FLOOR
        );
    }
    // The demo's genres are not the paper's.
    assert!(!Shipped::GtzanWaveform.fits(&demo_set()));
}

#[test]
fn the_shipped_log_mel_model_reads_its_patches_and_classifies_gtzan_mini() {
    let saved = Shipped::GtzanLogmel.load().unwrap();
    assert_eq!(saved.meta.genres, ["classical", "jazz", "metal", "pop"]);
    assert_eq!(
        saved.meta.features.input.kind(),
        genrescope::dataset::InputKind::Logmel
    );
    assert_eq!(saved.meta.input_norm.as_ref().unwrap().bands(), 64);
    let Some(dir) = gtzan_dir() else { return };
    let ds = load_for(&dir, &saved);
    assert!(Shipped::GtzanLogmel.fits(&ds));
    let report = evaluate_folder(&saved, &ds, None).unwrap();
    assert_eq!(report.held_out, "in training");
    assert_eq!(report.tracks_in_training, Some(32));
    let accuracy = report.splits[0].accuracy.unwrap();
    assert!(accuracy >= GTZAN_ACCURACY_FLOOR, "{accuracy}");
}

/// `dir` cut the way `saved` expects.
fn load_for(dir: &std::path::Path, saved: &genrescope::model::SavedModel) -> Dataset {
    load_folder(
        dir,
        None,
        &saved.meta.features,
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap()
}
