//! The data section: choose a folder, watch it load, see what it holds and what was skipped.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::events::Command;
use super::state::AppState;
use super::theme::genre_color;

/// `folder_input` is this panel's own form field; everything else is asked for with commands.
pub fn data_ui(ui: &mut Ui, state: &AppState, folder_input: &mut String, out: &mut Vec<Command>) {
    ui.heading("Data");
    ui.horizontal(|ui| {
        if ui.button("Open folder…").clicked() {
            out.push(Command::OpenFolderDialog);
        }
        ui.label(RichText::new("or drop one here").weak());
    });
    ui.horizontal(|ui| {
        let label = ui.label("Folder:");
        let field = ui
            .add(
                egui::TextEdit::singleline(folder_input)
                    .hint_text("path to a dataset folder")
                    .desired_width(ui.available_width() - 52.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Load").clicked() || enter) && !folder_input.trim().is_empty() {
            out.push(Command::LoadFolder(PathBuf::from(folder_input.trim())));
        }
    });

    if let Some(loading) = &state.loading {
        let p = loading.progress;
        let fraction = if p.tracks_total == 0 {
            0.0
        } else {
            p.tracks_done as f32 / p.tracks_total as f32
        };
        ui.label(format!("Loading {}", loading.path.display()));
        ui.horizontal(|ui| {
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(ui.available_width() - 70.0)
                    .text(format!("{}/{} tracks", p.tracks_done, p.tracks_total)),
            );
            if ui.button("Cancel").clicked() {
                out.push(Command::CancelLoad);
            }
        });
    }

    let Some(data) = &state.data else { return };
    let ds = &data.dataset;
    if crate::demo::is_demo(&ds.root) {
        ui.label(RichText::new("Synthetic demo set").strong().color(ui.visuals().warn_fg_color))
            .on_hover_text("Four styles made by genrescope's synthesizer, so there is something to explore at once. Not GTZAN: open a folder of real music to explore that.");
    } else {
        ui.label(RichText::new(&data.source).monospace().small());
    }
    egui::Grid::new("genre-counts")
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("genre").strong());
            ui.label(RichText::new("tracks").strong());
            ui.label(RichText::new("clips").strong());
            ui.end_row();
            for (g, count) in ds.genre_counts().iter().enumerate() {
                ui.label(RichText::new(format!("● {}", count.genre)).color(genre_color(g)));
                ui.label(count.tracks.to_string());
                ui.label(count.segments.to_string());
                ui.end_row();
            }
            ui.label("total");
            ui.label(ds.tracks.len().to_string());
            ui.label(ds.len().to_string());
            ui.end_row();
        });
    ui.label(
        RichText::new(format!(
            "{:.2} s clips at {} Hz, pooled by {} → {} values",
            ds.features.segment_secs(),
            ds.features.sample_rate_hz,
            ds.features.pool,
            ds.dim()
        ))
        .weak()
        .small(),
    );
    if ds.skipped.is_empty() {
        ui.label(RichText::new("No files skipped.").weak());
    } else {
        egui::CollapsingHeader::new(
            RichText::new(format!("⚠ {} file(s) skipped", ds.skipped.len()))
                .color(ui.visuals().warn_fg_color),
        )
        .id_salt("skipped-files")
        .show(ui, |ui| {
            for skip in &ds.skipped {
                ui.label(RichText::new(&skip.reason).small());
            }
        });
    }
}
