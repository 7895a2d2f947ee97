//! The instruments that find clips: those that sound like A, where a song of the user's lands,
//! and the selection drawn on a map (or picked in the confusion matrix).

use egui::{RichText, Ui};

use crate::latent::Space;

use super::events::{ClipVersion, Command, FileTarget};
use super::instruments_panel::{bars, needs_a};
use super::state::{AppState, Tool, MAX_QUEUE};
use super::theme::genre_color;

pub fn neighbours_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let mut whole_tracks = state.instruments.whole_tracks;
    ui.label(
        RichText::new(if whole_tracks {
            "Sounds like A's track: the nearest other tracks"
        } else {
            "Sounds like A: its nearest clips"
        })
        .strong(),
    );
    let Some(a) = needs_a(ui, state, "find what sounds like it") else {
        return;
    };
    let mut space = state.instruments.space;
    let mut k = state.instruments.k;
    let before = (space, k, whole_tracks);
    ui.horizontal_wrapped(|ui| {
        ui.label("in the");
        for option in [Space::Raw, Space::Bottleneck, Space::Logits] {
            ui.selectable_value(&mut space, option, option.name());
        }
        let label = ui.label("space, k");
        ui.add(egui::DragValue::new(&mut k).range(1..=200))
            .labelled_by(label.id);
        ui.checkbox(&mut whole_tracks, "whole tracks")
            .on_hover_text(
                "Compare tracks, each the mean of its clips, and never A's own track; each found \
             track is played and ringed by its middle clip",
            );
        if ui.button("Find").clicked() || (space, k, whole_tracks) != before {
            out.push(Command::FindNeighbours {
                space,
                k,
                whole_tracks,
            });
        }
    });
    let Some(found) = state
        .results()
        .and_then(|r| r.neighbours.as_ref())
        .filter(|n| n.of == a && !n.found.is_empty())
        .map(|n| &n.found)
    else {
        return;
    };
    if ui
        .button(format!("▶ play the {} one after another", found.len()))
        .clicked()
    {
        out.push(Command::PlayQueue(found.iter().map(|n| n.0).collect()));
    }
    egui::Grid::new("neighbours").striped(true).show(ui, |ui| {
        for (rank, &(i, distance)) in found.iter().enumerate() {
            let Some(info) = state.segment_info(i) else {
                continue;
            };
            if ui.small_button("▶").clicked() {
                out.push(Command::PlayVersion {
                    segment: i,
                    version: ClipVersion::Original,
                });
            }
            ui.label(format!(
                "{}. {} {:.1}-{:.1} s",
                rank + 1,
                info.track,
                info.start_secs,
                info.end_secs
            ));
            ui.label(info.genre);
            ui.label(format!("{distance:.3}"));
            ui.end_row();
        }
    });
}

pub fn place_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Where does a song land?").strong());
    ui.label(
        RichText::new(
            "Drop an audio file on the window, choose one, or type its path: it is decoded with \
             this folder's pipeline and every segment is placed on the maps (which do not move).",
        )
        .small(),
    );
    ui.horizontal(|ui| {
        let label = ui.label("File:");
        let mut text = state.instruments.place_input.clone();
        let field = ui
            .add(egui::TextEdit::singleline(&mut text).desired_width(ui.available_width() - 140.0))
            .labelled_by(label.id);
        if field.changed() {
            out.push(Command::EditPlaceField(text.clone()));
        }
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Place").clicked() || enter) && !text.trim().is_empty() {
            out.push(Command::PlaceFile(text.trim().into()));
        }
        if ui.button("Choose…").clicked() {
            out.push(Command::AskPath(FileTarget::PlaceFile));
        }
    });
    let (Some(model), Some(placed)) = (
        state.model(),
        state.results().and_then(|r| r.placed.as_ref()),
    ) else {
        return;
    };
    let genres = model.genres();
    let name = std::path::Path::new(&placed.path)
        .file_name()
        .map_or(placed.path.clone(), |n| n.to_string_lossy().into_owned());
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("★ {name}: {} segment(s)", placed.segments.len())).strong());
        if ui.small_button("clear").clicked() {
            out.push(Command::ClearPlaced);
        }
    });
    if let (Some(overall), Some(genre)) =
        (&placed.overall, placed.verdict.and_then(|v| genres.get(v)))
    {
        ui.label(format!("overall: {genre} (mean over its segments)"));
        bars(ui, genres, overall);
    }
    if !placed.nearest.is_empty() {
        ui.label(RichText::new("nearest clips of the folder:").small());
        for &(i, d) in &placed.nearest {
            if let Some(info) = state.segment_info(i) {
                ui.horizontal(|ui| {
                    if ui.small_button("▶").clicked() {
                        out.push(Command::PlayVersion {
                            segment: i,
                            version: ClipVersion::Original,
                        });
                    }
                    ui.label(
                        RichText::new(format!(
                            "{} {:.1} s ({}) · {d:.3}",
                            info.track, info.start_secs, info.genre
                        ))
                        .small(),
                    );
                });
            }
        }
    }
    egui::CollapsingHeader::new("per segment")
        .id_salt("placed-segments")
        .show(ui, |ui| {
            for s in &placed.segments {
                let best = s.probabilities.as_ref().and_then(|p| {
                    p.iter()
                        .enumerate()
                        .max_by(|a, b| a.1.total_cmp(b.1))
                        .and_then(|(g, p)| Some(format!("{} {:.0}%", genres.get(g)?, 100.0 * p)))
                });
                ui.label(
                    RichText::new(format!(
                        "{:>3}  {:>6.1} s  {}",
                        s.index,
                        s.start_secs,
                        best.unwrap_or_default()
                    ))
                    .small()
                    .monospace(),
                );
            }
        });
}

pub fn selection_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Selection").strong());
    let tool = state.instruments.tool;
    ui.horizontal_wrapped(|ui| {
        for (value, name) in [(Tool::BoxSelect, "▭ box"), (Tool::LassoSelect, "◯ lasso")] {
            if ui.selectable_label(tool == value, name).clicked() {
                out.push(Command::SetTool(if tool == value {
                    Tool::Pan
                } else {
                    value
                }));
            }
        }
        ui.label(
            RichText::new("then drag on any map; a confusion cell selects its clips too").small(),
        );
    });
    let Some(selection) = state.data.as_ref().and_then(|d| d.selection.as_ref()) else {
        ui.label(RichText::new("Nothing selected.").weak());
        return;
    };
    let clips = &selection.clips;
    ui.label(&selection.label);
    let Some(colouring) = state.genre_colouring() else {
        return;
    };
    let mut counts = vec![0usize; colouring.genres.len()];
    for &i in clips {
        if let Some(n) = colouring
            .labels
            .get(i)
            .and_then(|&g| counts.get_mut(g as usize))
        {
            *n += 1;
        }
    }
    ui.horizontal_wrapped(|ui| {
        for (g, (genre, n)) in colouring.genres.iter().zip(&counts).enumerate() {
            if *n > 0 {
                ui.label(RichText::new(format!("● {genre} {n}")).color(genre_color(g)));
            }
        }
    });
    ui.horizontal_wrapped(|ui| {
        let shown = clips.len().min(MAX_QUEUE);
        let label = if shown < clips.len() {
            format!("▶ play the first {shown} one after another")
        } else {
            format!("▶ play {shown} one after another")
        };
        if ui.button(label).clicked() {
            out.push(Command::PlayQueue(clips.clone()));
        }
        if ui.button("Export selection…").clicked() {
            out.push(Command::AskPath(FileTarget::SelectionFolder));
        }
        if ui.button("clear").clicked() {
            out.push(Command::ClearSelection);
        }
    });
}
