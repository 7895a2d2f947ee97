//! The β-TCVAE: its KL decomposition against a direct computation, no NaN on a batch of one or
//! on silent clips, a file that loads and decodes from the code's mean, and on real clips a
//! total correlation that β presses down.

use crate::common;

use std::sync::atomic::AtomicBool;

use candle_core::{Device, Tensor};
use genrescope::dataset::{FeatureConfig, InputKind};
use genrescope::model::kl::{kl_estimates, KlParts};
use genrescope::model::{ConfigError, Model, ModelConfig, ModelKind, TrainConfig, VaeWeights};
use genrescope::training::experiment::run_experiment;
use genrescope::training::train::{train, EpochReport, Examples};

fn btcvae(dim: usize, classes: usize, beta: f64) -> ModelConfig {
    ModelConfig {
        vae: Some(VaeWeights {
            beta,
            ..VaeWeights::default()
        }),
        ..ModelConfig::dsae(dim, classes).with_kind(ModelKind::Btcvae)
    }
}

fn log_normal(z: f64, mean: f64, logvar: f64) -> f64 {
    -0.5 * ((2.0 * std::f64::consts::PI).ln() + logvar + (z - mean).powi(2) / logvar.exp())
}

fn log_sum_exp(values: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = values.collect();
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + v.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// MI, TC and dimension-wise KL computed directly in f64, with `log_w(a, b)` the log-weight of
/// row b's posterior in row a's estimate of q.
fn direct(
    z: &[f32],
    mean: &[f32],
    logvar: &[f32],
    batch: usize,
    dims: usize,
    log_w: impl Fn(usize, usize) -> f64,
) -> [f64; 3] {
    let at = |v: &[f32], row: usize, j: usize| f64::from(v[row * dims + j]);
    let (mut mi, mut tc, mut dwkl) = (0.0, 0.0, 0.0);
    for a in 0..batch {
        let log_qz = log_sum_exp((0..batch).map(|b| {
            log_w(a, b)
                + (0..dims)
                    .map(|j| log_normal(at(z, a, j), at(mean, b, j), at(logvar, b, j)))
                    .sum::<f64>()
        }));
        let log_qz_product: f64 = (0..dims)
            .map(|j| {
                log_sum_exp((0..batch).map(|b| {
                    log_w(a, b) + log_normal(at(z, a, j), at(mean, b, j), at(logvar, b, j))
                }))
            })
            .sum();
        let log_qz_x: f64 = (0..dims)
            .map(|j| log_normal(at(z, a, j), at(mean, a, j), at(logvar, a, j)))
            .sum();
        let log_pz: f64 = (0..dims).map(|j| log_normal(at(z, a, j), 0.0, 0.0)).sum();
        mi += (log_qz_x - log_qz) / batch as f64;
        tc += (log_qz - log_qz_product) / batch as f64;
        dwkl += (log_qz_product - log_pz) / batch as f64;
    }
    [mi, tc, dwkl]
}

fn values(parts: &KlParts) -> [f64; 3] {
    [
        &parts.mutual_information,
        &parts.total_correlation,
        &parts.dimensionwise_kl,
    ]
    .map(|t| f64::from(t.to_scalar::<f32>().unwrap()))
}

fn assert_close(what: &str, got: [f64; 3], want: [f64; 3]) {
    for (name, (g, w)) in [
        "mutual information",
        "total correlation",
        "dimension-wise KL",
    ]
    .iter()
    .zip(got.iter().zip(want))
    {
        assert!(
            (g - w).abs() < 1e-4 * w.abs().max(1.0),
            "{what}, {name}: {g} against {w}"
        );
    }
}

#[test]
fn both_estimators_match_a_direct_computation() {
    let (batch, dims, n) = (5usize, 3usize, 200usize);
    let value = |k: usize, scale: f64| ((k as f64 * 0.7311).sin() * scale) as f32;
    let z: Vec<f32> = (0..batch * dims).map(|k| value(k, 1.5)).collect();
    let mean: Vec<f32> = (0..batch * dims).map(|k| value(k + 40, 1.0)).collect();
    let logvar: Vec<f32> = (0..batch * dims).map(|k| value(k + 90, 0.8)).collect();
    let t = |v: &[f32]| Tensor::from_slice(v, (batch, dims), &Device::Cpu).unwrap();
    let est = kl_estimates(&t(&z), &t(&mean), &t(&logvar), n).unwrap();

    let log_nb = ((n * batch) as f64).ln();
    let weighted = direct(&z, &mean, &logvar, batch, dims, |_, _| -log_nb);
    assert_close("weighted", values(&est.weighted), weighted);
    let m = (batch - 1) as f64;
    let nf = n as f64;
    let stratified = direct(&z, &mean, &logvar, batch, dims, |a, b| {
        if a == b {
            (1.0 / nf).ln()
        } else if b == (a + 1) % batch {
            ((nf - m) / (nf * m)).ln()
        } else {
            (1.0 / m).ln()
        }
    });
    assert_close("stratified", values(&est.stratified), stratified);
    // Both split the same total, E[log q(z|x) − log p(z)].
    let sum = |v: [f64; 3]| v.iter().sum::<f64>();
    assert!((sum(weighted) - sum(stratified)).abs() < 1e-9);
    assert!(
        weighted[1].abs() > 1e-3,
        "a test of something: {weighted:?}"
    );
}

#[test]
fn a_code_that_carries_nothing_has_no_total_correlation_by_stratified_sampling() {
    // Every posterior is the prior: the code is independent of the clip and of itself.
    let (batch, dims, n) = (16usize, 8usize, 480usize);
    let z: Vec<f32> = (0..batch * dims)
        .map(|k| (k as f32 * 1.37).sin() * 1.2)
        .collect();
    let zeros = vec![0.0f32; batch * dims];
    let t = |v: &[f32]| Tensor::from_slice(v, (batch, dims), &Device::Cpu).unwrap();
    let est = kl_estimates(&t(&z), &t(&zeros), &t(&zeros), n).unwrap();
    let [mi, tc, dwkl] = values(&est.stratified);
    assert!(
        mi.abs() < 1e-4 && tc.abs() < 1e-4 && dwkl.abs() < 1e-4,
        "{mi} {tc} {dwkl}"
    );
    // Minibatch-weighted sampling puts (dims − 1)·log N there, without gradient.
    let weighted_tc = values(&est.weighted)[1];
    let offset = (dims - 1) as f64 * (n as f64).ln();
    assert!(
        (weighted_tc - offset).abs() < 1e-3 * offset,
        "{weighted_tc} against {offset}"
    );
}

#[test]
fn extreme_posteriors_stay_finite() {
    // Means far apart and log-variances far outside the clamp: log-sum-exp must hold.
    let (batch, dims) = (4usize, 2usize);
    let z: Vec<f32> = (0..batch * dims).map(|k| k as f32 * 40.0).collect();
    let mean: Vec<f32> = (0..batch * dims).map(|k| -(k as f32) * 40.0).collect();
    let logvar = vec![-10.0f32; batch * dims];
    let t = |v: &[f32]| Tensor::from_slice(v, (batch, dims), &Device::Cpu).unwrap();
    let est = kl_estimates(&t(&z), &t(&mean), &t(&logvar), 1000).unwrap();
    for v in values(&est.weighted).iter().chain(&values(&est.stratified)) {
        assert!(v.is_finite());
    }
}

/// Rows of two classes; `silent` rows are all zeros.
fn rows(n: usize, dim: usize, silent: bool) -> (Vec<f32>, Vec<u32>) {
    let x = (0..n * dim)
        .map(|k| {
            if silent {
                0.0
            } else {
                ((k as f32 * 0.37).sin() + (k / dim % 2) as f32) * 0.5
            }
        })
        .collect();
    let y = (0..n).map(|r| (r % 2) as u32).collect();
    (x, y)
}

fn quick(batch_size: usize, epochs: usize) -> TrainConfig {
    TrainConfig {
        learning_rate: 1e-3,
        batch_size,
        epochs,
        seed: 4,
        regularization: Default::default(),
    }
}

#[test]
fn a_batch_of_one_and_silent_clips_train_without_nan() {
    let dim = 24;
    for (silent, batch) in [(false, 1), (true, 8), (true, 1)] {
        let (x, y) = rows(8, dim, silent);
        let trained = train(
            btcvae(dim, 2, 6.0),
            &quick(batch, 3),
            Examples { x: &x, y: &y },
            Some(Examples { x: &x, y: &y }),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("silent {silent}, batch {batch}: {e}"));
        let last = trained.history.last().unwrap();
        let kl = last.kl.expect("a β-TCVAE reports its KL parts");
        for v in [
            last.loss,
            kl.mutual_information,
            kl.total_correlation,
            kl.dimensionwise_kl,
        ] {
            assert!(v.is_finite(), "silent {silent}, batch {batch}: {last:?}");
        }
        let codes = trained.model.encode(&x).unwrap();
        assert!(codes.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn the_code_is_the_mean_and_the_file_round_trips() {
    // 500 values: the default features' width, which the saved file states.
    let dim = 500;
    let (x, y) = rows(16, dim, false);
    let trained = train(
        btcvae(dim, 2, 3.0),
        &quick(8, 5),
        Examples { x: &x, y: &y },
        None,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    let model = trained.model;
    // Evaluation passes are deterministic: the mean, never a sample.
    assert_eq!(model.encode(&x).unwrap(), model.encode(&x).unwrap());
    let inference = model.infer(&x).unwrap();
    let decoded = model.decode(&inference.code).unwrap();
    let reconstruction = inference.reconstruction.unwrap();
    for (a, b) in decoded.iter().zip(&reconstruction) {
        assert!(
            (a - b).abs() < 1e-5,
            "decoding the mean is the reconstruction"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.safetensors");
    let meta = genrescope::model::ModelMeta {
        model: *model.config(),
        genres: vec!["a".into(), "b".into()],
        features: FeatureConfig::default(),
        training: None,
        input_norm: None,
    };
    genrescope::model::save(&path, &model, &meta).unwrap();
    let loaded = genrescope::model::load(&path).unwrap();
    assert_eq!(loaded.meta.model.kind, ModelKind::Btcvae);
    assert_eq!(loaded.meta.model.vae_weights().unwrap().beta, 3.0);
    assert_eq!(loaded.model.encode(&x).unwrap(), model.encode(&x).unwrap());
    assert_eq!(
        loaded.model.decode(&inference.code).unwrap(),
        model.decode(&inference.code).unwrap()
    );
    // The log-variance layer is saved with the others.
    let tensors = candle_core::safetensors::load(&path, &Device::Cpu).unwrap();
    assert!(tensors.contains_key("enc4_logvar.weight"));
}

#[test]
fn kl_weights_out_of_range_are_refused() {
    let bad = btcvae(8, 2, -1.0);
    assert!(matches!(
        Model::new(bad, 0),
        Err(genrescope::model::ModelError::Config(
            ConfigError::VaeWeight { name: "beta", .. }
        ))
    ));
}

/// The last epoch's total correlation of a β-TCVAE trained on real log-mel clips.
fn total_correlation_on_real_clips(
    dataset: &genrescope::dataset::Dataset,
    beta: f64,
) -> Vec<EpochReport> {
    let template = genrescope::training::presets::Settings::of(
        genrescope::training::presets::Preset::Recommended,
        InputKind::Logmel,
    );
    let template = genrescope::training::presets::Settings {
        vae: VaeWeights {
            beta,
            ..VaeWeights::default()
        },
        ..template
    }
    .model_template(ModelKind::Btcvae);
    run_experiment(
        dataset,
        template,
        &quick(64, 10),
        &Default::default(),
        false,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap()
    .history
}

#[test]
fn beta_presses_the_total_correlation_down_on_real_clips() {
    let Some(dir) = common::gtzan_dir() else {
        return;
    };
    let features = FeatureConfig::default().with_input(InputKind::Logmel);
    let dataset =
        genrescope::dataset::load_folder(&dir, None, &features, &AtomicBool::new(false), &|_| {})
            .unwrap();
    let tc = |h: &[EpochReport], at: usize| h[at].kl.unwrap().total_correlation;
    let pressed = total_correlation_on_real_clips(&dataset, 20.0);
    let plain = total_correlation_on_real_clips(&dataset, 1.0);
    let last = pressed.len() - 1;
    eprintln!(
        "TC by epoch, β 20: {:?}\nβ 1: {:?}",
        pressed
            .iter()
            .map(|h| h.kl.unwrap().total_correlation)
            .collect::<Vec<_>>(),
        plain
            .iter()
            .map(|h| h.kl.unwrap().total_correlation)
            .collect::<Vec<_>>()
    );
    // The penalty acts at once: within the first epochs the estimate falls below its start.
    let early_low = (1..4)
        .map(|e| tc(&pressed, e))
        .fold(f64::INFINITY, f64::min);
    assert!(
        early_low < 0.7 * tc(&pressed, 0),
        "under β 20 the total correlation falls while training"
    );
    assert!(
        tc(&pressed, last) < 0.5 * tc(&plain, last),
        "β 20 ends with well under the total correlation of β 1"
    );
    // And it still learns the genres from the code's mean.
    let accuracy = pressed[last].train_accuracy.unwrap();
    assert!(accuracy > 0.6, "train accuracy {accuracy}");
}

#[test]
fn train_then_explain_from_the_command_line_reports_its_mig() {
    use common::cli::*;
    let Some(gtzan) = common::gtzan_dir() else {
        return;
    };
    let dir = gtzan.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("b.safetensors");
    let model = model.to_str().unwrap();
    let base = [
        "train",
        dir,
        "--input",
        "logmel",
        "--preset",
        "recommended",
        "--epochs",
        "4",
        "--split",
        "track",
        "--out",
        model,
    ];
    // The KL weights belong to the β-TCVAE: elsewhere they are refused before any work.
    let refused = failure(&genrescope(&[&base[..], &["--beta", "4"]].concat()));
    assert!(refused.contains("--model btcvae"), "{refused}");

    let out = genrescope_ok(&[&base[..], &["--model", "btcvae", "--beta", "4", "--json"]].concat());
    let trained = ok_json(&out);
    let said = stderr(&out);
    assert!(said.contains("β 4 on the total correlation"), "{said}");
    assert!(said.contains("the code's mean"), "{said}");
    let history = trained["history"].as_array().unwrap();
    assert_eq!(history.len(), 4);
    assert!(history.iter().all(|h| h["kl"]["total_correlation"]
        .as_f64()
        .is_some_and(f64::is_finite)));

    let explained = ok_json(&genrescope_ok(&["explain", model, dir, "--json"]));
    let mig = explained["mig"].as_array().unwrap();
    let genre = mig.iter().find(|g| g["factor"] == "genre").unwrap();
    let value = genre["mig"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&value), "genre MIG {value}");
    assert!(mig.len() > 1, "a MIG per descriptor as well");
    // The file loads as a β-TCVAE with its weights.
    let saved = genrescope::model::load(std::path::Path::new(model)).unwrap();
    assert_eq!(saved.meta.model.vae_weights().unwrap().beta, 4.0);
}
