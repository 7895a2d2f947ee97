//! Folder layouts, genre filters, deterministic order, provenance, progress and both splits.

use crate::common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use common::*;
use genrescope::dataset::{
    load_folder, scan_folder, FeatureConfig, LoadError, ScanError, Split, SplitConfig, SplitError,
    SplitProtocol,
};

const GENRES: [&str; 4] = ["pop", "classical", "metal", "jazz"];

#[test]
fn all_three_layouts_are_found() {
    for wrapper in [None, Some("genres"), Some("genres_original")] {
        let dir = tempfile::tempdir().unwrap();
        make_dataset(dir.path(), wrapper, &GENRES, 2, 1.0);
        let scan = scan_folder(dir.path(), None).unwrap();
        assert_eq!(
            scan.genres,
            ["classical", "jazz", "metal", "pop"],
            "{wrapper:?}"
        );
        assert_eq!(scan.tracks.len(), 8);
        // Sorted by genre, then file name.
        let names: Vec<String> = scan
            .tracks
            .iter()
            .map(|t| t.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names[0], "classical.00000.wav");
        assert_eq!(names[1], "classical.00001.wav");
        assert_eq!(names[7], "pop.00001.wav");
        // Pointing at the wrapper itself works too.
        if let Some(w) = wrapper {
            assert_eq!(
                scan_folder(&dir.path().join(w), None).unwrap().tracks.len(),
                8
            );
        }
    }
}

#[test]
fn genre_filter_selects_and_rejects_unknown_genres() {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path(), None, &GENRES, 1, 1.0);
    let wanted = vec!["metal".to_string(), "classical".to_string()];
    let scan = scan_folder(dir.path(), Some(&wanted)).unwrap();
    assert_eq!(scan.genres, ["classical", "metal"]);
    assert_eq!(scan.tracks.len(), 2);
    let err = scan_folder(dir.path(), Some(&["disco".to_string()])).unwrap_err();
    assert!(matches!(err, ScanError::UnknownGenre { .. }));
    assert!(
        err.to_string().contains("classical, jazz, metal, pop"),
        "{err}"
    );
}

#[test]
fn load_keeps_provenance_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path(), None, &GENRES, 2, 2.0);
    let seen = Mutex::new(Vec::new());
    let ds = load_folder(
        dir.path(),
        None,
        &FeatureConfig::default(),
        &AtomicBool::new(false),
        &|p| seen.lock().unwrap().push(p),
    )
    .unwrap();
    assert_eq!(ds.len(), 16);
    assert_eq!(ds.dim(), 500);
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first().unwrap().tracks_done, 0);
    assert_eq!(seen.iter().map(|p| p.tracks_done).max(), Some(8));
    assert!(seen.iter().all(|p| p.tracks_total == 8));
    for i in 0..ds.len() {
        let seg = ds.segments[i];
        assert_eq!(seg.offset_samples, seg.index * 20_000);
        let track = &ds.tracks[seg.track];
        assert_eq!(
            ds.genres[track.genre],
            track
                .path
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
        );
        // The vector is the pooled audio at the recorded offset.
        let clip =
            genrescope::audio::read_clip(&track.path, 22_050, seg.offset_samples, 20_000).unwrap();
        assert_eq!(reference_pool(&clip, 40), ds.vector(i));
    }
    let spec = ds.segment_label(5);
    assert_eq!(ds.find_segment(&spec), Some(5));
    assert_eq!(
        ds.segment_time_secs(1),
        (20_000.0 / 22_050.0, 40_000.0 / 22_050.0)
    );
}

#[test]
fn loading_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path(), None, &GENRES, 2, 1.0);
    let cancel = AtomicBool::new(true);
    let err = load_folder(
        dir.path(),
        None,
        &FeatureConfig::default(),
        &cancel,
        &|_| {},
    )
    .unwrap_err();
    assert!(matches!(err, LoadError::Cancelled));
}

#[test]
fn invalid_feature_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path(), None, &GENRES, 1, 1.0);
    let cfg = FeatureConfig {
        pool: 30,
        ..FeatureConfig::default()
    };
    let err = load_folder(dir.path(), None, &cfg, &AtomicBool::new(false), &|_| {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a multiple of the pool size 30"),
        "{err}"
    );
}

fn dataset_with(tracks_per_genre: usize) -> genrescope::dataset::Dataset {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path(), None, &GENRES, tracks_per_genre, 2.0);
    load_folder(
        dir.path(),
        None,
        &FeatureConfig::default(),
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap()
}

#[test]
fn segment_split_has_the_paper_proportions_and_is_seeded() {
    let ds = dataset_with(8); // 64 segments
    let cfg = SplitConfig::default();
    let a = ds.splits(&cfg).unwrap();
    let count = |s: &[Split], which| s.iter().filter(|&&x| x == which).count();
    assert_eq!(
        (
            count(&a, Split::Train),
            count(&a, Split::Dev),
            count(&a, Split::Test)
        ),
        (48, 8, 8)
    );
    assert_eq!(a, ds.splits(&cfg).unwrap(), "same seed, same split");
    let b = ds.splits(&SplitConfig { seed: 7, ..cfg }).unwrap();
    assert_ne!(a, b, "another seed, another split");
    // The paper's protocol leaks: some track has segments in both train and test.
    let mut track_splits: HashMap<usize, HashSet<Split>> = HashMap::new();
    for (i, s) in a.iter().enumerate() {
        track_splits
            .entry(ds.segments[i].track)
            .or_default()
            .insert(*s);
    }
    assert!(track_splits.values().any(|s| s.len() > 1));
}

#[test]
fn track_split_puts_each_track_in_one_split_stratified_by_genre() {
    let ds = dataset_with(8);
    for seed in 0..5 {
        let cfg = SplitConfig {
            protocol: SplitProtocol::Track,
            seed,
            ..SplitConfig::default()
        };
        let splits = ds.splits(&cfg).unwrap();
        let mut track_split: HashMap<usize, Split> = HashMap::new();
        for (i, s) in splits.iter().enumerate() {
            let prev = track_split.insert(ds.segments[i].track, *s);
            assert!(prev.is_none() || prev == Some(*s), "track in two splits");
        }
        // Per genre: 6 train, 1 dev, 1 test track.
        for g in 0..ds.genres.len() {
            let mut per = HashMap::new();
            for (t, s) in &track_split {
                if ds.tracks[*t].genre == g {
                    *per.entry(*s).or_insert(0) += 1;
                }
            }
            assert_eq!(per.get(&Split::Train), Some(&6), "seed {seed} genre {g}");
            assert_eq!(per.get(&Split::Dev), Some(&1));
            assert_eq!(per.get(&Split::Test), Some(&1));
        }
    }
}

#[test]
fn track_split_needs_three_tracks_per_genre() {
    let ds = dataset_with(2);
    let cfg = SplitConfig {
        protocol: SplitProtocol::Track,
        ..SplitConfig::default()
    };
    let err = ds.splits(&cfg).unwrap_err();
    assert!(matches!(err, SplitError::TooFewTracks { tracks: 2, .. }));
    assert!(err.to_string().contains("--split segment"));
    let bad = SplitConfig {
        train_fraction: 0.9,
        dev_fraction: 0.3,
        ..SplitConfig::default()
    };
    assert!(matches!(
        ds.splits(&bad).unwrap_err(),
        SplitError::Fractions { .. }
    ));
}
