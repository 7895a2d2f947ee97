//! Background work always ends: a job that panics becomes a message naming it and the window
//! goes on; newer work replaces older (opening the demo while a folder loads cancels the load).

mod common;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::Command;
use genrescope::app::registry::{JobKind, Stamp};
use genrescope::app::AppOptions;
use genrescope::dataset::DataSource;

#[test]
fn a_job_that_panics_ends_in_a_message_and_the_window_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "high"], 3, 2.0);
    let mut h = app_on(data);
    run_until(&mut h, 60, "the folder", settled);

    // The same path every job takes: registered, run on a thread, one ending event.
    let data = h.state().state.data.as_ref().unwrap().id;
    h.state_mut().start_job(
        JobKind::Train { epochs: 10, data },
        Stamp::default(),
        |_, _, _| panic!("injected failure"),
    );
    assert!(h.state().state.is_training());
    run_until(&mut h, 30, "the job's end", |a| a.state.is_idle());
    assert!(!h.state().state.is_training());
    h.get_by_label_contains("The training run stopped unexpectedly (injected failure)");
    // Not "Training…" forever: the form is usable and a real run trains and ends.
    edit_settings(&mut h, |s| s.knobs.epochs = 3);
    h.get_by_label("Train").click();
    run_until(&mut h, 60, "a real training run", |a| {
        projected(a) && a.state.is_idle()
    });
    assert!(h.state().state.model().is_some());
    h.get_by_label_contains("Trained a waveform dsae in 3 epochs");
    assert!(
        h.query_by_label_contains("stopped unexpectedly").is_none(),
        "the training notice replaced the failure"
    );
}

#[test]
fn opening_the_demo_while_a_folder_loads_cancels_the_load() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "high"], 6, 8.0);
    let mut h = app(AppOptions {
        data: Some(DataSource::Folder(data)),
        ..AppOptions::default()
    });
    assert!(h.state().state.loading().is_some());
    h.state_mut().apply(Command::LoadData(DataSource::Demo));
    // The folder's load was asked to stop: it is no longer what is loading.
    let loading = h.state().state.loading().map(|j| j.kind.clone());
    assert_eq!(
        loading,
        Some(JobKind::LoadData {
            source: DataSource::Demo
        })
    );
    run_until(&mut h, 60, "the demo", |a| settled(a) && projected(a));
    let ds = h.state().state.dataset().unwrap();
    assert!(ds.source.is_demo(), "the demo won, whatever finished first");
    assert!(no_errors_shown(&h));
}
