//! Hearing what the app played: ALSA's default device pointed at a file (per test process), and
//! the comparisons the capture tests make.

use std::path::{Path, PathBuf};

use super::correlation;

/// The device rate of the capture chain (the player prefers 44.1 kHz when it is offered).
pub const CAPTURE_RATE_HZ: u32 = 44_100;

/// Points ALSA's default device at a raw S16_LE stereo file written by the file plugin over the
/// null device (no clock: playback runs flat out). Call before anything in this process touches
/// ALSA; each test binary that plays has its own process. The player closes an idle stream, and
/// a reopened file device would truncate its file: with `truncate false` ALSA writes each new
/// stream to `capture.raw.0001`, `.0002`, … instead, which `read_left` joins.
pub fn capture_to_file(dir: &Path) -> PathBuf {
    let capture = dir.join("capture.raw");
    alsa_config(
        dir,
        &format!(
            "pcm.!default {{ type plug; slave {{ pcm \"tofile\"; format S16_LE; rate \
             {CAPTURE_RATE_HZ}; channels 2 }} }}\n\
             pcm.tofile {{ type file; slave.pcm \"null\"; file \"{}\"; format \"raw\"; \
             truncate false }}\n",
            capture.display()
        ),
    );
    capture
}

/// Uses `asoundrc` as this process's ALSA configuration.
pub fn alsa_config(dir: &Path, asoundrc: &str) {
    let alsa = dir.join("alsa");
    std::fs::create_dir_all(&alsa).unwrap();
    std::fs::write(alsa.join("asoundrc"), asoundrc).unwrap();
    std::env::set_var("XDG_CONFIG_HOME", dir);
}

/// Silence put between two streams' files, so what they held never runs together.
const BETWEEN_STREAMS: usize = 20_000;

/// The left channel of a raw S16_LE stereo capture: every stream's file in the order ALSA
/// numbered them, with silence between.
pub fn read_left(capture: &Path) -> Vec<f32> {
    let mut left = Vec::new();
    let files = std::iter::once(capture.to_path_buf()).chain(
        (1..)
            .map(|k| PathBuf::from(format!("{}.{k:04}", capture.display())))
            .take_while(|p| p.exists()),
    );
    for file in files {
        if !left.is_empty() {
            left.resize(left.len() + BETWEEN_STREAMS, 0.0);
        }
        let bytes = std::fs::read(&file).unwrap();
        left.extend(
            bytes
                .chunks_exact(4)
                .map(|f| f32::from(i16::from_le_bytes([f[0], f[1]])) / 32768.0),
        );
    }
    left
}

/// Where near `near` (within ± `span` samples) `clip` lines up best with `signal`, and how
/// well (Pearson correlation over the clip).
pub fn best_lag(signal: &[f32], clip: &[f32], near: usize, span: usize) -> (usize, f64) {
    (near.saturating_sub(span)..near + span)
        .filter(|&s| s + clip.len() <= signal.len())
        .map(|s| (s, correlation(&signal[s..s + clip.len()], clip)))
        .fold((0, f64::MIN), |best, x| if x.1 > best.1 { x } else { best })
}
