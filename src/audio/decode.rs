//! Files to mono f32 blocks, pulled on demand so a caller reads only as much of a track as it
//! needs (the paper uses the first 18 s of each 30 s clip) and never holds a whole folder.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::au::AuSource;
use super::error::DecodeError;
use super::resample::Resampled;
use super::source::{
    downmix_into, MonoSource, SourceInfo, MAX_CHANNELS, MAX_SAMPLE_MAGNITUDE, PLAUSIBLE_RATE_HZ,
};

/// Opens any supported file as mono at its own rate. Sun/NeXT `.au` is recognised by its magic
/// number (symphonia does not read it); everything else goes through symphonia.
pub fn open_mono(path: &Path) -> Result<Box<dyn MonoSource>, DecodeError> {
    let io_err = |cause| DecodeError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let len_bytes = file.metadata().map_err(io_err)?.len();
    if len_bytes == 0 {
        return Err(DecodeError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut file, &mut magic).map_err(io_err)?;
    drop(file);
    let source: Box<dyn MonoSource> = if n == 4 && &magic == super::au::MAGIC {
        Box::new(AuSource::open(path)?)
    } else {
        Box::new(SymphoniaSource::open(path)?)
    };
    Ok(Box::new(Checked {
        inner: source,
        path: path.to_path_buf(),
        frames_seen: 0,
    }))
}

/// A source whose every sample is a number of plausible size (see [`MAX_SAMPLE_MAGNITUDE`]):
/// NaN or 3e38 in a float file stops decoding with the file's name and the time.
struct Checked {
    inner: Box<dyn MonoSource>,
    path: PathBuf,
    frames_seen: usize,
}

impl MonoSource for Checked {
    fn info(&self) -> &SourceInfo {
        self.inner.info()
    }

    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        let Self {
            inner,
            path,
            frames_seen,
        } = self;
        let rate_hz = inner.info().sample_rate_hz;
        let Some(block) = inner.next_block()? else {
            return Ok(None);
        };
        if let Some(k) = block
            .iter()
            .position(|s| !s.is_finite() || s.abs() > MAX_SAMPLE_MAGNITUDE)
        {
            return Err(DecodeError::BadSamples {
                path: path.clone(),
                at_secs: (*frames_seen + k) as f64 / f64::from(rate_hz),
                value: block[k],
            });
        }
        *frames_seen += block.len();
        Ok(Some(block))
    }
}

/// Opens a file as mono at `rate_hz`, resampling with rubato when the file has another rate.
pub fn open_at_rate(path: &Path, rate_hz: u32) -> Result<Box<dyn MonoSource>, DecodeError> {
    let source = open_mono(path)?;
    if source.info().sample_rate_hz == rate_hz {
        Ok(source)
    } else {
        Ok(Box::new(Resampled::new(path, source, rate_hz)?))
    }
}

/// Reads `len_samples` mono samples at `rate_hz` starting `offset_samples` into the file: the
/// original audio of one segment, for playback. Shorter if the file ends first.
pub fn read_clip(
    path: &Path,
    rate_hz: u32,
    offset_samples: usize,
    len_samples: usize,
) -> Result<Vec<f32>, DecodeError> {
    let mut source = open_at_rate(path, rate_hz)?;
    let mut clip = Vec::with_capacity(len_samples);
    let mut position = 0usize;
    while clip.len() < len_samples {
        let Some(block) = source.next_block()? else {
            break;
        };
        let block_end = position + block.len();
        if block_end > offset_samples {
            let from = offset_samples.saturating_sub(position);
            let take = (block.len() - from).min(len_samples - clip.len());
            clip.extend_from_slice(&block[from..from + take]);
        }
        position = block_end;
    }
    Ok(clip)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

struct SymphoniaSource {
    path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    info: SourceInfo,
    frames_decoded: u64,
    /// The header's own promise of length, when it had to be repaired (`wav_repair`): ending
    /// before it is a truncation.
    promised_frames: Option<u64>,
    interleaved: Vec<f32>,
    mono: Vec<f32>,
}

/// What symphonia's probe says, in words for a user.
fn describe_probe_error(e: &SymError) -> String {
    match e {
        SymError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends inside its header".into()
        }
        SymError::Unsupported(_) => "its content is in none of the formats genrescope reads \
             (WAV, FLAC, MP3, Ogg Vorbis, AIFF, AU)"
            .into(),
        other => format!("its header is damaged ({other})"),
    }
}

impl SymphoniaSource {
    fn open(path: &Path) -> Result<Self, DecodeError> {
        let io_err = |cause| DecodeError::Io {
            path: path.to_path_buf(),
            cause,
        };
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let probe = |source: Box<dyn symphonia::core::io::MediaSource>| {
            symphonia::default::get_probe().probe(
                &hint,
                MediaSourceStream::new(source, Default::default()),
                FormatOptions::default(),
                MetadataOptions::default(),
            )
        };
        let not_audio = |detail: String| DecodeError::NotAudio {
            path: path.to_path_buf(),
            detail,
        };
        let file = File::open(path).map_err(io_err)?;
        let (format, promised_frames) = match probe(Box::new(file)) {
            Ok(format) => (format, None),
            // A WAV whose size fields are placeholders or promise more than the file holds:
            // read what is there.
            Err(first) => match File::open(path).ok().and_then(super::wav_repair::repair) {
                Some((patched, repair)) => (
                    probe(Box::new(patched)).map_err(|e| not_audio(describe_probe_error(&e)))?,
                    repair.declared_frames,
                ),
                None => return Err(not_audio(describe_probe_error(&first))),
            },
        };
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| not_audio("no audio track".into()))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| not_audio("no audio codec parameters".into()))?
            .clone();
        let corrupt = |detail: String| DecodeError::Corrupt {
            path: path.to_path_buf(),
            detail,
        };
        let sample_rate_hz = params
            .sample_rate
            .ok_or_else(|| corrupt("the header gives no sample rate".into()))?;
        if !PLAUSIBLE_RATE_HZ.contains(&sample_rate_hz) {
            return Err(corrupt(format!(
                "the header claims a sample rate of {sample_rate_hz} Hz"
            )));
        }
        let channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(1);
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(corrupt(format!("the header claims {channels} channels")));
        }
        let track_id = track.id;
        let declared_frames = promised_frames.or(track.num_frames);
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|e| not_audio(format!("unsupported codec: {e}")))?;
        let codec = format!(
            "{} {}",
            format.format_info().short_name,
            decoder.codec_info().short_name
        );
        Ok(Self {
            path: path.to_path_buf(),
            format,
            decoder,
            track_id,
            info: SourceInfo {
                sample_rate_hz,
                channels,
                codec,
                declared_frames,
            },
            frames_decoded: 0,
            promised_frames,
            interleaved: Vec::new(),
            mono: Vec::new(),
        })
    }

    /// The stream ended: a truncation when a repaired header promised more.
    fn ended(&self) -> Result<Option<&[f32]>, DecodeError> {
        match self.promised_frames {
            Some(promised) if promised > self.frames_decoded => {
                let rate = f64::from(self.info.sample_rate_hz);
                Err(DecodeError::Truncated {
                    path: self.path.clone(),
                    declared_secs: promised as f64 / rate,
                    decoded_secs: self.frames_decoded as f64 / rate,
                })
            }
            _ => Ok(None),
        }
    }

    /// The stream stopped early with an I/O error: a truncation when the header promised more,
    /// the normal end of formats that do not say their length (a partial last MP3 frame).
    fn ended_early(&self, err: std::io::Error) -> Result<Option<&[f32]>, DecodeError> {
        let rate = f64::from(self.info.sample_rate_hz);
        match self.info.declared_frames {
            Some(declared) if declared > self.frames_decoded => Err(DecodeError::Truncated {
                path: self.path.clone(),
                declared_secs: declared as f64 / rate,
                decoded_secs: self.frames_decoded as f64 / rate,
            }),
            _ if err.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            _ => Err(DecodeError::Io {
                path: self.path.clone(),
                cause: err,
            }),
        }
    }
}

impl MonoSource for SymphoniaSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_block(&mut self) -> Result<Option<&[f32]>, DecodeError> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) | Err(SymError::ResetRequired) => return self.ended(),
                Err(SymError::IoError(err)) => return self.ended_early(err),
                Err(err) => {
                    return Err(DecodeError::Corrupt {
                        path: self.path.clone(),
                        detail: format!("cannot read the container: {err}"),
                    })
                }
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let decoded = match self.decoder.decode(&packet) {
                Ok(decoded) => decoded,
                Err(SymError::IoError(err)) => return self.ended_early(err),
                Err(err) => {
                    let at_secs = self.frames_decoded as f64 / f64::from(self.info.sample_rate_hz);
                    return Err(DecodeError::Corrupt {
                        path: self.path.clone(),
                        detail: format!("bad audio data at {at_secs:.2} s: {err}"),
                    });
                }
            };
            let channels = decoded.spec().channels().count().max(1);
            decoded.copy_to_vec_interleaved(&mut self.interleaved);
            self.frames_decoded += (self.interleaved.len() / channels) as u64;
            downmix_into(&self.interleaved, channels, &mut self.mono);
            if !self.mono.is_empty() {
                return Ok(Some(&self.mono));
            }
        }
    }
}
