//! Clicking a point plays that clip's original audio: cpal writes into ALSA's file plugin (set
//! up for this test process only) and the capture is compared with the clip.

mod common;

use std::path::Path;

use common::ui::*;
use common::*;
use genrescope::app::state::AudioStatus;
use genrescope::app::AppOptions;
use genrescope::audio::read_clip;
use genrescope::audio::resample::resample_clip;

const CAPTURE_RATE_HZ: u32 = 44_100;

/// Points ALSA's default device at a raw S16_LE stereo file, for this process.
fn capture_to_file(dir: &Path) -> std::path::PathBuf {
    let capture = dir.join("capture.raw");
    let alsa = dir.join("alsa");
    std::fs::create_dir_all(&alsa).unwrap();
    std::fs::write(
        alsa.join("asoundrc"),
        format!(
            "pcm.!default {{ type plug; slave {{ pcm \"tofile\"; format S16_LE; rate {CAPTURE_RATE_HZ}; channels 2 }} }}\n\
             pcm.tofile {{ type file; slave.pcm \"null\"; file \"{}\"; format \"raw\" }}\n",
            capture.display()
        ),
    )
    .unwrap();
    // Before anything in this process touches ALSA; this binary has this one test.
    std::env::set_var("XDG_CONFIG_HOME", dir);
    capture
}

#[test]
fn clicking_a_point_plays_its_original_audio() {
    let tmp = tempfile::tempdir().unwrap();
    let capture = capture_to_file(tmp.path());
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "high"], 2, 3.0);

    let mut h = app(AppOptions {
        folder: Some(data),
        audio: true,
        ..AppOptions::default()
    });
    run_until(&mut h, 60, "the folder to load", loaded);
    match &h.state().state.audio {
        // The plug device offers 44.1 kHz, which the player prefers: no rate conversion in ALSA.
        Some(AudioStatus::Ready(format)) => assert_eq!(format.sample_rate_hz, CAPTURE_RATE_HZ),
        other => panic!("the file device should open: {other:?}"),
    }
    // Click the 5th clip on the raw map: 3 clips per track, so the second track's second.
    let segment = 4;
    let pos = point_on_screen(&h, "map-raw", segment);
    click_at(&mut h, pos);
    assert_eq!(h.state().state.selected, Some(segment));
    // The click asked for the clip; it is decoded on a worker, played, and done. (The null
    // device has no clock, so playing can take less than a frame: wait for the end only.)
    let label = h
        .state()
        .state
        .now_playing
        .as_ref()
        .map(|p| p.label.clone())
        .expect("the click asks for the clip");
    assert!(label.contains("high.00001.wav 0.9-1.8 s"), "{label}");
    run_until(&mut h, 30, "the clip to finish", |a| {
        a.state.now_playing.is_none()
    });
    assert!(
        h.state().state.notices.is_empty(),
        "{:?}",
        h.state().state.notices
    );
    let (path, offset) = {
        let ds = h.state().state.dataset().unwrap();
        (
            ds.track_of(segment).path.clone(),
            ds.segments[segment].offset_samples,
        )
    };
    drop(h); // closes the stream and the capture file

    let bytes = std::fs::read(&capture).unwrap();
    let left: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|f| f32::from(i16::from_le_bytes([f[0], f[1]])) / 32768.0)
        .collect();
    let clip = read_clip(&path, 22_050, offset, 20_000).unwrap();
    let expected = resample_clip(&clip, 22_050, CAPTURE_RATE_HZ).unwrap();
    let start = left
        .iter()
        .position(|v| v.abs() > 1e-3)
        .expect("something was played");
    let end = left.iter().rposition(|v| v.abs() > 1e-3).unwrap();
    let played = end - start + 1;
    assert!(
        (played as f64 - expected.len() as f64).abs() < 0.005 * expected.len() as f64,
        "played {played} samples, the clip is {}",
        expected.len()
    );
    // Align on the best lag near the start, then compare shapes.
    let window = &expected[..expected.len() - 200];
    let (lag, corr) = (start.saturating_sub(100)..start + 100)
        .map(|s| (s, correlation(&left[s..s + window.len()], window)))
        .fold((0, f64::MIN), |best, x| if x.1 > best.1 { x } else { best });
    assert!(corr > 0.999, "correlation {corr} at {lag}");
    // And it is this clip, not another segment of the same track.
    let other = resample_clip(
        &read_clip(&path, 22_050, offset + 20_000, 20_000).unwrap(),
        22_050,
        CAPTURE_RATE_HZ,
    )
    .unwrap();
    let wrong = correlation(&left[lag..lag + window.len()], &other[..window.len()]);
    assert!(
        wrong < corr - 0.05,
        "another segment correlates {wrong} vs {corr}"
    );
}
