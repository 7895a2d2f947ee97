//! The instruments of the latent space, one at a time under the maps: the tabs, the controls
//! they share (a wide slider, "pick A first"), and what the decoder's sound was (latency,
//! loudness gain, the step a path is on, the genre probabilities). The instruments themselves
//! are in `paths_panel` (A → B, components, toward a genre, probe) and `clips_panel` (sounds
//! like, place a song, selection).

use egui::{RichText, Ui};

use super::events::Command;
use super::state::{AppState, Instrument, Loudness, ModelState};
use super::theme::genre_color;
use super::{clips_panel, paths_panel};

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
    let needs_decoder = shown.decodes();
    let Some(model) = state.model() else {
        ui.label("Train or open a model first.");
        return;
    };
    if needs_decoder && !model.has_decoder() {
        ui.label("The baseline has no decoder: train or open a dsae or an autoencoder to hear it.");
        return;
    }
    match shown {
        Instrument::Interpolate => paths_panel::interpolation_ui(ui, state, out),
        Instrument::Components => paths_panel::components_ui(ui, state, out),
        Instrument::Steer => paths_panel::steer_ui(ui, state, out),
        Instrument::Probe => paths_panel::probe_ui(ui, state, out),
        Instrument::Neighbours => clips_panel::neighbours_ui(ui, state, out),
        Instrument::Place => clips_panel::place_ui(ui, state, out),
        Instrument::Selection => clips_panel::selection_ui(ui, state, out),
        Instrument::Compare => super::compare_panel::compare_ui(ui, state, model, out),
    }
    if needs_decoder && model.results.trace.instrument == shown {
        facts_ui(ui, state);
        probability_bars(ui, model);
    }
}

/// A slider as wide as the panel (fine steps are easier to reach), with what it sends.
pub(super) fn wide_slider(
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
        out.push(Command::ReleaseSlider);
    }
}

pub(super) fn needs_a(ui: &mut Ui, state: &AppState, what: &str) -> Option<usize> {
    let a = state.clip_a();
    if a.is_none() {
        ui.label(format!("Click a point to make it A, then {what}."));
    }
    a
}

/// Latency and level of what the decoder plays, and the step *Play path* is on.
fn facts_ui(ui: &mut Ui, state: &AppState) {
    let decoder = &state.decoder;
    let mut facts = Vec::new();
    if let Some(ms) = decoder.latency_ms {
        facts.push(format!("to sound: {ms:.1} ms"));
    }
    if let Some(db) = decoder
        .gain_db
        .filter(|_| state.loudness == Loudness::Matched)
    {
        facts.push(format!("loudness matched: {db:+.1} dB"));
    }
    if let Some((k, n)) = state.playback.path_step() {
        facts.push(format!("playing step {}/{n}", k + 1));
    }
    if !facts.is_empty() {
        ui.label(RichText::new(facts.join(" · ")).weak().small());
    }
}

fn probability_bars(ui: &mut Ui, model: &ModelState) {
    let Some(current) = &model.results.trace.current else {
        return;
    };
    if let Some(probs) = &current.probabilities {
        bars(ui, model.genres(), probs);
    }
}

pub(super) fn bars(ui: &mut Ui, genres: &[String], probs: &[f32]) {
    for (g, (genre, p)) in genres.iter().zip(probs).enumerate() {
        ui.add(
            egui::ProgressBar::new(*p)
                .fill(genre_color(g).gamma_multiply(0.8))
                .text(format!("{genre} {:.0}%", 100.0 * p)),
        );
    }
}
