//! How each map is drawn: the method menu before its title, and under it the method's
//! parameters (editable), its progress with a cancel, or what a non-linear map cannot show.

use egui::{Color32, RichText, Ui};

use super::events::Command;
use super::registry::Progress;
use super::state::{AppState, Derived, MapId};
use crate::maps::method::MapMethod;

/// A map column narrower than this (points) keeps its caption to one line.
const NARROW_COLUMN: f32 = 260.0;

/// The method a map is drawn by, chosen from a small menu before its title.
pub fn method_menu(ui: &mut Ui, state: &AppState, map: MapId, out: &mut Vec<Command>) {
    let chosen = state.view.map_methods[map as usize];
    egui::ComboBox::from_id_salt(("map-method", map.name()))
        .selected_text(chosen.name())
        .width(64.0)
        .show_ui(ui, |ui| {
            for name in ["pca", "tsne", "umap"] {
                let Some(default) = MapMethod::by_name(name) else {
                    continue;
                };
                // A method already chosen keeps its parameters when picked again.
                let method = if chosen.name() == default.name() {
                    chosen
                } else {
                    default
                };
                if ui
                    .selectable_label(chosen.name() == method.name(), method.name())
                    .on_hover_text(method.describe())
                    .clicked()
                {
                    out.push(Command::SetMapMethod { map, method });
                }
            }
        })
        .response
        .on_hover_text("How this map is drawn: PCA (the paper's), t-SNE or UMAP");
}

/// Under a map's title: how a non-linear map was drawn and what it cannot show, or its
/// progress with a cancel while it is computed.
pub fn method_caption(ui: &mut Ui, state: &AppState, map: MapId, out: &mut Vec<Command>) {
    let chosen = state.view.map_methods[map as usize];
    if chosen.is_linear() {
        return;
    }
    let Some(embedded) = state.embedded(map).filter(|e| e.method == chosen) else {
        ui.label(RichText::new(format!("{} starts when this map is ready.", chosen.name())).weak());
        return;
    };
    match &embedded.layer {
        Derived::Computing => {
            let share = embedded
                .job
                .and_then(|j| state.jobs.get(j))
                .and_then(|j| match j.progress {
                    Some(Progress::Share(s)) => Some(s),
                    _ => None,
                })
                .unwrap_or(0.0);
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(share)
                        .desired_width(120.0)
                        .text(format!("{} {:.0}%", chosen.name(), share * 100.0)),
                );
                if ui
                    .small_button("Cancel")
                    .on_hover_text("Stop, and show this map by PCA")
                    .clicked()
                {
                    out.push(Command::CancelMapMethod(map));
                }
            });
            ui.label(RichText::new("PCA map shown until it is done.").weak());
        }
        Derived::Failed(why) => {
            ui.colored_label(Color32::from_rgb(200, 80, 60), why);
            parameter_row(ui, state, map, true, out);
        }
        Derived::Ready(_) => {
            parameter_row(ui, state, map, false, out);
            let what = match map {
                MapId::Code => {
                    "No inverse: the probe, paths and directions are drawn on PCA maps; a placed \
                     song lands at the weighted mean of its 10 nearest clips."
                }
                _ => "No inverse: paths, directions and placed songs are drawn on PCA maps.",
            };
            // In a narrow window what the map cannot show would take the plot's room: it is
            // said when the caption is pointed at instead.
            let narrow = ui.available_width() < NARROW_COLUMN;
            let caption = ui
                .add(
                    egui::Label::new(
                        RichText::new(format!("{}: {}", chosen.name(), chosen.caption())).weak(),
                    )
                    .truncate(),
                )
                .on_hover_text(chosen.describe());
            if narrow {
                caption.on_hover_text(what);
            } else {
                ui.add(egui::Label::new(RichText::new(what).weak().small()).wrap());
            }
        }
    }
}

/// A non-linear map's parameters, editable: an edit is held aside (a drag would otherwise
/// start a run each frame) until *Redraw* asks for the map with them (a failed map can be
/// tried again as it is).
fn parameter_row(ui: &mut Ui, state: &AppState, map: MapId, failed: bool, out: &mut Vec<Command>) {
    use crate::maps::method::{MIN_DIST_RANGE, NEIGHBOURS_RANGE, PERPLEXITY_RANGE};
    let drawn = state.view.map_methods[map as usize];
    let mut draft = state.view.map_drafts[map as usize].unwrap_or(drawn);
    let before = draft;
    ui.horizontal_wrapped(|ui| {
        let field = |ui: &mut Ui, name: &str, hint: &str, value: egui::DragValue<'_>| {
            let label = ui.label(RichText::new(name).small());
            ui.add(value).labelled_by(label.id).on_hover_text(hint);
        };
        let seed = match &mut draft {
            MapMethod::Pca => return,
            MapMethod::Tsne(p) => {
                field(
                    ui,
                    "perplexity",
                    "About how many neighbours each clip keeps close (5 to 50 is usual)",
                    egui::DragValue::new(&mut p.perplexity)
                        .range(PERPLEXITY_RANGE)
                        .speed(0.5)
                        .max_decimals(1),
                );
                &mut p.seed
            }
            MapMethod::Umap(p) => {
                field(
                    ui,
                    "neighbours",
                    "How many neighbours (the clip included) shape each clip's surroundings: \
                     fewer keep local detail, more the overall layout",
                    egui::DragValue::new(&mut p.neighbours).range(NEIGHBOURS_RANGE),
                );
                field(
                    ui,
                    "min. distance",
                    "How tightly clips may be packed on the map (0 to 1)",
                    egui::DragValue::new(&mut p.min_dist)
                        .range(MIN_DIST_RANGE)
                        .speed(0.01)
                        .max_decimals(2),
                );
                &mut p.seed
            }
        };
        field(
            ui,
            "seed",
            "Another seed, another (equally valid) layout; the same seed, the same map",
            egui::DragValue::new(seed).range(0..=u32::MAX as u64),
        );
        if (draft != drawn || failed)
            && ui
                .small_button("Redraw")
                .on_hover_text("Draw this map again with these parameters")
                .clicked()
        {
            out.push(Command::SetMapMethod { map, method: draft });
        }
    });
    if draft != before {
        out.push(Command::EditMapParams { map, method: draft });
    }
}
