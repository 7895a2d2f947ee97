//! What defines a model and its training: the paper's three architectures, layer by layer as the
//! authors' code builds them, and the training hyperparameters.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Two-layer classifier: input -> 128 tanh -> genres.
    Baseline,
    /// Deep autoencoder, reconstruction loss only.
    Autoencoder,
    /// Deep Softmax Autoencoder: the autoencoder plus a classifier head on the bottleneck.
    Dsae,
    /// β-TCVAE (Chen et al. 2018): the DSAE with a Gaussian code (mean and log-variance),
    /// sampled in training, its KL term split into mutual information, total correlation and
    /// dimension-wise KL; the paper's future work. Inference uses the code's mean.
    Btcvae,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Autoencoder => "autoencoder",
            Self::Dsae => "dsae",
            Self::Btcvae => "btcvae",
        }
    }

    /// The code is a distribution (mean and log-variance) rather than a point.
    pub fn is_variational(self) -> bool {
        self == Self::Btcvae
    }

    pub fn has_classifier(self) -> bool {
        self != Self::Autoencoder
    }

    pub fn has_decoder(self) -> bool {
        self != Self::Baseline
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Sigmoid,
    Tanh,
    Relu,
    /// No activation (logits, or the decoder's output when it may go negative).
    Linear,
}

/// One dense layer: `out = act(x W^T + b)`, optionally followed by dropout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerSpec {
    pub name: &'static str,
    pub inputs: usize,
    pub outputs: usize,
    pub activation: Activation,
    pub dropout_after: bool,
}

const fn layer(
    name: &'static str,
    inputs: usize,
    outputs: usize,
    activation: Activation,
    dropout_after: bool,
) -> LayerSpec {
    LayerSpec {
        name,
        inputs,
        outputs,
        activation,
        dropout_after,
    }
}

/// Width of the DSAE and autoencoder bottleneck.
pub const BOTTLENECK_DIM: usize = 64;
/// Width of the baseline's hidden layer (its only internal representation).
pub const BASELINE_HIDDEN: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub kind: ModelKind,
    /// Length of an input vector (500 with the paper's pooling).
    pub input_dim: usize,
    /// One output per genre of the dataset.
    pub n_classes: usize,
    /// The decoder's last activation: `relu` as in the paper, `linear` to hear negative half-waves.
    pub output_activation: Activation,
    /// Probability of keeping a unit where the authors put dropout (paper text 0.9, code 0.8).
    pub dropout_keep: f64,
    /// DSAE loss weight: gamma * MSE + (1 - gamma) * cross-entropy.
    pub gamma: f64,
    /// Inputs are multiplied by this before the encoder and the decoder's output divided by it,
    /// so the reconstruction error is measured in these units. 1 is the paper (raw amplitude);
    /// `--standardize` sets 1/std of the training inputs (beyond the paper).
    #[serde(default = "unit_scale")]
    pub input_scale: f64,
    /// The β-TCVAE's weights on the parts of its KL term; `None` for every other kind (and in
    /// every file saved before the β-TCVAE existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vae: Option<VaeWeights>,
}

fn unit_scale() -> f64 {
    1.0
}

/// The weights of the β-TCVAE's KL decomposition (Chen, Li, Grosse and Duvenaud 2018, eq. 2):
/// α on the index-code mutual information, β on the total correlation, γ on the dimension-wise
/// KL. α = β = γ = 1 is a plain VAE's KL; β > 1 presses the code's dimensions to independence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VaeWeights {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
}

impl Default for VaeWeights {
    /// The reference implementation's default (`--beta 6` in Chen et al.'s `vae_quant.py`
    /// with α = γ = 1).
    fn default() -> Self {
        Self {
            alpha: 1.0,
            beta: 6.0,
            gamma: 1.0,
        }
    }
}

/// Largest weight on a KL part: beyond it the code collapses to the prior whatever the data.
pub const MAX_VAE_WEIGHT: f64 = 1_000.0;

impl ModelConfig {
    /// The paper's DSAE for `n_classes` genres, with the decoder output chosen for listening.
    pub fn dsae(input_dim: usize, n_classes: usize) -> Self {
        Self {
            kind: ModelKind::Dsae,
            input_dim,
            n_classes,
            output_activation: Activation::Linear,
            dropout_keep: 0.9,
            gamma: 0.9,
            input_scale: 1.0,
            vae: None,
        }
    }

    /// The same settings for another kind (a β-TCVAE gets default KL weights if it has none).
    pub fn with_kind(self, kind: ModelKind) -> Self {
        let vae = kind.is_variational().then(|| self.vae.unwrap_or_default());
        Self { kind, vae, ..self }
    }

    /// The KL weights of a β-TCVAE (defaults if a file left them out), `None` for other kinds.
    pub fn vae_weights(&self) -> Option<VaeWeights> {
        self.kind
            .is_variational()
            .then(|| self.vae.unwrap_or_default())
    }

    pub fn encoder_layers(&self) -> Vec<LayerSpec> {
        use Activation::*;
        match self.kind {
            ModelKind::Baseline => vec![layer(
                "hidden",
                self.input_dim,
                BASELINE_HIDDEN,
                Tanh,
                false,
            )],
            ModelKind::Autoencoder | ModelKind::Dsae => vec![
                layer("enc1", self.input_dim, 256, Sigmoid, false),
                layer("enc2", 256, 192, Tanh, true),
                layer("enc3", 192, 128, Relu, false),
                layer("enc4", 128, BOTTLENECK_DIM, Relu, false),
            ],
            // The code's mean may be negative: a ReLU would hold half of the prior's mass at 0.
            ModelKind::Btcvae => vec![
                layer("enc1", self.input_dim, 256, Sigmoid, false),
                layer("enc2", 256, 192, Tanh, true),
                layer("enc3", 192, 128, Relu, false),
                layer("enc4", 128, BOTTLENECK_DIM, Linear, false),
            ],
        }
    }

    /// The β-TCVAE's second head on the encoder's last hidden layer: the code's log-variance
    /// (empty for every other kind).
    pub fn logvar_layers(&self) -> Vec<LayerSpec> {
        if !self.kind.is_variational() {
            return Vec::new();
        }
        vec![layer(
            "enc4_logvar",
            128,
            BOTTLENECK_DIM,
            Activation::Linear,
            false,
        )]
    }

    pub fn decoder_layers(&self) -> Vec<LayerSpec> {
        use Activation::*;
        if !self.kind.has_decoder() {
            return Vec::new();
        }
        vec![
            layer("dec1", BOTTLENECK_DIM, 128, Sigmoid, false),
            layer("dec2", 128, 192, Sigmoid, true),
            layer("dec3", 192, 256, Relu, false),
            layer("dec4", 256, self.input_dim, self.output_activation, false),
        ]
    }

    /// The classifier on top of the encoder's output.
    pub fn head_layers(&self) -> Vec<LayerSpec> {
        use Activation::*;
        match self.kind {
            ModelKind::Baseline => {
                vec![layer("out", BASELINE_HIDDEN, self.n_classes, Linear, false)]
            }
            ModelKind::Autoencoder => Vec::new(),
            ModelKind::Dsae | ModelKind::Btcvae => vec![
                layer("cls1", BOTTLENECK_DIM, 32, Tanh, false),
                layer("cls2", 32, 16, Tanh, false),
                layer("cls3", 16, self.n_classes, Linear, false),
            ],
        }
    }

    pub fn all_layers(&self) -> Vec<LayerSpec> {
        let mut layers = self.encoder_layers();
        layers.extend(self.logvar_layers());
        layers.extend(self.decoder_layers());
        layers.extend(self.head_layers());
        layers
    }

    /// Width of the code `encode` returns: the bottleneck, or the baseline's hidden layer.
    pub fn code_dim(&self) -> usize {
        self.encoder_layers().last().map_or(0, |l| l.outputs)
    }

    pub fn parameter_count(&self) -> usize {
        self.all_layers()
            .iter()
            .map(|l| l.inputs * l.outputs + l.outputs)
            .sum()
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        use ConfigError::*;
        if self.input_dim == 0 || self.input_dim > crate::dataset::features::MAX_VECTOR_DIM {
            return Err(InputDim(self.input_dim));
        }
        if self.n_classes > MAX_CLASSES || (self.kind.has_classifier() && self.n_classes < 2) {
            return Err(Classes(self.n_classes));
        }
        self.validate_settings()
    }

    /// Checks what a user chooses (everything but the widths, which come from the data), so a
    /// bad flag is refused before any data is loaded.
    pub fn validate_settings(&self) -> Result<(), ConfigError> {
        use ConfigError::*;
        if !(self.dropout_keep > 0.0 && self.dropout_keep <= 1.0) {
            return Err(DropoutKeep(self.dropout_keep));
        }
        if !(0.0..=1.0).contains(&self.gamma) {
            return Err(Gamma(self.gamma));
        }
        if !(INPUT_SCALE_RANGE.contains(&self.input_scale)) {
            return Err(InputScale(self.input_scale));
        }
        if let Some(w) = self.vae_weights() {
            for (name, value) in [("alpha", w.alpha), ("beta", w.beta), ("gamma", w.gamma)] {
                if !(0.0..=MAX_VAE_WEIGHT).contains(&value) {
                    return Err(VaeWeight { name, value });
                }
            }
        }
        Ok(())
    }
}

/// Most genres a model may have (GTZAN has 10).
pub const MAX_CLASSES: usize = 1_000;
/// Input scales outside this range come from a damaged file, not from standardizing audio.
pub const INPUT_SCALE_RANGE: std::ops::RangeInclusive<f64> = 1e-6..=1e6;

/// Why model settings are unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "input width {0} must be from 1 to {max}",
        max = crate::dataset::features::MAX_VECTOR_DIM
    )]
    InputDim(usize),
    #[error("{0} genres: a classifier needs from 2 to {MAX_CLASSES}")]
    Classes(usize),
    #[error("dropout keep probability must be in (0, 1], got {0}")]
    DropoutKeep(f64),
    #[error("gamma must be in [0, 1], got {0}")]
    Gamma(f64),
    #[error("input scale must be from 1e-6 to 1e6, got {0}")]
    InputScale(f64),
    #[error("the β-TCVAE's {name} must be from 0 to {MAX_VAE_WEIGHT}, got {value}")]
    VaeWeight { name: &'static str, value: f64 },
    #[error("learning rate must be positive and finite, got {0}")]
    LearningRate(f64),
    #[error("batch size must be from 1 to {MAX_BATCH}, got {0}")]
    Batch(usize),
    #[error("epochs must be from 1 to {MAX_EPOCHS}, got {0}")]
    Epochs(usize),
    #[error("weight decay must be from 0 to 1, got {0}")]
    WeightDecay(f64),
    #[error("input noise must be from 0 to {MAX_INPUT_NOISE} (standard deviations), got {0}")]
    InputNoise(f64),
    #[error("a mask must be at most {MAX_MASK} frames or bands wide, got {0}")]
    Mask(usize),
}

pub const MAX_BATCH: usize = 1 << 20;
pub const MAX_EPOCHS: usize = 100_000;

pub const MAX_INPUT_NOISE: f64 = 10.0;
pub const MAX_MASK: usize = 10_000;

/// What keeps a network from memorising its training tracks, beyond the paper (which has
/// dropout only): all off by default. Measured by cross-validation in `models/*.md`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Regularization {
    /// Decoupled weight decay (AdamW): each step shrinks every parameter by
    /// `learning_rate * weight_decay` of itself.
    pub weight_decay: f64,
    /// Standard deviation of Gaussian noise added to each training input, in the model's
    /// (standardised) units; the decoder still reconstructs the clean input.
    pub input_noise: f64,
    /// SpecAugment: in each training input of frames of bands (log-mel, MFCC), a run of up to
    /// this many frames set to the band means.
    pub time_mask_frames: usize,
    /// SpecAugment: likewise a run of up to this many bands, across every frame.
    pub band_mask_bands: usize,
    /// Keep the weights of the epoch with the lowest dev cross-entropy (the dev loss for a
    /// model without a classifier) instead of the last epoch's: early stopping on the dev
    /// tracks, which then cannot also be a held-out score.
    pub best_on_dev: bool,
}

impl Regularization {
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(0.0..=1.0).contains(&self.weight_decay) {
            return Err(ConfigError::WeightDecay(self.weight_decay));
        }
        if !(0.0..=MAX_INPUT_NOISE).contains(&self.input_noise) {
            return Err(ConfigError::InputNoise(self.input_noise));
        }
        for mask in [self.time_mask_frames, self.band_mask_bands] {
            if mask > MAX_MASK {
                return Err(ConfigError::Mask(mask));
            }
        }
        Ok(())
    }

    /// The recipe in words, for reports ("none" when off).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.weight_decay > 0.0 {
            parts.push(format!("weight decay {}", self.weight_decay));
        }
        if self.input_noise > 0.0 {
            parts.push(format!("input noise {} sd", self.input_noise));
        }
        if self.time_mask_frames > 0 {
            parts.push(format!("time masks ≤ {} frames", self.time_mask_frames));
        }
        if self.band_mask_bands > 0 {
            parts.push(format!("band masks ≤ {} bands", self.band_mask_bands));
        }
        if self.best_on_dev {
            parts.push("best epoch on dev".into());
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(", ")
        }
    }
}

/// How to train. Defaults are the authors': Adam at 1e-4, batches of 512, 200 epochs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub learning_rate: f64,
    pub batch_size: usize,
    pub epochs: usize,
    pub seed: u64,
    /// Files saved before it existed (and models trained without it) have none.
    #[serde(default, skip_serializing_if = "Regularization::is_none")]
    pub regularization: Regularization,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            learning_rate: 1e-4,
            batch_size: 512,
            epochs: 200,
            seed: 0,
            regularization: Regularization::default(),
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(ConfigError::LearningRate(self.learning_rate));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH {
            return Err(ConfigError::Batch(self.batch_size));
        }
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            return Err(ConfigError::Epochs(self.epochs));
        }
        self.regularization.validate()
    }
}
