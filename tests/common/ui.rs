//! Driving the real app headlessly with egui_kittest.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use genrescope::app::state::MapId;
use genrescope::app::{AppOptions, GenrescopeApp};
use genrescope::dataset::DataSource;

pub type App<'a> = Harness<'a, GenrescopeApp>;

pub fn app<'a>(options: AppOptions) -> App<'a> {
    Harness::builder()
        .with_size(egui::Vec2::new(1500.0, 950.0))
        .build_eframe(move |cc| GenrescopeApp::new(&cc.egui_ctx, options, Default::default()))
}

pub fn app_on(folder: PathBuf) -> App<'static> {
    app(AppOptions {
        data: Some(DataSource::Folder(folder)),
        ..AppOptions::default()
    })
}

/// Steps frames until `done` holds (workers are real threads), failing after `secs`.
pub fn run_until(h: &mut App, secs: u64, what: &str, done: impl Fn(&GenrescopeApp) -> bool) {
    let started = Instant::now();
    loop {
        h.step();
        if done(h.state()) {
            h.run_steps(2);
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn loaded(app: &GenrescopeApp) -> bool {
    app.state
        .data
        .as_ref()
        .is_some_and(|d| d.raw_map.ready().is_some())
        && app.state.loading().is_none()
}

pub fn projected(app: &GenrescopeApp) -> bool {
    app.state.model().is_some_and(|m| m.view.ready().is_some()) && !app.state.is_projecting()
}

/// Nothing runs in the background and the maps are drawn.
pub fn settled(app: &GenrescopeApp) -> bool {
    loaded(app) && app.state.is_idle() && app.state.pending_model.is_none()
}

/// A model trained in this window (it has a training record) is shown with its maps.
pub fn trained_and_shown(app: &GenrescopeApp) -> bool {
    settled(app)
        && projected(app)
        && app
            .state
            .model()
            .is_some_and(|m| m.saved.meta.training.is_some())
}

fn map_id(map: &str) -> MapId {
    match map {
        "map-raw" => MapId::Raw,
        "map-code" => MapId::Code,
        _ => MapId::Logits,
    }
}

/// The plot memory of a map ("map-raw", "map-code", "map-logits") as drawn last frame.
pub fn plot_memory(h: &App, map: &str) -> egui_plot::PlotMemory {
    let id = h.state().state.map_plot_id(map_id(map));
    egui_plot::PlotMemory::load(&h.ctx, id).expect("the plot has been shown")
}

/// Where segment `i` is drawn on a map ("map-raw", "map-code", "map-logits") this frame.
pub fn point_on_screen(h: &App, map: &str, i: usize) -> egui::Pos2 {
    let layer = h
        .state()
        .state
        .shown_layer(map_id(map))
        .expect("the map is drawn");
    let p = layer.projection.points[i];
    plot_memory(h, map)
        .transform()
        .position_from_point(&egui_plot::PlotPoint::new(p[0], p[1]))
}

/// The first of `candidates` drawn inside the map's visible frame (default bounds leave a few
/// outliers off screen), with its position.
pub fn visible_point(
    h: &App,
    map: &str,
    candidates: impl IntoIterator<Item = usize>,
) -> (usize, egui::Pos2) {
    let frame = plot_memory(h, map).transform().frame().shrink(12.0);
    candidates
        .into_iter()
        .map(|i| (i, point_on_screen(h, map, i)))
        .find(|(_, p)| frame.contains(*p))
        .expect("a candidate on screen")
}

pub fn click_at(h: &mut App, pos: egui::Pos2) {
    h.hover_at(pos);
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.step();
}

/// A window on `data` with `model`, once both are loaded and the model's maps are drawn.
pub fn window_with(data: PathBuf, model: PathBuf, audio: bool) -> App<'static> {
    let mut h = app(AppOptions {
        data: Some(DataSource::Folder(data)),
        model: Some(model),
        audio,
        ..AppOptions::default()
    });
    run_until(&mut h, 60, "the model's maps", |a| {
        loaded(a) && projected(a)
    });
    h
}

/// A window on `data` (no model) with the audio output opened, once the folder is loaded.
pub fn window_with_audio(data: PathBuf) -> App<'static> {
    let mut h = app(AppOptions {
        data: Some(DataSource::Folder(data)),
        audio: true,
        ..AppOptions::default()
    });
    run_until(&mut h, 60, "the folder to load", loaded);
    h
}

/// The tables of the model shown.
pub fn model_report(h: &App) -> genrescope::tables::report::EvalReport {
    let model = h.state().state.model().expect("a model");
    model.report.clone().expect("the model's tables")
}

/// The shown model's maps of the folder (its codes, logits and reconstructions).
pub fn model_maps(h: &App) -> std::sync::Arc<genrescope::maps::ModelMaps> {
    let view = h.state().state.model_view().expect("a model with its maps");
    std::sync::Arc::clone(&view.maps)
}

/// Each clip's predicted genre (the model's index).
pub fn model_predictions(h: &App) -> Vec<usize> {
    let view = h.state().state.model_view().expect("a model with its maps");
    view.maps
        .predicted
        .as_ref()
        .expect("a classifier")
        .iter()
        .map(|p| p.0)
        .collect()
}

/// No banner on screen is an error.
pub fn no_errors_shown(h: &App) -> bool {
    h.state()
        .state
        .notices
        .shown()
        .iter()
        .all(|n| !n.is_error())
}

/// A file dropped on the window.
#[derive(Debug)]
pub struct Dropped(pub PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `path` on the window and draws a frame.
pub fn drop_on(h: &mut App, path: PathBuf) {
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path)));
    h.step();
}

/// The decoder has answered the newest request and its sound (if any) has played out.
pub fn decoded_and_quiet(app: &GenrescopeApp) -> bool {
    app.state.decoder.request.is_none() && !app.state.playback.is_sounding()
}

/// Picks clips A (and B) without playing them, as `--a` and `--b` do.
pub fn pick_quietly(h: &mut App, a: usize, b: Option<usize>) {
    let ds = h.state().state.dataset().cloned().expect("data");
    h.state_mut()
        .apply(genrescope::app::events::Command::PickOnLoad {
            a: Some(ds.segment_label(a)),
            b: b.map(|b| ds.segment_label(b)),
        });
}

/// Edits the training form as a user would: the changed settings go in as one command.
pub fn edit_settings(h: &mut App, edit: impl FnOnce(&mut genrescope::app::state::TrainSettings)) {
    let mut settings = h.state().state.settings.clone();
    edit(&mut settings);
    h.state_mut()
        .apply(genrescope::app::events::Command::EditSettings(settings));
}

/// Chooses what the markers' colour shows from the legend's "colour:" menu, as a user would.
pub fn choose_colour(h: &mut App, choice: &str) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label("colour:").click();
    h.run_steps(2);
    h.get_by_label(choice).click();
    h.run_steps(2);
}
