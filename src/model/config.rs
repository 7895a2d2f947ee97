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
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Autoencoder => "autoencoder",
            Self::Dsae => "dsae",
        }
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
}

fn unit_scale() -> f64 {
    1.0
}

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
        }
    }

    pub fn with_kind(self, kind: ModelKind) -> Self {
        Self { kind, ..self }
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
        }
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
            ModelKind::Dsae => vec![
                layer("cls1", BOTTLENECK_DIM, 32, Tanh, false),
                layer("cls2", 32, 16, Tanh, false),
                layer("cls3", 16, self.n_classes, Linear, false),
            ],
        }
    }

    pub fn all_layers(&self) -> Vec<LayerSpec> {
        let mut layers = self.encoder_layers();
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

    pub fn validate(&self) -> Result<(), String> {
        if self.input_dim == 0 {
            return Err("input dimension must be at least 1".into());
        }
        if self.kind.has_classifier() && self.n_classes < 2 {
            return Err(format!(
                "a classifier needs at least 2 genres, the data has {}",
                self.n_classes
            ));
        }
        if !(self.dropout_keep > 0.0 && self.dropout_keep <= 1.0) {
            return Err(format!(
                "dropout keep probability must be in (0, 1], got {}",
                self.dropout_keep
            ));
        }
        if !(0.0..=1.0).contains(&self.gamma) {
            return Err(format!("gamma must be in [0, 1], got {}", self.gamma));
        }
        if !(self.input_scale > 0.0 && self.input_scale.is_finite()) {
            return Err(format!(
                "input scale must be positive, got {}",
                self.input_scale
            ));
        }
        Ok(())
    }
}

/// How to train. Defaults are the authors': Adam at 1e-4, batches of 512, 200 epochs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub learning_rate: f64,
    pub batch_size: usize,
    pub epochs: usize,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            learning_rate: 1e-4,
            batch_size: 512,
            epochs: 200,
            seed: 0,
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(format!(
                "learning rate must be positive, got {}",
                self.learning_rate
            ));
        }
        if self.batch_size == 0 {
            return Err("batch size must be at least 1".into());
        }
        if self.epochs == 0 {
            return Err("epochs must be at least 1".into());
        }
        Ok(())
    }
}
