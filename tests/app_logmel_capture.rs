//! The window with a log-mel model: choosing the representation in the form re-reads the clips
//! as log-mel patches and trains on them; the maps and tables say which representation they
//! show; a clip's reconstruction plays as its resynthesized patch (ALSA file capture).

mod common;

use common::capture::*;
use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::{ClipVersion, Command};
use genrescope::app::AppOptions;
use genrescope::audio::resample::resample_clip;
use genrescope::dataset::InputKind;

#[test]
fn a_log_mel_model_trained_in_the_window_draws_its_maps_and_plays_its_reconstructions() {
    let tmp = tempfile::tempdir().unwrap();
    let capture = capture_to_file(tmp.path());
    let mut h = app(AppOptions {
        audio: true,
        ..AppOptions::default()
    });
    run_until(&mut h, 60, "the demo", |a| settled(a) && projected(a));

    // The form: log-mel input (its recommended settings fill in), then Train.
    h.get_by_label("input").click();
    h.run_steps(2);
    h.get_by_label("log-mel").click();
    h.run_steps(2);
    let mut settings = h.state().state.settings.clone();
    assert_eq!(settings.input, InputKind::Logmel);
    h.get_by_label_contains("Recommended settings (beyond the paper)");
    settings.knobs.epochs = 8;
    h.state_mut().apply(Command::EditSettings(settings));
    h.get_by_label("Train").click();
    run_until(&mut h, 120, "the log-mel model", |a| {
        settled(a)
            && projected(a)
            && a.state
                .model()
                .is_some_and(|m| m.saved.meta.features.input.kind() == InputKind::Logmel)
    });
    let dim = h.state().state.dataset().unwrap().dim();
    assert_eq!(dim, 38 * 64);
    h.get_by_label("Raw input (2432-d logmel)");
    h.get_by_label("Bottleneck (64-d)");
    h.get_by_label_contains("logmel dsae trained here (8 epochs)");
    h.get_by_label("Metrics").click();
    h.run_steps(2);
    h.get_by_label_contains("logmel dsae on synthetic demo set");
    h.get_by_label("Maps").click();
    h.run_steps(2);

    // Click a clip, then play its reconstruction: what is heard is the resynthesized patch.
    let (clip, pos) = visible_point(&h, "map-code", 100..140);
    click_at(&mut h, pos);
    run_until(&mut h, 30, "the original to play", |a| {
        !a.state.playback.is_sounding()
    });
    h.state_mut().apply(Command::PlayVersion {
        segment: clip,
        version: ClipVersion::Reconstruction,
    });
    run_until(&mut h, 60, "the reconstruction to play", |a| {
        !a.state.playback.is_sounding() && a.state.is_idle()
    });
    assert!(no_errors_shown(&h));
    let model = h.state().state.model().unwrap();
    let recon = h.state().state.reconstruction(clip).unwrap().to_vec();
    let expected = resample_clip(
        &model.voice.render(&recon).unwrap(),
        22_050,
        CAPTURE_RATE_HZ,
    )
    .unwrap();
    drop(h);

    let left = read_left(&capture);
    let runs = sounding_runs(&left, 5_000);
    assert_eq!(
        runs.len(),
        2,
        "the original, then the reconstruction: {runs:?}"
    );
    let window = &expected[..expected.len() - 400];
    let (_, corr) = best_lag(&left, window, runs[1].0, 200);
    assert!(
        corr > 0.99,
        "the reconstruction as heard: correlation {corr}"
    );
}
