//! Playing clips through cpal. The UI thread prepares each clip (resampled to the device rate,
//! interleaved for its channels) and hands it over through a lock-free ring; the audio callback
//! swaps clips and sends the old buffer back the same way, so it never blocks, allocates or frees.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample, StreamConfig};

use super::resample::resample_clip;

/// The device a player writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFormat {
    pub sample_rate_hz: u32,
    pub channels: usize,
    pub device: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    #[error("no audio output device was found; clips cannot be heard, everything else works")]
    NoDevice,
    #[error("the audio output device cannot be opened ({0}); clips cannot be heard, everything else works")]
    Unavailable(String),
    #[error("the audio output uses the {0} sample format, which genrescope cannot write")]
    Format(String),
    #[error("cannot convert the clip to the device's {rate_hz} Hz: {detail}")]
    Resample { rate_hz: u32, detail: String },
}

enum Command {
    Play {
        id: u64,
        frames: Box<[f32]>,
        looping: bool,
    },
    Stop,
    Loop(bool),
}

/// What the callback reports, read by the UI thread.
#[derive(Debug, Default)]
pub struct PlayStatus {
    /// Id of the clip the callback is playing (0: none).
    pub clip_id: AtomicU64,
    /// Frames of it written to the device so far.
    pub position_frames: AtomicUsize,
    pub length_frames: AtomicUsize,
    pub playing: AtomicBool,
    /// Total frames of clip audio (not silence) written since the stream opened.
    pub frames_written: AtomicU64,
    /// The last clip whose first frames reached the device, and when (ns after `epoch`).
    pub started_clip_id: AtomicU64,
    pub started_at_ns: AtomicU64,
}

/// The device rate asked for when the device offers it (see `Player::open_default`).
const PREFERRED_RATE_HZ: u32 = 44_100;
/// Rings between the UI thread and the callback: clips in, spent buffers back out.
const RING_SLOTS: usize = 64;
/// Keep the stream running this long after a clip ends, so the device plays out its buffer.
const IDLE_BEFORE_PAUSE: Duration = Duration::from_millis(1500);

struct Stream {
    stream: cpal::Stream,
    commands: rtrb::Producer<Command>,
    garbage: rtrb::Consumer<Box<[f32]>>,
    running: bool,
}

pub struct Player {
    /// Time origin of `PlayStatus::started_at_ns`.
    epoch: Instant,
    device: cpal::Device,
    config: StreamConfig,
    sample_format: SampleFormat,
    format: OutputFormat,
    stream: Option<Stream>,
    status: Arc<PlayStatus>,
    next_id: u64,
    idle_since: Option<Instant>,
}

impl Player {
    /// Probes the default output device. This is where a machine without a sound card fails
    /// (cpal lists a default device but cannot open it).
    pub fn open_default() -> Result<Self, PlaybackError> {
        let host = cpal::default_host();
        let device = host
            .default_output_device()
            .ok_or(PlaybackError::NoDevice)?;
        let default = device
            .default_output_config()
            .map_err(|e| PlaybackError::Unavailable(e.to_string()))?;
        // Clips are 22,050 Hz: when the device also runs at 44,100 Hz, the conversion is an
        // exact doubling and the system mixer has nothing left to resample.
        let supported = device
            .supported_output_configs()
            .ok()
            .and_then(|mut ranges| {
                ranges.find_map(|r| {
                    let same = r.channels() == default.channels()
                        && r.sample_format() == default.sample_format();
                    same.then(|| r.try_with_sample_rate(PREFERRED_RATE_HZ))
                        .flatten()
                })
            })
            .unwrap_or(default);
        let sample_format = supported.sample_format();
        let config: StreamConfig = supported.into();
        let name = device
            .description()
            .map(|d| d.to_string())
            .unwrap_or_else(|_| "default".into());
        Ok(Self {
            epoch: Instant::now(),
            format: OutputFormat {
                sample_rate_hz: config.sample_rate,
                channels: usize::from(config.channels).max(1),
                device: name,
            },
            device,
            config,
            sample_format,
            stream: None,
            status: Arc::new(PlayStatus::default()),
            next_id: 1,
            idle_since: None,
        })
    }

    pub fn format(&self) -> &OutputFormat {
        &self.format
    }

    pub fn status(&self) -> &PlayStatus {
        &self.status
    }

    /// Converts mono audio at `rate_hz` to the device's rate and channel layout. Runs anywhere
    /// (a worker thread, typically); the result goes to [`Player::play_prepared`].
    pub fn prepare(
        format: &OutputFormat,
        mono: &[f32],
        rate_hz: u32,
    ) -> Result<Box<[f32]>, PlaybackError> {
        let resampled = resample_clip(mono, rate_hz, format.sample_rate_hz).map_err(|detail| {
            PlaybackError::Resample {
                rate_hz: format.sample_rate_hz,
                detail,
            }
        })?;
        let mut frames = Vec::with_capacity(resampled.len() * format.channels);
        for s in resampled {
            frames.extend(std::iter::repeat_n(s, format.channels));
        }
        Ok(frames.into_boxed_slice())
    }

    /// Plays a prepared clip, replacing whatever is playing. Returns its id.
    pub fn play_prepared(
        &mut self,
        frames: Box<[f32]>,
        looping: bool,
    ) -> Result<u64, PlaybackError> {
        self.collect_garbage();
        let id = self.next_id;
        self.next_id += 1;
        let stream = self.stream()?;
        if !stream.running {
            stream
                .stream
                .play()
                .map_err(|e| PlaybackError::Unavailable(e.to_string()))?;
            stream.running = true;
        }
        if stream
            .commands
            .push(Command::Play {
                id,
                frames,
                looping,
            })
            .is_err()
        {
            return Err(PlaybackError::Unavailable(
                "the audio thread is not responding".into(),
            ));
        }
        self.idle_since = None;
        Ok(id)
    }

    /// Prepares and plays mono audio at `rate_hz` (convenience for small clips).
    pub fn play_mono(
        &mut self,
        mono: &[f32],
        rate_hz: u32,
        looping: bool,
    ) -> Result<u64, PlaybackError> {
        let frames = Self::prepare(&self.format, mono, rate_hz)?;
        self.play_prepared(frames, looping)
    }

    pub fn stop(&mut self) {
        if let Some(s) = self.stream.as_mut() {
            let _ = s.commands.push(Command::Stop);
        }
    }

    /// Turns looping of the current clip on or off (it then plays to its end).
    pub fn set_looping(&mut self, looping: bool) {
        if let Some(s) = self.stream.as_mut() {
            let _ = s.commands.push(Command::Loop(looping));
        }
    }

    /// When the first samples of clip `id` were written to the device, if they have been.
    pub fn started_at(&self, id: u64) -> Option<Instant> {
        let ns = self.status.started_at_ns.load(Ordering::Acquire);
        (self.status.started_clip_id.load(Ordering::Acquire) == id)
            .then(|| self.epoch + Duration::from_nanos(ns))
    }

    /// True while a clip is playing (or queued).
    pub fn is_playing(&self) -> bool {
        self.status.playing.load(Ordering::Acquire)
    }

    /// Called every frame by the UI: frees spent buffers, and pauses the stream once it has
    /// been idle long enough for the device to play out what it holds.
    pub fn tick(&mut self) {
        self.collect_garbage();
        let playing = self.is_playing();
        let Some(stream) = self.stream.as_mut() else {
            return;
        };
        if playing || !stream.running {
            self.idle_since = None;
            return;
        }
        let since = *self.idle_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= IDLE_BEFORE_PAUSE {
            if stream.stream.pause().is_ok() {
                stream.running = false;
            }
            self.idle_since = None;
        }
    }

    fn collect_garbage(&mut self) {
        if let Some(s) = self.stream.as_mut() {
            while s.garbage.pop().is_ok() {}
        }
    }

    fn stream(&mut self) -> Result<&mut Stream, PlaybackError> {
        if self.stream.is_none() {
            self.stream = Some(self.build_stream()?);
        }
        self.stream
            .as_mut()
            .ok_or_else(|| PlaybackError::Unavailable("no stream".into()))
    }

    fn build_stream(&self) -> Result<Stream, PlaybackError> {
        let (commands, command_rx) = rtrb::RingBuffer::new(RING_SLOTS);
        let (garbage_tx, garbage) = rtrb::RingBuffer::new(RING_SLOTS);
        let callback = Callback {
            epoch: self.epoch,
            commands: command_rx,
            garbage: garbage_tx,
            status: Arc::clone(&self.status),
            current: None,
            channels: self.format.channels,
        };
        let stream = match self.sample_format {
            SampleFormat::F32 => self.build::<f32>(callback),
            SampleFormat::I16 => self.build::<i16>(callback),
            SampleFormat::I32 => self.build::<i32>(callback),
            SampleFormat::U16 => self.build::<u16>(callback),
            SampleFormat::U8 => self.build::<u8>(callback),
            SampleFormat::F64 => self.build::<f64>(callback),
            other => return Err(PlaybackError::Format(other.to_string())),
        }?;
        Ok(Stream {
            stream,
            commands,
            garbage,
            running: false,
        })
    }

    fn build<T>(&self, mut callback: Callback) -> Result<cpal::Stream, PlaybackError>
    where
        T: SizedSample + FromSample<f32>,
    {
        self.device
            .build_output_stream(
                self.config,
                move |data: &mut [T], _| callback.fill(data),
                |err| eprintln!("genrescope: audio stream error: {err}"),
                None,
            )
            .map_err(|e| PlaybackError::Unavailable(e.to_string()))
    }
}

struct Clip {
    id: u64,
    /// Its first frames have been written (and timed).
    started: bool,
    frames: Box<[f32]>,
    position: usize,
    looping: bool,
}

/// Lives on the audio thread.
struct Callback {
    epoch: Instant,
    commands: rtrb::Consumer<Command>,
    garbage: rtrb::Producer<Box<[f32]>>,
    status: Arc<PlayStatus>,
    current: Option<Clip>,
    channels: usize,
}

impl Callback {
    fn retire(&mut self) {
        if let Some(old) = self.current.take() {
            // The UI empties this ring every frame; if it were ever full the buffer is leaked
            // rather than freed here.
            if let Err(rtrb::PushError::Full(buf)) = self.garbage.push(old.frames) {
                std::mem::forget(buf);
            }
        }
    }

    fn fill<T: SizedSample + FromSample<f32>>(&mut self, data: &mut [T]) {
        while let Ok(command) = self.commands.pop() {
            if let Command::Loop(looping) = command {
                if let Some(clip) = self.current.as_mut() {
                    clip.looping = looping;
                }
                continue;
            }
            self.retire();
            match command {
                Command::Play {
                    id,
                    frames,
                    looping,
                } => {
                    self.status.clip_id.store(id, Ordering::Release);
                    self.status
                        .length_frames
                        .store(frames.len() / self.channels, Ordering::Release);
                    self.status.position_frames.store(0, Ordering::Release);
                    self.status.playing.store(true, Ordering::Release);
                    self.current = Some(Clip {
                        id,
                        started: false,
                        frames,
                        position: 0,
                        looping,
                    });
                }
                Command::Stop | Command::Loop(_) => {
                    self.status.playing.store(false, Ordering::Release);
                }
            }
        }
        let silence = T::from_sample(0.0f32);
        let mut written = 0u64;
        match self.current.as_mut() {
            Some(clip) => {
                if !clip.started && !clip.frames.is_empty() {
                    clip.started = true;
                    // A clock read, no lock and no allocation: fine on the audio thread.
                    let ns = self.epoch.elapsed().as_nanos() as u64;
                    self.status.started_at_ns.store(ns, Ordering::Release);
                    self.status
                        .started_clip_id
                        .store(clip.id, Ordering::Release);
                }
                let mut out = 0;
                while out < data.len() {
                    if clip.position >= clip.frames.len() {
                        if clip.looping && !clip.frames.is_empty() {
                            clip.position = 0;
                        } else {
                            break;
                        }
                    }
                    let n = (data.len() - out).min(clip.frames.len() - clip.position);
                    for (d, s) in data[out..out + n]
                        .iter_mut()
                        .zip(&clip.frames[clip.position..clip.position + n])
                    {
                        *d = T::from_sample(*s);
                    }
                    out += n;
                    clip.position += n;
                    written += n as u64;
                }
                data[out..].fill(silence);
                self.status
                    .position_frames
                    .store(clip.position / self.channels, Ordering::Release);
                if clip.position >= clip.frames.len() && !clip.looping {
                    self.status.playing.store(false, Ordering::Release);
                    debug_assert!(clip.id > 0);
                    self.retire();
                }
            }
            None => data.fill(silence),
        }
        self.status
            .frames_written
            .fetch_add(written / self.channels as u64, Ordering::Relaxed);
    }
}
