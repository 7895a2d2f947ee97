//! Sample-rate conversion with rubato's FFT resampler (fixed ratio, high quality), streamed
//! block by block so long files never need to sit in memory at their source rate.

use std::path::{Path, PathBuf};

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

use super::error::DecodeError;
use super::source::{MonoSource, SourceInfo};

const CHUNK_FRAMES: usize = 1024;

/// A whole clip could not be converted (rubato refused the rates or the buffers).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot convert audio from {from_hz} Hz to {to_hz} Hz: {detail}")]
pub struct ResampleError {
    pub from_hz: u32,
    pub to_hz: u32,
    pub detail: String,
}

/// Resamplers kept per thread for [`resample_clip`], by rate pair: making one designs its filter
/// and plans its FFTs, most of the 0.9 ms a waveform slider step took for its two conversions
/// (the decoder's 551.25 Hz to 22,050 Hz, then to the device's rate).
const CACHED_RESAMPLERS: usize = 4;

/// A resampler and the (from, to) rates it converts between.
type RatePair = ((u32, u32), Fft<f32>);

thread_local! {
    static RESAMPLERS: std::cell::RefCell<Vec<RatePair>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Converts a whole mono clip from one rate to another (used for playback and the decoder's
/// 551.25 Hz output). Output length is `ceil(len * to / from)`, with the filter delay removed.
pub fn resample_clip(samples: &[f32], from_hz: u32, to_hz: u32) -> Result<Vec<f32>, ResampleError> {
    if from_hz == to_hz || samples.is_empty() {
        return Ok(samples.to_vec());
    }
    let fail = |detail: String| ResampleError {
        from_hz,
        to_hz,
        detail,
    };
    let input =
        InterleavedSlice::new(samples, 1, samples.len()).map_err(|e| fail(e.to_string()))?;
    RESAMPLERS.with(|cell| {
        let mut cached = cell.borrow_mut();
        let key = (from_hz, to_hz);
        let position = match cached.iter().position(|(k, _)| *k == key) {
            Some(p) => p,
            None => {
                let fft = Fft::<f32>::new(
                    from_hz as usize,
                    to_hz as usize,
                    CHUNK_FRAMES,
                    1,
                    FixedSync::Input,
                )
                .map_err(|e| fail(e.to_string()))?;
                if cached.len() >= CACHED_RESAMPLERS {
                    cached.remove(0);
                }
                cached.push((key, fft));
                cached.len() - 1
            }
        };
        // process_all resets the resampler first: a cached one starts as clean as a new one.
        let out = cached[position]
            .1
            .process_all(&input, samples.len(), None)
            .map_err(|e| fail(e.to_string()))?;
        Ok(out.take_data())
    })
}

fn resample_error(path: &Path, from_hz: u32, to_hz: u32, detail: impl ToString) -> DecodeError {
    DecodeError::Resample {
        path: path.to_path_buf(),
        from_hz,
        to_hz,
        detail: detail.to_string(),
    }
}

/// A [`MonoSource`] at another rate than the one it wraps.
pub struct Resampled {
    path: PathBuf,
    from_hz: u32,
    inner: Box<dyn MonoSource>,
    fft: Fft<f32>,
    info: SourceInfo,
    ratio: f64,
    /// Source samples waiting for a full chunk.
    pending: Vec<f32>,
    /// One chunk's worth of rubato output.
    scratch: Vec<f32>,
    /// What `next_block` hands out.
    block: Vec<f32>,
    frames_in: u64,
    frames_out: u64,
    delay_to_trim: usize,
    inner_done: bool,
    flushed: bool,
}

impl Resampled {
    pub fn new(path: &Path, inner: Box<dyn MonoSource>, to_hz: u32) -> Result<Self, DecodeError> {
        let from_hz = inner.info().sample_rate_hz;
        let fft = Fft::<f32>::new(
            from_hz as usize,
            to_hz as usize,
            CHUNK_FRAMES,
            1,
            FixedSync::Input,
        )
        .map_err(|e| resample_error(path, from_hz, to_hz, e))?;
        let ratio = f64::from(to_hz) / f64::from(from_hz);
        let info = SourceInfo {
            sample_rate_hz: to_hz,
            channels: inner.info().channels,
            codec: inner.info().codec.clone(),
            declared_frames: inner
                .info()
                .declared_frames
                .map(|f| (f as f64 * ratio).ceil() as u64),
        };
        Ok(Self {
            path: path.to_path_buf(),
            from_hz,
            delay_to_trim: fft.output_delay(),
            scratch: vec![0.0; fft.output_frames_max()],
            fft,
            inner,
            info,
            ratio,
            pending: Vec::with_capacity(CHUNK_FRAMES * 2),
            block: Vec::new(),
            frames_in: 0,
            frames_out: 0,
            inner_done: false,
            flushed: false,
        })
    }

    /// Runs one chunk through rubato; `partial_len` marks the zero-padded tail at the end.
    fn run_chunk(&mut self, input: &[f32], partial_len: Option<usize>) -> Result<(), DecodeError> {
        let error = |e: &dyn std::fmt::Display| {
            resample_error(&self.path, self.from_hz, self.info.sample_rate_hz, e)
        };
        let in_buf = InterleavedSlice::new(input, 1, input.len()).map_err(|e| error(&e))?;
        let out_frames = self.scratch.len();
        let mut out_buf =
            InterleavedSlice::new_mut(&mut self.scratch, 1, out_frames).map_err(|e| error(&e))?;
        let indexing = Indexing {
            input_offset: 0,
            output_offset: 0,
            active_channels_mask: None,
            partial_len,
        };
        let (_, produced) = self
            .fft
            .process_into_buffer(&in_buf, &mut out_buf, Some(&indexing))
            .map_err(|e| error(&e))?;
        let trim = self.delay_to_trim.min(produced);
        self.delay_to_trim -= trim;
        self.block.extend_from_slice(&self.scratch[trim..produced]);
        Ok(())
    }
}

impl MonoSource for Resampled {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        self.block.clear();
        while self.block.is_empty() {
            let need = self.fft.input_frames_next();
            if self.pending.len() >= need {
                let chunk: Vec<f32> = self.pending.drain(..need).collect();
                self.frames_in += need as u64;
                self.run_chunk(&chunk, None)?;
                continue;
            }
            if !self.inner_done {
                match self.inner.next_block()? {
                    Some(samples) => self.pending.extend_from_slice(samples),
                    None => self.inner_done = true,
                }
                continue;
            }
            if self.flushed {
                return Ok(None);
            }
            // End of input: the partial last chunk, then zeros until every expected output
            // frame (ceil(frames_in * ratio)) has come out of the filter.
            let total_in = self.frames_in + self.pending.len() as u64;
            let expected_out = (total_in as f64 * self.ratio).ceil() as u64;
            let mut tail = std::mem::take(&mut self.pending);
            let tail_len = tail.len();
            tail.resize(need, 0.0);
            self.run_chunk(&tail, Some(tail_len))?;
            let zeros = vec![0.0; need];
            while self.frames_out + (self.block.len() as u64) < expected_out {
                let before = self.block.len();
                self.run_chunk(&zeros, Some(0))?;
                if self.block.len() == before && self.delay_to_trim == 0 {
                    break;
                }
            }
            let keep = expected_out.saturating_sub(self.frames_out) as usize;
            self.block.truncate(keep);
            self.flushed = true;
            if self.block.is_empty() {
                return Ok(None);
            }
        }
        self.frames_out += self.block.len() as u64;
        Ok(Some(&self.block))
    }
}
