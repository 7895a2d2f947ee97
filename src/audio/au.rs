//! Sun/NeXT `.au`, GTZAN's original format, which symphonia does not read. Parsing is `ausnd`'s;
//! this adapter turns its samples into mono f32 blocks and its errors into [`DecodeError`]s.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use ausnd::{AuError, AuReader, Sample, SampleFormat};

use super::error::DecodeError;
use super::source::{downmix_into, MonoSource, SourceInfo, MAX_CHANNELS, PLAUSIBLE_RATE_HZ};

/// The first four bytes of every `.au` file.
pub const MAGIC: &[u8; 4] = b".snd";

const FRAMES_PER_BLOCK: usize = 4096;

pub struct AuSource {
    path: PathBuf,
    reader: AuReader<BufReader<File>>,
    info: SourceInfo,
    frames_read: u64,
    interleaved: Vec<f32>,
    mono: Vec<f32>,
}

/// The name of an `.au` encoding code, for messages about the ones we cannot decode.
fn encoding_name(code: u32) -> &'static str {
    match code {
        0 => "unspecified",
        8 => "fragmented sample data",
        10..=13 => "DSP program or fixed-point data",
        18..=22 => "emphasized or compressed linear PCM",
        23 => "G.721 ADPCM",
        24 => "G.722 ADPCM",
        25 | 26 => "G.723 ADPCM",
        _ => "unknown",
    }
}

/// Scales every sample to [-1, 1] exactly as symphonia does for the same bit depth, so a track's
/// `.au` and `.wav` copies give identical vectors.
fn sample_to_f32(sample: Sample) -> f32 {
    match sample {
        Sample::I8(s) => f32::from(s) / 128.0,
        Sample::I16(s) => f32::from(s) / 32_768.0,
        Sample::I24(s) => s as f32 / 8_388_608.0,
        Sample::I32(s) => (f64::from(s) / 2_147_483_648.0) as f32,
        Sample::F32(s) => s,
        Sample::F64(s) => s as f32,
    }
}

impl AuSource {
    pub fn open(path: &Path) -> Result<Self, DecodeError> {
        let corrupt = |detail: String| DecodeError::Corrupt {
            path: path.to_path_buf(),
            detail,
        };
        let io_err = |cause| DecodeError::Io {
            path: path.to_path_buf(),
            cause,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let len_bytes = file.metadata().map_err(io_err)?.len();
        // ausnd subtracts the data offset from the file length unchecked when the header leaves
        // the data size open (an overflow panic, or a wrapped length), so check it first.
        let mut header = [0u8; 24];
        file.read_exact(&mut header).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                corrupt("the .au header is shorter than 24 bytes".into())
            }
            _ => io_err(e),
        })?;
        let data_offset_bytes = u64::from(u32::from_be_bytes([
            header[4], header[5], header[6], header[7],
        ]));
        if data_offset_bytes > len_bytes {
            return Err(corrupt(format!(
                "the .au header says audio starts at byte {data_offset_bytes}, but the file has \
                only {len_bytes} bytes"
            )));
        }
        file.rewind().map_err(io_err)?;
        let reader = AuReader::new(BufReader::new(file)).map_err(|e| match e {
            AuError::InvalidAudioDataOffset => {
                corrupt("the .au header gives an audio data offset below 24 bytes".into())
            }
            other => corrupt(format!("unreadable .au header: {other:?}")),
        })?;
        let au = reader.info().clone();
        if let SampleFormat::Custom(code) = au.sample_format {
            return Err(DecodeError::UnsupportedAuEncoding {
                path: path.to_path_buf(),
                code,
                name: encoding_name(code),
            });
        }
        if !PLAUSIBLE_RATE_HZ.contains(&au.sample_rate) {
            return Err(corrupt(format!(
                "the .au header claims a sample rate of {} Hz",
                au.sample_rate
            )));
        }
        let channels = au.channels as usize;
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(corrupt(format!(
                "the .au header claims {channels} channels"
            )));
        }
        let codec = match au.sample_format {
            SampleFormat::CompressedUlaw => ".au mu-law",
            SampleFormat::CompressedAlaw => ".au A-law",
            SampleFormat::I8 => ".au 8-bit linear",
            SampleFormat::I16 => ".au 16-bit linear",
            SampleFormat::I24 => ".au 24-bit linear",
            SampleFormat::I32 => ".au 32-bit linear",
            SampleFormat::F32 => ".au 32-bit float",
            SampleFormat::F64 => ".au 64-bit float",
            SampleFormat::Custom(_) => ".au",
        };
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            info: SourceInfo {
                sample_rate_hz: au.sample_rate,
                channels,
                codec: codec.to_string(),
                declared_frames: au.sample_len.map(|samples| samples / channels as u64),
            },
            frames_read: 0,
            interleaved: Vec::with_capacity(FRAMES_PER_BLOCK * channels),
            mono: Vec::with_capacity(FRAMES_PER_BLOCK),
        })
    }
}

impl MonoSource for AuSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        let channels = self.info.channels;
        self.interleaved.clear();
        let mut truncated = false;
        while self.interleaved.len() < FRAMES_PER_BLOCK * channels {
            match self.reader.read_sample() {
                Ok(Some(sample)) => self.interleaved.push(sample_to_f32(sample)),
                Ok(None) => break,
                Err(AuError::StdIoError(io)) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                    truncated = true;
                    break;
                }
                Err(AuError::StdIoError(cause)) => {
                    return Err(DecodeError::Io {
                        path: self.path.clone(),
                        cause,
                    })
                }
                Err(other) => {
                    return Err(DecodeError::Corrupt {
                        path: self.path.clone(),
                        detail: format!("unreadable .au sample data: {other:?}"),
                    })
                }
            }
        }
        // A partial last frame is dropped, as symphonia drops a partial last WAV frame.
        let whole_frames = self.interleaved.len() / channels;
        self.interleaved.truncate(whole_frames * channels);
        self.frames_read += whole_frames as u64;
        if self.interleaved.is_empty() {
            if truncated {
                let rate = f64::from(self.info.sample_rate_hz);
                return Err(DecodeError::Truncated {
                    path: self.path.clone(),
                    declared_secs: self.info.declared_frames.unwrap_or(0) as f64 / rate,
                    decoded_secs: self.frames_read as f64 / rate,
                });
            }
            return Ok(None);
        }
        downmix_into(&self.interleaved, channels, &mut self.mono);
        Ok(Some(&self.mono))
    }
}
