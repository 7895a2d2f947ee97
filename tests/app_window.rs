//! The explorer window, driven headlessly with egui_kittest: open a folder, train and cancel,
//! hover and click points, read the tables, and the errors a user meets.

mod common;

use common::ui::*;
use common::*;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::{Command, FileTarget};
use genrescope::app::state::Tab;
use genrescope::app::AppOptions;

fn dataset(dir: &std::path::Path) -> std::path::PathBuf {
    make_dataset(dir, Some("genres"), &["jazz", "metal", "pop"], 4, 3.0);
    dir.to_path_buf()
}

#[test]
fn a_window_with_a_model_but_no_data_says_how_to_open_some() {
    let model =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/demo-dsae.safetensors");
    let mut h = app(AppOptions {
        model: Some(model),
        ..AppOptions::default()
    });
    run_until(&mut h, 30, "the model", |a| !a.state.is_loading_model());
    h.get_by_label("Open a folder of music to explore");
    h.get_by_label("Open folder…");
    h.get_by_label_contains("loaded from");
}

#[test]
fn open_a_folder_by_path_then_train_and_cancel() {
    let tmp = tempfile::tempdir().unwrap();
    let root = dataset(tmp.path());
    let mut h = app(AppOptions::default());
    h.run_steps(2);
    h.get_by_role(Role::TextInput).focus();
    h.run_steps(1);
    h.get_by_role(Role::TextInput)
        .type_text(root.to_str().unwrap());
    h.run_steps(2);
    assert_eq!(h.state().state.folder_input, root.to_str().unwrap());
    h.get_by_label("Load").click();
    run_until(&mut h, 60, "the folder to load", loaded);
    // Per-genre counts and the total are shown; the raw map is drawn.
    h.get_by_label("● jazz");
    h.get_by_label("36");
    h.get_by_label("Raw input (500-d waveform)");
    h.get_by_label_contains("No files skipped");

    edit_settings(&mut h, |s| s.knobs.epochs = 5_000);
    h.get_by_label("Train").click();
    run_until(&mut h, 60, "the first epoch", |a| {
        !a.state.history.is_empty()
    });
    h.get_by_label_contains("/5000, about");
    h.get_by_label("Cancel training").click();
    h.run_steps(3);
    assert!(!h.state().state.is_training());
    assert!(
        h.state().state.model().is_none(),
        "a cancelled run leaves no model"
    );
    h.get_by_label_contains("Training cancelled");
    h.get_by_label("Train");
}

#[test]
fn training_draws_three_maps_links_hover_and_click_and_fills_the_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = app_on(dataset(tmp.path()));
    run_until(&mut h, 60, "the folder to load", loaded);
    edit_settings(&mut h, |s| {
        s.knobs.epochs = 40;
        s.knobs.learning_rate = 3e-3;
        s.knobs.batch_size = 16;
    });
    h.get_by_label("Train").click();
    run_until(&mut h, 120, "training and projection", projected);
    for title in [
        "Raw input (500-d waveform)",
        "Bottleneck (64-d)",
        "Logits (3-d)",
    ] {
        h.get_by_label(title);
    }
    assert!(h.query_by_label_contains("No model yet").is_none());
    h.get_by_label_contains("dsae trained here (40 epochs)");
    // Loss and accuracy curves were fed every epoch.
    assert_eq!(h.state().state.history.len(), 40);

    // Hover a clip on the raw map: it is hovered everywhere, and the tooltip names it.
    let pos = point_on_screen(&h, "map-raw", 7);
    h.hover_at(pos);
    h.run_steps(2);
    let hovered = h
        .state()
        .state
        .hovered()
        .expect("a point under the pointer");
    let info = h.state().state.segment_info(hovered).unwrap();
    assert!(h.get_all_by_label_contains(&info.track).count() >= 1);
    assert!(info.predicted.is_some());
    // The same clip on the bottleneck map is the same hover.
    let pos_code = point_on_screen(&h, "map-code", hovered);
    h.hover_at(pos_code);
    h.run_steps(2);
    assert_eq!(h.state().state.hovered(), Some(hovered));
    // Clicking selects it (and asks for it to be played).
    click_at(&mut h, pos_code);
    assert_eq!(h.state().state.clip_a(), Some(hovered));

    // Hiding a genre removes its points from hover.
    let genre = h.state().state.dataset().unwrap().label(hovered);
    let name = h.state().state.dataset().unwrap().genres[genre].clone();
    h.get_by_label_contains(&format!("● {name} (")).click();
    h.run_steps(2);
    assert!(h
        .state()
        .state
        .data
        .as_ref()
        .unwrap()
        .hidden_genres
        .contains(&genre));
    h.hover_at(point_on_screen(&h, "map-raw", hovered));
    h.run_steps(2);
    assert_ne!(h.state().state.hovered(), Some(hovered));

    // The metrics tab shows the paper's tables; a confusion cell selects its clips.
    h.get_by_label("Metrics").click();
    h.run_steps(2);
    h.get_by_label("Table 1: accuracy");
    h.get_by_label_contains("Table 2: per genre, on the test set");
    h.get_by_label_contains("track split");
    let report = model_report(&h);
    let cm = report.confusion.unwrap();
    let (t, p) = (0..3)
        .flat_map(|t| (0..3).map(move |p| (t, p)))
        .find(|&(t, p)| cm.get(t, p) > 0)
        .unwrap();
    h.state_mut().apply(Command::SelectCell {
        truth: t,
        predicted: p,
    });
    h.run_steps(2);
    assert_eq!(h.state().state.view.tab, Tab::Maps);
    assert_eq!(h.state().state.selected().len(), cm.get(t, p));
    h.get_by_label_contains("clip(s): true");
}

#[test]
fn a_folder_with_bad_files_loads_the_good_ones_and_lists_the_bad() {
    let tmp = tempfile::tempdir().unwrap();
    let root = dataset(tmp.path());
    std::fs::write(
        root.join("genres").join("pop").join("broken.wav"),
        b"RIFFnope",
    )
    .unwrap();
    let mut h = app_on(root);
    run_until(&mut h, 60, "the folder to load", loaded);
    h.get_by_label_contains("1 file(s) skipped").click();
    h.run_steps(2);
    h.get_by_label_contains("broken.wav");
    h.get_by_label("36");
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let mut h = app_on("/no/such/folder".into());
    run_until(&mut h, 30, "the error", |a| a.state.loading().is_none());
    h.get_by_label_contains("Cannot load /no/such/folder");
    h.get_by_label("Open a folder of music to explore");
}

#[test]
fn a_model_for_other_genres_is_refused_and_a_good_one_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("other");
    make_dataset(&other, None, &["blues", "rock"], 3, 2.0);
    let foreign = tmp.path().join("foreign.safetensors");
    let tc = genrescope::model::TrainConfig {
        epochs: 1,
        ..Default::default()
    };
    train_model(
        &other,
        &foreign,
        genrescope::model::ModelConfig::dsae(0, 0),
        tc,
    );

    let mut h = app_on(dataset(&tmp.path().join("mine")));
    run_until(&mut h, 60, "the folder to load", loaded);
    h.state_mut().apply(Command::LoadModel(foreign.clone()));
    run_until(&mut h, 30, "the model file", |a| {
        !a.state.is_loading_model()
    });
    h.get_by_label_contains("does not fit this data");
    h.get_by_label_contains("blues, rock");
    assert!(h.state().state.model().is_none());

    // A model trained here can be saved and opened again.
    edit_settings(&mut h, |s| s.knobs.epochs = 2);
    h.get_by_label("Train").click();
    run_until(&mut h, 60, "training", projected);
    let saved = tmp.path().join("mine.safetensors");
    h.state_mut().apply(Command::UsePath {
        target: FileTarget::SaveModel,
        path: saved.clone(),
    });
    run_until(&mut h, 30, "the save", |a| {
        a.state
            .notices
            .shown()
            .iter()
            .any(|n| n.text.starts_with("Saved the model to"))
    });
    assert!(saved.exists());
    h.get_by_label_contains("Saved the model to");
    h.state_mut().apply(Command::LoadModel(saved.clone()));
    run_until(&mut h, 60, "the saved model", |a| {
        !a.state.is_loading_model() && projected(a)
    });
    let model = h.state().state.model().unwrap();
    assert!(model.source.starts_with("loaded from"));
    // Trained on this folder: its splits are recomputed, so markers still show train/dev/test.
    assert!(model.splits.is_some());
    assert!(model.report.is_some());
}

/// A file or folder dropped on the window, as the windowing layer hands it over.

#[test]
fn dropping_a_folder_or_a_model_opens_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = dataset(&tmp.path().join("data"));
    let model =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/demo-dsae.safetensors");
    let mut h = app(AppOptions {
        model: Some(model.clone()),
        ..AppOptions::default()
    });
    run_until(&mut h, 30, "the model", |a| !a.state.is_loading_model());
    drop_on(&mut h, root.clone());
    run_until(&mut h, 60, "the dropped folder", loaded);
    assert_eq!(h.state().state.dataset().unwrap().len(), 36);
    // A file that is neither: the message says what to drop instead.
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "not music").unwrap();
    drop_on(&mut h, notes);
    h.run_steps(2);
    h.get_by_label_contains("drop the folder that holds the genre folders");
    // A song without a model for this folder cannot be placed yet, and the window says why.
    drop_on(&mut h, root.join("genres/jazz/jazz.00000.wav"));
    h.run_steps(2);
    h.get_by_label_contains("Open a folder and a model first");
    // A model file is opened as a model (this one knows other genres, and says so).
    drop_on(&mut h, model);
    run_until(&mut h, 30, "the dropped model", |a| {
        !a.state.is_loading_model()
    });
    h.get_by_label_contains("does not fit this data");
}
