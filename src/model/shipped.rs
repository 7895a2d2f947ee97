//! The models that ship with genrescope (in `models/`, each with a model card), built into the
//! binary so the app opens on them from any directory.

use std::path::Path;

use crate::dataset::{Dataset, FeatureConfig};
use crate::model::io::load_bytes;
use crate::model::{ModelFileError, SavedModel};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shipped {
    /// A DSAE trained on the built-in demo set: what the window opens with.
    Demo,
    /// The paper's waveform DSAE trained on all 32 tracks of gtzan-mini.
    GtzanWaveform,
    /// The same architecture on log-mel patches of the same clips.
    GtzanLogmel,
}

/// The shipped models for GTZAN's four paper genres, offered when such a folder is opened.
pub const GTZAN_MODELS: [Shipped; 2] = [Shipped::GtzanLogmel, Shipped::GtzanWaveform];

const PAPER_GENRES: [&str; 4] = ["classical", "jazz", "metal", "pop"];

impl Shipped {
    /// Where the file is in the repository.
    pub fn path(self) -> &'static str {
        match self {
            Self::Demo => "models/demo-dsae.safetensors",
            Self::GtzanWaveform => "models/gtzan-mini-dsae.safetensors",
            Self::GtzanLogmel => "models/gtzan-mini-logmel-dsae.safetensors",
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Self::Demo => include_bytes!("../../models/demo-dsae.safetensors"),
            Self::GtzanWaveform => include_bytes!("../../models/gtzan-mini-dsae.safetensors"),
            Self::GtzanLogmel => include_bytes!("../../models/gtzan-mini-logmel-dsae.safetensors"),
        }
    }

    pub fn load(self) -> Result<SavedModel, ModelFileError> {
        load_bytes(self.bytes(), Path::new(self.path()))
    }

    /// How the window names it.
    pub fn label(self) -> String {
        match self {
            Self::Demo => format!("shipped demo model ({})", self.path()),
            Self::GtzanWaveform => format!("shipped gtzan-mini waveform DSAE ({})", self.path()),
            Self::GtzanLogmel => format!("shipped gtzan-mini log-mel DSAE ({})", self.path()),
        }
    }

    /// Its name in a button ("the log-mel DSAE").
    pub fn short_label(self) -> &'static str {
        match self {
            Self::Demo => "the demo DSAE",
            Self::GtzanWaveform => "the waveform DSAE",
            Self::GtzanLogmel => "the log-mel DSAE",
        }
    }

    /// What it scores on music it never heard, from its model card, with the protocol: most
    /// held-out gtzan-mini tracks share an artist with a training track (GTZAN's index).
    pub fn held_out_accuracy(self) -> &'static str {
        match self {
            Self::Demo => "40-54 % of clips on unheard demo tracks",
            Self::GtzanWaveform => {
                "about 37 % of clips on unheard gtzan-mini tracks (track split, 3 seeds; mostly \
                 artists it heard)"
            }
            Self::GtzanLogmel => {
                "82 ± 8 % of clips, 91 % of tracks in 8-fold cross-validation over gtzan-mini's \
                 tracks (mostly artists it heard)"
            }
        }
    }

    /// It can be used on this data: the genres it knows (or a library, without labels), cut into
    /// the same segments (the window re-reads the folder in the model's representation if
    /// needed).
    pub fn fits(self, dataset: &Dataset) -> bool {
        let paper = FeatureConfig::default();
        let same_cut = dataset.features.sample_rate_hz == paper.sample_rate_hz
            && dataset.features.segment_samples == paper.segment_samples;
        match self {
            Self::Demo => dataset.source.is_demo() && same_cut,
            // One's own library is what a trained model is for.
            Self::GtzanWaveform | Self::GtzanLogmel => {
                (dataset.is_library() || dataset.genres.iter().map(String::as_str).eq(PAPER_GENRES))
                    && same_cut
            }
        }
    }
}
