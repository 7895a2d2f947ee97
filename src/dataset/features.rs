//! How a track becomes the vectors a model learns from. It is cut into segments from the start;
//! each segment becomes one vector in one of two representations:
//! - `waveform` (the paper): the boxcar mean of `pool` samples, as the authors' code does with
//!   `audio[:n*seg].reshape(-1, pool).mean(1)`, `seg / pool` values a segment;
//! - `logmel` (the paper's future work, beyond it): a log-power mel spectrogram patch of the same
//!   segment, frame after frame (see [`MelParams`]).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use std::hash::Hasher;

use crate::audio::source::PLAUSIBLE_RATE_HZ;
use crate::audio::{open_at_rate, DecodeError, SourceInfo};
use crate::dsp::cepstrum::{Cepstrum, MFCC_FRAME, N_MFCC};
use crate::dsp::descriptors::{DescriptorAnalysis, Descriptors};
use crate::dsp::fingerprint::{fingerprint, landmark_stft, Fingerprint};
use crate::dsp::mel::MelFilterbank;
use crate::dsp::stft::{frames_in, Stft};

/// Longest segment accepted (190 s at 22,050 Hz): every size that comes from a flag or a model
/// file is checked against these before anything is allocated.
pub const MAX_SEGMENT_SAMPLES: usize = 1 << 22;
/// Most values one clip's vector may hold.
pub const MAX_VECTOR_DIM: usize = 1 << 17;
pub use crate::audio::source::MAX_SAMPLE_MAGNITUDE;

/// The log-mel patch of a segment: a Hann-windowed STFT of `n_fft` samples every `hop` samples,
/// taken only where a whole frame fits in the segment (no centre padding), power spectra mapped
/// by librosa's default mel filterbank (Slaney scale and area normalisation) from `fmin_hz` to
/// `fmax_hz`, then `10·log10(max(mel power, 10^(floor_db/10)))`. The vector holds the frames one
/// after another, `n_mels` values each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MelParams {
    pub n_fft: usize,
    pub hop: usize,
    pub n_mels: usize,
    pub fmin_hz: u32,
    pub fmax_hz: u32,
    pub floor_db: i32,
}

impl Default for MelParams {
    fn default() -> Self {
        Self {
            n_fft: 1024,
            hop: 512,
            n_mels: 64,
            fmin_hz: 0,
            fmax_hz: 11_025,
            floor_db: -80,
        }
    }
}

/// The input representation of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Representation {
    /// The paper's: boxcar-pooled raw samples.
    #[default]
    Waveform,
    /// Log-power mel spectrogram patches (beyond the paper).
    LogMel(MelParams),
    /// The same patches' cepstral coefficients and their deltas (the paper's future work).
    Mfcc(MelParams),
}

/// The representations by name, for flags and menus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum InputKind {
    /// The paper's pooled raw waveform
    #[default]
    Waveform,
    /// Log-mel spectrogram patches (beyond the paper)
    Logmel,
    /// 20 MFCCs and their deltas per frame, from the same mel analysis (beyond the paper)
    Mfcc,
}

impl InputKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Waveform => "waveform",
            Self::Logmel => "logmel",
            Self::Mfcc => "mfcc",
        }
    }
}

impl std::fmt::Display for InputKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Representation {
    pub fn kind(&self) -> InputKind {
        match self {
            Self::Waveform => InputKind::Waveform,
            Self::LogMel(_) => InputKind::Logmel,
            Self::Mfcc(_) => InputKind::Mfcc,
        }
    }

    /// The mel analysis under it (log-mel and MFCC).
    pub fn mel(&self) -> Option<MelParams> {
        match self {
            Self::Waveform => None,
            Self::LogMel(m) | Self::Mfcc(m) => Some(*m),
        }
    }
}

/// How tracks become vectors. The defaults are the paper's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    pub sample_rate_hz: u32,
    /// Raw samples in one segment (20,000 = 0.907 s at 22,050 Hz).
    pub segment_samples: usize,
    /// Boxcar width of the waveform representation: this many raw samples average into one value.
    pub pool: usize,
    /// Segments taken from the start of each track; `None` takes every whole segment.
    pub max_segments_per_track: Option<usize>,
    /// Files saved before there was a choice are waveform models.
    #[serde(default)]
    pub input: Representation,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        Self {
            sample_rate_hz: 22_050,
            segment_samples: 20_000,
            pool: 40,
            max_segments_per_track: Some(20),
            input: Representation::Waveform,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FeatureConfigError {
    #[error("pool size must be at least 1")]
    ZeroPool,
    #[error(
        "segment length {segment_samples} is not a multiple of the pool size {pool}; \
         pick a pool that divides it (e.g. 10, 20, 40, 50, 100)"
    )]
    NotDivisible { segment_samples: usize, pool: usize },
    #[error("segments per track must be at least 1 (or 'all')")]
    ZeroSegments,
    #[error("sample rate {0} Hz is outside 1,000-768,000 Hz")]
    Rate(u32),
    #[error(
        "a segment of {0} samples is longer than the {MAX_SEGMENT_SAMPLES} genrescope accepts"
    )]
    SegmentTooLong(usize),
    #[error(
        "these settings make vectors of {0} values, more than the {MAX_VECTOR_DIM} genrescope \
         accepts; use a larger pool or a shorter segment"
    )]
    TooWide(usize),
    #[error("invalid log-mel settings: {0}")]
    Mel(String),
}

impl FeatureConfig {
    /// The same cutting with another representation (its default parameters).
    pub fn with_input(self, kind: InputKind) -> Self {
        let input = match kind {
            InputKind::Waveform => Representation::Waveform,
            InputKind::Logmel => Representation::LogMel(MelParams::default()),
            InputKind::Mfcc => Representation::Mfcc(MelParams::default()),
        };
        Self { input, ..self }
    }

    /// Length of one vector (500 for the paper's pooling, 38 × 64 = 2,432 for the default
    /// log-mel patch).
    pub fn dim(&self) -> usize {
        match self.input {
            Representation::Waveform => self.segment_samples / self.pool.max(1),
            Representation::LogMel(m) => m.n_mels * self.frames(),
            Representation::Mfcc(_) => MFCC_FRAME * self.frames(),
        }
    }

    /// Values that share one standardisation (a mel band): the vector is `dim / bands` groups
    /// of `bands` values. The waveform is one band.
    pub fn bands(&self) -> usize {
        match self.input {
            Representation::Waveform => 1,
            Representation::LogMel(m) => m.n_mels.max(1),
            Representation::Mfcc(_) => MFCC_FRAME,
        }
    }

    /// STFT frames in one segment (log-mel only; 0 for the waveform).
    pub fn frames(&self) -> usize {
        match self.input {
            Representation::Waveform => 0,
            Representation::LogMel(m) | Representation::Mfcc(m) => {
                frames_in(self.segment_samples, m.n_fft, m.hop)
            }
        }
    }

    pub fn segment_secs(&self) -> f64 {
        self.segment_samples as f64 / f64::from(self.sample_rate_hz)
    }

    /// In words, for messages and the window ("segments of 20000 samples at 22050 Hz pooled by
    /// 40").
    pub fn describe(&self) -> String {
        let cut = format!(
            "segments of {} samples at {} Hz",
            self.segment_samples, self.sample_rate_hz
        );
        match self.input {
            Representation::Waveform => format!("{cut} pooled by {}", self.pool),
            Representation::LogMel(m) => format!(
                "{cut} as {}-band log-mel patches (n_fft {}, hop {}, {} frames)",
                m.n_mels,
                m.n_fft,
                m.hop,
                self.frames()
            ),
            Representation::Mfcc(m) => format!(
                "{cut} as {N_MFCC} MFCCs and their deltas over {} frames (from {} mel bands, n_fft {}, hop {})",
                self.frames(),
                m.n_mels,
                m.n_fft,
                m.hop
            ),
        }
    }

    pub fn validate(&self) -> Result<(), FeatureConfigError> {
        if !PLAUSIBLE_RATE_HZ.contains(&self.sample_rate_hz) {
            return Err(FeatureConfigError::Rate(self.sample_rate_hz));
        }
        if self.segment_samples > MAX_SEGMENT_SAMPLES {
            return Err(FeatureConfigError::SegmentTooLong(self.segment_samples));
        }
        if self.max_segments_per_track == Some(0) {
            return Err(FeatureConfigError::ZeroSegments);
        }
        match self.input {
            Representation::Waveform => {
                if self.pool == 0 {
                    return Err(FeatureConfigError::ZeroPool);
                }
                if self.segment_samples == 0 || !self.segment_samples.is_multiple_of(self.pool) {
                    return Err(FeatureConfigError::NotDivisible {
                        segment_samples: self.segment_samples,
                        pool: self.pool,
                    });
                }
            }
            Representation::LogMel(m) => self.validate_mel(&m)?,
            Representation::Mfcc(m) => {
                self.validate_mel(&m)?;
                if m.n_mels < N_MFCC {
                    return Err(FeatureConfigError::Mel(format!(
                        "{} mel bands are fewer than the {N_MFCC} coefficients kept",
                        m.n_mels
                    )));
                }
            }
        }
        if self.dim() > MAX_VECTOR_DIM {
            return Err(FeatureConfigError::TooWide(self.dim()));
        }
        Ok(())
    }

    fn validate_mel(&self, m: &MelParams) -> Result<(), FeatureConfigError> {
        let fail = |s: String| Err(FeatureConfigError::Mel(s));
        if !m.n_fft.is_power_of_two() || !(64..=16_384).contains(&m.n_fft) {
            return fail(format!(
                "n_fft {} must be a power of two from 64 to 16384",
                m.n_fft
            ));
        }
        if m.hop == 0 || m.hop > m.n_fft {
            return fail(format!(
                "hop {} must be from 1 to n_fft ({})",
                m.hop, m.n_fft
            ));
        }
        if !(1..=512).contains(&m.n_mels) {
            return fail(format!("{} mel bands; use 1 to 512", m.n_mels));
        }
        if m.fmin_hz >= m.fmax_hz || m.fmax_hz > self.sample_rate_hz / 2 {
            return fail(format!(
                "the band {}-{} Hz must be increasing and end at most at half the sample rate ({} \
                Hz)",
                m.fmin_hz,
                m.fmax_hz,
                self.sample_rate_hz / 2
            ));
        }
        if !(-200..=0).contains(&m.floor_db) {
            return fail(format!("floor {} dB must be from -200 to 0", m.floor_db));
        }
        if self.segment_samples < m.n_fft {
            return fail(format!(
                "a segment of {} samples is shorter than one frame of {}",
                self.segment_samples, m.n_fft
            ));
        }
        Ok(())
    }
}

/// Boxcar mean of `pool` consecutive samples, accumulated in f64 so the result matches numpy's
/// float32 mean to well within 1e-6.
pub fn pool_into(segment: &[f32], pool: usize, out: &mut Vec<f32>) {
    out.extend(
        segment
            .chunks_exact(pool)
            .map(|w| (w.iter().map(|&s| f64::from(s)).sum::<f64>() / pool as f64) as f32),
    );
}

/// The analysis a log-mel representation needs, planned once and shared by every thread.
#[derive(Debug, Clone)]
pub struct MelAnalysis {
    pub params: MelParams,
    pub stft: Stft,
    pub filterbank: MelFilterbank,
}

impl MelAnalysis {
    pub fn new(sample_rate_hz: u32, params: MelParams) -> Self {
        Self {
            stft: Stft::new(params.n_fft, params.hop),
            filterbank: MelFilterbank::new(
                sample_rate_hz,
                params.n_fft,
                params.n_mels,
                f64::from(params.fmin_hz),
                f64::from(params.fmax_hz),
            ),
            params,
        }
    }

    /// The power below which the log is floored.
    pub fn floor_power(&self) -> f32 {
        10f32.powf(self.params.floor_db as f32 / 10.0)
    }

    /// Appends the log-mel patch of `segment`, frame after frame.
    pub fn patch_into(&self, segment: &[f32], out: &mut Vec<f32>) {
        let mut power = Vec::new();
        self.stft.power_into(segment, &mut power);
        let floor = self.floor_power();
        let start = out.len();
        for frame in power.chunks_exact(self.stft.bins()) {
            self.filterbank.apply_into(frame, out);
        }
        for v in &mut out[start..] {
            *v = 10.0 * v.max(floor).log10();
        }
    }
}

/// Turns segments into vectors under one [`FeatureConfig`], and describes each segment's audio
/// (its descriptors are the clip's own, whatever the representation); built once per folder.
#[derive(Debug, Clone)]
pub struct Featurizer {
    config: FeatureConfig,
    mel: Option<MelAnalysis>,
    /// MFCC only: the DCT from the log-mel patch.
    cepstrum: Option<Cepstrum>,
    descriptors: DescriptorAnalysis,
    landmarks: Stft,
}

impl Featurizer {
    pub fn new(config: &FeatureConfig) -> Result<Self, FeatureConfigError> {
        config.validate()?;
        let mel = match config.input {
            Representation::Waveform => None,
            Representation::LogMel(m) | Representation::Mfcc(m) => {
                Some(MelAnalysis::new(config.sample_rate_hz, m))
            }
        };
        Ok(Self {
            config: *config,
            mel,
            cepstrum: match config.input {
                Representation::Mfcc(m) => Some(Cepstrum::new(m.n_mels)),
                _ => None,
            },
            descriptors: DescriptorAnalysis::new(config.sample_rate_hz),
            landmarks: landmark_stft(),
        })
    }

    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    pub fn mel(&self) -> Option<&MelAnalysis> {
        self.mel.as_ref()
    }

    /// Appends the vector of one segment of `segment_samples` samples.
    pub fn segment_into(&self, segment: &[f32], out: &mut Vec<f32>) {
        match (&self.mel, &self.cepstrum) {
            (None, _) => pool_into(segment, self.config.pool, out),
            (Some(mel), None) => mel.patch_into(segment, out),
            (Some(mel), Some(cepstrum)) => {
                let mut patch = Vec::new();
                mel.patch_into(segment, &mut patch);
                cepstrum.mfcc_into(&patch, out);
            }
        }
    }

    /// Appends one segment's vector to `track`, with its descriptors and its samples' hash.
    pub fn add_segment(&self, segment: &[f32], track: &mut TrackFeatures) {
        self.segment_into(segment, &mut track.vectors);
        track.descriptors.push(self.descriptors.describe(segment));
        track.content.add(segment);
        track.heard.extend_from_slice(segment);
        track.n_segments += 1;
    }

    /// Ends a track: the fingerprint of every segment's samples, which are then let go.
    pub fn finish(&self, track: &mut TrackFeatures) {
        track.fingerprint = fingerprint(&track.heard, &self.landmarks);
        track.heard = Vec::new();
    }
}

/// FNV-64 of the samples a track's segments were made of (their f32 bits, in order): the same
/// audio in any format or folder has the same hash, so a model's training tracks are known by
/// content wherever they are (and a copy that sounds otherwise is another track).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentHash(u64);

impl Default for ContentHash {
    fn default() -> Self {
        Self(fnv::FnvHasher::default().finish())
    }
}

impl ContentHash {
    /// A hash carried on from `state` (one read back from the feature cache).
    pub fn from_state(state: u64) -> Self {
        Self(state)
    }

    pub fn add(&mut self, samples: &[f32]) {
        let mut hasher = fnv::FnvHasher::with_key(self.0);
        for s in samples {
            hasher.write(&s.to_bits().to_le_bytes());
        }
        self.0 = hasher.finish();
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// The vectors of one track, each segment's descriptors, and what its samples hash to.
#[derive(Debug, Clone)]
pub struct TrackFeatures {
    /// `n_segments × dim`, row-major.
    pub vectors: Vec<f32>,
    pub descriptors: Vec<Descriptors>,
    pub n_segments: usize,
    pub source: SourceInfo,
    pub content: ContentHash,
    /// For finding repeats (made by [`Featurizer::finish`]).
    pub fingerprint: Fingerprint,
    /// The segments' samples until the track is finished.
    heard: Vec<f32>,
}

impl TrackFeatures {
    pub fn new(source: SourceInfo, expected_values: usize) -> Self {
        Self::finished(
            Vec::with_capacity(expected_values),
            Vec::new(),
            0,
            source,
            ContentHash::default(),
            Fingerprint::default(),
        )
    }

    /// A track's features as they were finished (read back from the feature cache).
    pub fn finished(
        vectors: Vec<f32>,
        descriptors: Vec<Descriptors>,
        n_segments: usize,
        source: SourceInfo,
        content: ContentHash,
        fingerprint: Fingerprint,
    ) -> Self {
        Self {
            vectors,
            descriptors,
            n_segments,
            source,
            content,
            fingerprint,
            heard: Vec::new(),
        }
    }
}

/// Decodes `path` (only as far as the segments need), cuts it into segments from the start and
/// turns each into a vector. Fails with `TooShort` when not even one whole segment is there.
pub fn extract_track(
    path: &Path,
    cfg: &FeatureConfig,
    cancel: &AtomicBool,
) -> Result<TrackFeatures, DecodeError> {
    let featurizer = Featurizer::new(cfg).map_err(|e| DecodeError::Settings(e.to_string()))?;
    extract_track_with(path, &featurizer, cancel)
}

/// [`extract_track`] with a featurizer shared across tracks.
pub fn extract_track_with(
    path: &Path,
    featurizer: &Featurizer,
    cancel: &AtomicBool,
) -> Result<TrackFeatures, DecodeError> {
    let cfg = featurizer.config();
    let mut source = open_at_rate(path, cfg.sample_rate_hz)?;
    let info = source.info().clone();
    let max_segments = cfg.max_segments_per_track.unwrap_or(usize::MAX);
    // Reserve what the header says the track holds (bounded), not the most a track could hold:
    // a folder of short files must not cost the memory of long ones.
    let expected_segments = info
        .declared_frames
        .map_or(1, |f| (f as usize) / cfg.segment_samples.max(1))
        .clamp(1, 64)
        .min(max_segments);
    let mut track = TrackFeatures::new(info, cfg.dim() * expected_segments);
    let mut segment = Vec::with_capacity(cfg.segment_samples);
    let mut samples_seen = 0usize;
    'decode: while track.n_segments < max_segments {
        if cancel.load(Ordering::Relaxed) {
            return Err(DecodeError::Cancelled);
        }
        let Some(mut block) = source.next_block()? else {
            break;
        };
        samples_seen += block.len();
        while !block.is_empty() {
            let take = (cfg.segment_samples - segment.len()).min(block.len());
            segment.extend_from_slice(&block[..take]);
            block = &block[take..];
            if segment.len() == cfg.segment_samples {
                featurizer.add_segment(&segment, &mut track);
                segment.clear();
                if track.n_segments == max_segments {
                    break 'decode;
                }
            }
        }
    }
    if track.n_segments == 0 {
        return Err(DecodeError::TooShort {
            path: path.to_path_buf(),
            duration_secs: samples_seen as f64 / f64::from(cfg.sample_rate_hz),
            segment_secs: cfg.segment_secs(),
        });
    }
    featurizer.finish(&mut track);
    track.vectors.shrink_to_fit();
    Ok(track)
}
