//! The legend above the maps: genre chips that hide and show a genre on every map, the choice of
//! colouring (genre, reconstruction error or an audio descriptor, with its colour bar), the
//! marker key of the splits, and the selection with its *clear*.

use egui::{Color32, RichText, Ui};

use crate::dataset::{Descriptor, Split};

use super::events::Command;
use super::map_plot::{scale_color, DIRECTION_COLOR};
use super::state::{AppState, ColorBy, ColorScale, ERROR_LEVELS};
use super::theme::{genre_color, split_symbol, HIGHLIGHT};
use crate::analysis::explain::Axis;

pub fn legend_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let Some(colouring) = state.genre_colouring() else {
        return;
    };
    let mut counts = vec![0usize; colouring.genres.len()];
    for &g in colouring.labels {
        if let Some(n) = counts.get_mut(g as usize) {
            *n += 1;
        }
    }
    ui.horizontal_wrapped(|ui| {
        if colouring.predicted {
            ui.label(RichText::new("Predicted genres:").strong())
                .on_hover_text(
                "This folder has no genre labels: each clip is coloured by the genre the model \
                 predicts, fainter where it is less sure (below 50 % and 80 %)",
            );
        } else {
            ui.label(RichText::new("Genres:").strong());
        }
        for (g, (genre, count)) in colouring.genres.iter().zip(&counts).enumerate() {
            let shown = !data.hidden_genres.contains(&g);
            let color = if shown {
                genre_color(g)
            } else {
                Color32::DARK_GRAY
            };
            let text = RichText::new(format!("● {genre} ({count})")).color(color);
            let button = ui.selectable_label(shown, text).on_hover_text(if shown {
                "Click to hide this genre on every map"
            } else {
                "Click to show this genre again"
            });
            if button.clicked() {
                out.push(Command::ToggleGenre(g));
            }
        }
        ui.separator();
        colour_choice_ui(ui, state, out);
        let tracks = state.view.track_points;
        ui.label("points:");
        if ui
            .selectable_label(!tracks, "clips")
            .on_hover_text("Every clip its own point")
            .clicked()
        {
            out.push(Command::ShowTrackPoints(false));
        }
        if ui
            .selectable_label(tracks, "tracks")
            .on_hover_text(
                "One point per track, at the mean of its clips (where the mean of its codes \
                 lands), coloured by the genre most of its clips have; hover or click stands \
                 for its middle clip",
            )
            .clicked()
        {
            out.push(Command::ShowTrackPoints(true));
        }
        if colouring.predicted {
            underneath_ui(ui, state, out);
        }
        if let Some((scale, what)) = shown_scale(state) {
            colour_bar_ui(ui, scale, what);
        }
        if let (Some((axis, rho)), Some(model), ColorBy::Descriptor(d)) = (
            state.results().and_then(|r| r.direction),
            state.model(),
            state.view.color_by,
        ) {
            ui.separator();
            let name = axis.name(model.genres());
            let drawn = matches!(axis, Axis::Code(_) | Axis::Logit(_))
                || matches!(axis, Axis::Pc(k) if k < 2);
            let text = format!(
                "→ {name} follows {} (ρ = {rho:+.2}){}",
                d.label(),
                if drawn {
                    ""
                } else {
                    ": at right angles to the map, walk it with Components"
                }
            );
            ui.label(RichText::new(text).color(DIRECTION_COLOR))
                .on_hover_text(
                    "The arrow goes from the map's centre two standard deviations along the \
                     direction, toward where the descriptor grows",
                );
            if ui.small_button("hide").clicked() {
                out.push(Command::HideDirection);
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

/// What the colour shows on a scale, and how its values read.
#[derive(Clone, Copy)]
enum ScaleOf {
    Error,
    Descriptor(Descriptor),
}

impl ScaleOf {
    fn format(self, v: f32) -> String {
        match self {
            Self::Error => format!("{v:.2e}"),
            Self::Descriptor(d) => d.format(v),
        }
    }
}

/// The scale the markers are coloured by now, if not genre.
fn shown_scale(state: &AppState) -> Option<(&ColorScale, ScaleOf)> {
    match state.view.color_by {
        ColorBy::Genre => None,
        ColorBy::ReconstructionError => state
            .model_view()
            .and_then(|v| v.error_scale.as_ref())
            .map(|s| (s, ScaleOf::Error)),
        ColorBy::Descriptor(d) => state
            .data
            .as_ref()?
            .descriptor_scale(d)
            .map(|s| (s, ScaleOf::Descriptor(d))),
    }
}

/// What to colour the markers by: genre, the reconstruction error (models with a decoder), or
/// one of the clips' audio descriptors.
fn colour_choice_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let name = |c: ColorBy| match c {
        ColorBy::Genre => "genre".to_string(),
        ColorBy::ReconstructionError => "reconstruction error".to_string(),
        ColorBy::Descriptor(d) => d.label().to_string(),
    };
    let has_error = state.model_view().is_some_and(|v| v.error_scale.is_some());
    let scales = state
        .data
        .as_ref()
        .map_or(&[][..], |d| &d.descriptor_scales[..]);
    let mut choices = vec![ColorBy::Genre];
    if has_error {
        choices.push(ColorBy::ReconstructionError);
    }
    choices.extend(scales.iter().map(|(d, _)| ColorBy::Descriptor(*d)));
    let current = state.view.color_by;
    let label = ui.label("colour:");
    egui::ComboBox::from_id_salt("colour-by")
        .selected_text(name(current))
        .show_ui(ui, |ui| {
            for choice in choices {
                if ui
                    .selectable_label(choice == current, name(choice))
                    .clicked()
                {
                    out.push(Command::SetColorBy(choice));
                }
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text(
            "Genre, each clip's reconstruction error (log scale), or a descriptor of its audio \
             (RMS level, spectral centroid, flatness, roll-off, zero-crossing rate, onset rate, \
             tempo; librosa's definitions), from its 5th to its 95th percentile",
        );
}

/// A colour scale with its values at both ends and the middle.
fn colour_bar_ui(ui: &mut Ui, scale: &ColorScale, what: ScaleOf) {
    ui.label(RichText::new(what.format(scale.low)).small());
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
    let unit = match what {
        ScaleOf::Error => "mean squared error per value (log scale)".to_string(),
        ScaleOf::Descriptor(d) => format!("{} ({})", d.label(), d.column()),
    };
    response.on_hover_text(format!(
        "{unit}: below {} (dark) to above {} (yellow); the middle is {}; grey: no value",
        what.format(scale.low),
        what.format(scale.high),
        what.format(scale.level_value(ERROR_LEVELS / 2))
    ));
    ui.label(RichText::new(what.format(scale.high)).small());
}

/// A library's switch for the model's labelled training folder beneath its maps, and what it
/// shows once there.
fn underneath_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(model) = state.model() else {
        return;
    };
    let Some(record) = model.saved.meta.training.as_ref() else {
        return;
    };
    ui.separator();
    let mut on = state.view.underneath;
    let hint = format!(
        "Draw the clips of {}, the labelled folder the model was trained on, beneath the \
         library's as rings in their genre's colour, placed through the same maps",
        record.data
    );
    if ui
        .checkbox(&mut on, "training folder underneath")
        .on_hover_text(hint)
        .changed()
    {
        out.push(Command::ShowUnderneath(on));
    }
    if !state.view.underneath {
        return;
    }
    match model.underneath.as_ref() {
        Some(super::state::Derived::Ready(under)) => {
            ui.label(
                RichText::new(format!(
                    "○ underneath: {} ({} labelled clips)",
                    under.folder.display(),
                    under.labels.len()
                ))
                .weak(),
            );
        }
        Some(super::state::Derived::Computing) => {
            ui.spinner();
        }
        _ => {}
    }
}
