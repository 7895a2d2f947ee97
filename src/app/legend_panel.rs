//! The legend above the maps: genre chips that hide and show a genre on every map, the choice of
//! colouring (genre or reconstruction error, with its colour bar), the marker key of the splits,
//! and the selection with its *clear*.

use egui::{Color32, RichText, Ui};

use crate::dataset::Split;

use super::events::Command;
use super::map_plot::scale_color;
use super::state::{AppState, ColorBy, ErrorScale, ERROR_LEVELS};
use super::theme::{genre_color, split_symbol, HIGHLIGHT};

pub fn legend_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let counts = data.dataset.genre_counts();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Genres:").strong());
        for (g, count) in counts.iter().enumerate() {
            let shown = !data.hidden_genres.contains(&g);
            let color = if shown {
                genre_color(g)
            } else {
                Color32::DARK_GRAY
            };
            let text =
                RichText::new(format!("● {} ({})", count.genre, count.segments)).color(color);
            let button = ui.selectable_label(shown, text).on_hover_text(if shown {
                "Click to hide this genre on every map"
            } else {
                "Click to show this genre again"
            });
            if button.clicked() {
                out.push(Command::ToggleGenre(g));
            }
        }
        let scale = state.model_view().and_then(|v| v.error_scale.as_ref());
        if let Some(scale) = scale {
            ui.separator();
            let by_error = state.view.color_by == ColorBy::ReconstructionError;
            if ui
                .selectable_label(by_error, "colour by reconstruction error")
                .on_hover_text("Each clip's mean squared reconstruction error, on a log scale")
                .clicked()
            {
                out.push(Command::SetColorBy(if by_error {
                    ColorBy::Genre
                } else {
                    ColorBy::ReconstructionError
                }));
            }
            if by_error {
                colour_bar_ui(ui, scale);
            }
        }
        // The marker key, for the splits this model actually has.
        if let Some(splits) = state.model().and_then(|m| m.splits.as_ref()) {
            let key: Vec<String> = Split::ALL
                .iter()
                .filter(|s| splits.contains(s))
                .map(|&s| format!("{} {}", split_symbol(s), s.name()))
                .collect();
            if key.len() > 1 {
                ui.separator();
                ui.label(key.join("  "));
            }
        }
        if let Some(selection) = &data.selection {
            let label = &selection.label;
            ui.separator();
            ui.label(RichText::new(format!("○ {label}")).color(HIGHLIGHT));
            if ui.small_button("clear").clicked() {
                out.push(Command::ClearSelection);
            }
        }
    });
}

/// The error colour scale with its values at both ends and the middle.
fn colour_bar_ui(ui: &mut Ui, scale: &ErrorScale) {
    ui.label(RichText::new(format!("{:.2e}", scale.low)).small());
    let (rect, response) = ui.allocate_exact_size(egui::vec2(120.0, 12.0), egui::Sense::hover());
    let step = rect.width() / ERROR_LEVELS as f32;
    for level in 0..ERROR_LEVELS {
        let x0 = rect.left() + step * level as f32;
        let cell = egui::Rect::from_min_max(
            egui::pos2(x0, rect.top()),
            egui::pos2(x0 + step, rect.bottom()),
        );
        ui.painter().rect_filled(cell, 0.0, scale_color(level));
    }
    response.on_hover_text(format!(
        "mean squared error per value: below {:.2e} (dark) to above {:.2e} (yellow); the middle \
         is {:.2e}",
        scale.low,
        scale.high,
        scale.level_value(ERROR_LEVELS / 2)
    ));
    ui.label(RichText::new(format!("{:.2e} MSE", scale.high)).small());
}
