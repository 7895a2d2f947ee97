use std::path::PathBuf;

/// Why one audio file could not be used. Every variant names the file and, where there is one,
/// what the user can do about it; the loader shows these as the reasons files were skipped.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "{}: cannot read the file ({cause}); check that it exists and is readable",
        path.display()
    )]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "{}: the file is empty (0 bytes); copy it again from where it came from",
        path.display()
    )]
    Empty { path: PathBuf },
    #[error(
        "{}: not audio genrescope can read: {detail}; re-copy it from its source, or convert it \
         to WAV (e.g. with sox or ffmpeg)",
        path.display()
    )]
    NotAudio { path: PathBuf, detail: String },
    #[error(
        "{}: .au encoding {code} ({name}) is not supported; convert it with `sox {} -e signed -b \
        16 out.wav`",
        path.display(),
        path.display()
    )]
    UnsupportedAuEncoding {
        path: PathBuf,
        code: u32,
        name: &'static str,
    },
    #[error("{}: corrupt file: {detail}; copy it again from where it came from", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{}: truncated: the header promises {declared_secs:.2} s but the audio ends after \
        {decoded_secs:.2} s; re-copy the file",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        declared_secs: f64,
        decoded_secs: f64,
    },
    #[error(
        "{}: only {duration_secs:.2} s of audio, shorter than one segment ({segment_secs:.2} s); \
        nothing to learn from",
        path.display()
    )]
    TooShort {
        path: PathBuf,
        duration_secs: f64,
        segment_secs: f64,
    },
    #[error("{}: cannot resample from {from_hz} Hz to {to_hz} Hz: {detail}", path.display())]
    Resample {
        path: PathBuf,
        from_hz: u32,
        to_hz: u32,
        detail: String,
    },
    #[error(
        "{}: holds a sample of {value} at {at_secs:.2} s, which is not audio (samples lie within \
         ±1, at most a little beyond); re-export the file from its source",
        path.display()
    )]
    BadSamples {
        path: PathBuf,
        at_secs: f64,
        value: f32,
    },
    #[error("invalid feature settings: {0}")]
    Settings(String),
    #[error("cancelled")]
    Cancelled,
}

impl DecodeError {
    /// The file this error is about, if any (cancellation is about no file).
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Self::Io { path, .. }
            | Self::Empty { path }
            | Self::NotAudio { path, .. }
            | Self::UnsupportedAuEncoding { path, .. }
            | Self::Corrupt { path, .. }
            | Self::Truncated { path, .. }
            | Self::TooShort { path, .. }
            | Self::Resample { path, .. }
            | Self::BadSamples { path, .. } => Some(path),
            Self::Settings(_) | Self::Cancelled => None,
        }
    }
}
