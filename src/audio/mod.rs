//! Audio in and out: decoding files to mono f32 (`decode`, `au`), rate conversion (`resample`),
//! clips made ready for a device (`clip`) and playback through cpal (`playback`, with the
//! window).

pub mod au;
pub mod clip;
pub mod decode;
pub mod error;
#[cfg(feature = "window")]
pub mod playback;
pub mod resample;
pub mod source;
mod wav_repair;

pub use decode::{open_at_rate, open_mono, read_clip};
pub use error::DecodeError;
pub use source::{MonoSource, SourceInfo};

/// The file extensions genrescope tries to decode; anything else in a genre folder is ignored.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "flac", "mp3", "ogg", "oga", "aif", "aiff", "aifc", "au", "snd",
];

/// True when the path's extension is one of [`AUDIO_EXTENSIONS`] (case-insensitive).
pub fn has_audio_extension(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| AUDIO_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(e)))
        .unwrap_or(false)
}
