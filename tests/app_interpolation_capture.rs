//! What is played at t = 0 and t = 1 is the decoder's output for A and B (ALSA file capture).

mod common;

use common::capture::*;
use common::ui::*;
use common::*;
use genrescope::app::events::Command;
use genrescope::audio::resample::resample_clip;
use genrescope::latent::audible::Voice;

#[test]
fn t_zero_and_one_play_the_decoders_output_for_a_and_b() {
    let tmp = tempfile::tempdir().unwrap();
    let capture = capture_to_file(tmp.path());
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "high"], 1, 3.0);
    let model = tmp.path().join("m.safetensors");
    train_memorising_autoencoder(&data, &model);

    let mut h = window_with(data, model, true);
    let (a, b) = (0, 4);
    pick_quietly(&mut h, a, Some(b));
    let mut expected = Vec::new();
    for t in [0.0f32, 1.0] {
        h.state_mut().apply(Command::SetT { t, held: false });
        run_until(&mut h, 30, "the step to play out", decoded_and_quiet);
        let decoded = h
            .state()
            .state
            .trace()
            .unwrap()
            .current
            .as_ref()
            .unwrap()
            .decoded
            .clone();
        let features = h.state().state.dataset().unwrap().features;
        expected.push(
            resample_clip(
                &Voice::new(&features).unwrap().render(&decoded).unwrap(),
                22_050,
                44_100,
            )
            .unwrap(),
        );
        let latency = h
            .state()
            .state
            .decoder
            .latency_ms
            .expect("the latency was measured");
        // Informative (never asserted: machines are noisy): slider change to first sample out.
        eprintln!("slider to first sample written at t = {t}: {latency:.2} ms");
    }
    drop(h);

    let left = read_left(&capture);
    // Each step was written as a clip, with silence between: cut the capture at long silences.
    let clips = sounding_runs(&left, 2_000);
    assert_eq!(clips.len(), 2, "two clips were played: {clips:?}");
    let best = |clip: &[f32], run: (usize, usize)| best_lag(&left, clip, run.0, 50);
    let (at_a, corr_a) = best(&expected[0], clips[0]);
    let (at_b, corr_b) = best(&expected[1], clips[1]);
    assert!(corr_a > 0.999, "t = 0: correlation {corr_a}");
    assert!(corr_b > 0.999, "t = 1: correlation {corr_b}");
    assert!(
        at_b >= at_a + expected[0].len(),
        "played in order: {at_a}, {at_b}"
    );
    // And they are different sounds: A's step does not match where B's was played.
    let cross = correlation(&left[at_b..at_b + expected[0].len()], &expected[0]);
    assert!(
        cross < 0.9,
        "A's and B's decoded steps are distinguishable: {cross}"
    );
}
