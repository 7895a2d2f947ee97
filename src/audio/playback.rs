//! Playing clips through cpal. A worker prepares each clip (`clip`: resampled to the device
//! rate, interleaved for its channels) and the UI thread hands it over through a lock-free ring;
//! the audio callback swaps clips and sends the old buffer back the same way, so it never
//! blocks, allocates or frees.
//!
//! A stream is opened on the first play and closed (not paused) after it has been idle for a
//! while: resuming a paused ALSA stream can leave it failing every write. Stream errors are
//! counted, the first is kept; the UI learns of them once through [`Player::tick`], the broken
//! stream is dropped and the next play opens a new one.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample, StreamConfig};

pub use super::clip::OutputFormat;

#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    #[error("no audio output device was found; clips cannot be heard, everything else works")]
    NoDevice,
    #[error(
        "the audio output device cannot be opened ({0}); clips cannot be heard, everything \
        else works"
    )]
    Unavailable(String),
    #[error("the audio output uses the {0} sample format, which genrescope cannot write")]
    Format(String),
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

/// What the callbacks report, read by the UI thread.
#[derive(Debug, Default)]
struct PlayStatus {
    /// Id of the clip the callback is playing (0: none).
    clip_id: AtomicU64,
    /// Frames of it written to the device so far.
    position_frames: AtomicUsize,
    playing: AtomicBool,
    /// The last clip whose first frames reached the device, and when (ns after `epoch`).
    started_clip_id: AtomicU64,
    started_at_ns: AtomicU64,
    /// Errors the stream reported, and the first of them in words.
    errors: AtomicU64,
    first_error: OnceLock<String>,
}

/// What the player has to tell the window, from [`Player::tick`].
#[derive(Debug, Clone, PartialEq)]
pub enum PlayerNews {
    /// Clip `id` has finished (or was replaced).
    Finished { id: u64 },
    /// The stream failed; it was closed and the next play opens a new one. `errors` counts
    /// what the device reported, `first` is the first in words.
    StreamFailed { first: String, errors: u64 },
}

/// The device rate asked for when the device offers it (see `Player::open_default`).
const PREFERRED_RATE_HZ: u32 = 44_100;
/// Rings between the UI thread and the callback: clips in, spent buffers back out.
const RING_SLOTS: usize = 64;
/// Keep the stream open this long after a clip ends, so the device plays out its buffer.
const IDLE_BEFORE_CLOSE: Duration = Duration::from_millis(1500);

struct Stream {
    /// Held, not read: dropping it closes the device.
    _stream: cpal::Stream,
    commands: rtrb::Producer<Command>,
    garbage: rtrb::Consumer<Box<[f32]>>,
    /// Each stream has its own status, so a dropped stream's late callbacks change nothing.
    status: Arc<PlayStatus>,
}

pub struct Player {
    /// Time origin of `PlayStatus::started_at_ns`.
    epoch: Instant,
    device: cpal::Device,
    config: StreamConfig,
    sample_format: SampleFormat,
    format: OutputFormat,
    stream: Option<Stream>,
    next_id: u64,
    idle_since: Option<Instant>,
    /// The clip last handed over, until its end has been reported.
    current: Option<u64>,
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
            next_id: 1,
            idle_since: None,
            current: None,
        })
    }

    pub fn format(&self) -> &OutputFormat {
        &self.format
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
        self.current = Some(id);
        Ok(id)
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
        let status = &self.stream.as_ref()?.status;
        let ns = status.started_at_ns.load(Ordering::Acquire);
        (status.started_clip_id.load(Ordering::Acquire) == id)
            .then(|| self.epoch + Duration::from_nanos(ns))
    }

    /// True while a clip is playing (or queued).
    pub fn is_playing(&self) -> bool {
        self.stream
            .as_ref()
            .is_some_and(|s| s.status.playing.load(Ordering::Acquire))
    }

    /// The clip being played and how many of its frames have reached the device.
    pub fn position(&self) -> Option<(u64, usize)> {
        let status = &self.stream.as_ref()?.status;
        let id = status.clip_id.load(Ordering::Acquire);
        (id != 0).then(|| (id, status.position_frames.load(Ordering::Acquire)))
    }

    /// Called every frame by the UI: frees spent buffers, reports a finished clip or a failed
    /// stream (once each), and closes the stream once it has been idle long enough for the
    /// device to play out what it holds.
    pub fn tick(&mut self) -> Vec<PlayerNews> {
        self.collect_garbage();
        let mut news = Vec::new();
        let Some(stream) = self.stream.as_ref() else {
            return news;
        };
        let errors = stream.status.errors.load(Ordering::Acquire);
        if errors > 0 {
            let first = stream
                .status
                .first_error
                .get()
                .cloned()
                .unwrap_or_else(|| "the device stopped".into());
            // Dropping the stream stops its callbacks; the next play opens a new one.
            self.stream = None;
            self.idle_since = None;
            if let Some(id) = self.current.take() {
                news.push(PlayerNews::Finished { id });
            }
            news.push(PlayerNews::StreamFailed { first, errors });
            return news;
        }
        let playing = self.is_playing();
        // Finished once the callback has taken this clip and played it out (before it takes a
        // new clip, `playing` still describes the previous one).
        let taken = stream.status.clip_id.load(Ordering::Acquire);
        if let Some(id) = self.current.filter(|&id| taken == id && !playing) {
            self.current = None;
            news.push(PlayerNews::Finished { id });
        }
        if self.current.is_none() && !playing {
            let since = *self.idle_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= IDLE_BEFORE_CLOSE {
                self.stream = None;
                self.idle_since = None;
            }
        } else {
            self.idle_since = None;
        }
        news
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
        let status = Arc::new(PlayStatus::default());
        let callback = Callback {
            epoch: self.epoch,
            commands: command_rx,
            garbage: garbage_tx,
            status: Arc::clone(&status),
            current: None,
            channels: self.format.channels,
            quiet: false,
        };
        let stream = match self.sample_format {
            SampleFormat::F32 => self.build::<f32>(callback, &status),
            SampleFormat::I16 => self.build::<i16>(callback, &status),
            SampleFormat::I32 => self.build::<i32>(callback, &status),
            SampleFormat::U16 => self.build::<u16>(callback, &status),
            SampleFormat::U8 => self.build::<u8>(callback, &status),
            SampleFormat::F64 => self.build::<f64>(callback, &status),
            other => return Err(PlaybackError::Format(other.to_string())),
        }?;
        stream
            .play()
            .map_err(|e| PlaybackError::Unavailable(e.to_string()))?;
        Ok(Stream {
            _stream: stream,
            commands,
            garbage,
            status,
        })
    }

    fn build<T>(
        &self,
        mut callback: Callback,
        status: &Arc<PlayStatus>,
    ) -> Result<cpal::Stream, PlaybackError>
    where
        T: SizedSample + FromSample<f32>,
    {
        let errors = Arc::clone(status);
        self.device
            .build_output_stream(
                self.config,
                move |data: &mut [T], _| callback.fill(data),
                // A failing device may report an error per period, forever: keep the first (one
                // allocation, once) and count the rest; the UI says it once.
                move |err| {
                    if errors.errors.fetch_add(1, Ordering::AcqRel) == 0 {
                        let _ = errors.first_error.set(err.to_string());
                    }
                },
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

/// Takes the messages alsa-lib wants to print from the audio thread (a failing device prints
/// one per write, millions in minutes) and drops them: the stream's own errors reach the window,
/// counted, through cpal's error callback.
#[cfg(target_os = "linux")]
unsafe extern "C" fn drop_alsa_message(
    _file: *const std::ffi::c_char,
    _line: std::ffi::c_int,
    _function: *const std::ffi::c_char,
    _err: std::ffi::c_int,
    _fmt: *const std::ffi::c_char,
    _args: *mut alsa_sys::__va_list_tag,
) {
}

/// Silences alsa-lib's messages on this thread (a thread-local setting: called
/// from the audio callback, it covers exactly the thread that writes to the device).
fn quiet_alsa_on_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: installs a handler with the signature alsa-lib expects; it does nothing.
    unsafe {
        alsa_sys::snd_lib_error_set_local(Some(drop_alsa_message));
    }
}

/// Lives on the audio thread.
struct Callback {
    epoch: Instant,
    commands: rtrb::Consumer<Command>,
    garbage: rtrb::Producer<Box<[f32]>>,
    status: Arc<PlayStatus>,
    current: Option<Clip>,
    channels: usize,
    /// alsa-lib's messages on this thread are counted, not printed (set on the first call).
    quiet: bool,
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
        if !self.quiet {
            self.quiet = true;
            quiet_alsa_on_this_thread();
        }
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
    }
}
