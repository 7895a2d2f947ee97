//! The instruments that walk the bottleneck and play what the decoder makes there: from A to B,
//! A along the principal components, A toward a genre, and the probe anywhere on the map.

use egui::{RichText, Ui};

use crate::latent::interpolate::PathKind;
use crate::latent::{OffPlane, MAX_ALPHA, MAX_SIGMA};

use super::events::{Command, FileTarget};
use super::instruments_panel::{needs_a, wide_slider};
use super::state::{AppState, MapId, Tool};

/// Every slider's "loop while held" (one setting for t, the components and α).
fn loop_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let mut looping = state.instruments.loop_while_held;
    if ui
        .checkbox(&mut looping, "loop while held")
        .on_hover_text("While a slider is held, its decoded sound repeats")
        .changed()
    {
        out.push(Command::SetLoopWhileHeld(looping));
    }
}

pub fn interpolation_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Interpolate A → B in the bottleneck").strong());
    let picks = state.picks();
    let settings = &state.instruments;
    if picks.a.is_none() || picks.b.is_none() {
        ui.label("Pick A (click) and B (shift-click) on any map.");
        return;
    }
    wide_slider(
        ui,
        picks.t,
        0.0..=1.0,
        "t",
        |t, held| Command::SetT { t, held },
        out,
    );
    ui.horizontal_wrapped(|ui| {
        let mut spherical = settings.path_kind == PathKind::Spherical;
        if ui
            .checkbox(&mut spherical, "spherical")
            .on_hover_text("slerp instead of a straight line")
            .changed()
        {
            out.push(Command::SetPathKind(if spherical {
                PathKind::Spherical
            } else {
                PathKind::Linear
            }));
        }
        loop_ui(ui, state, out);
        let label = ui.label("steps");
        let mut steps = settings.path_steps;
        if ui
            .add(egui::DragValue::new(&mut steps).range(2..=64))
            .labelled_by(label.id)
            .changed()
        {
            out.push(Command::SetSteps(steps));
        }
    });
    path_buttons(ui, out);
}

fn path_buttons(ui: &mut Ui, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if ui.button("▶ Play path").clicked() {
            out.push(Command::PlayPath);
        }
        if ui.button("Export path WAV…").clicked() {
            out.push(Command::AskPath(FileTarget::PathWav));
        }
    });
}

pub fn components_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Walk A along the bottleneck's principal components").strong());
    if needs_a(ui, state, "move it along the components").is_none() {
        return;
    }
    let (Some(layer), Some(model)) = (state.layer(MapId::Code), state.model()) else {
        ui.label("Encoding every clip…");
        return;
    };
    let count = layer.projection.component_count().min(3);
    for k in 0..count {
        let share = layer.projection.explained.get(k).copied().unwrap_or(0.0);
        ui.label(
            RichText::new(format!(
                "PC{} ({:.0}% of the variance), in standard deviations",
                k + 1,
                100.0 * share
            ))
            .small(),
        );
        wide_slider(
            ui,
            model.results.walk[k],
            -MAX_SIGMA..=MAX_SIGMA,
            &format!("PC{} σ", k + 1),
            |sigma, held| Command::SetWalk {
                component: k,
                sigma,
                held,
            },
            out,
        );
    }
    ui.horizontal(|ui| {
        if ui.button("back to A").clicked() {
            out.push(Command::ResetWalk);
        }
        loop_ui(ui, state, out);
    });
    path_buttons(ui, out);
}

pub fn steer_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Move A toward a genre (the paper's style transfer)").strong());
    let Some(a) = needs_a(ui, state, "move it toward a genre") else {
        return;
    };
    let Some(model) = state.model() else { return };
    let genres = model.genres();
    let own = state.segment_info(a).map(|i| i.genre).unwrap_or_default();
    let setting = model.results.steer;
    let toward = setting
        .toward
        .filter(|&g| g < genres.len())
        .or_else(|| genres.iter().position(|g| *g != own))
        .unwrap_or(0);
    let alpha = setting.alpha;
    ui.horizontal(|ui| {
        let label = ui.label(format!("from {own} toward"));
        let mut chosen = toward;
        egui::ComboBox::from_id_salt("steer-toward")
            .selected_text(genres.get(chosen).map_or("", String::as_str))
            .show_ui(ui, |ui| {
                for (g, name) in genres.iter().enumerate() {
                    ui.selectable_value(&mut chosen, g, name);
                }
            })
            .response
            .labelled_by(label.id);
        if chosen != toward {
            out.push(Command::SetSteer {
                toward: chosen,
                alpha,
                held: false,
            });
        }
    });
    wide_slider(
        ui,
        alpha,
        0.0..=MAX_ALPHA,
        "α",
        |alpha, held| Command::SetSteer {
            toward,
            alpha,
            held,
        },
        out,
    );
    ui.label(
        RichText::new(
            "A's code plus α × (the centroid of that genre − the centroid of A's genre); 1 moves \
             it the whole distance between the two.",
        )
        .small()
        .weak(),
    );
    loop_ui(ui, state, out);
    path_buttons(ui, out);
}

pub fn probe_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Probe: hear any point of the bottleneck map").strong());
    let probing = state.instruments.tool == Tool::Probe;
    ui.horizontal_wrapped(|ui| {
        if ui.selectable_label(probing, "🔊 probe tool").clicked() {
            out.push(Command::SetTool(if probing {
                Tool::Pan
            } else {
                Tool::Probe
            }));
        }
        ui.label(
            RichText::new("then press and drag on the bottleneck map (or hold Ctrl and drag)")
                .small(),
        );
    });
    ui.label(RichText::new("The map point is lifted back into the 64-d code space:").small());
    let off = state.instruments.off_plane;
    ui.horizontal_wrapped(|ui| {
        for (value, name, hint) in [
            (
                OffPlane::Plane,
                "on the map's plane",
                "the mean code plus the two map components at the point",
            ),
            (
                OffPlane::NearestClip,
                "plus the nearest clip's other dimensions",
                "the plane point plus what the map does not show of the nearest clip's code",
            ),
        ] {
            if ui
                .selectable_label(off == value, name)
                .on_hover_text(hint)
                .clicked()
            {
                out.push(Command::SetOffPlane(value));
            }
        }
    });
    let stroke = state.results().map_or(0, |r| r.stroke.codes.len());
    ui.horizontal(|ui| {
        ui.label(format!("stroke: {stroke} point(s)"));
        if ui
            .add_enabled(stroke > 0, egui::Button::new("Export stroke WAV…"))
            .clicked()
        {
            out.push(Command::AskPath(FileTarget::StrokeWav));
        }
    });
    if let Some(info) = state
        .results()
        .and_then(|r| r.stroke.nearest)
        .and_then(|i| state.segment_info(i))
    {
        ui.label(
            RichText::new(format!(
                "nearest clip: {} {:.1}-{:.1} s ({})",
                info.track, info.start_secs, info.end_secs, info.genre
            ))
            .small(),
        );
    }
}
