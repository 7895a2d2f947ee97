//! Ingestion on the real GTZAN tracks in ../shared (paths from GENRESCOPE_GTZAN_DIR and
//! GENRESCOPE_GTZAN_AU_DIR): counts, .au/.wav identity, numpy's pooling to 1e-6, and a numpy
//! log-mel reference.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use common::*;
use genrescope::dataset::features::Featurizer;
use genrescope::dataset::{load_folder, Dataset, FeatureConfig, InputKind, Representation};

fn load(dir: &Path) -> Dataset {
    load_with(dir, &FeatureConfig::default())
}

fn load_with(dir: &Path, cfg: &FeatureConfig) -> Dataset {
    load_folder(dir, None, cfg, &AtomicBool::new(false), &|_| {}).unwrap()
}

#[test]
fn gtzan_mini_has_four_genres_of_eight_tracks_and_640_segments() {
    let Some(dir) = gtzan_dir() else { return };
    let ds = load(&dir);
    assert_eq!(ds.genres, ["classical", "jazz", "metal", "pop"]);
    for count in ds.genre_counts() {
        assert_eq!((count.tracks, count.segments), (8, 160), "{}", count.genre);
    }
    assert_eq!(ds.len(), 640);
    assert!(ds.skipped.is_empty(), "{:?}", ds.skipped);
}

#[test]
fn gtzan_au_copies_match_the_wav_copies_exactly() {
    let (Some(wav_dir), Some(au_dir)) = (gtzan_dir(), gtzan_au_dir()) else {
        return;
    };
    let au = load(&au_dir);
    assert_eq!(au.genres, ["classical", "jazz", "metal", "pop"]);
    assert_eq!(au.tracks.len(), 8);
    assert_eq!(au.len(), 160);
    let wav = load(&wav_dir);
    for (t, track) in au.tracks.iter().enumerate() {
        let stem = track.path.file_stem().unwrap();
        let w = wav
            .tracks
            .iter()
            .position(|x| x.path.file_stem().unwrap() == stem)
            .expect("same id in the wav copy");
        let au_vectors: Vec<&[f32]> = (0..au.len())
            .filter(|&i| au.segments[i].track == t)
            .map(|i| au.vector(i))
            .collect();
        let wav_vectors: Vec<&[f32]> = (0..wav.len())
            .filter(|&i| wav.segments[i].track == w)
            .map(|i| wav.vector(i))
            .collect();
        assert_eq!(au_vectors.len(), 20);
        assert_eq!(au_vectors, wav_vectors, "{}", track.path.display());
    }
}

/// A Python with numpy: GENRESCOPE_PYTHON, else python3 or Debian's /usr/bin/python3.
fn python_with_numpy() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("GENRESCOPE_PYTHON")
        .map(|p| vec![PathBuf::from(p)])
        .unwrap_or_else(|| vec!["python3".into(), "/usr/bin/python3".into()]);
    let found = candidates.into_iter().find(|py| {
        Command::new(py)
            .args(["-c", "import numpy"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no python3 with numpy under CI; scripts/setup-system test installs python3-numpy"
        );
        eprintln!("note: no python3 with numpy; skipping the numpy reference check");
    }
    found
}

#[test]
fn pooled_vectors_equal_numpy_reshape_mean() {
    let Some(dir) = gtzan_dir() else { return };
    let Some(python) = python_with_numpy() else {
        return;
    };
    let ds = load(&dir);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/pool.py");
    let mut cmd = Command::new(python);
    cmd.arg(script).args(["20000", "40", "20"]);
    cmd.args(ds.tracks.iter().map(|t| t.path.as_os_str()));
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: Vec<f32> = out
        .stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(reference.len(), ds.vectors.len());
    let worst = reference
        .iter()
        .zip(&ds.vectors)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "largest difference from numpy: {worst}");
}

#[test]
fn log_mel_filterbank_and_patches_equal_a_numpy_reference() {
    let Some(dir) = gtzan_dir() else { return };
    let Some(python) = python_with_numpy() else {
        return;
    };
    let cfg = FeatureConfig::default().with_input(InputKind::Logmel);
    let Representation::LogMel(m) = cfg.input else {
        unreachable!()
    };
    let featurizer = Featurizer::new(&cfg).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/logmel.py");
    // A few real segments: different genres, different offsets into the track.
    for (track, segment) in [
        ("classical/classical.00003.wav", 2usize),
        ("metal/metal.00005.wav", 7),
        ("pop/pop.00001.wav", 13),
    ] {
        let path = dir.join("genres_original").join(track);
        let offset = segment * cfg.segment_samples;
        let out = Command::new(&python)
            .arg(&script)
            .arg(&path)
            .args([offset, cfg.segment_samples, m.n_fft, m.hop, m.n_mels].map(|v| v.to_string()))
            .args([m.fmin_hz, m.fmax_hz].map(|v| v.to_string()))
            .arg(m.floor_db.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let values: Vec<f32> = out
            .stdout
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let weights = featurizer.mel().unwrap().filterbank.weights();
        let (ref_weights, ref_patch) = values.split_at(weights.len());
        let worst_weight = ref_weights
            .iter()
            .zip(weights)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst_weight < 1e-4, "filterbank differs by {worst_weight}");
        let clip =
            genrescope::audio::read_clip(&path, 22_050, offset, cfg.segment_samples).unwrap();
        let mut patch = Vec::new();
        featurizer.segment_into(&clip, &mut patch);
        assert_eq!(patch.len(), ref_patch.len());
        let worst_db = ref_patch
            .iter()
            .zip(&patch)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst_db < 1e-4 * 80.0,
            "{track}: patch differs by {worst_db} dB"
        );
        // And the folder loader makes the same patch for that segment.
        let ds = load_with(&dir, &cfg);
        let i = ds
            .find_segment(&format!(
                "{}:{segment}",
                path.file_name().unwrap().to_str().unwrap()
            ))
            .unwrap();
        assert_eq!(ds.vector(i), &patch[..]);
    }
}
