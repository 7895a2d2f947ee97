//! Saving and loading models: exact round trips, atomic writes, and clear errors for bad files.

use std::collections::HashMap;
use std::path::Path;

use genrescope::dataset::{FeatureConfig, SplitConfig};
use genrescope::files::FileError;
use genrescope::model::{
    load, save, FitError, Model, ModelConfig, ModelFileError, ModelKind, ModelMeta, TrainConfig,
    TrainingRecord,
};

fn meta_for(config: ModelConfig) -> ModelMeta {
    ModelMeta {
        model: config,
        genres: (0..config.n_classes).map(|i| format!("genre{i}")).collect(),
        features: FeatureConfig::default(),
        training: Some(TrainingRecord {
            train: TrainConfig::default(),
            split: SplitConfig::default(),
            data: "somewhere".into(),
            data_fingerprint: None,
            epochs_run: 3,
            best_epoch: None,
            seconds: 1.5,
            report: None,
            tracks: Vec::new(),
            crossval: None,
        }),
        input_norm: None,
    }
}

#[test]
fn save_then_load_reproduces_every_output_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let x: Vec<f32> = (0..5 * 500)
        .map(|i| ((i * 37 % 101) as f32 / 101.0) - 0.5)
        .collect();
    for kind in [
        ModelKind::Dsae,
        ModelKind::Autoencoder,
        ModelKind::Baseline,
        ModelKind::Btcvae,
    ] {
        let config = ModelConfig::dsae(500, 4).with_kind(kind);
        let model = Model::new(config, 42).unwrap();
        let meta = meta_for(config);
        let path = dir.path().join(format!("{kind}.safetensors"));
        save(&path, &model, &meta).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.meta, meta);
        let (a, b) = (model.infer(&x).unwrap(), loaded.model.infer(&x).unwrap());
        assert_eq!(a.code, b.code, "{kind}");
        assert_eq!(a.logits, b.logits, "{kind}");
        assert_eq!(a.reconstruction, b.reconstruction, "{kind}");
    }
    // Atomic write: only the model files remain, no temporaries.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn saving_over_a_model_replaces_it_and_a_failed_save_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.safetensors");
    let config = ModelConfig::dsae(500, 4);
    save(&path, &Model::new(config, 1).unwrap(), &meta_for(config)).unwrap();
    let first = std::fs::read(&path).unwrap();
    save(&path, &Model::new(config, 2).unwrap(), &meta_for(config)).unwrap();
    let second = std::fs::read(&path).unwrap();
    assert_ne!(first, second);
    // Saving into a folder that does not exist fails with the path, and creates nothing.
    let bad = dir.path().join("missing").join("m.safetensors");
    let err = save(&bad, &Model::new(config, 3).unwrap(), &meta_for(config)).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    assert!(!bad.exists());
    assert_eq!(std::fs::read(&path).unwrap(), second);
}

fn expect_err(path: &Path) -> ModelFileError {
    match load(path) {
        Ok(_) => panic!("{} loaded", path.display()),
        Err(e) => e,
    }
}

#[test]
fn corrupt_and_foreign_files_are_refused_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let config = ModelConfig::dsae(500, 4);
    let good = dir.path().join("good.safetensors");
    save(&good, &Model::new(config, 1).unwrap(), &meta_for(config)).unwrap();
    let bytes = std::fs::read(&good).unwrap();

    let garbage = dir.path().join("garbage.safetensors");
    std::fs::write(&garbage, b"this is not a model at all").unwrap();
    let err = expect_err(&garbage);
    assert!(
        matches!(err, ModelFileError::NotSafetensors { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("garbage.safetensors"));

    let truncated = dir.path().join("truncated.safetensors");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        expect_err(&truncated),
        ModelFileError::NotSafetensors { .. }
    ));

    let missing = dir.path().join("nope.safetensors");
    assert!(matches!(
        expect_err(&missing),
        ModelFileError::File(FileError::Read { .. })
    ));

    // A valid safetensors file written by someone else.
    let foreign = dir.path().join("foreign.safetensors");
    let data: Vec<u8> = [1.0f32, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    let view =
        safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![2], &data).unwrap();
    std::fs::write(
        &foreign,
        safetensors::tensor::serialize([("w", view)], None).unwrap(),
    )
    .unwrap();
    let err = expect_err(&foreign);
    assert!(matches!(err, ModelFileError::NotGenrescope { .. }), "{err}");
    assert!(err.to_string().contains("not a genrescope model"));
}

/// Rewrites `good`'s metadata entry `key` and saves it as `name`, without the checksum (as a
/// file saved before checksums, so what its metadata says is checked on its own).
fn with_metadata(
    dir: &Path,
    good: &Path,
    name: &str,
    key: &str,
    value: &str,
) -> std::path::PathBuf {
    let bytes = std::fs::read(good).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let mut metadata: HashMap<String, String> = header.metadata().clone().unwrap();
    metadata.insert(key.to_string(), value.to_string());
    metadata.remove("genrescope.checksum");
    let path = dir.join(name);
    std::fs::write(
        &path,
        safetensors::tensor::serialize(st.tensors(), Some(metadata)).unwrap(),
    )
    .unwrap();
    path
}

#[test]
fn damaged_metadata_and_other_architectures_say_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let config = ModelConfig::dsae(500, 4);
    let good = dir.path().join("good.safetensors");
    save(&good, &Model::new(config, 1).unwrap(), &meta_for(config)).unwrap();

    let p = with_metadata(
        dir.path(),
        &good,
        "v2.safetensors",
        "genrescope.format",
        "genrescope-model/99",
    );
    assert!(matches!(expect_err(&p), ModelFileError::Version { .. }));

    let p = with_metadata(
        dir.path(),
        &good,
        "json.safetensors",
        "genrescope.meta",
        "{not json",
    );
    assert!(matches!(expect_err(&p), ModelFileError::Metadata { .. }));

    // Metadata claiming a baseline over a DSAE's weights: another architecture.
    let baseline = meta_for(config.with_kind(ModelKind::Baseline));
    let p = with_metadata(
        dir.path(),
        &good,
        "kind.safetensors",
        "genrescope.meta",
        &serde_json::to_string(&baseline).unwrap(),
    );
    let err = expect_err(&p);
    assert!(matches!(err, ModelFileError::Architecture { .. }), "{err}");
    assert!(
        err.to_string().contains("tensor hidden.weight is missing"),
        "{err}"
    );

    // Metadata claiming 10 genres over 4-output weights: the shape that differs is named.
    let ten = ModelConfig {
        n_classes: 10,
        ..config
    };
    let p = with_metadata(
        dir.path(),
        &good,
        "classes.safetensors",
        "genrescope.meta",
        &serde_json::to_string(&meta_for(ten)).unwrap(),
    );
    let err = expect_err(&p);
    assert!(err.to_string().contains("cls3.weight is [4, 16]"), "{err}");
    assert!(err.to_string().contains("needs [10, 16]"), "{err}");

    // Genre names that do not match the outputs.
    let mut wrong = meta_for(config);
    wrong.genres.pop();
    let p = with_metadata(
        dir.path(),
        &good,
        "names.safetensors",
        "genrescope.meta",
        &serde_json::to_string(&wrong).unwrap(),
    );
    assert!(expect_err(&p)
        .to_string()
        .contains("3 genre names for a model with 4 outputs"));
}

#[test]
fn a_model_checks_that_data_fits_it() {
    let meta = meta_for(ModelConfig::dsae(500, 4));
    let genres: Vec<String> = vec!["genre1".into(), "genre3".into()];
    assert_eq!(
        meta.genre_map(&genres, &FeatureConfig::default()).unwrap(),
        vec![1, 3]
    );
    let other: Vec<String> = vec!["genre1".into(), "blues".into()];
    let err = meta
        .genre_map(&other, &FeatureConfig::default())
        .unwrap_err();
    assert_eq!(
        err,
        FitError::Genres {
            model: meta.genres.clone(),
            unknown: vec!["blues".into()]
        }
    );
    assert!(err.to_string().contains("blues"));
    let pooled_20 = FeatureConfig {
        pool: 20,
        ..FeatureConfig::default()
    };
    let err = meta.genre_map(&genres, &pooled_20).unwrap_err();
    assert!(err.to_string().contains("expects 500-d vectors"), "{err}");
    assert!(err.to_string().contains("1000-d"), "{err}");
}

#[test]
fn a_changed_byte_in_a_saved_model_is_caught_by_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let config = ModelConfig::dsae(500, 4);
    let good = dir.path().join("good.safetensors");
    save(&good, &Model::new(config, 1).unwrap(), &meta_for(config)).unwrap();
    assert!(load(&good).is_ok());
    let mut bytes = std::fs::read(&good).unwrap();
    // The lowest bit of the last weight: a model that still loads and runs, slightly wrong.
    let at = bytes.len() - 4;
    bytes[at] ^= 0x01;
    let damaged = dir.path().join("damaged.safetensors");
    std::fs::write(&damaged, &bytes).unwrap();
    let err = expect_err(&damaged);
    assert!(matches!(err, ModelFileError::Damaged { .. }), "{err}");
    assert!(
        err.to_string().contains("damaged.safetensors is damaged"),
        "{err}"
    );
    // Metadata changed behind the checksum's back is damage too.
    let meta = with_metadata_keeping_checksum(&good, dir.path().join("edited.safetensors"));
    assert!(matches!(expect_err(&meta), ModelFileError::Damaged { .. }));
}

/// `good` with its metadata's seconds changed but its checksum kept.
fn with_metadata_keeping_checksum(good: &Path, out: std::path::PathBuf) -> std::path::PathBuf {
    let bytes = std::fs::read(good).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let mut metadata: HashMap<String, String> = header.metadata().clone().unwrap();
    let meta = metadata["genrescope.meta"].replace("\"seconds\":1.5", "\"seconds\":2.5");
    assert_ne!(meta, metadata["genrescope.meta"]);
    metadata.insert("genrescope.meta".into(), meta);
    std::fs::write(
        &out,
        safetensors::tensor::serialize(st.tensors(), Some(metadata)).unwrap(),
    )
    .unwrap();
    out
}
