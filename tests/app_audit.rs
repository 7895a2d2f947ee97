//! The audit in the window: asked for from the side panel, its finding selects the tracks'
//! clips on the maps, and it exports as CSV.

mod common;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::{Command, FileTarget};

#[test]
fn the_audit_finds_a_copy_and_selects_it_on_the_maps() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "high"], 3, 3.0);
    std::fs::copy(data.join("low/low.00001.wav"), data.join("high/copied.wav")).unwrap();
    let mut h = app_on(data);
    run_until(&mut h, 60, "the folder", settled);
    h.get_by_label("Audit this folder").click();
    h.run_steps(2);
    run_until(&mut h, 60, "the audit", |a| {
        a.state
            .data
            .as_ref()
            .is_some_and(|d| matches!(d.audit, Some(genrescope::app::state::Derived::Ready(_))))
    });
    // A synthetic tone has too few loud peaks for the exact anchors; its landmarks match in
    // full at offset 0. Its sibling tracks (other tones of the genre) are not repeats.
    h.get_by_label_contains("repeat: copied.wav ~ low.00001.wav (100%, +0.0 s)")
        .click();
    h.run_steps(2);
    let selection = h
        .state()
        .state
        .data
        .as_ref()
        .unwrap()
        .selection
        .clone()
        .unwrap();
    assert!(
        selection
            .label
            .ends_with("repeat: copied.wav and low.00001.wav"),
        "{}",
        selection.label
    );
    // 3 s tracks: 3 clips each.
    assert_eq!(selection.clips.len(), 6);
    let found = match &h.state().state.data.as_ref().unwrap().audit {
        Some(genrescope::app::state::Derived::Ready(a)) => a.duplicates.len(),
        _ => unreachable!(),
    };
    assert_eq!(found, 1, "only the copy");

    let csv = tmp.path().join("audit.csv");
    h.state_mut().apply(Command::UsePath {
        target: FileTarget::AuditCsv,
        path: csv.clone(),
    });
    run_until(&mut h, 30, "the CSV", |a| a.state.is_idle());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("kind,a,b,score"), "{text}");
    assert!(
        text.contains(" repeat,") && text.contains("copied.wav"),
        "{text}"
    );
}
