//! The instruments of the latent space, one at a time under the maps: interpolation from A to
//! B, A walked along the bottleneck's components, A moved toward a genre, the probe, the clips
//! that sound like A, a song placed on the maps, and the selection. Each draws its controls and
//! returns commands; the genre probabilities of what the decoder plays are shown below.

use egui::{RichText, Ui};

use crate::interpolate::PathKind;
use crate::latent::{OffPlane, Space};

use super::events::{ClipVersion, Command, FileTarget};
use super::state::{AppState, Instrument, Loudness, Tool, MAX_ALPHA, MAX_QUEUE};
use super::theme::genre_color;

pub fn instrument_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let shown = state.instruments.shown;
    ui.horizontal_wrapped(|ui| {
        for instrument in Instrument::ALL {
            if ui
                .selectable_label(shown == instrument, instrument.name())
                .clicked()
            {
                out.push(Command::ShowInstrument(instrument));
            }
        }
    });
    ui.separator();
    let needs_decoder = matches!(
        shown,
        Instrument::Interpolate | Instrument::Components | Instrument::Steer | Instrument::Probe
    );
    let Some(model) = &state.model else {
        ui.label("Train or open a model first.");
        return;
    };
    if needs_decoder && !model.saved.meta.model.kind.has_decoder() {
        ui.label("The baseline has no decoder: train or open a dsae or an autoencoder to hear it.");
        return;
    }
    match shown {
        Instrument::Interpolate => interpolation_ui(ui, state, out),
        Instrument::Components => components_ui(ui, state, out),
        Instrument::Steer => steer_ui(ui, state, out),
        Instrument::Probe => probe_ui(ui, state, out),
        Instrument::Neighbours => neighbours_ui(ui, state, out),
        Instrument::Place => place_ui(ui, state, out),
        Instrument::Selection => selection_ui(ui, state, out),
    }
    if needs_decoder && state.trace.instrument == shown {
        facts_ui(ui, state);
        probability_bars(ui, state);
    }
}

/// A slider as wide as the panel (fine steps are easier to reach), with what it sends.
fn wide_slider(
    ui: &mut Ui,
    value: f32,
    range: std::ops::RangeInclusive<f32>,
    text: &str,
    send: impl Fn(f32, bool) -> Command,
    out: &mut Vec<Command>,
) {
    let mut v = value;
    // From the column's width, not what is left of it: a slider wider than its row would
    // widen the column for the next one.
    ui.spacing_mut().slider_width = (ui.max_rect().width() - 130.0).max(80.0);
    let slider = ui.add(
        egui::Slider::new(&mut v, range)
            .text(text)
            .fixed_decimals(2),
    );
    if slider.changed() {
        out.push(send(v, slider.dragged()));
    }
    if slider.drag_stopped() {
        out.push(Command::ReleaseT);
    }
}

fn needs_a(ui: &mut Ui, state: &AppState, what: &str) -> Option<usize> {
    if state.view.selected.is_none() {
        ui.label(format!("Click a point to make it A, then {what}."));
    }
    state.view.selected
}

fn interpolation_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Interpolate A → B in the bottleneck").strong());
    let interp = &state.interp;
    if state.view.selected.is_none() || interp.b.is_none() {
        ui.label("Pick A (click) and B (shift-click) on any map.");
        return;
    }
    wide_slider(
        ui,
        interp.t,
        0.0..=1.0,
        "t",
        |t, held| Command::SetT { t, held },
        out,
    );
    ui.horizontal_wrapped(|ui| {
        let mut spherical = interp.kind == PathKind::Spherical;
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
        let mut looping = interp.looping;
        if ui.checkbox(&mut looping, "loop while held").changed() {
            out.push(Command::SetLooping(looping));
        }
        let label = ui.label("steps");
        let mut steps = interp.steps;
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

fn components_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Walk A along the bottleneck's principal components").strong());
    if needs_a(ui, state, "move it along the components").is_none() {
        return;
    }
    let Some(layer) = state.model.as_ref().and_then(|m| m.code_layer.as_ref()) else {
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
            state.instruments.walk[k],
            -3.0..=3.0,
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
        path_buttons(ui, out);
    });
}

fn steer_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Move A toward a genre (the paper's style transfer)").strong());
    let Some(a) = needs_a(ui, state, "move it toward a genre") else {
        return;
    };
    let Some(model) = &state.model else { return };
    let genres = &model.saved.meta.genres;
    let own = state.segment_info(a).map(|i| i.genre).unwrap_or_default();
    let toward = state
        .instruments
        .steer_toward
        .or_else(|| genres.iter().position(|g| *g != own))
        .unwrap_or(0);
    let alpha = state.instruments.alpha;
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
    path_buttons(ui, out);
}

fn probe_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
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
    let stroke = state.instruments.stroke.len();
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
        .instruments
        .probe_nearest
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

fn neighbours_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Sounds like A: its nearest clips").strong());
    let Some(a) = needs_a(ui, state, "find what sounds like it") else {
        return;
    };
    let mut space = state.instruments.space;
    let mut k = if state.instruments.k == 0 {
        10
    } else {
        state.instruments.k
    };
    let before = (space, k);
    ui.horizontal_wrapped(|ui| {
        ui.label("in the");
        for option in [Space::Raw, Space::Bottleneck, Space::Logits] {
            ui.selectable_value(&mut space, option, option.name());
        }
        let label = ui.label("space, k");
        ui.add(egui::DragValue::new(&mut k).range(1..=200))
            .labelled_by(label.id);
        if ui.button("Find").clicked() || (space, k) != before {
            out.push(Command::FindNeighbours { space, k });
        }
    });
    let found = &state.instruments.neighbours;
    if state.instruments.neighbours_of != Some(a) || found.is_empty() {
        return;
    }
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

fn place_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
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
    let Some(placed) = &state.instruments.placed else {
        return;
    };
    let Some(model) = &state.model else { return };
    let genres = &model.saved.meta.genres;
    let name = std::path::Path::new(&placed.path)
        .file_name()
        .map_or(placed.path.clone(), |n| n.to_string_lossy().into_owned());
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("★ {name}: {} segment(s)", placed.segments.len())).strong());
        if ui.small_button("clear").clicked() {
            out.push(Command::ClearPlaced);
        }
    });
    if let (Some(overall), Some(verdict)) = (&placed.overall, placed.verdict) {
        ui.label(format!(
            "overall: {} (mean over its segments)",
            genres[verdict]
        ));
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
                        .map(|(g, p)| format!("{} {:.0}%", genres[g], 100.0 * p))
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

fn selection_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
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
    let clips = &state.view.highlighted;
    let Some(ds) = state.dataset() else { return };
    if clips.is_empty() {
        ui.label(RichText::new("Nothing selected.").weak());
        return;
    }
    if let Some(label) = &state.view.highlight_label {
        ui.label(label);
    }
    let mut counts = vec![0usize; ds.genres.len()];
    for &i in clips {
        counts[ds.label(i)] += 1;
    }
    ui.horizontal_wrapped(|ui| {
        for (g, (genre, n)) in ds.genres.iter().zip(&counts).enumerate() {
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

/// Latency and level of what the decoder plays, and the step *Play path* is on.
fn facts_ui(ui: &mut Ui, state: &AppState) {
    let sound = &state.sound;
    let mut facts = Vec::new();
    if let Some(ms) = sound.latency_ms {
        facts.push(format!("to sound: {ms:.1} ms"));
    }
    if let Some(db) = sound
        .gain_db
        .filter(|_| state.loudness == Loudness::Matched)
    {
        facts.push(format!("loudness matched: {db:+.1} dB"));
    }
    if let Some(k) = sound.path_step_playing {
        facts.push(format!("playing step {}/{}", k + 1, state.trace.path.len()));
    }
    if !facts.is_empty() {
        ui.label(RichText::new(facts.join(" · ")).weak().small());
    }
}

fn probability_bars(ui: &mut Ui, state: &AppState) {
    let (Some(model), Some(current)) = (&state.model, &state.trace.current) else {
        return;
    };
    if let Some(probs) = &current.probabilities {
        bars(ui, &model.saved.meta.genres, probs);
    }
}

fn bars(ui: &mut Ui, genres: &[String], probs: &[f32]) {
    for (g, (genre, p)) in genres.iter().zip(probs).enumerate() {
        ui.add(
            egui::ProgressBar::new(*p)
                .fill(genre_color(g).gamma_multiply(0.8))
                .text(format!("{genre} {:.0}%", 100.0 * p)),
        );
    }
}
