//! The window. `state` holds everything, the `*_panel` modules draw it and return commands,
//! `apply` is the one place that changes it, and `jobs` runs the slow work on named threads that
//! report back through events.

mod apply;
pub mod data_panel;
pub mod events;
pub mod jobs;
pub mod listen_panel;
pub mod maps_panel;
pub mod metrics_panel;
pub mod state;
pub mod status_panel;
pub mod theme;
pub mod train_panel;

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::audio::playback::Player;

use events::{Command, Event};
use jobs::Jobs;
use state::{AppState, AudioStatus, Tab};

/// How the window starts.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// A dataset folder to open at once.
    pub folder: Option<PathBuf>,
    /// A model to open at once.
    pub model: Option<PathBuf>,
    /// Write a PNG of the window once everything is loaded and drawn, then close.
    pub screenshot: Option<PathBuf>,
    /// Try to open the audio output (off for tests that must not touch a device).
    pub audio: bool,
    pub tab: Tab,
    /// With `screenshot`: also save each map as a PNG into this folder first.
    pub export_maps: Option<PathBuf>,
    /// Clips to pick as A and B once loaded (`TRACK:SEGMENT`).
    pub pick_a: Option<String>,
    pub pick_b: Option<String>,
    /// When the process started: with it, the times to the first frame and to the maps are
    /// printed on stderr (GENRESCOPE_TIMING=1).
    pub timing_from: Option<Instant>,
}

/// Set by `--screenshot` runs: how the capture went.
pub type ScreenshotOutcome = Arc<Mutex<Option<Result<PathBuf, String>>>>;

/// Waits this long for loading and projecting before capturing anyway.
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(180);
/// Frames to let the layout settle once everything is loaded.
const SCREENSHOT_SETTLE_FRAMES: u32 = 5;

struct Screenshot {
    path: PathBuf,
    started: Instant,
    idle_frames: u32,
    requested: bool,
    /// Filled by the integration once it has read the pixels back.
    image: Arc<Mutex<Option<Arc<egui::ColorImage>>>>,
    /// Save the maps as PNGs here first.
    export_maps: Option<PathBuf>,
    outcome: ScreenshotOutcome,
}

/// A screenshot taken for the maps export, with the plot frames and the folder to write to.
type MapsShot = Arc<
    Mutex<
        Option<(
            Arc<egui::ColorImage>,
            Vec<(&'static str, egui::Rect)>,
            PathBuf,
        )>,
    >,
>;

/// Start-up milestones still to report.
struct Timing {
    from: Instant,
    first_frame: bool,
    maps: bool,
}

pub struct GenrescopeApp {
    pub state: AppState,
    timing: Option<Timing>,
    /// `--a` / `--b` picks still waiting for the data and the model's maps.
    picks: Option<(Option<String>, Option<String>)>,
    maps_shot: MapsShot,
    jobs: Jobs,
    events: Receiver<Event>,
    player: Option<Player>,
    screenshot: Option<Screenshot>,
}

impl GenrescopeApp {
    pub fn new(ctx: &egui::Context, options: AppOptions, outcome: ScreenshotOutcome) -> Self {
        theme::install_fonts(ctx);
        let (tx, events) = channel();
        let tab = options.tab;
        let mut app = Self {
            state: AppState::default(),
            timing: options.timing_from.map(|from| Timing {
                from,
                first_frame: false,
                maps: false,
            }),
            picks: (options.pick_a.is_some() || options.pick_b.is_some())
                .then(|| (options.pick_a.clone(), options.pick_b.clone())),
            maps_shot: Arc::default(),
            jobs: Jobs::new(tx, ctx.clone()),
            events,
            player: None,
            screenshot: options.screenshot.map(|path| Screenshot {
                path,
                started: Instant::now(),
                idle_frames: 0,
                requested: false,
                image: Arc::default(),
                export_maps: options.export_maps,
                outcome,
            }),
        };
        app.state.tab = tab;
        if options.audio {
            match Player::open_default() {
                Ok(player) => {
                    app.state.audio = Some(AudioStatus::Ready(player.format().clone()));
                    app.player = Some(player);
                }
                Err(e) => {
                    app.state.audio = Some(AudioStatus::Unavailable(e.to_string()));
                    app.state.error(format!("No sound: {e}."));
                }
            }
        }
        let has_model = options.model.is_some();
        if let Some(model) = options.model {
            app.apply(Command::LoadModel(model));
        }
        match (options.folder, has_model) {
            (Some(folder), _) => app.apply(Command::LoadFolder(folder)),
            // Nothing asked for: open on the demo, so there is something to explore at once.
            (None, false) => app.apply(Command::OpenDemo),
            (None, true) => {}
        }
        app
    }

    /// Applies everything the workers have reported since the last frame.
    pub fn drain_events(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.handle(event);
        }
    }

    /// Applies `--a` / `--b` once the clips can be found and the model has encoded them.
    fn apply_picks(&mut self) {
        let ready = self.state.loading.is_none()
            && self.state.projecting.is_none()
            && self.state.model_loads_pending == 0
            && self.state.dataset().is_some();
        if !ready {
            return;
        }
        let Some((a, b)) = self.picks.take() else {
            return;
        };
        for (spec, is_b) in [(a, false), (b, true)] {
            let Some(spec) = spec else { continue };
            match self.state.dataset().and_then(|d| d.find_segment(&spec)) {
                Some(i) => self.apply(if is_b {
                    Command::SelectB(i)
                } else {
                    Command::Select(i)
                }),
                None => self.state.error(format!(
                    "No clip '{spec}' in this folder; write TRACK:SEGMENT, e.g. jazz.00003.wav:4"
                )),
            }
        }
    }

    fn handle_input(&mut self, ctx: &egui::Context) {
        let (dropped, space) = ctx.input(|i| {
            (
                i.raw
                    .dropped_files
                    .iter()
                    .map(|f| f.path().to_path_buf())
                    .collect::<Vec<_>>(),
                i.key_pressed(egui::Key::Space),
            )
        });
        for path in dropped {
            if path.is_dir() {
                self.apply(Command::LoadFolder(path));
            } else if path.extension().is_some_and(|e| e == "safetensors") {
                self.apply(Command::LoadModel(path));
            } else {
                self.state.error(format!(
                    "{} is a file; drop the folder that holds the genre folders, or a .safetensors model.",
                    path.display()
                ));
            }
        }
        if space && !ctx.egui_wants_keyboard_input() {
            self.apply(Command::StopAudio);
        }
    }

    fn tick_audio(&mut self, ctx: &egui::Context) {
        let Some(player) = self.player.as_mut() else {
            return;
        };
        player.tick();
        let interp = &mut self.state.interp;
        if let (Some(id), Some(asked)) = (interp.playing_id, interp.requested_at) {
            if let Some(started) = player.started_at(id) {
                interp.latency_ms =
                    Some(started.saturating_duration_since(asked).as_secs_f64() * 1e3);
                interp.requested_at = None;
            }
        }
        if let Some(playing) = &self.state.now_playing {
            let status = player.status();
            let finished = playing.player_id.is_some_and(|id| {
                status.clip_id.load(std::sync::atomic::Ordering::Acquire) == id
                    && !player.is_playing()
            });
            if finished {
                self.state.now_playing = None;
            } else {
                ctx.request_repaint_after(Duration::from_millis(50));
            }
        }
    }

    /// Saves each map as a PNG: the next frame's screenshot, cropped to each plot's frame and
    /// encoded on a worker.
    fn tick_maps_export(&mut self, ctx: &egui::Context) {
        if let Some(dir) = self.state.maps_export.take() {
            let rects: Vec<(&'static str, egui::Rect)> = ["map-raw", "map-code", "map-logits"]
                .into_iter()
                .filter_map(|name| {
                    egui_plot::PlotMemory::load(ctx, maps_panel::map_plot_id(name))
                        .map(|m| (name, *m.transform().frame()))
                })
                .collect();
            let slot = Arc::clone(&self.maps_shot);
            let waker = ctx.clone();
            ctx.request_screenshot(move |image| {
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some((image, rects, dir));
                }
                waker.request_repaint();
            });
            self.state.writes_pending += 1;
        }
        let shot = self.maps_shot.lock().ok().and_then(|mut s| s.take());
        if let Some((image, rects, dir)) = shot {
            let scale = ctx.pixels_per_point();
            self.jobs.write("maps-export", move || {
                save_map_pngs(&image, &rects, scale, &dir)
            });
        }
    }

    fn tick_screenshot(&mut self, ctx: &egui::Context) {
        let ready = self.state.is_idle()
            && self
                .state
                .data
                .as_ref()
                .is_none_or(|d| d.raw_map.is_some() || d.raw_map_error.is_some())
            && self
                .state
                .model
                .as_ref()
                .is_none_or(|m| m.maps.is_some() || m.maps_error.is_some());
        let Some(shot) = self.screenshot.as_mut() else {
            return;
        };
        if shot.requested {
            let image = shot.image.lock().ok().and_then(|mut i| i.take());
            if let Some(image) = image {
                let result = save_png(&shot.path, &image).map(|()| shot.path.clone());
                if let Ok(mut outcome) = shot.outcome.lock() {
                    *outcome = Some(result);
                }
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            ctx.request_repaint();
            return;
        }
        if ready || shot.started.elapsed() > SCREENSHOT_TIMEOUT {
            shot.idle_frames += 1;
        }
        if shot.idle_frames > SCREENSHOT_SETTLE_FRAMES {
            if let Some(dir) = shot.export_maps.take() {
                // The maps export is a write: the window is not idle again until it is done.
                self.state.maps_export = Some(dir);
                shot.idle_frames = 0;
                ctx.request_repaint();
                return;
            }
            shot.requested = true;
            let slot = Arc::clone(&shot.image);
            let waker = ctx.clone();
            ctx.request_screenshot(move |image| {
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(image);
                }
                waker.request_repaint();
            });
        }
        ctx.request_repaint();
    }

    /// Reports start-up milestones once each: this frame is drawn, and (once) it has all maps.
    fn report_timing(&mut self) {
        let maps_ready = self
            .state
            .data
            .as_ref()
            .is_some_and(|d| d.raw_map.is_some())
            && self.state.model.as_ref().is_some_and(|m| m.maps.is_some());
        let Some(t) = self.timing.as_mut() else {
            return;
        };
        let ms = t.from.elapsed().as_secs_f64() * 1e3;
        if !t.first_frame {
            t.first_frame = true;
            eprintln!("timing: first frame drawn after {ms:.0} ms");
        }
        if maps_ready && !t.maps {
            t.maps = true;
            eprintln!("timing: all three maps drawn after {ms:.0} ms");
        }
    }

    /// Draws the whole window and applies what the user asked for.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let mut out = Vec::new();
        let state = &self.state;
        egui::Panel::top("top-bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("genrescope");
                ui.separator();
                for (tab, name) in [(Tab::Maps, "Maps"), (Tab::Metrics, "Metrics")] {
                    if ui.selectable_label(state.tab == tab, name).clicked() {
                        out.push(Command::SetTab(tab));
                    }
                }
                ui.separator();
                ui.menu_button("Export", |ui| {
                    let has_maps = state.model.as_ref().is_some_and(|m| m.maps.is_some());
                    if ui
                        .add_enabled(
                            has_maps,
                            egui::Button::new("Embeddings (CSV + projector TSVs)…"),
                        )
                        .clicked()
                    {
                        out.push(Command::ExportEmbeddingsDialog);
                    }
                    if ui
                        .add_enabled(state.data.is_some(), egui::Button::new("Maps as PNG…"))
                        .clicked()
                    {
                        out.push(Command::ExportMapsDialog);
                    }
                    if ui
                        .add_enabled(
                            !state.interp.path.is_empty(),
                            egui::Button::new("Interpolation path as WAV…"),
                        )
                        .clicked()
                    {
                        out.push(Command::ExportPathDialog);
                    }
                });
                ui.separator();
                if let Some(d) = &state.data {
                    ui.label(egui::RichText::new(&d.source).weak());
                }
            });
        });
        egui::Panel::bottom("status-bar")
            .show(ui, |ui| status_panel::status_ui(ui, state, &mut out));
        let mut folder_input = state.folder_input.clone();
        let mut settings = state.settings.clone();
        egui::Panel::left("side-panel")
            .resizable(true)
            .default_size(310.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    data_panel::data_ui(ui, state, &mut folder_input, &mut out);
                    ui.separator();
                    train_panel::train_ui(ui, state, &mut settings, &mut out);
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            status_panel::notices_ui(ui, state, &mut out);
            match state.tab {
                Tab::Maps => {
                    if state.data.is_some() {
                        egui::Panel::bottom("listen-panel")
                            .resizable(true)
                            .default_size(250.0)
                            .show(ui, |ui| listen_panel::listen_ui(ui, state, &mut out));
                    }
                    maps_panel::maps_ui(ui, state, &mut out);
                }
                Tab::Metrics => {
                    egui::ScrollArea::vertical()
                        .show(ui, |ui| metrics_panel::metrics_ui(ui, state, &mut out));
                }
            }
        });
        let dropping = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
        if dropping {
            let rect = ui.ctx().content_rect();
            let painter = ui.ctx().layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop"),
            ));
            painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(170));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Drop a dataset folder to load it, or a .safetensors model",
                egui::FontId::proportional(22.0),
                egui::Color32::WHITE,
            );
        }
        self.state.folder_input = folder_input;
        self.state.settings = settings;
        for command in out {
            self.apply(command);
        }
    }
}

impl eframe::App for GenrescopeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events();
        self.apply_picks();
        self.handle_input(ctx);
        self.tick_audio(ctx);
        self.tick_maps_export(ctx);
        self.tick_screenshot(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
        self.report_timing();
    }
}

/// Crops each map's frame out of a screenshot and writes `<name>.png` into `dir`.
fn save_map_pngs(
    image: &egui::ColorImage,
    rects: &[(&str, egui::Rect)],
    scale: f32,
    dir: &std::path::Path,
) -> Result<String, String> {
    if rects.is_empty() {
        return Err("No map is on screen to save; show the Maps tab first.".into());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let [w, h] = image.size;
    for (name, rect) in rects {
        let x0 = ((rect.min.x * scale).max(0.0) as usize).min(w);
        let y0 = ((rect.min.y * scale).max(0.0) as usize).min(h);
        let x1 = ((rect.max.x * scale) as usize).clamp(x0, w);
        let y1 = ((rect.max.y * scale) as usize).clamp(y0, h);
        let mut crop = egui::ColorImage::filled([x1 - x0, y1 - y0], egui::Color32::BLACK);
        for y in y0..y1 {
            for x in x0..x1 {
                crop.pixels[(y - y0) * (x1 - x0) + (x - x0)] = image.pixels[y * w + x];
            }
        }
        save_png(&dir.join(format!("{name}.png")), &crop)?;
    }
    Ok(format!(
        "Saved {} map(s) as PNG in {}.",
        rects.len(),
        dir.display()
    ))
}

fn save_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or_else(|| "the screenshot has an inconsistent size".to_string())?;
    buffer
        .save(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Opens the window. Returns an error when there is no display to open it on.
pub fn run(options: AppOptions) -> anyhow::Result<ScreenshotOutcome> {
    let outcome: ScreenshotOutcome = Arc::new(Mutex::new(None));
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("genrescope")
            .with_inner_size([1500.0, 900.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let shared = Arc::clone(&outcome);
    eframe::run_native(
        "genrescope",
        native,
        Box::new(move |cc| {
            cc.egui_ctx.set_theme(egui::Theme::Dark);
            Ok(Box::new(GenrescopeApp::new(&cc.egui_ctx, options, shared)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(outcome)
}
