//! Opening a folder again reads its features from the cache: unchanged files are not decoded
//! again, a changed file is, and the cache can be cleared.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use common::*;
use genrescope::dataset::cache::FeatureCache;
use genrescope::dataset::{
    load_dataset_cached, load_library, scan_folder, Dataset, FeatureConfig, InputKind, Layout,
};

fn load(root: &Path, cache: &FeatureCache, cfg: &FeatureConfig) -> Dataset {
    load_dataset_cached(
        scan_folder(root, None).unwrap(),
        cfg,
        &AtomicBool::new(false),
        &|_| {},
        Some(cache),
    )
    .unwrap()
}

/// Sets a file's modification time back to `stamp` (`touch -d @SECONDS.NANOS`).
fn set_mtime(path: &Path, stamp: std::time::SystemTime) {
    let since = stamp.duration_since(std::time::UNIX_EPOCH).unwrap();
    let when = format!("@{}.{:09}", since.as_secs(), since.subsec_nanos());
    assert!(Command::new("touch")
        .args(["-m", "-d", &when])
        .arg(path)
        .status()
        .unwrap()
        .success());
}

#[test]
fn unchanged_files_come_from_the_cache_and_changed_ones_are_decoded_again() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    make_dataset(&root, None, &["low", "high"], 3, 2.0);
    let cache = FeatureCache::at(&tmp.path().join("cache"));
    for cfg in [
        FeatureConfig::default(),
        FeatureConfig::default().with_input(InputKind::Logmel),
    ] {
        let first = load(&root, &cache, &cfg);
        let track = root.join("low/low.00001.wav");
        let stamp = std::fs::metadata(&track).unwrap().modified().unwrap();
        // Same size and time but other samples: only a cache would still give the old vectors.
        let silent = vec![0.0f32; 44_100];
        write_wav(&track, &silent, 22_050, 1);
        set_mtime(&track, stamp);
        let second = load(&root, &cache, &cfg);
        assert_eq!(second.vectors, first.vectors, "read from the cache");
        assert_eq!(second.tracks.len(), first.tracks.len());
        // A file changed since (a new time): decoded again.
        set_mtime(&track, stamp + std::time::Duration::from_secs(10));
        let third = load(&root, &cache, &cfg);
        assert_ne!(
            third.vectors, first.vectors,
            "the changed file was decoded again"
        );
        let i = third.find_segment("low.00001.wav:0").unwrap();
        let silence = third.vector(i);
        match cfg.input {
            genrescope::dataset::Representation::Waveform => {
                assert!(silence.iter().all(|v| *v == 0.0))
            }
            _ => assert!(silence.iter().all(|v| *v == -80.0), "the floor everywhere"),
        }
        // Restore for the next representation.
        write_wav(&track, &signal(117.0, 2.0, 22_050), 22_050, 1);
    }
    let freed = cache.clear().unwrap();
    assert!(freed > 0);
    assert_eq!(std::fs::read_dir(cache.dir()).unwrap().count(), 0);
}

#[test]
fn a_damaged_cache_is_ignored_and_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    make_dataset(&root, None, &["low", "high"], 3, 2.0);
    let cache = FeatureCache::at(&tmp.path().join("cache"));
    let cfg = FeatureConfig::default();
    let good = load(&root, &cache, &cfg);
    for entry in std::fs::read_dir(cache.dir()).unwrap().flatten() {
        let mut bytes = std::fs::read(entry.path()).unwrap();
        let n = bytes.len();
        bytes.truncate(n / 2);
        std::fs::write(entry.path(), bytes).unwrap();
    }
    let again = load(&root, &cache, &cfg);
    assert_eq!(again.vectors, good.vectors);
    let out = Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .args(["cache", "--clear"])
        .env("GENRESCOPE_CACHE_DIR", tmp.path().join("cli-cache"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("cleared the feature cache"));
}

/// Flips one bit of every cache file at `at` (an offset from the end of the file).
fn flip_bit(cache: &FeatureCache, from_end: usize) {
    for entry in std::fs::read_dir(cache.dir()).unwrap().flatten() {
        let mut bytes = std::fs::read(entry.path()).unwrap();
        let at = bytes.len() - from_end;
        bytes[at] ^= 0x01;
        std::fs::write(entry.path(), bytes).unwrap();
    }
}

#[test]
fn a_flipped_bit_in_a_cached_entry_is_decoded_again_said_once_and_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    make_dataset(&root, None, &["low", "high"], 3, 2.0);
    let cache = FeatureCache::at(&tmp.path().join("cache"));
    for cfg in [
        FeatureConfig::default(),
        FeatureConfig::default().with_input(InputKind::Logmel),
    ] {
        let fresh = load(&root, &cache, &cfg);
        assert_eq!(fresh.cache_repaired, 0);
        // The lowest bit of the last value of the last track: read back silently, it would
        // change that value by a few parts in a million and nothing would say so.
        flip_bit(&cache, 4);
        let again = load(&root, &cache, &cfg);
        assert_eq!(again.vectors, fresh.vectors, "identical to a fresh decode");
        assert_eq!(again.cache_repaired, 1, "one damaged entry, decoded again");
        let note = again.cache_note().expect("a note for the user");
        assert!(
            note.contains("1 track(s)") && note.contains("decoded again"),
            "{note}"
        );
        // The cache was rewritten: the next open finds every entry whole.
        let third = load(&root, &cache, &cfg);
        assert_eq!(third.cache_repaired, 0);
        assert_eq!(third.vectors, fresh.vectors);
    }
}

fn load_as_library(
    root: &Path,
    cache: &FeatureCache,
    cfg: &FeatureConfig,
    limit: usize,
) -> Dataset {
    let (scan, found) = genrescope::dataset::scan_any(root, Some(Layout::Library)).unwrap();
    assert_eq!(found.layout, Layout::Library);
    load_library(
        scan,
        cfg,
        limit,
        &AtomicBool::new(false),
        &|_| {},
        Some(cache),
    )
    .unwrap()
}

#[test]
fn a_library_comes_from_its_own_cache_with_where_each_segment_lies() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    make_dataset(&root, None, &["low", "high"], 2, 2.0);
    // A long track, sampled: 8 of its 66 segments, spread over its length.
    let long = root.join("low/long.wav");
    let tone: Vec<f32> = (0..60 * 22_050)
        .map(|i| 0.3 * (i as f32 * 0.02 + (i as f32 * 1e-5).sin() * 40.0).sin())
        .collect();
    write_wav(&long, &tone, 22_050, 1);
    let cache = FeatureCache::at(&tmp.path().join("cache"));
    let cfg = FeatureConfig::default().with_input(InputKind::Logmel);
    let first = load_as_library(&root, &cache, &cfg, 8);
    let t = first
        .tracks
        .iter()
        .position(|t| t.path == long)
        .expect("the long track");
    assert_eq!(
        (
            first.tracks[t].n_segments,
            first.tracks[t].segments_in_track
        ),
        (8, 66)
    );
    // Same size and time, other samples: only the cache still gives the old segments.
    let stamp = std::fs::metadata(&long).unwrap().modified().unwrap();
    write_wav(&long, &vec![0.0; tone.len()], 22_050, 1);
    set_mtime(&long, stamp);
    let second = load_as_library(&root, &cache, &cfg, 8);
    assert_eq!(second.vectors, first.vectors, "read from the cache");
    assert_eq!(
        second.segments, first.segments,
        "with each segment's place in its track"
    );
    for (a, b) in second.tracks.iter().zip(&first.tracks) {
        assert_eq!(
            (a.segments_in_track, a.content, a.n_segments),
            (b.segments_in_track, b.content, b.n_segments)
        );
    }
    assert_eq!(second.cache_repaired, 0);
    // Another limit is another cut of the same files: read again, not taken from this cache.
    let other = load_as_library(&root, &cache, &cfg, 4);
    assert_eq!(other.tracks[t].n_segments, 4);
    assert!(other.vectors[..].iter().all(|v| v.is_finite()));
    // The folder read as genre folders has its own cache beside the library's: both stay.
    let labelled = load(&root, &cache, &cfg);
    assert!(!labelled.is_library());
    let files = std::fs::read_dir(cache.dir()).unwrap().count();
    assert_eq!(files, 3, "one cache per way of reading the folder");
    let again = load_as_library(&root, &cache, &cfg, 8);
    assert_eq!(
        again.vectors, first.vectors,
        "the library's cache is still there"
    );
}
