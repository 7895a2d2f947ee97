//! The window's frame: the top bar (views, exports, the side panel), the notices (one banner per
//! topic, wrapped, with the history behind them), the path field that stands in for a missing
//! file dialog, the status line at the bottom, and the overlay shown while files are dragged in.

use egui::{Color32, RichText, Ui};

use super::events::{Command, FileTarget};
use super::state::{AppState, AudioDevice, Playback, Stage, Tab};

pub fn top_bar_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        let side = !state.view.side_panel_hidden;
        if ui
            .selectable_label(side, "☰")
            .on_hover_text(if side {
                "Hide the data and model panel"
            } else {
                "Show the data and model panel"
            })
            .clicked()
        {
            out.push(Command::ShowSidePanel(!side));
        }
        ui.heading("genrescope");
        ui.separator();
        let library = state.dataset().is_some_and(|d| d.is_library());
        for (tab, name) in [
            (Tab::Maps, "Maps"),
            (Tab::Metrics, if library { "Tracks" } else { "Metrics" }),
            (Tab::Explain, "Explain"),
        ] {
            if ui.selectable_label(state.view.tab == tab, name).clicked() {
                out.push(Command::SetTab(tab));
            }
        }
        ui.separator();
        ui.menu_button("Export", |ui| {
            let has_maps = state.model_view().is_some();
            let has_path = state.trace().is_some_and(|t| !t.path.is_empty());
            let items = [
                (
                    has_maps,
                    "Embeddings (CSV + projector TSVs)…",
                    FileTarget::EmbeddingsFolder,
                ),
                (state.data.is_some(), "Maps as PNG…", FileTarget::MapsFolder),
                (has_path, "Interpolation path as WAV…", FileTarget::PathWav),
            ];
            for (enabled, label, target) in items {
                if ui.add_enabled(enabled, egui::Button::new(label)).clicked() {
                    out.push(Command::AskPath(target));
                }
            }
        });
        ui.separator();
        if let Some(ds) = state.dataset() {
            ui.label(RichText::new(ds.source.label()).weak());
        }
    });
}

pub fn notices_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    for (i, notice) in state.notices.shown().iter().enumerate() {
        let (fill, icon) = if notice.is_error() {
            (Color32::from_rgb(90, 35, 35), "⚠")
        } else {
            (Color32::from_rgb(35, 60, 45), "ℹ")
        };
        egui::Frame::new()
            .fill(fill)
            .inner_margin(6.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                        out.push(Command::DismissNotice(i));
                    }
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!("{icon} {}", notice.text)).color(Color32::WHITE),
                        )
                        .wrap(),
                    );
                });
            });
    }
}

/// The path field shown when no native dialog can open.
pub fn path_prompt_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(prompt) = &state.path_prompt else {
        return;
    };
    egui::Frame::new()
        .fill(ui.visuals().faint_bg_color)
        .inner_margin(6.0)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new("No file dialog is available here; type the path instead.")
                    .small()
                    .weak(),
            );
            ui.horizontal(|ui| {
                let label = ui.label(prompt.target.prompt());
                let mut text = prompt.path.clone();
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut text)
                            .desired_width((ui.available_width() - 140.0).max(120.0)),
                    )
                    .labelled_by(label.id);
                if field.changed() {
                    out.push(Command::EditPathField(text));
                }
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button(prompt.target.verb()).clicked() || enter {
                    out.push(Command::ConfirmPathField);
                }
                if ui.button("Cancel").clicked() {
                    out.push(Command::CancelPathField);
                }
            });
        });
}

pub fn status_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        match &state.playback {
            Playback::Clip { label, stage } | Playback::Path { label, stage, .. } => {
                let verb = match stage {
                    Stage::Playing(_) => "Playing",
                    Stage::Preparing(_) => "Preparing",
                };
                let step = state
                    .playback
                    .path_step()
                    .map(|(k, n)| format!(" (step {}/{n})", k + 1))
                    .unwrap_or_default();
                ui.label(format!("🔊 {verb}: {label}{step}"));
                if ui.small_button("■ Stop (space)").clicked() {
                    out.push(Command::StopAudio);
                }
            }
            Playback::Failed { why } => {
                ui.label(
                    RichText::new(format!("🔇 sound stopped: {why}; the next play retries"))
                        .color(ui.visuals().warn_fg_color),
                );
            }
            Playback::Stopped => match &state.audio {
                Some(AudioDevice::Ready(f)) => {
                    ui.label(
                        RichText::new(format!(
                            "🔈 audio: {} ({} Hz, {} ch) · click a point to listen",
                            f.device, f.sample_rate_hz, f.channels
                        ))
                        .weak(),
                    );
                }
                Some(AudioDevice::Unavailable(why)) => {
                    ui.label(RichText::new(format!("🔇 {why}")).color(ui.visuals().warn_fg_color));
                }
                None => {}
            },
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            history_ui(ui, state);
            if let Some(model) = state.model() {
                let meta = &model.saved.meta;
                ui.label(
                    RichText::new(format!(
                        "model: {} {}",
                        meta.features.input.kind(),
                        meta.model.kind
                    ))
                    .weak(),
                );
            }
        });
    });
}

/// Everything said so far, behind a button.
fn history_ui(ui: &mut Ui, state: &AppState) {
    let history = state.notices.history();
    if history.is_empty() {
        return;
    }
    ui.menu_button(format!("messages ({})", history.len()), |ui| {
        egui::ScrollArea::vertical()
            .max_height(300.0)
            .show(ui, |ui| {
                ui.set_max_width(520.0);
                for notice in history.iter().rev() {
                    let ago = notice.at.elapsed().as_secs();
                    let text = RichText::new(format!("{ago} s ago: {}", notice.text)).small();
                    let text = if notice.is_error() {
                        text.color(ui.visuals().warn_fg_color)
                    } else {
                        text
                    };
                    ui.add(egui::Label::new(text).wrap());
                }
            });
    });
}

/// While files are dragged over the window: what dropping them does.
pub fn drop_overlay_ui(ctx: &egui::Context) {
    let dropping = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !dropping {
        return;
    }
    let rect = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop-overlay"),
    ));
    painter.rect_filled(rect, 0.0, Color32::from_black_alpha(170));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a dataset folder to load it, a .safetensors model, or a song to place it on the maps",
        egui::FontId::proportional(22.0),
        Color32::WHITE,
    );
}
