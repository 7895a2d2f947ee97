//! Compare mode, heard (ALSA file capture): A's reconstruction by the second model's decoder is
//! what that decoder makes of the second model's own code of the clip, and the A → B path in
//! the second model's space plays one part per step.

mod common;

use common::capture::*;
use common::ui::*;
use common::*;
use genrescope::app::events::{ClipVersion, Command};
use genrescope::app::state::{Derived, Loudness};
use genrescope::audio::resample::resample_clip;
use genrescope::model::shipped::Shipped;

#[test]
fn the_second_decoder_is_heard_on_its_own_code_of_the_clip() {
    let Some(dir) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let capture = capture_to_file(tmp.path());
    let model = std::path::PathBuf::from(common::cli::shipped("gtzan-mini-dsae.safetensors"));
    let mut h = window_with(dir, model, true);
    h.state_mut()
        .apply(Command::CompareWithShipped(Shipped::GtzanLogmel));
    run_until(&mut h, 240, "the comparison", |a| {
        matches!(
            a.state.model().and_then(|m| m.compare.as_ref()),
            Some(Derived::Ready(_))
        )
    });
    // At its own level, so what is heard is the decoder's output as the voice renders it.
    h.state_mut().apply(Command::SetLoudness(Loudness::Raw));
    let clip = 45;
    h.state_mut().apply(Command::PlayVersion {
        segment: clip,
        version: ClipVersion::SecondReconstruction,
    });
    run_until(&mut h, 5, "the second reconstruction to start", |a| {
        a.state.playback.is_sounding()
    });
    run_until(&mut h, 60, "the second reconstruction to play", |a| {
        !a.state.playback.is_sounding() && a.state.is_idle()
    });
    assert!(no_errors_shown(&h));
    let expected = {
        let state = &h.state().state;
        let view = match state.model().and_then(|m| m.compare.as_ref()) {
            Some(Derived::Ready(view)) => std::sync::Arc::clone(view),
            _ => unreachable!("the comparison was ready"),
        };
        let code = view.code(view.second_of(clip).unwrap()).unwrap();
        let decoded = view.saved.model.decode(code).unwrap();
        let rate = view.voice.sample_rate_hz();
        resample_clip(&view.voice.render(&decoded).unwrap(), rate, CAPTURE_RATE_HZ).unwrap()
    };

    // The path A → B in the second model's space: one sounding part per step of t.
    h.state_mut().apply(Command::PickA(clip));
    h.state_mut().apply(Command::PickB(500));
    run_until(&mut h, 60, "A and B played", |a| {
        !a.state.playback.is_sounding() && a.state.is_idle()
    });
    h.state_mut().apply(Command::SetSteps(3));
    h.state_mut().apply(Command::PlaySecondPath);
    run_until(&mut h, 5, "the second path to start", |a| {
        a.state.playback.is_sounding()
    });
    run_until(&mut h, 60, "the second path to play", |a| {
        !a.state.playback.is_sounding() && a.state.is_idle()
    });
    assert!(no_errors_shown(&h));
    drop(h);

    let left = read_left(&capture);
    let runs = sounding_runs(&left, 5_000);
    assert!(!runs.is_empty(), "something was heard");
    let window = &expected[..expected.len() - 400];
    let (_, corr) = best_lag(&left, window, runs[0].0, 400);
    assert!(
        corr > 0.99,
        "the second model's reconstruction as heard: correlation {corr}"
    );
    // Last heard, the path's 3 steps: each about as long as a clip in the second model's
    // voice, 0.3 s of silence apart.
    assert!(
        runs.len() >= 4,
        "the reconstruction, then the path: {runs:?}"
    );
    let path = &runs[runs.len() - 3..];
    let clip_len = expected.len() as f64;
    for (k, (start, end)) in path.iter().enumerate() {
        let len = (end - start) as f64;
        assert!(
            len > 0.8 * clip_len && len < 1.1 * clip_len,
            "step {k} lasts {len} samples, a clip {clip_len}: {runs:?}"
        );
        if k > 0 {
            let gap = (start - path[k - 1].1) as f64 / f64::from(CAPTURE_RATE_HZ);
            assert!(gap < 0.5, "steps {gap} s apart: {runs:?}");
        }
    }
}
