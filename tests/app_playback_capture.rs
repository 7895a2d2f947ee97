//! Clicking a point plays that clip's original audio: cpal writes into ALSA's file plugin (set
//! up for this test process only) and the capture is compared with the clip.

mod common;

use genrescope::dataset::DataSource;

use common::capture::*;
use common::ui::*;
use common::*;
use genrescope::app::state::{AudioDevice, Playback};
use genrescope::audio::read_clip;
use genrescope::audio::resample::resample_clip;

#[test]
fn clicking_a_point_plays_its_original_audio() {
    let tmp = tempfile::tempdir().unwrap();
    let capture = capture_to_file(tmp.path());
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "high"], 2, 3.0);

    let mut h = window_with_audio(data);
    match &h.state().state.audio {
        // The plug device offers 44.1 kHz, which the player prefers: no rate conversion in ALSA.
        Some(AudioDevice::Ready(format)) => assert_eq!(format.sample_rate_hz, CAPTURE_RATE_HZ),
        other => panic!("the file device should open: {other:?}"),
    }
    // Click the 5th clip on the raw map: 3 clips per track, so the second track's second.
    let segment = 4;
    let pos = point_on_screen(&h, "map-raw", segment);
    click_at(&mut h, pos);
    assert_eq!(h.state().state.clip_a(), Some(segment));
    // The click asked for the clip; it is decoded on a worker, played, and done. (The null
    // device has no clock, so playing can take less than a frame: wait for the end only.)
    let label = match &h.state().state.playback {
        Playback::Clip { label, .. } => label.clone(),
        other => panic!("the click asks for the clip, but the playback is {other:?}"),
    };
    assert!(label.contains("high.00001.wav 0.9-1.8 s"), "{label}");
    run_until(&mut h, 30, "the clip to finish", |a| {
        !a.state.playback.is_sounding()
    });
    assert!(
        h.state().state.notices.shown().is_empty(),
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
    // A pause longer than the player keeps an idle stream open: the next clip opens a new one,
    // and the capture keeps both (as on a slow machine, where loading the demo takes as long).
    for _ in 0..100 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // A demo clip has no file: the synthesizer makes it again, and that is what is heard.
    h.state_mut()
        .apply(genrescope::app::events::Command::LoadData(DataSource::Demo));
    run_until(&mut h, 60, "the demo", |a| {
        loaded(a) && !a.state.is_loading_model() && !a.state.is_projecting()
    });
    let demo_segment = 100; // a metal clip: continuous sound, no long silences inside
    h.state_mut()
        .apply(genrescope::app::events::Command::PickA(demo_segment));
    run_until(&mut h, 30, "the demo clip to finish", |a| {
        !a.state.playback.is_sounding()
    });
    assert!(
        h.state()
            .state
            .notices
            .shown()
            .iter()
            .all(|n| !n.is_error()),
        "{:?}",
        h.state().state.notices
    );
    let (demo_path, demo_offset) = {
        let ds = h.state().state.dataset().unwrap();
        (
            ds.track_of(demo_segment).path.clone(),
            ds.segments[demo_segment].offset_samples,
        )
    };
    // "Finished" means the callback has handed the last frames to ALSA; its buffer may still
    // hold them. Dropping the stream discards what is buffered (TESTING.md), so let it drain.
    for _ in 0..30 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(h); // closes the stream and the capture file

    let left = read_left(&capture);
    // Two clips were played, each its own stretch of sound: the GTZAN-like clip, then the demo's.
    let runs = sounding_runs(&left, 5_000);
    assert_eq!(runs.len(), 2, "two clips were played: {runs:?}");
    let clip = read_clip(&path, 22_050, offset, 20_000).unwrap();
    let expected = resample_clip(&clip, 22_050, CAPTURE_RATE_HZ).unwrap();
    let (start, end) = runs[0];
    let played = end - start;
    assert!(
        (played as f64 - expected.len() as f64).abs() < 0.005 * expected.len() as f64,
        "played {played} samples, the clip is {}",
        expected.len()
    );
    // Align on the best lag near the start, then compare shapes.
    let best = |clip: &[f32], near: usize| best_lag(&left, &clip[..clip.len() - 200], near, 100);
    let (lag, corr) = best(&expected, start);
    assert!(corr > 0.999, "correlation {corr} at {lag}");
    // And it is this clip, not another segment of the same track.
    let other = resample_clip(
        &read_clip(&path, 22_050, offset + 20_000, 20_000).unwrap(),
        22_050,
        CAPTURE_RATE_HZ,
    )
    .unwrap();
    let wrong = correlation(
        &left[lag..lag + expected.len() - 200],
        &other[..expected.len() - 200],
    );
    assert!(
        wrong < corr - 0.05,
        "another segment correlates {wrong} vs {corr}"
    );

    // The demo clip has no file: what was heard is the synthesizer's clip.
    let demo = resample_clip(
        &genrescope::dataset::demo::render_clip(&demo_path, demo_offset, 20_000).unwrap(),
        22_050,
        CAPTURE_RATE_HZ,
    )
    .unwrap();
    let (_, demo_corr) = best(&demo, runs[1].0);
    assert!(demo_corr > 0.999, "the demo clip: correlation {demo_corr}");
}
