//! The recipe beyond the paper: weight decay shrinks the weights, early stopping keeps the best
//! dev epoch's weights (and says which), the input corruption changes training but not an
//! evaluation, bad values are refused, and a recipe left off trains exactly as before.

use std::sync::atomic::AtomicBool;

use genrescope::model::{BandNorm, ConfigError, Model, ModelConfig, Regularization, TrainConfig};
use genrescope::training::train::{train, train_model, Examples, Trained};

/// Two classes of noisy rows: class 0 rises, class 1 falls, with a lot of noise, so a network
/// overfits its training rows and dev cross-entropy turns up.
fn data(n: usize, dim: usize, seed: u64) -> (Vec<f32>, Vec<u32>) {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut noise = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 2.0
    };
    let mut x = Vec::with_capacity(n * dim);
    let mut y = Vec::with_capacity(n);
    for k in 0..n {
        let class = (k % 2) as u32;
        for j in 0..dim {
            let slope = j as f32 / dim as f32 - 0.5;
            let signal = if class == 0 { slope } else { -slope };
            x.push(0.3 * signal + noise());
        }
        y.push(class);
    }
    (x, y)
}

fn config(dim: usize) -> ModelConfig {
    ModelConfig {
        dropout_keep: 1.0,
        ..ModelConfig::dsae(dim, 2)
    }
}

fn train_with(recipe: Regularization, epochs: usize, with_dev: bool) -> Trained {
    let dim = 32;
    let (x, y) = data(64, dim, 1);
    let (dx, dy) = data(64, dim, 2);
    let tc = TrainConfig {
        learning_rate: 3e-3,
        batch_size: 16,
        epochs,
        seed: 3,
        regularization: recipe,
    };
    train(
        config(dim),
        &tc,
        Examples { x: &x, y: &y },
        with_dev.then_some(Examples { x: &dx, y: &dy }),
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap()
}

fn weights(model: &Model) -> Vec<f32> {
    model
        .vars()
        .iter()
        .flat_map(|v| {
            v.as_tensor()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap()
        })
        .collect()
}

fn norm(w: &[f32]) -> f64 {
    w.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt()
}

#[test]
fn a_recipe_left_off_trains_exactly_as_before() {
    // Off is the default: the same weights as a config that never heard of a recipe.
    let a = train_with(Regularization::default(), 5, true);
    let b = train_with(
        Regularization {
            best_on_dev: false,
            ..Regularization::default()
        },
        5,
        true,
    );
    assert_eq!(weights(&a.model), weights(&b.model));
    assert_eq!(a.best_epoch, None);
}

#[test]
fn weight_decay_shrinks_the_weights() {
    let plain = norm(&weights(
        &train_with(Regularization::default(), 30, false).model,
    ));
    let decayed = norm(&weights(
        &train_with(
            Regularization {
                weight_decay: 0.5,
                ..Regularization::default()
            },
            30,
            false,
        )
        .model,
    ));
    assert!(decayed < 0.9 * plain, "decayed {decayed} vs plain {plain}");
}

#[test]
fn early_stopping_keeps_the_best_dev_epoch() {
    let recipe = Regularization {
        best_on_dev: true,
        ..Regularization::default()
    };
    let trained = train_with(recipe, 40, true);
    let history = &trained.history;
    assert_eq!(history.len(), 40, "every epoch still runs");
    let ce: Vec<f64> = history
        .iter()
        .map(|h| h.dev_classification_loss.unwrap())
        .collect();
    let best = (0..ce.len())
        .min_by(|&a, &b| ce[a].total_cmp(&ce[b]))
        .unwrap();
    assert_eq!(trained.best_epoch, Some(best + 1));
    // The data overfits: the best dev epoch is not the last, so keeping it matters.
    assert!(best + 1 < 40, "dev cross-entropy kept falling: {ce:?}");
    // And the weights are that epoch's: the kept model's dev cross-entropy is the best one.
    let (dx, dy) = data(64, 32, 2);
    let probabilities = trained.model.infer(&dx).unwrap().logits.unwrap();
    let probs = genrescope::model::softmax_rows(&probabilities, 2);
    let kept_ce = dy
        .iter()
        .enumerate()
        .map(|(i, &c)| -f64::from(probs[i * 2 + c as usize].max(1e-30)).ln())
        .sum::<f64>()
        / dy.len() as f64;
    assert!(
        (kept_ce - ce[best]).abs() < 1e-4,
        "kept {kept_ce}, best epoch {}",
        ce[best]
    );
    // Without dev tracks there is nothing to watch: the last epoch is kept.
    assert_eq!(train_with(recipe, 3, false).best_epoch, None);
}

#[test]
fn input_corruption_changes_training_only() {
    // Band masks act on inputs made of frames of bands: give the model a band norm (4 bands).
    let dim = 32;
    let (x, y) = data(64, dim, 1);
    let norm = BandNorm::fit(&x, dim, 4);
    let run = |recipe: Regularization| {
        let model = Model::new(config(dim), 3)
            .unwrap()
            .with_norm(Some(norm.clone()))
            .unwrap();
        let tc = TrainConfig {
            learning_rate: 3e-3,
            batch_size: 16,
            epochs: 4,
            seed: 3,
            regularization: recipe,
        };
        train_model(
            model,
            &tc,
            Examples { x: &x, y: &y },
            None,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap()
    };
    let plain = run(Regularization::default());
    for recipe in [
        Regularization {
            input_noise: 0.3,
            ..Regularization::default()
        },
        Regularization {
            time_mask_frames: 2,
            band_mask_bands: 2,
            ..Regularization::default()
        },
    ] {
        let corrupted = run(recipe);
        assert_ne!(
            weights(&plain.model),
            weights(&corrupted.model),
            "{recipe:?}"
        );
        // The same seed gives the same corruption: training stays reproducible.
        assert_eq!(weights(&corrupted.model), weights(&run(recipe).model));
        // Evaluation sees clean inputs: the model encodes the same row the same way twice.
        let once = corrupted.model.encode(&x[..dim]).unwrap();
        assert_eq!(once, corrupted.model.encode(&x[..dim]).unwrap());
    }
}

#[test]
fn bad_recipes_are_refused_with_what_is_allowed() {
    let bad = |r: Regularization| {
        TrainConfig {
            regularization: r,
            ..TrainConfig::default()
        }
        .validate()
        .unwrap_err()
    };
    let e = bad(Regularization {
        weight_decay: -0.1,
        ..Regularization::default()
    });
    assert!(matches!(e, ConfigError::WeightDecay(_)));
    assert!(e.to_string().contains("from 0 to 1"), "{e}");
    let e = bad(Regularization {
        input_noise: f64::NAN,
        ..Regularization::default()
    });
    assert!(matches!(e, ConfigError::InputNoise(_)), "{e}");
    let e = bad(Regularization {
        time_mask_frames: 1 << 20,
        ..Regularization::default()
    });
    assert!(matches!(e, ConfigError::Mask(_)), "{e}");
}
