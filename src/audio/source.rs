//! What every decoder produces: a stream of mono f32 blocks and what the header said. Its own
//! module so the decoders (`decode`, `au`) and the rate converter (`resample`) depend on it, not
//! on each other.

use super::error::DecodeError;

/// Sample rates outside this range are treated as a corrupt header, not as audio to resample.
pub const PLAUSIBLE_RATE_HZ: std::ops::RangeInclusive<u32> = 1_000..=768_000;
/// More channels than this is a corrupt header (no music file has 256 channels).
pub const MAX_CHANNELS: usize = 255;
/// Samples whose magnitude exceeds this (+36 dBFS) are not audio anyone mastered: a float file
/// holding them (or NaN, or infinity) is refused as it is decoded, before anything (a resampler,
/// the features, the speakers) sees them.
pub const MAX_SAMPLE_MAGNITUDE: f32 = 64.0;

/// What a decoder learned about a file from its header.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SourceInfo {
    /// The file's own sample rate.
    pub sample_rate_hz: u32,
    pub channels: usize,
    /// Short human-readable name of the container/codec, e.g. "WAV pcm_s16le" or ".au 16-bit
    /// linear".
    pub codec: String,
    /// Frames the header promises, when it says.
    pub declared_frames: Option<u64>,
}

/// A decoded stream of mono f32 samples in [-1, 1].
pub trait MonoSource {
    fn info(&self) -> &SourceInfo;
    /// The next block of mono samples at `info().sample_rate_hz`; `Ok(None)` at the end.
    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError>;
}

/// Averages interleaved frames into mono, as librosa's `to_mono` does.
pub fn downmix_into(interleaved: &[f32], channels: usize, out: &mut Vec<f32>) {
    out.clear();
    if channels <= 1 {
        out.extend_from_slice(interleaved);
        return;
    }
    let scale = 1.0 / channels as f32;
    out.extend(
        interleaved
            .chunks_exact(channels)
            .map(|frame| frame.iter().sum::<f32>() * scale),
    );
}
