//! A machine whose audio device cannot be opened: the window says so once, everything else works.

mod common;

use genrescope::dataset::DataSource;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::Command;
use genrescope::app::state::AudioDevice;
use genrescope::app::AppOptions;

#[test]
fn no_audio_device_is_said_once_and_nothing_else_breaks() {
    let tmp = tempfile::tempdir().unwrap();
    // ALSA's default device points at a sound card that does not exist, as on a server.
    common::capture::alsa_config(
        tmp.path(),
        "pcm.!default { type hw; card 77 }\nctl.!default { type hw; card 77 }\n",
    );
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["a", "b"], 2, 2.0);

    let mut h = app(AppOptions {
        data: Some(DataSource::Folder(data)),
        audio: true,
        ..AppOptions::default()
    });
    run_until(&mut h, 60, "the folder to load", loaded);
    assert!(matches!(
        h.state().state.audio,
        Some(AudioDevice::Unavailable(_))
    ));
    assert_eq!(h.get_all_by_label_contains("No sound").count(), 1);
    // Clicking points still selects them, and says nothing more.
    h.state_mut().apply(Command::PickA(1));
    h.state_mut().apply(Command::PickA(2));
    h.run_steps(3);
    assert_eq!(h.state().state.clip_a(), Some(2));
    assert!(!h.state().state.playback.is_sounding());
    assert_eq!(h.get_all_by_label_contains("No sound").count(), 1);
    assert_eq!(h.state().state.notices.shown().len(), 1);
}
