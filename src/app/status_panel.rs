//! Notices (errors and confirmations, dismissable) and the status line at the bottom.

use egui::{Color32, RichText, Ui};

use super::events::Command;
use super::state::{AppState, AudioStatus};

pub fn notices_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    for (i, notice) in state.notices.iter().enumerate() {
        let (fill, icon) = if notice.error {
            (Color32::from_rgb(90, 35, 35), "⚠")
        } else {
            (Color32::from_rgb(35, 60, 45), "ℹ")
        };
        egui::Frame::new()
            .fill(fill)
            .inner_margin(6.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                        out.push(Command::DismissNotice(i));
                    }
                    ui.label(
                        RichText::new(format!("{icon} {}", notice.text)).color(Color32::WHITE),
                    );
                });
            });
    }
}

pub fn status_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        match &state.now_playing {
            Some(playing) => {
                let verb = if playing.player_id.is_some() {
                    "Playing"
                } else {
                    "Preparing"
                };
                ui.label(format!("🔊 {verb}: {}", playing.label));
                if ui.small_button("■ Stop (space)").clicked() {
                    out.push(Command::StopAudio);
                }
            }
            None => match &state.audio {
                Some(AudioStatus::Ready(f)) => {
                    ui.label(
                        RichText::new(format!(
                            "🔈 audio: {} ({} Hz, {} ch) · click a point to listen",
                            f.device, f.sample_rate_hz, f.channels
                        ))
                        .weak(),
                    );
                }
                Some(AudioStatus::Unavailable(why)) => {
                    ui.label(RichText::new(format!("🔇 {why}")).color(ui.visuals().warn_fg_color));
                }
                None => {}
            },
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if let Some(model) = &state.model {
                ui.label(RichText::new(format!("model: {}", model.saved.meta.model.kind)).weak());
            }
        });
    });
}
