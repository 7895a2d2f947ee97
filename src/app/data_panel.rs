//! The data section: choose a folder, watch it load, see what it holds and what was skipped.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::events::Command;
use super::state::AppState;
use super::theme::genre_color;
use crate::dataset::{DataSource, Layout};

pub fn data_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.heading("Data");
    ui.horizontal_wrapped(|ui| {
        if ui.button("Open folder…").clicked() {
            out.push(Command::OpenFolderDialog);
        }
        if ui
            .button("Demo set")
            .on_hover_text("The built-in synthetic demo set and its model")
            .clicked()
        {
            out.push(Command::LoadData(DataSource::Demo));
        }
        ui.label(RichText::new("or drop a folder here").weak());
    });
    ui.horizontal(|ui| {
        let label = ui.label("Folder:");
        let mut text = state.folder_input.clone();
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .hint_text("path to a dataset folder")
                    .desired_width(ui.available_width() - 52.0),
            )
            .labelled_by(label.id);
        if field.changed() {
            out.push(Command::EditFolderField(text.clone()));
        }
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Load").clicked() || enter) && !text.trim().is_empty() {
            out.push(Command::LoadData(DataSource::Folder(PathBuf::from(
                text.trim(),
            ))));
        }
    });

    if let Some(loading) = state.loading() {
        let p = state
            .load_progress()
            .unwrap_or(crate::dataset::LoadProgress {
                tracks_done: 0,
                tracks_total: 0,
            });
        let fraction = if p.tracks_total == 0 {
            0.0
        } else {
            p.tracks_done as f32 / p.tracks_total as f32
        };
        if let super::registry::JobKind::LoadData { source } = &loading.kind {
            ui.label(RichText::new(format!("Loading {}", source.label())).small());
        }
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
    if ds.source.is_demo() {
        ui.label(
            RichText::new("Synthetic demo set")
                .strong()
                .color(ui.visuals().warn_fg_color),
        )
        .on_hover_text(
            "Four styles made by genrescope's synthesizer, so there is something to explore at \
             once. Not GTZAN: open a folder of real music to explore that.",
        );
    } else {
        ui.add(egui::Label::new(RichText::new(ds.source.label()).monospace().small()).wrap());
    }
    if ds.is_library() {
        let sampled = ds
            .tracks
            .iter()
            .filter(|t| t.segments_in_track > t.n_segments)
            .count();
        ui.label(format!(
            "A library: {} tracks, {} clips, no genre labels{}",
            ds.tracks.len(),
            ds.len(),
            if sampled > 0 {
                format!(" ({sampled} long track(s) sampled)")
            } else {
                String::new()
            }
        ))
        .on_hover_text(&ds.layout.why);
    } else {
        genre_counts_ui(ui, ds);
    }
    // A flat folder has no sub-folders to read as genres.
    let nested = ds
        .tracks
        .iter()
        .any(|t| t.path.parent() != ds.source.folder());
    if !ds.source.is_demo() && (nested || !ds.is_library()) {
        // The scan's guess can be wrong (artist folders look like genre folders).
        let (label, layout, hint) = if ds.is_library() {
            (
                "Read its folders as genres",
                Layout::Genres,
                "Each sub-folder is a genre and holds its tracks: read them as labels",
            )
        } else {
            (
                "Read as a library",
                Layout::Library,
                "The sub-folders are not genres (artists, albums): read every track without a \
                 label, seen through a model",
            )
        };
        if ui
            .small_button(label)
            .on_hover_text(format!("{hint}. {}", ds.layout.why))
            .clicked()
        {
            out.push(Command::ReadAs(layout));
        }
    }
    ui.add(
        egui::Label::new(
            RichText::new(format!(
                "{:.2} s clips → {} values: {}",
                ds.features.segment_secs(),
                ds.dim(),
                ds.features.describe()
            ))
            .weak()
            .small(),
        )
        .wrap(),
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
                ui.add(egui::Label::new(&skip.reason).wrap());
            }
        });
    }
}

/// Tracks and clips per genre of a labelled folder.
fn genre_counts_ui(ui: &mut Ui, ds: &crate::dataset::Dataset) {
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
}
