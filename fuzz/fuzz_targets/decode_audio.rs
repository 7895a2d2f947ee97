//! Any bytes, as a file of any container genrescope reads (the first byte picks the extension,
//! which steers symphonia's probe; `.au` is recognised by content): decoding, cutting into
//! segments, both representations, and reading a clip for playback must never panic, hang or
//! allocate without bound.
#![no_main]

use std::sync::atomic::AtomicBool;

use genrescope::dataset::features::{extract_track, FeatureConfig};
use genrescope::dataset::InputKind;
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: [&str; 8] = ["wav", "flac", "mp3", "ogg", "aiff", "au", "snd", "oga"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let ext = EXTENSIONS[usize::from(selector) % EXTENSIONS.len()];
    // A RAM-backed folder when there is one: the decoders read paths, not memory.
    let base = std::path::Path::new("/dev/shm");
    let dir = if base.is_dir() {
        tempfile::tempdir_in(base)
    } else {
        tempfile::tempdir()
    };
    let Ok(dir) = dir else { return };
    let path = dir.path().join(format!("input.{ext}"));
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let cancel = AtomicBool::new(false);
    let waveform = FeatureConfig {
        segment_samples: 2_000,
        pool: 40,
        max_segments_per_track: Some(3),
        ..FeatureConfig::default()
    };
    let _ = extract_track(&path, &waveform, &cancel);
    let _ = extract_track(&path, &waveform.with_input(InputKind::Logmel), &cancel);
    let _ = genrescope::audio::read_clip(&path, 22_050, 1_000, 4_000);
});
