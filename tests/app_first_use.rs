//! What a new user met in the first twenty minutes, driven the way they did it: the view follows
//! new data and new models, confusion cells select what they count, saving and exporting work
//! without a file dialog, notices stay readable and current, the layout holds at 800×600, and
//! the smaller things (the clip count, old curves, the colour bar, `builtin:demo`).

mod common;

use std::path::{Path, PathBuf};

use common::ui::*;
use common::*;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::Command;
use genrescope::app::state::{ColorBy, Tab};
use genrescope::app::AppOptions;
use genrescope::dataset::DataSource;

fn bounds(h: &App, map: &str) -> ([f64; 2], [f64; 2]) {
    let memory = plot_memory(h, map);
    (memory.bounds().min(), memory.bounds().max())
}

fn close(a: ([f64; 2], [f64; 2]), b: ([f64; 2], [f64; 2])) -> bool {
    let span = (b.1[0] - b.0[0]).abs().max(b.1[1] - b.0[1]).max(1e-12);
    let d = [
        a.0[0] - b.0[0],
        a.0[1] - b.0[1],
        a.1[0] - b.1[0],
        a.1[1] - b.1[1],
    ];
    d.iter().all(|x| x.abs() < 0.02 * span)
}

/// The default view of a map: what its layer says.
fn default_bounds(h: &App, map: &str) -> ([f64; 2], [f64; 2]) {
    use genrescope::app::state::MapId;
    let id = match map {
        "map-raw" => MapId::Raw,
        "map-code" => MapId::Code,
        _ => MapId::Logits,
    };
    let [x, y] = h.state().state.layer(id).unwrap().bounds;
    ([x.0, y.0], [x.1, y.1])
}

/// Drags the view of a map by a third of its width.
fn pan(h: &mut App, map: &str) {
    let frame = *plot_memory(h, map).transform().frame();
    let from = frame.center();
    let to = from + egui::vec2(frame.width() / 3.0, 0.0);
    h.hover_at(from);
    h.step();
    h.event(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    h.step();
    for k in 1..=5 {
        h.hover_at(from + (to - from) * (k as f32 / 5.0));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(2);
}

#[test]
fn new_data_or_a_new_model_resets_the_view_to_fit() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    make_dataset(&first, None, &["low", "high"], 3, 2.0);
    make_dataset(&second, None, &["alto", "bass", "tenor"], 3, 3.0);
    let model = tmp.path().join("m.safetensors");
    train_small_model(&first, &model, 30);
    let mut h = app(AppOptions {
        data: Some(DataSource::Folder(first)),
        model: Some(model.clone()),
        ..AppOptions::default()
    });
    run_until(&mut h, 60, "the maps", |a| settled(a) && projected(a));
    assert!(close(bounds(&h, "map-raw"), default_bounds(&h, "map-raw")));
    pan(&mut h, "map-raw");
    pan(&mut h, "map-logits");
    assert!(
        !close(bounds(&h, "map-raw"), default_bounds(&h, "map-raw")),
        "the user's own view while the data stays"
    );
    // Another model on the same data: its maps open fitted; the raw map keeps the user's view.
    h.state_mut().apply(Command::LoadModel(model));
    run_until(&mut h, 60, "the model again", |a| {
        settled(a) && projected(a)
    });
    h.run_steps(2);
    assert!(close(
        bounds(&h, "map-logits"),
        default_bounds(&h, "map-logits")
    ));
    assert!(!close(bounds(&h, "map-raw"), default_bounds(&h, "map-raw")));
    // New data: every map fits it.
    h.state_mut()
        .apply(Command::LoadData(DataSource::Folder(second)));
    run_until(&mut h, 60, "the second folder", settled);
    h.run_steps(2);
    assert!(close(bounds(&h, "map-raw"), default_bounds(&h, "map-raw")));
}

/// Clicks the first confusion cell showing `count` and returns the selection's label.
fn click_cell(h: &mut App, count: usize) -> String {
    h.get_by_label("Metrics").click();
    h.run_steps(2);
    h.get_all_by_role_and_label(Role::Button, &count.to_string())
        .next()
        .expect("a cell with that count")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().state.view.tab, Tab::Maps);
    let data = h.state().state.data.as_ref().unwrap();
    data.selection.as_ref().unwrap().label.clone()
}

#[test]
fn a_confusion_cell_selects_exactly_the_clips_it_counts() {
    // The shipped demo model on the demo set: every clip was in its training split.
    let mut h = app(AppOptions::default());
    run_until(&mut h, 60, "the demo", |a| settled(a) && projected(a));
    let report = model_report(&h);
    let cm = report.confusion.clone().unwrap();
    let count = cm.get(0, 0);
    assert!(count > 0);
    let label = click_cell(&mut h, count);
    assert_eq!(h.state().state.selected().len(), count, "{label}");
    // Linked back: the matrix marks the cells the selection falls in, here that cell alone.
    let predictions = model_predictions(&h);
    let cells = report.selection_cells(h.state().state.selected(), &predictions);
    let n = cm.n_classes;
    let mut expected = vec![0; n * n];
    expected[0] = count;
    assert_eq!(cells, expected);
    assert!(
        label.starts_with(&format!("{count} clip(s): true house, predicted house")),
        "{label}"
    );
    h.get_by_label_contains(&label);
    assert!(
        report.protocol.contains("training scores"),
        "the heading says every clip was in training: {}",
        report.protocol
    );

    // A model from a file on a folder it never saw: every clip held out.
    let tmp = tempfile::tempdir().unwrap();
    let seen = tmp.path().join("seen");
    let unseen = tmp.path().join("unseen");
    make_dataset(&seen, None, &["low", "high"], 3, 2.0);
    make_dataset(&unseen, None, &["low", "high"], 4, 3.0);
    let model = tmp.path().join("m.safetensors");
    train_small_model(&seen, &model, 20);
    h.state_mut()
        .apply(Command::LoadData(DataSource::Folder(unseen)));
    h.state_mut().apply(Command::LoadModel(model));
    run_until(&mut h, 60, "the model on new data", |a| {
        settled(a) && projected(a) && a.state.model().is_some_and(|m| m.report.is_some())
    });
    let report = model_report(&h);
    assert_eq!(report.held_out, "held-out");
    let cm = report.confusion.clone().unwrap();
    let (t, p) = (0..2)
        .flat_map(|t| (0..2).map(move |p| (t, p)))
        .max_by_key(|&(t, p)| cm.get(t, p))
        .unwrap();
    let label = click_cell(&mut h, cm.get(t, p));
    assert_eq!(h.state().state.selected().len(), cm.get(t, p), "{label}");
    // Every highlighted clip is what the cell says.
    let state = &h.state().state;
    let ds = state.dataset().unwrap();
    let predicted = state.model_view().unwrap().maps.predicted.clone().unwrap();
    let genres = &state.model().unwrap().saved.meta.genres;
    for &i in state.selected() {
        assert_eq!(ds.genres[ds.label(i)], genres[t]);
        assert_eq!(predicted[i].0, p);
    }
}

/// Replaces the text of the field labelled `label` with `text`.
fn type_into(h: &mut App, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
}

fn wait_for_notice(h: &mut App, starts: &str) {
    run_until(h, 60, starts, |a| {
        a.state
            .notices
            .shown()
            .iter()
            .any(|n| n.text.starts_with(starts))
    });
}

#[test]
fn without_a_file_dialog_saving_and_exporting_go_through_a_path_field() {
    // As on a machine with neither a desktop portal nor zenity.
    std::env::set_var("GENRESCOPE_NO_DIALOGS", "1");
    let tmp = tempfile::tempdir().unwrap();
    let mut h = app(AppOptions::default());
    run_until(&mut h, 60, "the demo", |a| settled(a) && projected(a));

    h.get_by_label("Save model…").click();
    h.run_steps(2);
    let prompt = h.state().state.path_prompt.clone().expect("a path field");
    assert!(
        prompt
            .path
            .ends_with("genrescope-waveform-dsae.safetensors"),
        "a sensible default: {}",
        prompt.path
    );
    let model = tmp.path().join("mine.safetensors");
    type_into(&mut h, "Save the model as", model.to_str().unwrap());
    h.get_by_role_and_label(Role::Button, "Save").click();
    h.run_steps(1);
    wait_for_notice(&mut h, "Saved the model to");
    assert!(genrescope::model::load(&model).is_ok());
    assert!(h.state().state.path_prompt.is_none());

    // Exports into a folder made for them.
    h.get_by_label("Export").click();
    h.run_steps(3);
    h.get_by_label("Embeddings (CSV + projector TSVs)…").click();
    h.run_steps(2);
    let folder = tmp.path().join("out");
    type_into(
        &mut h,
        "Folder for embeddings.csv, vectors.tsv, metadata.tsv, maps.csv and maps.json",
        folder.to_str().unwrap(),
    );
    // The path field's button (the menu of the same name comes first).
    h.get_all_by_role_and_label(Role::Button, "Export")
        .last()
        .unwrap()
        .click();
    h.run_steps(1);
    wait_for_notice(&mut h, "Wrote embeddings.csv");
    for name in [
        "embeddings.csv",
        "vectors.tsv",
        "metadata.tsv",
        "maps.csv",
        "maps.json",
    ] {
        assert!(folder.join(name).is_file(), "{name}");
    }
    let rows = std::fs::read_to_string(folder.join("embeddings.csv")).unwrap();
    assert_eq!(
        rows.lines().count(),
        1 + h.state().state.dataset().unwrap().len()
    );

    // The interpolation path as WAV, through the same field.
    h.state_mut().apply(Command::PickA(3));
    h.state_mut().apply(Command::PickB(200));
    run_until(&mut h, 30, "the path", |a| {
        a.state.trace().is_some_and(|t| !t.path.is_empty())
    });
    h.get_by_label("Export").click();
    h.run_steps(3);
    h.get_by_label("Interpolation path as WAV…").click();
    h.run_steps(2);
    let wav = tmp.path().join("path.wav");
    type_into(&mut h, "Save the path as", wav.to_str().unwrap());
    h.get_by_role_and_label(Role::Button, "Save").click();
    h.run_steps(1);
    wait_for_notice(&mut h, &format!("Wrote {}", wav.display()));
    let reader = hound::WavReader::open(&wav).unwrap();
    assert_eq!(reader.spec().sample_rate, 22_050);
    assert_eq!(reader.len() as usize, 8 * 20_000);
    assert!(tmp.path().join("path.steps.csv").is_file());
}

fn frame_of(h: &App, map: &str) -> egui::Rect {
    *plot_memory(h, map).transform().frame()
}

#[test]
fn at_800_by_600_nothing_overlaps_and_picking_a_moves_nothing() {
    let mut h = app(AppOptions::default());
    h.set_size(egui::vec2(800.0, 600.0));
    run_until(&mut h, 60, "the demo", |a| settled(a) && projected(a));
    h.run_steps(3);
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(800.0, 600.0));
    let listen_top = h.get_by_label("Listen").rect().top();
    let maps = ["map-raw", "map-code", "map-logits"].map(|m| frame_of(&h, m));
    for (k, frame) in maps.iter().enumerate() {
        assert!(
            window.contains_rect(*frame),
            "map {k} {frame:?} inside the window"
        );
        assert!(
            frame.bottom() <= listen_top,
            "map {k} ends above the listen panel"
        );
        assert!(frame.height() > 100.0, "map {k} is still a map: {frame:?}");
        if k > 0 {
            assert!(maps[k - 1].right() <= frame.left(), "maps side by side");
        }
    }
    // Picking A fills the listen panel; the maps stay where they are under the pointer.
    h.state_mut().apply(Command::PickA(5));
    h.run_steps(3);
    for (k, map) in ["map-raw", "map-code", "map-logits"].iter().enumerate() {
        assert_eq!(frame_of(&h, map), maps[k], "{map} did not move");
    }
    // A long error wraps inside the window instead of pushing the maps away.
    let long = PathBuf::from(format!("/no/such/{}", "very-long-folder-name/".repeat(12)));
    h.state_mut()
        .apply(Command::LoadData(DataSource::Folder(long)));
    run_until(&mut h, 30, "the error", |a| a.state.loading().is_none());
    h.run_steps(2);
    let banner = h.get_by_label_contains("Cannot load /no/such/").rect();
    assert!(
        banner.right() <= 800.0 + 0.5,
        "the banner wraps: {banner:?}"
    );
    for map in ["map-raw", "map-code", "map-logits"] {
        assert!(
            window.contains_rect(frame_of(&h, map)),
            "{map} still inside"
        );
    }
    // The side panel folds away for room, and comes back.
    h.get_by_label("☰").click();
    h.run_steps(3);
    assert!(h.query_by_label("Train a new model").is_none());
    assert!(frame_of(&h, "map-raw").width() > maps[0].width());
    h.get_by_label("☰").click();
    h.run_steps(2);
    h.get_by_label("Train a new model");
}

#[test]
fn the_smaller_things() {
    // `builtin:demo` opens the demo with its model, as starting bare does; the first frames say
    // what is loading.
    let mut h = app(AppOptions {
        data: Some(DataSource::from_arg(Path::new("builtin:demo"))),
        ..AppOptions::default()
    });
    h.step();
    assert!(
        h.get_all_by_label_contains("Loading synthetic demo set")
            .count()
            >= 1
    );
    assert!(h
        .query_by_label_contains("Open a folder of music")
        .is_none());
    run_until(&mut h, 60, "the demo", |a| settled(a) && projected(a));
    assert!(h.state().state.model().unwrap().source.contains("demo"));
    // The clip count follows the hidden genres.
    h.get_by_label_contains("384 clips.");
    h.get_by_label_contains("● house (96)").click();
    h.run_steps(2);
    h.get_by_label_contains("288 of 384 clips shown");
    // Colour by reconstruction error shows its scale with values.
    choose_colour(&mut h, "reconstruction error");
    assert_eq!(h.state().state.view.color_by, ColorBy::ReconstructionError);
    let scale = h
        .state()
        .state
        .model_view()
        .unwrap()
        .error_scale
        .clone()
        .unwrap();
    h.get_by_label(&format!("{:.2e}", scale.low));
    // Curves of a training run leave with its model.
    edit_settings(&mut h, |s| s.knobs.epochs = 2);
    h.get_by_label("Train").click();
    run_until(&mut h, 60, "training", |a| settled(a) && projected(a));
    assert_eq!(h.state().state.history.len(), 2);
    h.state_mut().apply(Command::UseShippedModel(
        genrescope::model::shipped::Shipped::Demo,
    ));
    run_until(&mut h, 60, "the demo model again", |a| {
        settled(a) && projected(a)
    });
    assert!(h.state().state.history.is_empty());
    assert!(h.query_by_label_contains("epoch 2:").is_none());
}
