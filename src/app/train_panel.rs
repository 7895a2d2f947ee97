//! The model section: the current model, the shipped models that fit the data, the training
//! form (representation, preset, knobs), progress with live curves.

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::dataset::{InputKind, SplitProtocol};
use crate::model::{Activation, ModelKind};
use crate::training::presets::Preset;

use super::events::Command;
use super::registry::Progress;
use super::state::{AppState, TrainSettings};

/// Comparing the model in use with a second one on the same folder.
fn compare_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    use super::state::Derived;
    use crate::model::shipped::GTZAN_MODELS;
    let Some(model) = state.model() else {
        return;
    };
    let offers: Vec<_> = state.dataset().map_or(Vec::new(), |ds| {
        GTZAN_MODELS
            .iter()
            .copied()
            // Not the model in use, shipped or opened from the shipped file.
            .filter(|m| {
                m.fits(ds) && Some(*m) != model.shipped && !model.source.ends_with(m.path())
            })
            .collect()
    });
    let choose = |ui: &mut Ui, out: &mut Vec<Command>| {
        ui.horizontal_wrapped(|ui| {
            ui.label("Compare with:");
            for offer in &offers {
                if ui
                    .button(offer.short_label())
                    .on_hover_text(format!("Both models' maps side by side: {}", offer.label()))
                    .clicked()
                {
                    out.push(Command::CompareWithShipped(*offer));
                }
            }
            if ui.button("a model file…").clicked() {
                out.push(Command::AskPath(super::events::FileTarget::CompareModel));
            }
        });
    };
    match &model.compare {
        None => choose(ui, out),
        Some(Derived::Computing) => {
            ui.horizontal_wrapped(|ui| {
                ui.spinner();
                ui.label("Reading the folder with the second model…");
                if ui.small_button("Stop").clicked() {
                    out.push(Command::StopComparing);
                }
            });
        }
        Some(Derived::Ready(view)) => {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("Compared with {}", view.source));
                if ui.small_button("Stop comparing").clicked() {
                    out.push(Command::StopComparing);
                }
            });
        }
        Some(Derived::Failed(why)) => {
            ui.colored_label(egui::Color32::from_rgb(200, 80, 60), why);
            choose(ui, out);
        }
    }
}

pub fn train_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.heading("Model");
    current_model_ui(ui, state);
    for offer in state.offers() {
        ui.horizontal_wrapped(|ui| {
            if ui
                .button(format!("Use the {}", offer.label()))
                .on_hover_text("Trained on gtzan-mini's 32 tracks of these four genres")
                .clicked()
            {
                out.push(Command::UseShippedModel(offer));
            }
            ui.label(RichText::new(offer.held_out_accuracy()).small().weak());
        });
    }
    ui.horizontal(|ui| {
        if ui.button("Open model…").clicked() {
            out.push(Command::OpenModelDialog);
        }
        if ui
            .add_enabled(state.model().is_some(), egui::Button::new("Save model…"))
            .clicked()
        {
            out.push(Command::SaveModelDialog);
        }
    });
    compare_ui(ui, state, out);
    ui.separator();
    ui.label(RichText::new("Train a new model").strong());
    let training = state.is_training();
    let mut settings = state.settings.clone();
    ui.add_enabled_ui(!training, |ui| form_ui(ui, &mut settings));
    if settings != state.settings {
        out.push(Command::EditSettings(settings));
    }
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
    if let Some(job) = state.training() {
        let epochs = match job.kind {
            super::registry::JobKind::Train { epochs, .. } => epochs,
            _ => 0,
        };
        let done = match job.progress {
            Some(Progress::Epoch(e)) => e,
            _ => 0,
        };
        let elapsed = job.started.elapsed().as_secs_f64();
        let eta = if done > 0 {
            format!(
                ", about {:.0} s left",
                elapsed / done as f64 * (epochs - done.min(epochs)) as f64
            )
        } else {
            String::new()
        };
        ui.add(
            egui::ProgressBar::new(done as f32 / epochs.max(1) as f32)
                .text(format!("epoch {done}/{epochs}{eta}")),
        );
    }
    curves_ui(ui, state);
}

fn current_model_ui(ui: &mut Ui, state: &AppState) {
    if let (None, Some(pending)) = (state.model(), &state.pending_model) {
        ui.label(
            RichText::new(format!(
                "{} · waiting for a folder to use it on",
                pending.source
            ))
            .strong(),
        );
        return;
    }
    match state.model() {
        Some(m) => {
            let meta = &m.saved.meta;
            ui.add(
                egui::Label::new(
                    RichText::new(format!(
                        "{} {} · {}",
                        meta.features.input.kind(),
                        meta.model.kind,
                        m.source
                    ))
                    .strong(),
                )
                .wrap(),
            );
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
            ui.add(
                egui::Label::new(
                    RichText::new(format!(
                        "{} parameters · {} · decoder output {:?} · genres: {}",
                        meta.model.parameter_count(),
                        meta.features.describe(),
                        meta.model.output_activation,
                        meta.genres.join(", ")
                    ))
                    .small()
                    .weak(),
                )
                .wrap(),
            );
            if let Some(w) = meta.model.vae_weights() {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "β-TCVAE (α {}, β {}, γ {}): its code is a distribution; the maps, \
                             every instrument and decoding use the code's mean.",
                            w.alpha, w.beta, w.gamma
                        ))
                        .small(),
                    )
                    .wrap(),
                );
            }
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

const DSAE_HINT: &str = "Deep Softmax Autoencoder: autoencoder + classifier on the bottleneck";
const SEGMENT_HINT: &str =
    "Random over segments: every track is in train, dev and test, which flatters the scores.";
const STANDARDIZE_HINT: &str = "Scale waveform inputs to unit variance (beyond the paper). Raw \
     pooled audio is tiny (std ≈ 0.08), so the reconstruction error vanishes next to the \
     cross-entropy and the decoder learns only the mean waveform. Log-mel inputs are always \
     standardised band by band.";

fn form_ui(ui: &mut Ui, s: &mut TrainSettings) {
    egui::Grid::new("train-form").num_columns(2).show(ui, |ui| {
        let (input, preset) = (s.input, s.preset);
        row(ui, "input", "What the model learns from", |ui| {
            combo(
                ui,
                "input-kind",
                &mut s.input,
                &[
                    (
                        InputKind::Waveform,
                        "waveform (paper)",
                        "500 pooled samples a clip",
                    ),
                    (
                        InputKind::Logmel,
                        "log-mel",
                        "64-band log-mel spectrogram patches (beyond the paper)",
                    ),
                    (
                        InputKind::Mfcc,
                        "MFCC",
                        "20 MFCCs and their deltas per frame (the paper's future work)",
                    ),
                ],
            )
        });
        row(ui, "preset", "Fills in the settings below", |ui| {
            combo(
                ui,
                "preset",
                &mut s.preset,
                &[
                    (
                        Preset::Recommended,
                        "recommended",
                        "Chosen on held-out gtzan-mini tracks for this input",
                    ),
                    (Preset::Paper, "paper", "The authors' settings"),
                ],
            )
        });
        if (s.input, s.preset) != (input, preset) {
            *s = TrainSettings::from_preset(s.kind, s.input, s.preset, s.protocol, s.seed);
        }
        row(ui, "model", "", |ui| {
            combo(
                ui,
                "model-kind",
                &mut s.kind,
                &[
                    (ModelKind::Dsae, "dsae", DSAE_HINT),
                    (
                        ModelKind::Btcvae,
                        "β-TCVAE",
                        "The DSAE with a Gaussian code and its total correlation penalised by β \
                         (Chen et al. 2018): the paper's future work",
                    ),
                    (
                        ModelKind::Autoencoder,
                        "autoencoder",
                        "Reconstruction only: no genre labels used",
                    ),
                    (
                        ModelKind::Baseline,
                        "baseline",
                        "Two-layer classifier: input → 128 tanh → genres",
                    ),
                ],
            )
        });
        row(ui, "split", "", |ui| {
            combo(
                ui,
                "split-protocol",
                &mut s.protocol,
                &[
                    (SplitProtocol::Segment, "segment (paper)", SEGMENT_HINT),
                    (
                        SplitProtocol::Track,
                        "track (honest)",
                        "Each track in one split, stratified by genre.",
                    ),
                    (
                        SplitProtocol::KFold,
                        "kfold:8 (every track tested once)",
                        "8 folds of tracks, each the test once with the next as dev, a linear \
                         probe beside the model; then the model trained on every track. Takes \
                         9 trainings.",
                    ),
                ],
            )
        });
        row(ui, "epochs", "", |ui| {
            ui.add(egui::DragValue::new(&mut s.knobs.epochs).range(1..=5000))
        });
        row(ui, "learning rate", "Adam's step size", |ui| {
            ui.add(
                egui::DragValue::new(&mut s.knobs.learning_rate)
                    .range(1e-6..=1.0)
                    .speed(1e-5)
                    .max_decimals(6),
            )
        });
        row(ui, "batch", "", |ui| {
            ui.add(egui::DragValue::new(&mut s.knobs.batch_size).range(1..=8192))
        });
        if matches!(s.kind, ModelKind::Dsae | ModelKind::Btcvae) {
            row(
                ui,
                "gamma",
                "loss = gamma · MSE + (1 − gamma) · cross-entropy",
                |ui| ui.add(egui::Slider::new(&mut s.knobs.gamma, 0.0..=1.0)),
            );
        }
        if s.kind == ModelKind::Btcvae {
            row(
                ui,
                "β",
                "Weight on the code's total correlation: above 1 presses its dimensions apart",
                |ui| ui.add(egui::Slider::new(&mut s.knobs.vae.beta, 0.0..=20.0)),
            );
            row(
                ui,
                "α (MI)",
                "Weight on the mutual information between a clip and its code",
                |ui| ui.add(egui::Slider::new(&mut s.knobs.vae.alpha, 0.0..=5.0)),
            );
            row(
                ui,
                "γ (dim. KL)",
                "Weight on each code dimension's distance from the prior N(0, 1)",
                |ui| ui.add(egui::Slider::new(&mut s.knobs.vae.gamma, 0.0..=5.0)),
            );
        }
        if s.kind != ModelKind::Baseline {
            row(
                ui,
                "dropout keep",
                "probability of keeping a unit (paper text 0.9, its code 0.8)",
                |ui| ui.add(egui::Slider::new(&mut s.knobs.dropout_keep, 0.1..=1.0)),
            );
            row(ui, "decoder output", "", |ui| {
                combo(
                    ui,
                    "decoder-output",
                    &mut s.knobs.output_activation,
                    &[
                        (
                            Activation::Relu,
                            "relu (paper)",
                            "Cannot produce negative values: half of every waveform is lost",
                        ),
                        (
                            Activation::Linear,
                            "linear",
                            "Keeps negative values: better for listening",
                        ),
                    ],
                )
            });
            if s.input == InputKind::Waveform {
                row(ui, "standardize", STANDARDIZE_HINT, |ui| {
                    ui.checkbox(&mut s.knobs.standardize, "inputs")
                });
            }
        }
        row(
            ui,
            "seed",
            "seeds the split, the initial weights, the batch order and dropout",
            |ui| ui.add(egui::DragValue::new(&mut s.seed)),
        );
    });
    // Folded away: the paper has none of it, and the form stays short enough to reach Train.
    let summary = s.knobs.regularization.describe();
    egui::CollapsingHeader::new(format!("Regularization: {summary}"))
        .id_salt("train-regularization")
        .show(ui, |ui| {
            egui::Grid::new("train-regularization-grid")
                .num_columns(2)
                .show(ui, |ui| regularization_rows(ui, s));
        });
    let note = match (s.preset, s.is_modified()) {
        (Preset::Paper, false) => "The paper's settings.",
        (Preset::Recommended, false) => {
            "Recommended settings (beyond the paper); choose the paper preset for its own."
        }
        (_, true) => "Changed from the preset.",
    };
    ui.label(RichText::new(note).small().weak());
}

/// Beyond the paper's dropout: the recipe measured in `models/*.md`.
fn regularization_rows(ui: &mut egui::Ui, s: &mut TrainSettings) {
    let r = &mut s.knobs.regularization;
    row(
        ui,
        "weight decay",
        "AdamW: each step shrinks every weight by learning rate × this (beyond the paper)",
        |ui| {
            ui.add(
                egui::DragValue::new(&mut r.weight_decay)
                    .range(0.0..=1.0)
                    .speed(1e-3)
                    .max_decimals(4),
            )
        },
    );
    row(
        ui,
        "input noise",
        "Gaussian noise on each training input, in standard deviations; the decoder still \
         reconstructs the clean input (beyond the paper)",
        |ui| {
            ui.add(
                egui::DragValue::new(&mut r.input_noise)
                    .range(0.0..=crate::model::config::MAX_INPUT_NOISE)
                    .speed(0.01)
                    .max_decimals(3),
            )
        },
    );
    if s.input != InputKind::Waveform {
        row(
            ui,
            "time mask",
            "SpecAugment: blank a run of up to this many frames of each training input",
            |ui| ui.add(egui::DragValue::new(&mut r.time_mask_frames).range(0..=64)),
        );
        row(
            ui,
            "band mask",
            "SpecAugment: blank a run of up to this many bands of each training input",
            |ui| ui.add(egui::DragValue::new(&mut r.band_mask_bands).range(0..=64)),
        );
    }
    row(
        ui,
        "early stopping",
        "Keep the epoch with the lowest cross-entropy on the dev tracks, not the last",
        |ui| ui.checkbox(&mut r.best_on_dev, "best epoch on dev"),
    );
}

/// The paper's Figure 3, live: losses and accuracies per epoch.
fn curves_ui(ui: &mut Ui, state: &AppState) {
    let h = &state.history;
    if h.is_empty() {
        return;
    }
    let series =
        |f: &dyn Fn(&crate::training::train::EpochReport) -> Option<f64>| -> Vec<[f64; 2]> {
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
