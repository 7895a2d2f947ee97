//! Making a clip ready for the output device: decoding it (or having it made), converting each
//! part to the device's rate and channel layout, with short gaps between the parts of a
//! sequence. Runs on a worker; the result is handed to the player as one buffer.

use std::path::PathBuf;

use super::decode::read_clip;
use super::error::DecodeError;
use super::resample::{resample_clip, ResampleError};

/// The device a clip is prepared for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFormat {
    pub sample_rate_hz: u32,
    pub channels: usize,
    pub device: String,
}

/// Mono audio at a sample rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Mono {
    pub samples: Vec<f32>,
    pub rate_hz: u32,
}

/// Something that makes audio on demand (the synthesizer, a decoder): run on the worker.
pub type MakeAudio = Box<dyn FnOnce() -> Result<Mono, ClipError> + Send>;

/// Audio to play.
pub enum ClipSource {
    /// A stretch of an audio file, decoded at `rate_hz`.
    File {
        path: PathBuf,
        rate_hz: u32,
        offset_samples: usize,
        len_samples: usize,
    },
    Made(MakeAudio),
    /// The parts one after another, each at its own rate, with [`SEQUENCE_GAP_SECS`] of silence
    /// between them so they are heard as separate sounds.
    Sequence(Vec<ClipSource>),
}

impl std::fmt::Debug for ClipSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File {
                path,
                offset_samples,
                ..
            } => write!(f, "File({}, {offset_samples})", path.display()),
            Self::Made(_) => f.write_str("Made"),
            Self::Sequence(parts) => f.debug_list().entries(parts).finish(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClipError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(transparent)]
    Resample(#[from] ResampleError),
    #[error("{0}")]
    Make(String),
}

pub const SEQUENCE_GAP_SECS: f64 = 0.3;

/// A clip in the device's layout, and where each of its parts starts (in frames), so a window can
/// follow which part is playing.
#[derive(Debug)]
pub struct PreparedClip {
    pub frames: Box<[f32]>,
    pub part_starts: Vec<usize>,
}

impl ClipSource {
    /// Decodes or makes every part (sequences flattened, in order).
    fn render_parts(self, parts: &mut Vec<Mono>) -> Result<(), ClipError> {
        match self {
            Self::File {
                path,
                rate_hz,
                offset_samples,
                len_samples,
            } => parts.push(Mono {
                samples: read_clip(&path, rate_hz, offset_samples, len_samples)?,
                rate_hz,
            }),
            Self::Made(make) => parts.push(make()?),
            Self::Sequence(list) => {
                for part in list {
                    part.render_parts(parts)?;
                }
            }
        }
        Ok(())
    }

    /// The clip as mono parts, each converted to `rate_hz`.
    pub fn render_at(self, rate_hz: u32) -> Result<Vec<Vec<f32>>, ClipError> {
        let mut parts = Vec::new();
        self.render_parts(&mut parts)?;
        parts
            .into_iter()
            .map(|p| Ok(resample_clip(&p.samples, p.rate_hz, rate_hz)?))
            .collect()
    }

    /// The clip ready for `format`: every part at the device rate, gaps between parts, each
    /// sample copied to every channel.
    pub fn prepare(self, format: &OutputFormat) -> Result<PreparedClip, ClipError> {
        let parts = self.render_at(format.sample_rate_hz)?;
        let channels = format.channels.max(1);
        let gap = (SEQUENCE_GAP_SECS * f64::from(format.sample_rate_hz)) as usize;
        let total: usize = parts.iter().map(Vec::len).sum::<usize>() + gap * parts.len();
        let mut frames = Vec::with_capacity(total * channels);
        let mut part_starts = Vec::with_capacity(parts.len());
        for (k, part) in parts.iter().enumerate() {
            if k > 0 {
                frames.resize(frames.len() + gap * channels, 0.0);
            }
            part_starts.push(frames.len() / channels);
            for &s in part {
                frames.extend(std::iter::repeat_n(s, channels));
            }
        }
        Ok(PreparedClip {
            frames: frames.into_boxed_slice(),
            part_starts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(samples: Vec<f32>, rate_hz: u32) -> ClipSource {
        ClipSource::Made(Box::new(move || Ok(Mono { samples, rate_hz })))
    }

    #[test]
    fn a_sequence_of_parts_at_different_rates_plays_each_at_its_own_length() {
        let format = OutputFormat {
            sample_rate_hz: 44_100,
            channels: 2,
            device: "test".into(),
        };
        // 0.5 s at 22,050 Hz, then 0.5 s at 11,025 Hz: both last 22,050 device frames.
        let clip = ClipSource::Sequence(vec![
            made(vec![0.5; 11_025], 22_050),
            made(vec![0.25; 5_512], 11_025),
        ])
        .prepare(&format)
        .unwrap();
        let gap = (SEQUENCE_GAP_SECS * 44_100.0) as usize;
        assert_eq!(clip.part_starts, vec![0, 22_050 + gap]);
        let frames = clip.frames.len() / 2;
        assert!(
            (frames as i64 - (22_050 + gap + 22_050) as i64).abs() <= 2,
            "{frames}"
        );
        // Channels carry the same sample.
        assert_eq!(clip.frames[2000], clip.frames[2001]);
    }
}
