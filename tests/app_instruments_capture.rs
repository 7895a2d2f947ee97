//! What the components' sliders and the probe play is the decoder's output for the code they
//! stand for, and moving them changes the sound (ALSA file capture).

mod common;

use common::capture::*;
use common::ui::*;
use common::*;
use genrescope::app::events::Command;
use genrescope::app::state::MapId;
use genrescope::audio::resample::resample_clip;
use genrescope::latent::audible::Voice;

/// Applies `command`, waits for the decoded sound to play out, and returns what it should
/// sound like at the device's rate.
fn play_and_expect(h: &mut App, command: Command) -> Vec<f32> {
    h.state_mut().apply(command);
    run_until(h, 30, "the decoded sound to play out", decoded_and_quiet);
    let state = &h.state().state;
    let decoded = state
        .trace()
        .unwrap()
        .current
        .as_ref()
        .unwrap()
        .decoded
        .clone();
    let features = state.dataset().unwrap().features;
    let audio = Voice::new(&features).unwrap().render(&decoded).unwrap();
    resample_clip(&audio, 22_050, 44_100).unwrap()
}

/// The captured `runs` match `expected` in order and differ from each other.
fn check(left: &[f32], runs: &[(usize, usize)], expected: &[Vec<f32>], what: &str) {
    let mut at = Vec::new();
    for (clip, run) in expected.iter().zip(runs) {
        let (lag, corr) = best_lag(left, clip, run.0, 50);
        assert!(corr > 0.999, "{what}: correlation {corr}");
        at.push(lag);
    }
    for k in 1..expected.len() {
        let cross = correlation(&left[at[k]..at[k] + expected[0].len()], &expected[0]);
        assert!(cross < 0.9, "{what}: step {k} sounds like step 0 ({cross})");
    }
}

fn window(tmp: &std::path::Path) -> App<'static> {
    let data = tmp.join("data");
    make_dataset(&data, None, &["low", "high"], 1, 3.0);
    let model = tmp.join("m.safetensors");
    train_memorising_autoencoder(&data, &model);
    window_with(data, model, true)
}

#[test]
fn the_components_slider_and_the_probe_play_the_code_they_stand_for() {
    let tmp = tempfile::tempdir().unwrap();
    let capture = capture_to_file(tmp.path());
    let mut h = window(tmp.path());
    pick_quietly(&mut h, 0, None);
    let mut expected: Vec<Vec<f32>> = [-2.0f32, 2.0]
        .into_iter()
        .map(|sigma| {
            play_and_expect(
                &mut h,
                Command::SetWalk {
                    component: 0,
                    sigma,
                    held: false,
                },
            )
        })
        .collect();
    // Two far apart places on the bottleneck map: where the low clips and the high ones lie.
    let points = h
        .state()
        .state
        .layer(MapId::Code)
        .unwrap()
        .projection
        .points
        .clone();
    for xy in [points[0], points[points.len() - 1]] {
        expected.push(play_and_expect(
            &mut h,
            Command::ProbeAt { xy, start: true },
        ));
    }
    drop(h);
    let left = read_left(&capture);
    let clips = sounding_runs(&left, 2_000);
    assert_eq!(clips.len(), 4, "four sounds were played: {clips:?}");
    check(&left, &clips[..2], &expected[..2], "PC1 at -2σ and +2σ");
    check(
        &left,
        &clips[2..],
        &expected[2..],
        "the probe at two places",
    );
}
