//! Under the maps: clips A and B with their original audio, what the model sees and its
//! reconstruction; the instruments of the latent space (`instruments_panel`); and what the
//! decoder made along the shown path: the genre probabilities and the decoded values beside
//! A's and B's inputs. Decoded audio plays loudness-matched to the music it stands for unless
//! the raw level is chosen.

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, VLine};

use super::events::{ClipVersion, Command};
use super::instruments_panel::instrument_ui;
use super::state::{AppState, Loudness, Trace};
use super::theme::genre_color;
use crate::dataset::Descriptor;
use crate::latent::interpolate::PathStep;

pub fn listen_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    // Three columns need room; on a narrow window the curves go under the instrument.
    if ui.available_width() >= 1000.0 {
        ui.columns(3, |cols| {
            clips_ui(&mut cols[0], state, out);
            instrument_ui(&mut cols[1], state, out);
            curves_ui(&mut cols[2], state, out);
        });
    } else {
        ui.columns(2, |cols| {
            clips_ui(&mut cols[0], state, out);
            instrument_ui(&mut cols[1], state, out);
            curves_ui(&mut cols[1], state, out);
        });
    }
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
    let picks = state.picks();
    let Some(a) = picks.a else {
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
                state.model().is_some(),
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
        if let Some(error) = state
            .model_view()
            .and_then(|v| v.maps.reconstruction_error.as_ref()?.get(a).copied())
        {
            let var = crate::tables::metrics::variance(x);
            ui.label(format!(
                "reconstruction error: MSE {error:.2e} ({:.0}% of the clip's variance)",
                100.0 * f64::from(error) / var.max(1e-12)
            ));
        }
        if let Some(bands) = mel_bands(state) {
            patches_ui(ui, "clip", bands, &[("A input", x), ("reconstruction", &r)]);
        } else {
            Plot::new("a-vs-reconstruction")
                .height(80.0)
                .legend(Legend::default())
                .show_axes([false, true])
                .allow_scroll(false)
                .show(ui, |p| {
                    p.line(Line::new("A input", series(x)));
                    p.line(Line::new("reconstruction", series(&r)));
                });
        }
    }
    // What the pooled line cannot show: the clip's own spectrogram.
    if let Some(db) = state
        .data
        .as_ref()
        .and_then(|d| d.original_spectrogram.as_ref())
        .filter(|(clip, _)| *clip == a)
        .and_then(|(_, s)| s.ready())
    {
        let bands = crate::dataset::MelParams::default().n_mels;
        patches_ui(
            ui,
            "original",
            bands,
            &[("A's original audio (log-mel)", db)],
        );
    }
    match picks.b {
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

/// The mel bands of the data's vectors, when they are log-mel patches.
fn mel_bands(state: &AppState) -> Option<usize> {
    match &state.dataset()?.features.input {
        crate::dataset::Representation::LogMel(m) => Some(m.n_mels),
        _ => None,
    }
}

/// Log-mel vectors side by side as spectrograms on one dB scale, with its legend.
fn patches_ui(ui: &mut Ui, group: &str, n_mels: usize, shown: &[(&str, &[f32])]) {
    use super::spectrogram::{legend, show, DbScale, Patch};
    let patches: Vec<(&str, Patch)> = shown
        .iter()
        .filter_map(|&(title, v)| Some((title, Patch::new(v, n_mels)?)))
        .collect();
    let scale = DbScale::of(&patches.iter().map(|p| p.1).collect::<Vec<_>>());
    let width = ((ui.available_width() - 8.0 * patches.len() as f32) / patches.len().max(1) as f32)
        .clamp(60.0, 220.0);
    ui.horizontal(|ui| {
        for (k, (title, patch)) in patches.iter().enumerate() {
            show(
                ui,
                &format!("{group}-{k}"),
                title,
                *patch,
                scale,
                egui::vec2(width, 64.0),
            );
        }
    });
    legend(ui, scale);
}

fn series(values: &[f32]) -> PlotPoints<'static> {
    PlotPoints::from_iter(
        values
            .iter()
            .enumerate()
            .map(|(k, v)| [k as f64, f64::from(*v)]),
    )
}

/// "brightness (centroid) rises from 900 Hz to 2600 Hz as t goes from 0.00 to 1.00".
pub fn path_summary(d: Descriptor, parameter: &str, path: &[PathStep]) -> Option<String> {
    let values: Vec<(f32, f32)> = path
        .iter()
        .filter_map(|s| Some((s.t, s.descriptors?.get(d)?)))
        .collect();
    let (first, last) = (values.first()?, values.last()?);
    if values.len() < 2 {
        return None;
    }
    let (lo, hi) = values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), v| {
            (l.min(v.1), h.max(v.1))
        });
    let verb = match last.1 - first.1 {
        x if x.abs() <= 0.05 * (hi - lo).max(f32::EPSILON) => "stays about",
        x if x > 0.0 => "rises",
        _ => "falls",
    };
    let span = if verb == "stays about" {
        d.format(first.1)
    } else {
        format!("from {} to {}", d.format(first.1), d.format(last.1))
    };
    Some(format!(
        "{} {verb} {span} as {parameter} goes from {:.2} to {:.2}",
        d.label(),
        first.0,
        last.0
    ))
}

/// The chosen descriptor of the decoded audio along the path, with what it does in words.
fn path_descriptor_ui(ui: &mut Ui, state: &AppState, trace: &Trace, out: &mut Vec<Command>) {
    let chosen = state.instruments.path_descriptor;
    let parameter = trace.instrument.parameter();
    let points: Vec<[f64; 2]> = trace
        .path
        .iter()
        .filter_map(|s| Some([f64::from(s.t), f64::from(s.descriptors?.get(chosen)?)]))
        .collect();
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new("decoded audio's").small());
        egui::ComboBox::from_id_salt("path-descriptor")
            .selected_text(chosen.label())
            .show_ui(ui, |ui| {
                for d in Descriptor::ALL {
                    if ui.selectable_label(d == chosen, d.label()).clicked() {
                        out.push(Command::SetPathDescriptor(d));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        ui.label(RichText::new(format!("along the path ({parameter})")).small());
    });
    match path_summary(chosen, parameter, &trace.path) {
        Some(summary) => {
            ui.label(RichText::new(summary).small());
        }
        None => {
            ui.label(
                RichText::new(format!("no {} for these steps", chosen.label()))
                    .small()
                    .weak(),
            );
        }
    }
    if points.len() >= 2 {
        Plot::new("path-descriptor-plot")
            .height(70.0)
            .allow_scroll(false)
            .show_axes([false, true])
            .show(ui, |p| {
                p.line(Line::new(chosen.label(), PlotPoints::from(points)));
                if let Some(current) = &trace.current {
                    p.vline(VLine::new(parameter, f64::from(current.t)));
                }
            });
    }
}

fn curves_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(model) = state.model() else { return };
    let trace = &model.results.trace;
    if trace.current.is_none() {
        return;
    }
    let parameter = trace.instrument.parameter();
    if trace
        .path
        .first()
        .is_some_and(|s| s.probabilities.is_some())
    {
        ui.label(
            RichText::new(format!("genre probabilities along the path ({parameter})")).small(),
        );
        Plot::new("path-probabilities")
            .height(90.0)
            .include_y(0.0)
            .include_y(1.0)
            .allow_scroll(false)
            .show(ui, |p| {
                for (g, genre) in model.genres().iter().enumerate() {
                    let points: Vec<[f64; 2]> = trace
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
                let t = state
                    .playback
                    .path_step()
                    .and_then(|(k, _)| trace.path.get(k))
                    .or(trace.current.as_ref())
                    .map_or(0.0, |s| s.t);
                p.vline(VLine::new(parameter, f64::from(t)));
            });
    }
    if trace.path.iter().any(|s| s.descriptors.is_some()) {
        path_descriptor_ui(ui, state, trace, out);
    }
    let a = state.clip_a();
    let b = state
        .picks()
        .b
        .filter(|_| trace.instrument == super::state::Instrument::Interpolate);
    if let Some(bands) = mel_bands(state) {
        // Log-mel patches: A, the step decoded now and B as spectrograms on one scale.
        let step = trace.current.as_ref().map(|c| {
            (
                format!("decoded, {parameter} = {:.2}", c.t),
                c.decoded.as_slice(),
            )
        });
        let mut shown: Vec<(&str, &[f32])> = Vec::new();
        if let Some(x) = a.and_then(|i| pooled(state, i)) {
            shown.push(("A's input", x));
        }
        if let Some((title, values)) = &step {
            shown.push((title.as_str(), values));
        }
        if let Some(x) = b.and_then(|i| pooled(state, i)) {
            shown.push(("B's input", x));
        }
        patches_ui(ui, "path", bands, &shown);
        return;
    }
    ui.label(
        RichText::new(if b.is_some() {
            "A's input · decoded · B's input"
        } else {
            "A's input · decoded"
        })
        .small(),
    );
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
            let span = [a, b]
                .iter()
                .flatten()
                .filter_map(|&i| pooled(state, i))
                .flat_map(|v| v.iter().map(|x| x.abs()))
                .fold(0.05f32, f32::max)
                * 2.2;
            if let Some(a) = a.and_then(|i| pooled(state, i)) {
                p.line(Line::new("A", shifted(a, span)));
            }
            if let Some(current) = &trace.current {
                p.line(Line::new(
                    format!("{parameter} = {:.2}", current.t),
                    shifted(&current.decoded, 0.0),
                ));
            }
            if let Some(b) = b.and_then(|i| pooled(state, i)) {
                p.line(Line::new("B", shifted(b, -span)));
            }
        });
}
