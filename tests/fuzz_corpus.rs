//! The fuzzers' seed corpus: one file of every audio encoding and container genrescope reads, and
//! model files of every kind and representation, each checked to load here. With
//! GENRESCOPE_FUZZ_CORPUS set (scripts/fuzz does), they are written there for cargo-fuzz.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use common::*;
use genrescope::dataset::features::{extract_track, FeatureConfig};
use genrescope::dataset::InputKind;

/// The fuzz target picks the file extension from the first byte
/// (fuzz/fuzz_targets/decode_audio.rs).
const EXTENSIONS: [&str; 8] = ["wav", "flac", "mp3", "ogg", "aiff", "au", "snd", "oga"];

fn selector(ext: &str) -> u8 {
    EXTENSIONS.iter().position(|e| *e == ext).unwrap() as u8
}

/// Small audio files of every kind: (file, extension).
fn audio_seeds(dir: &Path) -> Vec<PathBuf> {
    let tone = signal(330.0, 0.4, 22_050);
    let mut files = Vec::new();
    let mono = dir.join("mono.wav");
    write_wav(&mono, &tone, 22_050, 1);
    files.push(mono.clone());
    let stereo = dir.join("stereo.wav");
    write_wav(&stereo, &signal(330.0, 0.4, 44_100), 44_100, 2);
    files.push(stereo);
    let au = dir.join("linear.au");
    write_au(&au, &tone, 22_050);
    files.push(au);
    let float = dir.join("float.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&float, spec).unwrap();
    for s in signal(330.0, 0.4, 16_000) {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    files.push(float);
    for ext in ["flac", "mp3", "ogg", "aiff"] {
        let out = dir.join(format!("converted.{ext}"));
        if sox(&[mono.to_str().unwrap(), out.to_str().unwrap()]).is_some() {
            files.push(out);
        }
    }
    files
}

#[test]
fn the_seed_corpus_decodes_and_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = std::env::var_os("GENRESCOPE_FUZZ_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("corpus"));
    let (audio_dir, model_dir) = (corpus.join("decode_audio"), corpus.join("load_model"));
    std::fs::create_dir_all(&audio_dir).unwrap();
    std::fs::create_dir_all(&model_dir).unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();

    let cfg = FeatureConfig {
        segment_samples: 2_000,
        pool: 40,
        max_segments_per_track: Some(3),
        ..FeatureConfig::default()
    };
    for file in audio_seeds(&work) {
        for c in [cfg, cfg.with_input(InputKind::Logmel)] {
            let features = extract_track(&file, &c, &AtomicBool::new(false))
                .unwrap_or_else(|e| panic!("seed {} must decode: {e}", file.display()));
            assert_eq!(features.n_segments, 3, "{}", file.display());
        }
        let ext = file.extension().unwrap().to_str().unwrap().to_string();
        let mut seed = vec![selector(&ext)];
        seed.extend(std::fs::read(&file).unwrap());
        let name = file
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .replace('.', "-");
        std::fs::write(audio_dir.join(name), seed).unwrap();
    }

    // Model files: the shipped ones and small ones of every kind in both representations.
    let data = work.join("data");
    make_dataset(&data, None, &["low", "high"], 3, 2.0);
    let mut models: Vec<PathBuf> = [
        "models/demo-dsae.safetensors",
        "models/gtzan-mini-dsae.safetensors",
    ]
    .iter()
    .map(|p| Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
    .collect();
    for kind in [
        genrescope::model::ModelKind::Dsae,
        genrescope::model::ModelKind::Autoencoder,
        genrescope::model::ModelKind::Baseline,
    ] {
        for input in [InputKind::Waveform, InputKind::Logmel] {
            let out = work.join(format!("{kind}-{input}.safetensors"));
            train_model_with(
                &data,
                &out,
                genrescope::model::ModelConfig::dsae(0, 0).with_kind(kind),
                genrescope::model::TrainConfig {
                    epochs: 1,
                    ..Default::default()
                },
                &FeatureConfig::default().with_input(input),
            );
            models.push(out);
        }
    }
    for model in models {
        let saved = genrescope::model::load(&model)
            .unwrap_or_else(|e| panic!("seed {} must load: {e}", model.display()));
        assert!(saved
            .model
            .infer(&vec![0.0; saved.meta.model.input_dim])
            .is_ok());
        std::fs::copy(&model, model_dir.join(model.file_name().unwrap())).unwrap();
    }
}
