//! The training form. It starts on the recommended preset for the waveform; choosing a preset
//! or a representation refills the knobs from that preset.

use crate::dataset::{FeatureConfig, InputKind, SplitConfig, SplitProtocol};
use crate::model::{ModelConfig, ModelKind, TrainConfig};
use crate::training::presets::{Preset, Settings};

/// The window's cross-validation: 8 folds, as the README's and the model cards' tables.
pub const WINDOW_FOLDS: usize = 8;

#[derive(Debug, Clone, PartialEq)]
pub struct TrainSettings {
    pub kind: ModelKind,
    pub input: InputKind,
    pub preset: Preset,
    /// What the preset set, as edited.
    pub knobs: Settings,
    pub protocol: SplitProtocol,
    pub seed: u64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        Self::from_preset(
            ModelKind::Dsae,
            InputKind::Waveform,
            Preset::Recommended,
            SplitProtocol::Track,
            0,
        )
    }
}

impl TrainSettings {
    pub fn from_preset(
        kind: ModelKind,
        input: InputKind,
        preset: Preset,
        protocol: SplitProtocol,
        seed: u64,
    ) -> Self {
        Self {
            kind,
            input,
            preset,
            knobs: Settings::of(preset, input),
            protocol,
            seed,
        }
    }

    /// The knobs differ from the preset they started from.
    pub fn is_modified(&self) -> bool {
        *self != Self::from_preset(self.kind, self.input, self.preset, self.protocol, self.seed)
    }

    pub fn model_template(&self) -> ModelConfig {
        self.knobs.model_template(self.kind)
    }

    pub fn train_config(&self) -> TrainConfig {
        self.knobs.train_config(self.seed)
    }

    pub fn split_config(&self) -> SplitConfig {
        SplitConfig {
            protocol: self.protocol,
            seed: self.seed,
            folds: if self.protocol == SplitProtocol::KFold {
                WINDOW_FOLDS
            } else {
                0
            },
            ..SplitConfig::default()
        }
    }

    /// Epochs the run trains in all: every fold and then the model on every track, under
    /// cross-validation.
    pub fn total_epochs(&self) -> usize {
        match self.protocol {
            SplitProtocol::KFold => {
                crate::training::crossval::total_epochs(WINDOW_FOLDS, self.knobs.epochs)
            }
            _ => self.knobs.epochs,
        }
    }

    /// How the data must be cut for this training (the representation chosen).
    pub fn features(&self, current: &FeatureConfig) -> FeatureConfig {
        if current.input.kind() == self.input {
            *current
        } else {
            current.with_input(self.input)
        }
    }
}
