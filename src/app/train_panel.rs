//! The model section: the training form, progress with live curves, and the current model.

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::dataset::SplitProtocol;
use crate::model::{Activation, ModelKind};

use super::events::Command;
use super::state::{AppState, TrainSettings};

/// `settings` is this panel's own form; starting, cancelling, opening and saving are commands.
pub fn train_ui(
    ui: &mut Ui,
    state: &AppState,
    settings: &mut TrainSettings,
    out: &mut Vec<Command>,
) {
    ui.heading("Model");
    current_model_ui(ui, state);
    if state.offer_gtzan_model {
        ui.label("genrescope ships a DSAE trained on gtzan-mini's 32 tracks of these four genres:");
        if ui.button("Use the shipped gtzan-mini model").clicked() {
            out.push(Command::UseShippedGtzanModel);
        }
    }
    ui.horizontal(|ui| {
        if ui.button("Open model…").clicked() {
            out.push(Command::OpenModelDialog);
        }
        let can_save = state.model.is_some();
        if ui
            .add_enabled(can_save, egui::Button::new("Save model…"))
            .clicked()
        {
            out.push(Command::SaveModelDialog);
        }
    });
    ui.separator();
    ui.label(RichText::new("Train a new model").strong());
    let training = state.training.is_some();
    ui.add_enabled_ui(!training, |ui| form_ui(ui, settings));
    ui.horizontal(|ui| {
        if training {
            if ui.button("Cancel training").clicked() {
                out.push(Command::CancelTraining);
            }
        } else {
            let can_train = state.data.is_some();
            let button = ui.add_enabled(
                can_train,
                egui::Button::new(RichText::new("Train").strong()),
            );
            if button.clicked() {
                out.push(Command::StartTraining);
            }
            if !can_train {
                ui.label(RichText::new("open a folder first").weak());
            }
        }
    });
    if let Some(job) = &state.training {
        let done = state.history.last().map_or(0, |h| h.epoch);
        let elapsed = job.run.started.elapsed().as_secs_f64();
        let eta = if done > 0 {
            format!(
                ", about {:.0} s left",
                elapsed / done as f64 * (job.epochs - done) as f64
            )
        } else {
            String::new()
        };
        ui.add(
            egui::ProgressBar::new(done as f32 / job.epochs.max(1) as f32)
                .text(format!("epoch {done}/{}{eta}", job.epochs)),
        );
    }
    curves_ui(ui, state);
}

fn current_model_ui(ui: &mut Ui, state: &AppState) {
    match &state.model {
        Some(m) => {
            let cfg = &m.saved.meta.model;
            ui.label(RichText::new(format!("{} · {}", cfg.kind, m.source)).strong());
            if let Some(report) = &m.report {
                let scores: Vec<String> = report
                    .splits
                    .iter()
                    .filter_map(|s| s.accuracy.map(|a| format!("{} {:.0}%", s.split, 100.0 * a)))
                    .collect();
                if !scores.is_empty() {
                    ui.label(format!("accuracy: {}", scores.join(" · ")));
                }
            }
            ui.label(
                RichText::new(format!(
                    "{} parameters · decoder output {:?} · genres: {}",
                    cfg.parameter_count(),
                    cfg.output_activation,
                    m.saved.meta.genres.join(", ")
                ))
                .small()
                .weak(),
            );
        }
        None => {
            ui.label(RichText::new("No model yet.").weak());
        }
    }
}

/// One labelled row of the form; the label names the widget for screen readers too.
fn row(ui: &mut Ui, label: &str, hint: &str, add: impl FnOnce(&mut Ui) -> egui::Response) {
    let label = ui.label(label);
    if !hint.is_empty() {
        label.clone().on_hover_text(hint);
    }
    add(ui).labelled_by(label.id);
    ui.end_row();
}

fn combo<T: PartialEq + Copy>(
    ui: &mut Ui,
    id: &str,
    value: &mut T,
    options: &[(T, &str, &str)],
) -> egui::Response {
    let selected = options.iter().find(|o| o.0 == *value).map_or("", |o| o.1);
    egui::ComboBox::from_id_salt(id)
        .selected_text(selected)
        .show_ui(ui, |ui| {
            for (v, name, hint) in options {
                let r = ui.selectable_value(value, *v, *name);
                if !hint.is_empty() {
                    r.on_hover_text(*hint);
                }
            }
        })
        .response
}

fn form_ui(ui: &mut Ui, s: &mut TrainSettings) {
    egui::Grid::new("train-form").num_columns(2).show(ui, |ui| {
        row(ui, "model", "", |ui| {
            combo(ui, "model-kind", &mut s.kind, &[
                (ModelKind::Dsae, "dsae", "Deep Softmax Autoencoder: autoencoder + classifier on the bottleneck"),
                (ModelKind::Autoencoder, "autoencoder", "Reconstruction only: no genre labels used"),
                (ModelKind::Baseline, "baseline", "Two-layer classifier: 500 → 128 tanh → genres"),
            ])
        });
        row(ui, "split", "", |ui| {
            combo(ui, "split-protocol", &mut s.protocol, &[
                (SplitProtocol::Segment, "segment (paper)", "Random over segments: every track is in train, dev and test, which flatters the scores."),
                (SplitProtocol::Track, "track (honest)", "Each track in one split, stratified by genre."),
            ])
        });
        row(ui, "epochs", "", |ui| ui.add(egui::DragValue::new(&mut s.epochs).range(1..=5000)));
        row(ui, "learning rate", "Adam's step size", |ui| {
            ui.add(egui::DragValue::new(&mut s.learning_rate).range(1e-6..=1.0).speed(1e-5).max_decimals(6))
        });
        row(ui, "batch", "", |ui| ui.add(egui::DragValue::new(&mut s.batch_size).range(1..=8192)));
        if s.kind == ModelKind::Dsae {
            row(ui, "gamma", "loss = gamma · MSE + (1 − gamma) · cross-entropy", |ui| {
                ui.add(egui::Slider::new(&mut s.gamma, 0.0..=1.0))
            });
        }
        if s.kind != ModelKind::Baseline {
            row(ui, "dropout keep", "probability of keeping a unit (paper text 0.9, its code 0.8)", |ui| {
                ui.add(egui::Slider::new(&mut s.dropout_keep, 0.1..=1.0))
            });
            row(ui, "decoder output", "", |ui| {
                combo(ui, "decoder-output", &mut s.output_activation, &[
                    (Activation::Relu, "relu (paper)", "Cannot produce negative samples: half of every waveform is lost"),
                    (Activation::Linear, "linear", "Keeps negative half-waves: better for listening"),
                ])
            });
        }
        if s.kind != ModelKind::Baseline {
            row(ui, "standardize", "Scale inputs to unit variance (beyond the paper). Raw pooled audio is tiny (std ≈ 0.08), so the reconstruction error vanishes next to the cross-entropy and the decoder learns only the mean waveform.", |ui| {
                ui.checkbox(&mut s.standardize, "inputs")
            });
        }
        row(ui, "seed", "seeds the split, the initial weights, the batch order and dropout", |ui| {
            ui.add(egui::DragValue::new(&mut s.seed))
        });
    });
}

/// The paper's Figure 3, live: losses and accuracies per epoch.
fn curves_ui(ui: &mut Ui, state: &AppState) {
    let h = &state.history;
    if h.is_empty() {
        return;
    }
    let series = |f: &dyn Fn(&crate::train::EpochReport) -> Option<f64>| -> Vec<[f64; 2]> {
        h.iter()
            .filter_map(|r| f(r).map(|v| [r.epoch as f64, v]))
            .collect()
    };
    ui.label(RichText::new("loss").small());
    Plot::new("loss-curves")
        .height(110.0)
        .legend(Legend::default())
        .show_x(false)
        .allow_scroll(false)
        .show(ui, |p| {
            p.line(Line::new(
                "train",
                PlotPoints::from(series(&|r| Some(r.loss))),
            ));
            let dev = series(&|r| r.dev_loss);
            if !dev.is_empty() {
                p.line(Line::new("dev", PlotPoints::from(dev)));
            }
        });
    let train_acc = series(&|r| r.train_accuracy.map(|a| 100.0 * a));
    if !train_acc.is_empty() {
        ui.label(RichText::new("accuracy (%)").small());
        Plot::new("accuracy-curves")
            .height(110.0)
            .legend(Legend::default())
            .include_y(0.0)
            .include_y(100.0)
            .show_x(false)
            .allow_scroll(false)
            .show(ui, |p| {
                p.line(Line::new("train", PlotPoints::from(train_acc)));
                p.line(Line::new(
                    "dev",
                    PlotPoints::from(series(&|r| r.dev_accuracy.map(|a| 100.0 * a))),
                ));
            });
    }
    if let Some(last) = h.last() {
        let mut line = format!("epoch {}: loss {:.4}", last.epoch, last.loss);
        if let Some(a) = last.train_accuracy {
            line += &format!(", train {:.1}%", 100.0 * a);
        }
        if let Some(a) = last.dev_accuracy {
            line += &format!(", dev {:.1}%", 100.0 * a);
        }
        ui.label(RichText::new(line).small());
    }
}
