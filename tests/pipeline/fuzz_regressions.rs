//! Every input the fuzzers ever found a failure with (tests/fixtures/fuzz/<target>/), and the
//! crafted model files that once broke loading (made by tests/reference/craft_model_fixtures.py),
//! replayed through the same code as the fuzz targets: each must now be refused with its reason,
//! or decoded cleanly. A missing or empty fixture folder fails: it would test nothing.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use genrescope::dataset::features::{extract_track, FeatureConfig};
use genrescope::dataset::InputKind;

const EXTENSIONS: [&str; 8] = ["wav", "flac", "mp3", "ogg", "aiff", "au", "snd", "oga"];

/// Each input of `target` by file name, sorted.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; the regression inputs are missing", dir.display()));
    let mut found: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "{} holds no inputs", dir.display());
    found
}

#[test]
fn audio_inputs_that_once_failed_are_handled() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = FeatureConfig {
        segment_samples: 2_000,
        pool: 40,
        max_segments_per_track: Some(3),
        ..FeatureConfig::default()
    };
    for (k, (_, data)) in inputs("decode_audio").iter().enumerate() {
        let Some((&selector, bytes)) = data.split_first() else {
            continue;
        };
        let ext = EXTENSIONS[usize::from(selector) % EXTENSIONS.len()];
        let path = tmp.path().join(format!("input{k}.{ext}"));
        std::fs::write(&path, bytes).unwrap();
        let _ = extract_track(&path, &cfg, &AtomicBool::new(false));
        let _ = extract_track(
            &path,
            &cfg.with_input(InputKind::Logmel),
            &AtomicBool::new(false),
        );
        let _ = genrescope::audio::read_clip(&path, 22_050, 1_000, 4_000);
    }
}

/// Why each crafted model file must be refused (a part of the message).
const REFUSALS: [(&str, &str); 7] = [
    (
        "absurd-input-scale.safetensors",
        "input scale must be from 1e-6 to 1e6",
    ),
    ("f16-tensor.safetensors", "genrescope models are F32"),
    (
        "genre-count-mismatch.safetensors",
        "1 genre names for a model with 2 outputs",
    ),
    (
        "header-length-overflow.safetensors",
        "not a safetensors model file",
    ),
    (
        "huge-input-dim.safetensors",
        "input width 1099511627776 must be from 1",
    ),
    (
        "nan-weight.safetensors",
        "tensor hidden.weight holds NaN at position 0",
    ),
    ("truncated.safetensors", "not a safetensors model file"),
];

#[test]
fn model_files_that_once_failed_are_refused_or_run() {
    let files = inputs("load_model");
    for (name, _) in REFUSALS {
        assert!(
            files.iter().any(|(n, _)| n == name),
            "{name} is missing from the fixtures"
        );
    }
    for (name, data) in &files {
        let loaded = genrescope::model::io::load_bytes(data, Path::new(name));
        match (REFUSALS.iter().find(|(n, _)| n == name), loaded) {
            (Some((_, why)), Err(e)) => assert!(e.to_string().contains(why), "{name}: {e}"),
            (Some(_), Ok(_)) => panic!("{name} loaded, but it must be refused"),
            // Anything else (the valid model, inputs a fuzzer found) loads and runs, or is
            // refused with a message: never a panic.
            (None, Ok(saved)) => {
                let dim = saved.meta.model.input_dim;
                saved.model.infer(&vec![0.1; 2 * dim]).unwrap();
            }
            (None, Err(e)) => assert!(!e.to_string().is_empty()),
        }
    }
    assert!(files.iter().any(|(n, _)| n == "valid-baseline.safetensors"));
}
