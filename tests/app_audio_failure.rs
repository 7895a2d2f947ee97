//! A sound device that starts failing every write: the window says once that sound stopped and
//! why, the log does not grow with every failed write, and a later click tries again.
//!
//! The device is ALSA's file plugin writing into a pipe whose reader goes away after 64 KB:
//! from then on every write fails (EPIPE), as a device that dies mid-stream does. The app runs in
//! a child process of this test so its whole stderr can be measured.

mod common;

use std::process::Command;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::Command as AppCommand;
use genrescope::app::state::{AudioDevice, Playback};

const CHILD: &str = "GENRESCOPE_AUDIO_FAILURE_CHILD";
const TEST: &str = "a_failing_device_is_reported_once_and_the_next_play_tries_again";

#[test]
fn a_failing_device_is_reported_once_and_the_next_play_tries_again() {
    if std::env::var_os(CHILD).is_some() {
        return in_the_child();
    }
    let tmp = tempfile::tempdir().unwrap();
    common::capture::alsa_config(
        tmp.path(),
        "pcm.!default { type file; slave.pcm \"null\"; file \"|head -c 65536 >/dev/null\"; \
         format \"raw\" }\n",
    );
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the child failed:\n{}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Before: one line per failed write, millions of them. Now: one line per failure.
    assert!(
        out.stderr.len() < 20_000,
        "{} bytes on stderr:\n{stderr}",
        out.stderr.len()
    );
    let reports = stderr.matches("the audio stream failed").count();
    assert!((1..=3).contains(&reports), "{reports} reports:\n{stderr}");
}

fn in_the_child() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "high"], 2, 3.0);
    let mut h = window_with_audio(data);
    assert!(matches!(h.state().state.audio, Some(AudioDevice::Ready(_))));
    // Clips longer than what the pipe takes: the device dies during the first.
    h.state_mut().apply(AppCommand::PickA(0));
    run_until(&mut h, 30, "the device to fail", |a| {
        matches!(a.state.playback, Playback::Failed { .. })
    });
    for _ in 0..50 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(h.get_all_by_label_contains("Sound stopped").count(), 1);
    h.get_by_label_contains("click a point or a play button to try again");
    assert!(
        !h.state().state.playback.is_sounding(),
        "nothing claims to play"
    );
    // A later click opens a new stream: it is tried, and the failure is said once again at most.
    h.state_mut().apply(AppCommand::PickA(3));
    run_until(&mut h, 30, "the retry", |a| {
        !a.state.playback.is_sounding() && a.state.is_idle()
    });
    for _ in 0..50 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(h.get_all_by_label_contains("Sound stopped").count() <= 1);
}
