//! Under the maps: clips A and B with their original audio, what the model sees and its
//! reconstruction, and the walk from A to B through the bottleneck: the t slider, the genre
//! probabilities at t and along the path, and the decoded values beside A's and B's inputs.
//! Decoded audio plays loudness-matched to the music it stands for unless the raw level is
//! chosen.

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, VLine};

use crate::interpolate::PathKind;

use super::events::{ClipVersion, Command};
use super::state::{AppState, Loudness};
use super::theme::genre_color;

pub fn listen_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.columns(3, |cols| {
        clips_ui(&mut cols[0], state, out);
        interpolation_ui(&mut cols[1], state, out);
        curves_ui(&mut cols[2], state);
    });
}

fn pooled(state: &AppState, i: usize) -> Option<&[f32]> {
    let ds = state.dataset()?;
    (i < ds.len()).then(|| ds.vector(i))
}

fn clip_line(state: &AppState, i: usize) -> String {
    match state.segment_info(i) {
        Some(info) => {
            let predicted = info
                .predicted
                .map(|(g, p)| format!(", predicted {g} {:.0}%", 100.0 * p))
                .unwrap_or_default();
            format!(
                "{} {:.1}-{:.1} s ({}{predicted})",
                info.track, info.start_secs, info.end_secs, info.genre
            )
        }
        None => String::new(),
    }
}

fn loudness_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let mut matched = state.loudness == Loudness::Matched;
    if ui
        .checkbox(&mut matched, "match loudness")
        .on_hover_text(
            "Decoded audio is much quieter than the music it stands for. Matched: brought to the \
             level of what the model sees (between A and B along a path). Off: the decoder's \
             raw level.",
        )
        .changed()
    {
        out.push(Command::SetLoudness(if matched {
            Loudness::Matched
        } else {
            Loudness::Raw
        }));
    }
}

fn clips_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Listen").strong());
        loudness_ui(ui, state, out);
    });
    let Some(a) = state.view.selected else {
        ui.label("Click a point to hear it: it becomes A. Shift-click another for B.");
        return;
    };
    ui.label(format!("A: {}", clip_line(state, a)));
    let has_decoder = state.reconstruction(a).is_some();
    ui.horizontal_wrapped(|ui| {
        let versions = [
            ("▶ original", ClipVersion::Original, true),
            (
                "▶ what the model sees",
                ClipVersion::Input,
                state.model.is_some(),
            ),
            ("▶ reconstruction", ClipVersion::Reconstruction, has_decoder),
            ("▶ all three", ClipVersion::All, has_decoder),
        ];
        for (label, version, enabled) in versions {
            if ui.add_enabled(enabled, egui::Button::new(label)).clicked() {
                out.push(Command::PlayVersion {
                    segment: a,
                    version,
                });
            }
        }
    });
    if let (Some(x), Some(r)) = (pooled(state, a), state.reconstruction(a)) {
        let mse = x
            .iter()
            .zip(r)
            .map(|(a, b)| f64::from(a - b).powi(2))
            .sum::<f64>()
            / x.len() as f64;
        let mean = x.iter().map(|v| f64::from(*v)).sum::<f64>() / x.len() as f64;
        let var = x
            .iter()
            .map(|v| (f64::from(*v) - mean).powi(2))
            .sum::<f64>()
            / x.len() as f64;
        ui.label(format!(
            "reconstruction error: MSE {mse:.2e} ({:.0}% of the clip's variance)",
            100.0 * mse / var.max(1e-12)
        ));
        Plot::new("a-vs-reconstruction")
            .height(80.0)
            .legend(Legend::default())
            .show_axes([false, true])
            .allow_scroll(false)
            .show(ui, |p| {
                p.line(Line::new("A input", series(x)));
                p.line(Line::new("reconstruction", series(r)));
            });
    }
    match state.interp.b {
        Some(b) => {
            ui.label(format!("B: {}", clip_line(state, b)));
            if ui.button("▶ B original").clicked() {
                out.push(Command::PlayVersion {
                    segment: b,
                    version: ClipVersion::Original,
                });
            }
        }
        None => {
            ui.label(RichText::new("B: shift-click a point").weak());
        }
    }
}

fn series(values: &[f32]) -> PlotPoints<'static> {
    PlotPoints::from_iter(
        values
            .iter()
            .enumerate()
            .map(|(k, v)| [k as f64, f64::from(*v)]),
    )
}

fn interpolation_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.label(RichText::new("Interpolate A → B in the bottleneck").strong());
    let Some(model) = &state.model else {
        ui.label("Train or open a model first.");
        return;
    };
    if !model.saved.meta.model.kind.has_decoder() {
        ui.label(
            "The baseline has no decoder: train or open a dsae or an autoencoder to hear the path.",
        );
        return;
    }
    let interp = &state.interp;
    if state.view.selected.is_none() || interp.b.is_none() {
        ui.label("Pick A (click) and B (shift-click) on any map.");
        return;
    }
    let mut t = interp.t;
    // The slider spans the panel: fine steps are easier to reach.
    ui.spacing_mut().slider_width = (ui.available_width() - 70.0).max(80.0);
    let slider = ui.add(
        egui::Slider::new(&mut t, 0.0..=1.0)
            .text("t")
            .fixed_decimals(2),
    );
    if slider.changed() {
        out.push(Command::SetT {
            t,
            held: slider.dragged(),
        });
    }
    if slider.drag_stopped() {
        out.push(Command::ReleaseT);
    }
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
    ui.horizontal(|ui| {
        if ui.button("▶ Play path").clicked() {
            out.push(Command::PlayPath);
        }
        if ui.button("Export path WAV…").clicked() {
            out.push(Command::AskPath(super::events::FileTarget::PathWav));
        }
    });
    let mut facts = Vec::new();
    if let Some(ms) = interp.latency_ms {
        facts.push(format!("slider to sound: {ms:.1} ms"));
    }
    if let Some(db) = interp
        .gain_db
        .filter(|_| state.loudness == Loudness::Matched)
    {
        facts.push(format!("loudness matched: {db:+.1} dB"));
    }
    if let Some(k) = interp.path_step_playing {
        facts.push(format!("playing step {}/{}", k + 1, interp.path.len()));
    }
    if !facts.is_empty() {
        ui.label(RichText::new(facts.join(" · ")).weak().small());
    }
    if let Some(probs) = interp
        .current
        .as_ref()
        .and_then(|c| c.probabilities.as_ref())
    {
        for (g, (genre, p)) in model.saved.meta.genres.iter().zip(probs).enumerate() {
            ui.add(
                egui::ProgressBar::new(*p)
                    .fill(genre_color(g).gamma_multiply(0.8))
                    .text(format!("{genre} {:.0}%", 100.0 * p)),
            );
        }
    }
}

fn curves_ui(ui: &mut Ui, state: &AppState) {
    let interp = &state.interp;
    let Some(model) = &state.model else { return };
    if interp.path.is_empty() {
        return;
    }
    if interp.path[0].probabilities.is_some() {
        ui.label(RichText::new("genre probabilities along the path").small());
        Plot::new("path-probabilities")
            .height(90.0)
            .include_y(0.0)
            .include_y(1.0)
            .allow_scroll(false)
            .show(ui, |p| {
                for (g, genre) in model.saved.meta.genres.iter().enumerate() {
                    let points: Vec<[f64; 2]> = interp
                        .path
                        .iter()
                        .filter_map(|s| {
                            Some([
                                f64::from(s.t),
                                f64::from(*s.probabilities.as_ref()?.get(g)?),
                            ])
                        })
                        .collect();
                    p.line(
                        Line::new(genre.clone(), PlotPoints::from(points)).color(genre_color(g)),
                    );
                }
                // While the path plays, the marker follows the step being heard.
                let t = interp
                    .path_step_playing
                    .and_then(|k| interp.path.get(k))
                    .map_or(interp.t, |s| s.t);
                p.vline(VLine::new("t", f64::from(t)));
            });
    }
    ui.label(RichText::new("A's input · decoded step at t · B's input").small());
    Plot::new("path-waveforms")
        .height(110.0)
        .legend(Legend::default())
        .show_axes([false, false])
        .allow_scroll(false)
        .show(ui, |p| {
            let shifted = |values: &[f32], dy: f32| {
                PlotPoints::from_iter(
                    values
                        .iter()
                        .enumerate()
                        .map(|(k, v)| [k as f64, f64::from(v + dy)]),
                )
            };
            // Offsets keep the three traces apart; their scale is the signal's own.
            let span = [state.view.selected, interp.b]
                .iter()
                .flatten()
                .filter_map(|&i| pooled(state, i))
                .flat_map(|v| v.iter().map(|x| x.abs()))
                .fold(0.05f32, f32::max)
                * 2.2;
            if let Some(a) = state.view.selected.and_then(|i| pooled(state, i)) {
                p.line(Line::new("A", shifted(a, span)));
            }
            if let Some(current) = &interp.current {
                p.line(Line::new(
                    format!("t = {:.2}", current.t),
                    shifted(&current.decoded, 0.0),
                ));
            }
            if let Some(b) = interp.b.and_then(|i| pooled(state, i)) {
                p.line(Line::new("B", shifted(b, -span)));
            }
        });
}
