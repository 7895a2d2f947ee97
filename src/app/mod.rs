//! The window. `state` holds everything, the `*_panel` modules draw it and return commands,
//! `apply` is the one place that changes it, and `jobs` runs the slow work on named threads that
//! report back through events.

mod apply;
pub mod data_panel;
pub mod events;
pub mod jobs;
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
    outcome: ScreenshotOutcome,
}

pub struct GenrescopeApp {
    pub state: AppState,
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
            jobs: Jobs::new(tx, ctx.clone()),
            events,
            player: None,
            screenshot: options.screenshot.map(|path| Screenshot {
                path,
                started: Instant::now(),
                idle_frames: 0,
                requested: false,
                image: Arc::default(),
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
        if let Some(model) = options.model {
            app.apply(Command::LoadModel(model));
        }
        if let Some(folder) = options.folder {
            app.apply(Command::LoadFolder(folder));
        }
        app
    }

    /// Applies everything the workers have reported since the last frame.
    pub fn drain_events(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.handle(event);
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
                Tab::Maps => maps_panel::maps_ui(ui, state, &mut out),
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
        self.handle_input(ctx);
        self.tick_audio(ctx);
        self.tick_screenshot(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
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
