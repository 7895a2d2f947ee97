//! Named training settings. `paper` is what the authors ran (and the default of `train`);
//! `recommended` is, for each input representation, the settings chosen on held-out tracks of
//! gtzan-mini (see `models/*.md` and `models/select-settings.sh`): beyond the paper, and said
//! so wherever they are offered.

use serde::{Deserialize, Serialize};

use crate::dataset::InputKind;
use crate::model::{Activation, ModelConfig, ModelKind, Regularization, TrainConfig, VaeWeights};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// The authors' settings: Adam 1e-4, batch 512, 200 epochs, dropout keep 0.9, ReLU output
    #[default]
    Paper,
    /// Settings chosen on held-out gtzan-mini tracks for the chosen representation
    Recommended,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Self::Paper => "paper",
            Self::Recommended => "recommended",
        }
    }
}

/// Everything a preset sets: the model's and the training's knobs (not the kind, the split or
/// the seed, which are choices of their own).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub learning_rate: f64,
    pub batch_size: usize,
    pub epochs: usize,
    pub dropout_keep: f64,
    pub gamma: f64,
    pub output_activation: Activation,
    /// Scale waveform inputs to unit variance (log-mel inputs are always standardised per band).
    pub standardize: bool,
    /// Beyond dropout: weight decay, input corruption, early stopping (none in the paper).
    pub regularization: Regularization,
    /// The β-TCVAE's KL weights (used by that kind only).
    pub vae: VaeWeights,
}

impl Settings {
    pub fn of(preset: Preset, input: InputKind) -> Self {
        let paper = Self {
            learning_rate: 1e-4,
            batch_size: 512,
            epochs: 200,
            dropout_keep: 0.9,
            gamma: 0.9,
            output_activation: Activation::Relu,
            standardize: false,
            regularization: Regularization::default(),
            vae: VaeWeights::default(),
        };
        match (preset, input) {
            (Preset::Paper, _) => paper,
            // models/gtzan-mini-dsae.md: the best of the candidates on held-out tracks.
            (Preset::Recommended, InputKind::Waveform) => Self {
                learning_rate: 3e-4,
                batch_size: 64,
                epochs: 400,
                dropout_keep: 1.0,
                output_activation: Activation::Linear,
                standardize: true,
                ..paper
            },
            // models/gtzan-mini-logmel-dsae.md: the best of the candidates on held-out tracks.
            // (Log-mel inputs are always standardised band by band.)
            (Preset::Recommended, InputKind::Logmel | InputKind::Mfcc) => Self {
                learning_rate: 1e-3,
                batch_size: 64,
                epochs: 60,
                dropout_keep: 0.5,
                output_activation: Activation::Linear,
                ..paper
            },
        }
    }

    /// The model settings for `kind` (input width and genres come from the data).
    pub fn model_template(&self, kind: ModelKind) -> ModelConfig {
        ModelConfig {
            kind,
            input_dim: 0,
            n_classes: 0,
            output_activation: self.output_activation,
            dropout_keep: self.dropout_keep,
            gamma: self.gamma,
            input_scale: 1.0,
            vae: kind.is_variational().then_some(self.vae),
        }
    }

    pub fn train_config(&self, seed: u64) -> TrainConfig {
        TrainConfig {
            learning_rate: self.learning_rate,
            batch_size: self.batch_size,
            epochs: self.epochs,
            seed,
            regularization: self.regularization,
        }
    }
}
