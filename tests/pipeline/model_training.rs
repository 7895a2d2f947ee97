//! The three models: shapes, learning, determinism, cancellation, divergence, and the gradient
//! path checked by hand.

use std::sync::atomic::{AtomicBool, Ordering};

use candle_core::{Device, Tensor};
use genrescope::model::{Activation, ConfigError, Model, ModelConfig, ModelKind, TrainConfig};
use genrescope::tables::metrics::{track_vote, ConfusionMatrix};
use genrescope::training::train::{loss_tensor, predict, train, Examples, TrainError};

/// Separable synthetic data: each class a sine of its own frequency plus noise.
fn synthetic(n_per_class: usize, classes: usize, dim: usize, seed: u32) -> (Vec<f32>, Vec<u32>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut state = seed.wrapping_mul(747_796_405).wrapping_add(1);
    let mut noise = move || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
    };
    for c in 0..classes {
        for k in 0..n_per_class {
            let phase = k as f32 * 0.37;
            for j in 0..dim {
                let t = j as f32 / dim as f32;
                x.push(
                    0.3 * (std::f32::consts::TAU * (c + 1) as f32 * 3.0 * t + phase).sin()
                        + 0.05 * noise(),
                );
            }
            y.push(c as u32);
        }
    }
    (x, y)
}

fn cfg(kind: ModelKind, dim: usize, classes: usize) -> ModelConfig {
    ModelConfig::dsae(dim, classes).with_kind(kind)
}

#[test]
fn the_lean_pass_keeps_each_reconstructions_error_and_not_the_reconstruction() {
    // More rows than one inference batch, so the errors line up across batches.
    let rows = 4_200;
    let x: Vec<f32> = (0..rows * 500)
        .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
        .collect();
    let dsae = Model::new(cfg(ModelKind::Dsae, 500, 4), 3).unwrap();
    let full = dsae.infer(&x).unwrap();
    let lean = dsae.infer_lean(&x).unwrap();
    assert_eq!(lean.reconstruction, None);
    assert_eq!(
        (lean.code.clone(), lean.logits.clone()),
        (full.code.clone(), full.logits.clone())
    );
    let recon = full.reconstruction.unwrap();
    let errors = lean.reconstruction_error.unwrap();
    assert_eq!(errors.len(), rows);
    assert_eq!(full.reconstruction_error.unwrap(), errors);
    // Without the decoder (a model compared with another): the same codes and logits, no errors.
    let codes = dsae.infer_codes(&x).unwrap();
    assert_eq!((&codes.code, &codes.logits), (&full.code, &full.logits));
    assert_eq!(
        (codes.reconstruction, codes.reconstruction_error),
        (None, None)
    );
    for i in [0, 1, 4_095, 4_096, rows - 1] {
        let want: f32 = recon[i * 500..(i + 1) * 500]
            .iter()
            .zip(&x[i * 500..(i + 1) * 500])
            .map(|(r, x)| (r - x) * (r - x))
            .sum::<f32>()
            / 500.0;
        assert!(
            (errors[i] - want).abs() <= 1e-6 * want.max(1.0),
            "row {i}: {} vs {want}",
            errors[i]
        );
    }
    let baseline = Model::new(cfg(ModelKind::Baseline, 500, 4), 0).unwrap();
    assert_eq!(
        baseline
            .infer_lean(&x[..1500])
            .unwrap()
            .reconstruction_error,
        None
    );
}

#[test]
fn every_model_has_the_papers_shapes() {
    let x = vec![0.1f32; 3 * 500];
    let dsae = Model::new(cfg(ModelKind::Dsae, 500, 4), 0).unwrap();
    let code = dsae.encode(&x).unwrap();
    assert_eq!(code.len(), 3 * 64);
    assert_eq!(dsae.head_logits(&code).unwrap().len(), 3 * 4);
    assert_eq!(dsae.decode(&code).unwrap().len(), 3 * 500);
    let inf = dsae.infer(&x).unwrap();
    assert_eq!(inf.code, code);
    assert_eq!(inf.logits.unwrap().len(), 12);
    assert_eq!(inf.reconstruction.unwrap().len(), 1500);
    // Per layer, weights + biases: encoder, decoder, then the classifier head.
    let encoder = (500 * 256 + 256) + (256 * 192 + 192) + (192 * 128 + 128) + (128 * 64 + 64);
    let decoder = (64 * 128 + 128) + (128 * 192 + 192) + (192 * 256 + 256) + (256 * 500 + 500);
    let head = (64 * 32 + 32) + (32 * 16 + 16) + (16 * 4 + 4);
    assert_eq!(dsae.config().parameter_count(), encoder + decoder + head);
    assert_eq!(encoder + decoder + head, 424_232);

    let ae = Model::new(cfg(ModelKind::Autoencoder, 500, 4), 0).unwrap();
    let code = ae.encode(&x).unwrap();
    assert_eq!(code.len(), 3 * 64);
    assert!(ae
        .head_logits(&code)
        .unwrap_err()
        .to_string()
        .contains("classifier"));
    assert_eq!(ae.infer(&x).unwrap().logits, None);

    let base = Model::new(cfg(ModelKind::Baseline, 500, 10), 0).unwrap();
    let code = base.encode(&x).unwrap();
    assert_eq!(
        code.len(),
        3 * 128,
        "the baseline's code is its hidden layer"
    );
    assert_eq!(base.head_logits(&code).unwrap().len(), 3 * 10);
    assert!(base
        .decode(&code)
        .unwrap_err()
        .to_string()
        .contains("decoder"));
    assert_eq!(
        base.config().parameter_count(),
        500 * 128 + 128 + 128 * 10 + 10
    );
}

#[test]
fn a_standardized_model_decodes_in_raw_units_everywhere() {
    let config = ModelConfig {
        input_scale: 12.0,
        ..ModelConfig::dsae(500, 4)
    };
    let m = Model::new(config, 5).unwrap();
    let x: Vec<f32> = (0..2 * 500)
        .map(|i| ((i * 13 % 97) as f32 / 97.0 - 0.5) * 0.2)
        .collect();
    let inferred = m.infer(&x).unwrap();
    let decoded = m.decode(&m.encode(&x).unwrap()).unwrap();
    assert_eq!(inferred.code, m.encode(&x).unwrap());
    let recon = inferred.reconstruction.unwrap();
    assert!(
        recon
            .iter()
            .zip(&decoded)
            .all(|(a, b)| (a - b).abs() < 1e-6),
        "decode and infer agree"
    );
    // And the scale really is undone: the unscaled model's output is 12 times larger.
    let raw = Model::new(
        ModelConfig {
            input_scale: 1.0,
            ..config
        },
        5,
    )
    .unwrap();
    let raw_decoded = raw.decode(&m.encode(&x).unwrap()).unwrap();
    assert!((raw_decoded[7] / 12.0 - decoded[7]).abs() < 1e-6);
}

#[test]
fn relu_output_never_goes_negative_and_linear_does() {
    let x = vec![0.3f32; 500];
    for (act, can_be_negative) in [(Activation::Relu, false), (Activation::Linear, true)] {
        let config = ModelConfig {
            output_activation: act,
            ..ModelConfig::dsae(500, 4)
        };
        let m = Model::new(config, 3).unwrap();
        let r = m.decode(&m.encode(&x).unwrap()).unwrap();
        assert_eq!(r.iter().any(|&v| v < 0.0), can_be_negative, "{act:?}");
    }
}

#[test]
fn each_model_learns_separable_synthetic_data() {
    let (x, y) = synthetic(60, 3, 100, 1);
    let (dx, dy) = synthetic(20, 3, 100, 2);
    for kind in [ModelKind::Dsae, ModelKind::Baseline, ModelKind::Autoencoder] {
        // The deep stack needs ~75 epochs of 6 batches here before the 0.1-weighted CE pays off.
        let tc = TrainConfig {
            learning_rate: 3e-3,
            batch_size: 32,
            epochs: 100,
            seed: 5,
            regularization: Default::default(),
        };
        let mut history = Vec::new();
        let trained = train(
            cfg(kind, 100, 3),
            &tc,
            Examples { x: &x, y: &y },
            Some(Examples { x: &dx, y: &dy }),
            &AtomicBool::new(false),
            &mut |r| history.push(r.clone()),
        )
        .unwrap();
        assert_eq!(history.len(), 100);
        assert_eq!(trained.history, history);
        let first = &history[0];
        let last = history.last().unwrap();
        assert!(
            last.loss < first.loss * 0.8,
            "{kind}: loss {} -> {}",
            first.loss,
            last.loss
        );
        if kind.has_classifier() {
            assert!(
                last.dev_accuracy.unwrap() > 0.9,
                "{kind}: dev {:?}",
                last.dev_accuracy
            );
            assert!(last.train_accuracy.unwrap() > 0.9);
            let pred = predict(&trained.model, &dx).unwrap();
            let acc = pred
                .iter()
                .zip(&dy)
                .filter(|(p, t)| **p == **t as usize)
                .count() as f64
                / dy.len() as f64;
            assert!((acc - last.dev_accuracy.unwrap()).abs() < 1e-9);
        } else {
            assert_eq!(last.train_accuracy, None);
            assert!(last.reconstruction_loss.unwrap() < first.reconstruction_loss.unwrap());
        }
    }
}

#[test]
fn training_is_deterministic_for_a_seed() {
    let (x, y) = synthetic(30, 2, 64, 3);
    let run = |seed| {
        let tc = TrainConfig {
            learning_rate: 1e-3,
            batch_size: 16,
            epochs: 3,
            seed,
            regularization: Default::default(),
        };
        let t = train(
            cfg(ModelKind::Dsae, 64, 2),
            &tc,
            Examples { x: &x, y: &y },
            None,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
        t.model.infer(&x).unwrap().code
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn training_stops_when_cancelled() {
    let (x, y) = synthetic(30, 2, 64, 3);
    let cancel = AtomicBool::new(false);
    let tc = TrainConfig {
        learning_rate: 1e-3,
        batch_size: 8,
        epochs: 50,
        seed: 0,
        regularization: Default::default(),
    };
    let mut epochs = 0;
    let err = train(
        cfg(ModelKind::Dsae, 64, 2),
        &tc,
        Examples { x: &x, y: &y },
        None,
        &cancel,
        &mut |r| {
            epochs = r.epoch;
            if r.epoch == 2 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
    )
    .err()
    .unwrap();
    assert!(matches!(err, TrainError::Cancelled));
    assert_eq!(epochs, 2);
}

#[test]
fn a_diverging_run_stops_with_a_clear_error() {
    let (mut x, y) = synthetic(10, 2, 32, 3);
    x[5] = 1e30; // one absurd sample: the squared error overflows to infinity
    let tc = TrainConfig {
        learning_rate: 1e-3,
        batch_size: 8,
        epochs: 5,
        seed: 0,
        regularization: Default::default(),
    };
    let err = train(
        cfg(ModelKind::Dsae, 32, 2),
        &tc,
        Examples { x: &x, y: &y },
        None,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .err()
    .unwrap();
    assert!(
        matches!(err, TrainError::Diverged { epoch: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("lower the learning rate"));
}

#[test]
fn bad_settings_are_refused() {
    let (x, y) = synthetic(4, 2, 16, 1);
    let ex = Examples { x: &x, y: &y };
    let no = AtomicBool::new(false);
    let bad_lr = TrainConfig {
        learning_rate: -1.0,
        ..TrainConfig::default()
    };
    assert!(matches!(
        train(
            cfg(ModelKind::Dsae, 16, 2),
            &bad_lr,
            ex,
            None,
            &no,
            &mut |_| {}
        )
        .err()
        .unwrap(),
        TrainError::Settings(ConfigError::LearningRate(_))
    ));
    let keep0 = ModelConfig {
        dropout_keep: 0.0,
        ..cfg(ModelKind::Dsae, 16, 2)
    };
    assert!(matches!(
        train(keep0, &TrainConfig::default(), ex, None, &no, &mut |_| {})
            .err()
            .unwrap(),
        TrainError::Settings(ConfigError::DropoutKeep(_))
    ));
    let wrong_labels = cfg(ModelKind::Dsae, 16, 1);
    assert!(train(
        wrong_labels,
        &TrainConfig::default(),
        ex,
        None,
        &no,
        &mut |_| {}
    )
    .is_err());
}

/// candle's gradients of the DSAE objective agree with central finite differences.
#[test]
fn gradients_match_finite_differences() {
    let (x, y) = synthetic(4, 2, 8, 9);
    let model = Model::new(cfg(ModelKind::Dsae, 8, 2), 11).unwrap();
    let xt = Tensor::from_slice(&x, (8, 8), &Device::Cpu).unwrap();
    let yt = Tensor::from_slice(&y, 8, &Device::Cpu).unwrap();
    let loss = loss_tensor(&model, &xt, &yt).unwrap();
    let grads = loss.backward().unwrap();
    let eval = || {
        f64::from(
            loss_tensor(&model, &xt, &yt)
                .unwrap()
                .to_scalar::<f32>()
                .unwrap(),
        )
    };
    let mut checked = 0;
    // Vars: enc1.weight, enc1.bias, ..., the head last. Check a few entries of several layers.
    for (v, var) in model.vars().iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let analytic: Vec<f32> = grads
            .get(var)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let original: Vec<f32> = var.as_tensor().flatten_all().unwrap().to_vec1().unwrap();
        // The entry with the largest gradient, where the finite difference is least noisy.
        let j = (0..analytic.len())
            .max_by(|&a, &b| analytic[a].abs().total_cmp(&analytic[b].abs()))
            .unwrap();
        if analytic[j].abs() < 1e-3 {
            continue;
        }
        let eps = 1e-2f32;
        let mut perturbed = original.clone();
        perturbed[j] = original[j] + eps;
        var.set(&Tensor::from_vec(perturbed.clone(), var.shape(), &Device::Cpu).unwrap())
            .unwrap();
        let up = eval();
        perturbed[j] = original[j] - eps;
        var.set(&Tensor::from_vec(perturbed, var.shape(), &Device::Cpu).unwrap())
            .unwrap();
        let down = eval();
        var.set(&Tensor::from_vec(original, var.shape(), &Device::Cpu).unwrap())
            .unwrap();
        let numeric = (up - down) / (2.0 * f64::from(eps));
        let rel = (numeric - f64::from(analytic[j])).abs() / numeric.abs().max(1e-6);
        assert!(
            rel < 0.02,
            "var {v} entry {j}: analytic {} numeric {numeric}",
            analytic[j]
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} entries checked");
}

/// One epoch of one full batch without dropout is one Adam step from the seeded init: every
/// weight moves by -lr * g / (|g| + eps), i.e. by lr against the sign of its gradient.
#[test]
fn one_training_step_is_one_adam_step() {
    let (x, y) = synthetic(8, 2, 16, 4);
    let config = ModelConfig {
        dropout_keep: 1.0,
        ..cfg(ModelKind::Baseline, 16, 2)
    };
    let lr = 1e-3;
    let tc = TrainConfig {
        learning_rate: lr,
        batch_size: 1024,
        epochs: 1,
        seed: 21,
        regularization: Default::default(),
    };
    let before = Model::new(config, 21).unwrap();
    let xt = Tensor::from_slice(&x, (16, 16), &Device::Cpu).unwrap();
    let yt = Tensor::from_slice(&y, 16, &Device::Cpu).unwrap();
    let grads = loss_tensor(&before, &xt, &yt).unwrap().backward().unwrap();
    let after = train(
        config,
        &tc,
        Examples { x: &x, y: &y },
        None,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap()
    .model;
    for (b, a) in before.vars().iter().zip(after.vars()) {
        let g: Vec<f32> = grads
            .get(b)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let w0: Vec<f32> = b.as_tensor().flatten_all().unwrap().to_vec1().unwrap();
        let w1: Vec<f32> = a.as_tensor().flatten_all().unwrap().to_vec1().unwrap();
        for ((g, w0), w1) in g.iter().zip(&w0).zip(&w1) {
            let expected = f64::from(*w0) - lr * f64::from(*g) / (f64::from(g.abs()) + 1e-8);
            assert!(
                (f64::from(*w1) - expected).abs() < 2e-6,
                "w0 {w0} g {g}: got {w1}, expected {expected}"
            );
        }
    }
}

#[test]
fn metrics_agree_with_a_hand_computed_confusion_matrix() {
    // 3 genres; truth and predictions chosen so every cell is easy to count by hand.
    let truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    let pred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];
    let cm = ConfusionMatrix::new(&truth, &pred, 3);
    assert_eq!(cm.counts, vec![2, 1, 1, 1, 2, 0, 0, 1, 2]);
    assert!((cm.accuracy() - 0.6).abs() < 1e-12);
    let m = cm.per_class();
    // genre 0: tp 2, predicted 3, support 4
    assert!((m[0].precision - 2.0 / 3.0).abs() < 1e-12);
    assert!((m[0].recall - 0.5).abs() < 1e-12);
    // F1 = 2PR / (P + R) = (2/3) / (7/6), counted by hand.
    assert!((m[0].f1 - 4.0 / 7.0).abs() < 1e-12);
    // genre 1: tp 2, predicted 4, support 3
    assert!((m[1].precision - 0.5).abs() < 1e-12);
    assert!((m[1].recall - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(m[2].support, 3);
    // A genre never predicted has precision 0, not NaN.
    let cm = ConfusionMatrix::new(&[0, 1], &[0, 0], 2);
    assert_eq!(cm.per_class()[1].precision, 0.0);
    assert_eq!(cm.per_class()[1].f1, 0.0);
}

#[test]
fn track_vote_takes_the_majority_and_breaks_ties_by_probability() {
    // Track 0 (genre 1): votes 1, 1, 0 -> 1, right. Track 1 (genre 0): votes 0, 1 tie; genre 1
    // is more probable on average -> 1, wrong. Track 2 (genre 2): votes 2 -> right.
    let tracks = [0, 0, 0, 1, 1, 2];
    let truth = [1, 1, 1, 0, 0, 2];
    let probs = [
        0.1, 0.8, 0.1, /**/ 0.2, 0.7, 0.1, /**/ 0.6, 0.3, 0.1, //
        0.5, 0.4, 0.1, /**/ 0.05, 0.9, 0.05, //
        0.1, 0.1, 0.8f32,
    ];
    let v = track_vote(&tracks, &truth, &probs, 3);
    assert_eq!((v.tracks, v.correct), (3, 2));
}
