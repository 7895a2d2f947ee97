//! Sound: the output device, what is playing (one state, so "playing step 3 of 8" cannot outlive
//! the path it names), and the link to the decoder behind the sliders.

use std::time::Instant;

use crate::audio::playback::OutputFormat;

use super::super::registry::JobId;

/// The audio output, as found at start-up.
#[derive(Debug, Clone, PartialEq)]
pub enum AudioDevice {
    Ready(OutputFormat),
    Unavailable(String),
}

/// How loud decoded audio plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loudness {
    /// Brought to the level of the music it stands for, so A/B listening compares content.
    #[default]
    Matched,
    /// As the decoder made it (much quieter than music).
    Raw,
}

/// Where a sound is on its way to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A worker is making it (the job's id).
    Preparing(JobId),
    /// The player has it (the player's id for it).
    Playing(u64),
}

/// What the speakers are doing.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Playback {
    #[default]
    Stopped,
    /// One clip (an original, a reconstruction, a decoded step, a queue of clips).
    Clip { label: String, stage: Stage },
    /// *Play path*: every step of a path one after another; `step` is the one being heard.
    Path {
        label: String,
        stage: Stage,
        /// Where each step starts, in device frames.
        part_starts: Vec<usize>,
        step: Option<usize>,
    },
    /// The device failed; the next play tries again.
    Failed { why: String },
}

impl Playback {
    pub fn stage(&self) -> Option<Stage> {
        match self {
            Self::Clip { stage, .. } | Self::Path { stage, .. } => Some(*stage),
            Self::Stopped | Self::Failed { .. } => None,
        }
    }

    /// The player's id of what plays, once the player has it.
    pub fn playing_id(&self) -> Option<u64> {
        match self.stage() {
            Some(Stage::Playing(id)) => Some(id),
            _ => None,
        }
    }

    pub fn is_sounding(&self) -> bool {
        self.stage().is_some()
    }

    /// "step k of n" while a path plays.
    pub fn path_step(&self) -> Option<(usize, usize)> {
        match self {
            Self::Path {
                step: Some(k),
                part_starts,
                ..
            } => Some((*k, part_starts.len())),
            _ => None,
        }
    }
}

/// The decoder's newest request and what was measured of its sound.
#[derive(Debug, Clone, Default)]
pub struct DecoderLink {
    /// The newest request, until its answer arrives.
    pub request: Option<JobId>,
    /// When the newest request that plays was made, and the player's id of its sound once it
    /// has one: the latency is measured when that sound starts.
    pub awaiting: Option<(Instant, Option<u64>)>,
    /// Pointer or slider change to first sample written to the device, last measured.
    pub latency_ms: Option<f64>,
    /// Gain applied to the decoded sound by loudness matching, in dB.
    pub gain_db: Option<f32>,
}
