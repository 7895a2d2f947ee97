//! The window. `state` holds everything; the `*_panel` modules draw it and return commands;
//! `apply` is the one place that changes it, from those commands and from the events workers
//! and the audio device send; `jobs` runs the slow work on named threads; `capture` takes
//! screenshots. Each frame: drain events → apply the audio device's news → draw → apply the
//! commands the drawing returned → capture.

mod apply;
pub mod audit_panel;
pub mod capture;
pub mod clips_panel;
pub mod compare_panel;
pub mod data_panel;
pub mod events;
pub mod explain_panel;
pub mod instruments_panel;
pub mod jobs;
pub mod legend_panel;
pub mod library_panel;
pub mod listen_panel;
pub mod map_method_panel;
pub mod map_plot;
pub mod maps_panel;
pub mod metrics_panel;
pub mod notices;
pub mod paths;
pub mod paths_panel;
pub mod registry;
pub mod spectrogram;
pub mod state;
pub mod status_panel;
pub mod theme;
pub mod train_panel;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::Instant;

use crate::audio::playback::Player;
use crate::dataset::DataSource;

use capture::Capture;
pub use capture::ScreenshotOutcome;
use events::{Command, Event};
use jobs::decoder::Decoder;
use jobs::{JobResult, Reporter, Spawner};
use notices::Topic;
use registry::{JobId, JobKind, Stamp};
use state::{AppState, AudioDevice, Tab};

/// How the window starts.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// A dataset folder (or the demo set) to open at once.
    pub data: Option<DataSource>,
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
    /// The instrument to show under the maps.
    pub instrument: Option<state::Instrument>,
    /// A song to place on the maps once loaded.
    pub place: Option<PathBuf>,
    /// Draw the model's training folder beneath a library's maps once loaded.
    pub underneath: bool,
    /// Draw every map by this method.
    pub map_method: Option<crate::maps::method::MapMethod>,
    /// Compare the model with this second one once its maps are there.
    pub compare: Option<PathBuf>,
    /// When the process started: with it, the times to the first frame and to the maps are
    /// printed on stderr (GENRESCOPE_TIMING=1).
    pub timing_from: Option<Instant>,
}

pub struct GenrescopeApp {
    pub state: AppState,
    spawner: Spawner,
    decoder: Decoder,
    events: Receiver<Event>,
    player: Option<Player>,
    capture: Capture,
}

impl GenrescopeApp {
    pub fn new(ctx: &egui::Context, options: AppOptions, outcome: ScreenshotOutcome) -> Self {
        theme::install_fonts(ctx);
        let (tx, events) = channel();
        let spawner = Spawner::new(tx, ctx.clone());
        let mut app = Self {
            state: AppState::default(),
            decoder: Decoder::start(spawner.reporter()),
            spawner,
            events,
            player: None,
            capture: Capture::new(
                options.screenshot,
                options.export_maps,
                outcome,
                options.timing_from,
            ),
        };
        app.state.view.tab = options.tab;
        if let Some(method) = options.map_method {
            app.state.view.map_methods = [method; 3];
        }
        app.state.view.compare_with = options.compare.map(jobs::work::CompareSource::File);
        if options.audio {
            match Player::open_default() {
                Ok(player) => {
                    app.state.audio = Some(AudioDevice::Ready(player.format().clone()));
                    app.player = Some(player);
                }
                Err(e) => {
                    app.state.audio = Some(AudioDevice::Unavailable(e.to_string()));
                    app.state
                        .notices
                        .error(Topic::Audio, format!("No sound: {e}."));
                }
            }
        }
        let has_model = options.model.is_some();
        if let Some(model) = options.model {
            app.apply(Command::LoadModel(model));
        }
        match (options.data, has_model) {
            (Some(data), _) => app.apply(Command::LoadData(data)),
            // Nothing asked for: open on the demo, so there is something to explore at once.
            (None, false) => app.apply(Command::LoadData(DataSource::Demo)),
            (None, true) => {}
        }
        if let Some(instrument) = options.instrument {
            app.apply(Command::ShowInstrument(instrument));
        }
        app.state.on_load.place = options.place;
        app.state.on_load.underneath = options.underneath;
        if options.pick_a.is_some() || options.pick_b.is_some() || app.state.on_load.place.is_some()
        {
            app.apply(Command::PickOnLoad {
                a: options.pick_a,
                b: options.pick_b,
            });
        }
        app
    }

    /// Registers a job for what `stamp` names (its result is dropped once that data or model is
    /// replaced) and runs `work` for it on a named thread; its one ending comes back as an event.
    /// Public so tests can run a job that fails or panics.
    pub fn start_job(
        &mut self,
        kind: JobKind,
        stamp: Stamp,
        work: impl FnOnce(JobId, &AtomicBool, &Reporter) -> JobResult + Send + 'static,
    ) -> JobId {
        let (id, cancel) = self.state.jobs.start(kind.clone(), stamp);
        let flag = Arc::clone(&cancel);
        self.spawner
            .spawn(id, &kind, cancel, move |reporter| work(id, &flag, reporter));
        id
    }

    /// Applies everything the workers and the audio device have reported since the last frame.
    pub fn drain_events(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.handle(event);
        }
        for event in self.audio_events() {
            self.handle(event);
        }
        if self.state.playback.is_sounding() {
            // Follow the player (end of clip, the step being played) without input.
            self.spawner
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    fn input_commands(&self, ctx: &egui::Context) -> Vec<Command> {
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
        let mut commands = Vec::new();
        if !dropped.is_empty() {
            commands.push(Command::Dropped(dropped));
        }
        if space && !ctx.egui_wants_keyboard_input() {
            commands.push(Command::StopAudio);
        }
        commands
    }

    /// Draws the whole window and applies what the user asked for.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let mut out = self.input_commands(ui.ctx());
        let state = &self.state;
        egui::Panel::top("top-bar").show(ui, |ui| status_panel::top_bar_ui(ui, state, &mut out));
        egui::Panel::bottom("status-bar")
            .show(ui, |ui| status_panel::status_ui(ui, state, &mut out));
        if !state.view.side_panel_hidden {
            egui::Panel::left("side-panel")
                .resizable(true)
                .default_size(310.0)
                .min_size(240.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        data_panel::data_ui(ui, state, &mut out);
                        audit_panel::audit_ui(ui, state, &mut out);
                        ui.separator();
                        train_panel::train_ui(ui, state, &mut out);
                    });
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            status_panel::notices_ui(ui, state, &mut out);
            status_panel::path_prompt_ui(ui, state, &mut out);
            match state.view.tab {
                Tab::Maps => {
                    if state.data.is_some() {
                        egui::Panel::bottom("listen-panel")
                            .resizable(true)
                            .default_size(240.0)
                            .min_size(120.0)
                            .show(ui, |ui| {
                                // Filling the panel keeps its size: a scroll area that shrank
                                // to short content would make the panel remember that height.
                                egui::ScrollArea::vertical()
                                    .auto_shrink([false, false])
                                    .show(ui, |ui| listen_panel::listen_ui(ui, state, &mut out));
                            });
                    }
                    maps_panel::maps_ui(ui, state, &mut out);
                }
                // A library has no labels to score against: its tracks' verdicts instead.
                Tab::Metrics if state.dataset().is_some_and(|d| d.is_library()) => {
                    library_panel::library_ui(ui, state, &mut out);
                }
                Tab::Metrics => {
                    egui::ScrollArea::vertical()
                        .show(ui, |ui| metrics_panel::metrics_ui(ui, state, &mut out));
                }
                Tab::Explain => {
                    egui::ScrollArea::vertical()
                        .id_salt("explain-tab")
                        .show(ui, |ui| explain_panel::explain_ui(ui, state, &mut out));
                }
            }
        });
        status_panel::drop_overlay_ui(ui.ctx());
        for command in out {
            self.apply(command);
        }
    }
}

impl eframe::App for GenrescopeApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
        let commands = self.capture.tick(ui.ctx(), &self.state, &self.spawner);
        for command in commands {
            self.apply(command);
        }
        self.capture.report_timing(&self.state);
    }
}

/// Opens the window. Returns an error when there is no display to open it on.
pub fn run(options: AppOptions) -> anyhow::Result<ScreenshotOutcome> {
    let outcome: ScreenshotOutcome = Arc::default();
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("genrescope")
            .with_inner_size([1500.0, 900.0])
            .with_min_inner_size([800.0, 560.0])
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
