//! Audio in and out: decoding files to mono f32 (`decode`, `au`), rate conversion (`resample`),
//! and playback through cpal (`playback`).

pub mod au;
pub mod clip;
pub mod decode;
pub mod error;
pub mod playback;
pub mod resample;
pub mod source;

pub use decode::{open_at_rate, open_mono, read_clip};
pub use source::{MonoSource, SourceInfo};
pub use error::DecodeError;

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
