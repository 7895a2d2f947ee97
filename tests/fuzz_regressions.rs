//! Every input the fuzzers ever found a failure with (tests/fixtures/fuzz/<target>/), replayed
//! through the same code as the fuzz targets: each must now be refused or decoded cleanly.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use genrescope::dataset::features::{extract_track, FeatureConfig};
use genrescope::dataset::InputKind;

const EXTENSIONS: [&str; 8] = ["wav", "flac", "mp3", "ogg", "aiff", "au", "snd", "oga"];

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_file())
                .map(|e| std::fs::read(e.path()).unwrap())
                .collect()
        })
        .unwrap_or_default()
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
    for (k, data) in inputs("decode_audio").iter().enumerate() {
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

#[test]
fn model_files_that_once_failed_are_refused_or_run() {
    for data in inputs("load_model") {
        if let Ok(saved) =
            genrescope::model::io::load_bytes(&data, Path::new("regression.safetensors"))
        {
            let dim = saved.meta.model.input_dim;
            let _ = saved.model.infer(&vec![0.1; dim]);
        }
    }
}
