//! Model files saved before log-mel inputs, fingerprints and per-band standardisation existed
//! still load and compute what they computed then, to float rounding. The fixtures are the
//! shipped models as they were, and their outputs on fixed inputs recorded with the code of that
//! time.

use crate::common;

use std::path::Path;

use genrescope::model::load;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The inputs the outputs were recorded on.
fn inputs() -> Vec<f32> {
    (0..6)
        .flat_map(|k| {
            (0..500).map(move |j| {
                0.1 * ((0.037 * (j + 1) as f32 * (k + 1) as f32).sin())
                    + 0.05 * ((0.11 * j as f32 * k as f32).cos())
            })
        })
        .collect()
}

fn values(v: &serde_json::Value) -> Vec<f32> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}

/// Equal to 1e-5 of each value or of the vector's root mean square, whichever is larger: the
/// kernels have changed since (fused layers, vectorised activations within 3 ulps of exact), the
/// weights have not, and a sum of 256 terms near 0 keeps the rounding of its terms; a misread
/// weight or layer moves outputs by orders of magnitude more.
fn assert_same(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let rms = (want.iter().map(|w| w * w).sum::<f32>() / want.len().max(1) as f32).sqrt();
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-5 * w.abs().max(rms),
            "{what}[{k}]: {g} now, {w} before"
        );
    }
}

#[test]
fn model_files_from_before_load_and_compute_what_they_did() {
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("shipped-v1-outputs.json")).unwrap())
            .unwrap();
    let x = inputs();
    for (name, file) in [
        ("demo", "demo-dsae-v1.safetensors"),
        ("gtzan", "gtzan-mini-dsae-v1.safetensors"),
    ] {
        let saved = load(&fixture(file)).unwrap();
        // Old files are waveform models with no per-band standardisation and no fingerprint.
        assert_eq!(
            saved.meta.features.input,
            genrescope::dataset::Representation::Waveform
        );
        assert!(saved.meta.input_norm.is_none());
        let want = &recorded[name];
        let inference = saved.model.infer(&x).unwrap();
        assert_same(
            &format!("{name} code"),
            &inference.code,
            &values(&want["code"]),
        );
        assert_same(
            &format!("{name} logits"),
            inference.logits.as_deref().unwrap(),
            &values(&want["logits"]),
        );
        assert_same(
            &format!("{name} reconstruction"),
            inference.reconstruction.as_deref().unwrap(),
            &values(&want["reconstruction"]),
        );
        let decoded = saved.model.decode(&inference.code).unwrap();
        assert_same(
            &format!("{name} decode"),
            &decoded,
            &values(&want["decoded"]),
        );
    }
}

#[test]
fn the_shipped_models_keep_their_weights_and_now_know_their_data_by_content() {
    for (shipped, before) in [
        ("demo-dsae.safetensors", "demo-dsae-v1.safetensors"),
        (
            "gtzan-mini-dsae.safetensors",
            "gtzan-mini-dsae-v1.safetensors",
        ),
    ] {
        let now = load(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("models")
                .join(shipped),
        )
        .unwrap();
        let then = load(&fixture(before)).unwrap();
        let (a, b) = (
            now.model.named_tensors().unwrap(),
            then.model.named_tensors().unwrap(),
        );
        assert_eq!(a.len(), b.len());
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            let (x, y): (Vec<f32>, Vec<f32>) = (
                x.flatten_all().unwrap().to_vec1().unwrap(),
                y.flatten_all().unwrap().to_vec1().unwrap(),
            );
            assert_eq!(x, y, "{shipped}: {name}");
        }
        let record = now.meta.training.as_ref().unwrap();
        assert!(record.data_fingerprint.is_some(), "{shipped}");
        assert!(then
            .meta
            .training
            .as_ref()
            .unwrap()
            .data_fingerprint
            .is_none());
    }
}

/// Run from another working directory, the shipped GTZAN model still knows gtzan-mini as the
/// data it was trained on (the file records a relative path; the fingerprint decides).
#[test]
fn trained_on_is_decided_by_content_from_any_working_directory() {
    let Some(dir) = common::gtzan_dir() else {
        return;
    };
    let dir = std::fs::canonicalize(dir).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/gtzan-mini-dsae.safetensors");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .current_dir(elsewhere.path())
        .args([
            "eval",
            model.to_str().unwrap(),
            dir.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["held_out"], "in training", "{report}");
    assert_eq!(report["tracks_in_training"], 32);
    // A copy of the folder elsewhere is the same music: still training data.
    let copy = elsewhere.path().join("copy");
    let status = std::process::Command::new("cp")
        .args(["-r", dir.to_str().unwrap(), copy.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .args([
            "eval",
            model.to_str().unwrap(),
            copy.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["held_out"], "in training");
    // Fewer tracks: still the tracks it was trained on, every one of them (the model file
    // knows its tracks by content, not the folder as a whole).
    std::fs::remove_file(copy.join("genres_original/jazz/jazz.00003.wav")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .args([
            "eval",
            model.to_str().unwrap(),
            copy.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["held_out"], "in training");
    assert_eq!(report["tracks_in_training"], 31);
    assert_eq!(report["tracks_total"], 31);
}
