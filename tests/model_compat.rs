//! Model files saved before log-mel inputs, fingerprints and per-band standardisation existed
//! still load and compute exactly what they computed then. The fixtures are the shipped models
//! as they were, and their outputs on fixed inputs recorded with the code of that time.

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

fn assert_same(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-6 * w.abs().max(1e-3),
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
