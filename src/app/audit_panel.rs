//! The audit in the side panel: tracks that repeat each other, GTZAN's published repeats the
//! folder holds, and (with a model) the tracks whose label the model and their neighbours both
//! doubt. A finding selects its tracks' clips on the maps.

use egui::{RichText, Ui};

use crate::analysis::audit::RepeatKind;

use super::events::{Command, FileTarget};
use super::state::{AppState, Derived};

fn file(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().into_owned())
}

pub fn audit_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let audit = match &data.audit {
        None => {
            if ui
                .button("Audit this folder")
                .on_hover_text(
                    "Find tracks that repeat each other (the same audio, or the same recording \
                     at another level, offset or encoding) and, with a model, tracks whose \
                     label the model and their neighbours both doubt",
                )
                .clicked()
            {
                out.push(Command::AuditData);
            }
            return;
        }
        Some(Derived::Computing) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Auditing…");
            });
            return;
        }
        Some(Derived::Failed(why)) => {
            ui.label(RichText::new(why).color(ui.visuals().warn_fg_color));
            return;
        }
        Some(Derived::Ready(audit)) => audit,
    };
    let track_of = |path: &str| {
        data.dataset
            .tracks
            .iter()
            .position(|t| t.path.display().to_string() == path)
    };
    ui.label(RichText::new("Audit").strong());
    if audit.duplicates.is_empty() {
        ui.label(RichText::new(format!("No repeats among the {} tracks.", audit.tracks)).weak());
    }
    for d in &audit.duplicates {
        let kind = match d.kind {
            RepeatKind::Exact => "exact repeat",
            RepeatKind::Near => "near repeat",
        };
        let text = format!(
            "{kind}: {} ~ {} ({:.0}%, {:+.1} s)",
            file(&d.a),
            file(&d.b),
            100.0 * d.score,
            d.offset_secs
        );
        if ui
            .link(text)
            .on_hover_text("Select both tracks' clips on the maps")
            .clicked()
        {
            out.push(Command::SelectTracks {
                tracks: vec![d.tracks.0, d.tracks.1],
                label: format!("{kind}: {} and {}", file(&d.a), file(&d.b)),
            });
        }
    }
    if !audit.published_repeats.is_empty() {
        let found = audit.published_repeats.iter().filter(|p| p.found).count();
        ui.label(format!(
            "GTZAN's published repeats here: {} (found {found})",
            audit.published_repeats.len()
        ));
    }
    if let Some(mislabels) = state.model().and_then(|m| m.mislabels.as_ref()) {
        if mislabels.is_empty() {
            ui.label(RichText::new("No suspected mislabels.").weak());
        }
        for m in mislabels {
            let text = format!(
                "{}: labelled {}, the model and its neighbours say {}",
                file(&m.path),
                m.label,
                if m.predicted == m.neighbours {
                    m.predicted.clone()
                } else {
                    format!("{} / {}", m.predicted, m.neighbours)
                }
            );
            let Some(track) = track_of(&m.path) else {
                continue;
            };
            if ui.link(text).clicked() {
                out.push(Command::SelectTracks {
                    tracks: vec![track],
                    label: format!("suspected mislabel: {}", file(&m.path)),
                });
            }
        }
    }
    for note in &audit.notes {
        ui.label(RichText::new(format!("note: {note}")).small().weak());
    }
    ui.horizontal(|ui| {
        if ui.button("Export audit CSV…").clicked() {
            out.push(Command::AskPath(FileTarget::AuditCsv));
        }
        if ui.small_button("audit again").clicked() {
            out.push(Command::AuditData);
        }
    });
}
