//! The paper's tables for the current model: Table 1 (accuracy per split, with the track vote),
//! Table 2 (per-genre precision/recall/F1) and the confusion matrix as a heatmap whose cells
//! select their clips on the maps.

use egui::{Color32, RichText, Ui};

use super::events::Command;
use super::explain_panel::spaces_table_ui;
use super::state::{AppState, Derived};
use super::theme::HIGHLIGHT;

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

pub fn metrics_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(model) = state.model() else {
        ui.label("Train a model or open one to see its tables.");
        return;
    };
    let Some(report) = &model.report else {
        ui.label(if state.is_projecting() {
            "Scoring the model…"
        } else {
            "No tables for this model on this data."
        });
        return;
    };
    ui.heading(format!(
        "{} {} on {}",
        model.saved.meta.features.input.kind(),
        report.model,
        state.dataset().map_or(String::new(), |d| d.source.label())
    ));
    ui.add(egui::Label::new(RichText::new(&report.protocol).italics()).wrap());
    ui.add_space(6.0);
    ui.label(RichText::new("Table 1: accuracy").strong());
    egui::Grid::new("table1")
        .striped(true)
        .min_col_width(70.0)
        .show(ui, |ui| {
            for h in [
                "split",
                "clips",
                "accuracy",
                "tracks (vote)",
                "recon. MSE",
                "of variance",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for s in &report.splits {
                ui.label(&s.split);
                ui.label(s.segments.to_string());
                ui.label(s.accuracy.map_or("-".into(), pct));
                ui.label(s.track_vote.as_ref().map_or("-".into(), |v| {
                    format!("{}/{} ({})", v.correct, v.tracks, pct(v.accuracy))
                }));
                ui.label(
                    s.reconstruction_mse
                        .map_or("-".into(), |m| format!("{m:.2e}")),
                );
                ui.label(s.reconstruction_fraction.map_or("-".into(), pct));
                ui.end_row();
            }
        });
    let Some(cm) = &report.confusion else {
        ui.add_space(6.0);
        ui.label("The autoencoder does not classify: no Table 2 or confusion matrix.");
        return;
    };
    ui.add_space(8.0);
    ui.label(
        RichText::new(format!(
            "Table 2: per genre, on the {} set",
            report.held_out
        ))
        .strong(),
    );
    egui::Grid::new("table2")
        .striped(true)
        .min_col_width(70.0)
        .show(ui, |ui| {
            for h in ["genre", "precision", "recall", "F1", "support"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for g in &report.per_genre {
                ui.label(&g.genre);
                ui.label(format!("{:.3}", g.precision));
                ui.label(format!("{:.3}", g.recall));
                ui.label(format!("{:.3}", g.f1));
                ui.label(g.support.to_string());
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.label(
        RichText::new(format!(
            "Confusion matrix, {} set (rows: true, columns: predicted; \
        click a cell to see its clips)",
            report.held_out
        ))
        .strong(),
    );
    // The selection made on the maps, cell by cell: linked both ways.
    let predictions: Vec<usize> = model
        .view
        .ready()
        .and_then(|v| v.maps.predicted.as_ref())
        .map(|p| p.iter().map(|x| x.0).collect())
        .unwrap_or_default();
    let in_selection = report.selection_cells(state.selected(), &predictions);
    egui::Grid::new("confusion")
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            ui.label("");
            for g in &report.genres {
                ui.label(RichText::new(g).small());
            }
            ui.end_row();
            for (t, genre) in report.genres.iter().enumerate() {
                ui.label(RichText::new(genre).small());
                let row_total: usize = (0..cm.n_classes).map(|p| cm.get(t, p)).sum();
                for p in 0..cm.n_classes {
                    let n = cm.get(t, p);
                    let share = if row_total == 0 {
                        0.0
                    } else {
                        n as f32 / row_total as f32
                    };
                    let base = if t == p {
                        Color32::from_rgb(60, 140, 90)
                    } else {
                        Color32::from_rgb(170, 70, 60)
                    };
                    let fill = Color32::from_rgb(30, 30, 34).lerp_to_gamma(base, share);
                    let selected = in_selection.get(t * cm.n_classes + p).copied().unwrap_or(0);
                    let mut cell =
                        egui::Button::new(RichText::new(n.to_string()).color(Color32::WHITE))
                            .fill(fill)
                            .min_size(egui::vec2(64.0, 28.0));
                    let mut hover = format!(
                        "true {genre}, predicted {}: {n} clip(s), {:.0}% of the row",
                        report.genres[p],
                        100.0 * share
                    );
                    if selected > 0 {
                        cell = cell.stroke(egui::Stroke::new(2.0, HIGHLIGHT));
                        hover += &format!("; {selected} of them selected");
                    }
                    let response = ui.add(cell).on_hover_text(hover);
                    if response.clicked() {
                        out.push(Command::SelectCell {
                            truth: t,
                            predicted: p,
                        });
                    }
                }
                ui.end_row();
            }
        });
    extras_ui(ui, state, out);
}

/// Beyond the paper's tables: the cross-validation the model was trained after, and each
/// space's extrinsic scores.
fn extras_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(model) = state.model() else {
        return;
    };
    if let Some(cv) = model
        .saved
        .meta
        .training
        .as_ref()
        .and_then(|t| t.crossval.as_ref())
    {
        ui.add_space(10.0);
        ui.label(RichText::new("Cross-validation before this model was trained").strong());
        ui.add(egui::Label::new(RichText::new(&cv.protocol).italics()).wrap());
        let stopped_early = cv.folds.iter().any(|f| f.best_epoch.is_some());
        egui::Grid::new("crossval").striped(true).show(ui, |ui| {
            for h in [
                "fold",
                "tracks",
                "clips",
                "accuracy",
                "tracks right",
                "probe",
                "probe tracks",
            ] {
                ui.label(RichText::new(h).strong());
            }
            if stopped_early {
                ui.label(RichText::new("kept epoch").strong())
                    .on_hover_text("early stopping: the epoch with the lowest dev cross-entropy");
            }
            ui.end_row();
            let opt = |v: Option<f64>| v.map_or("-".to_string(), pct);
            for f in &cv.folds {
                ui.label(f.fold.to_string());
                ui.label(f.test_tracks.to_string());
                ui.label(f.test_clips.to_string());
                ui.label(pct(f.accuracy));
                ui.label(pct(f.track_accuracy));
                ui.label(opt(f.probe_accuracy));
                ui.label(opt(f.probe_track_accuracy));
                if stopped_early {
                    ui.label(f.best_epoch.map_or("-".into(), |e| e.to_string()));
                }
                ui.end_row();
            }
        });
        let mut summary = format!(
            "mean ± sd: clips {}, tracks {}",
            cv.accuracy.percent(),
            cv.track_accuracy.percent()
        );
        if let (Some(p), Some(t)) = (cv.probe_accuracy, cv.probe_track_accuracy) {
            summary += &format!(
                "; linear probe: clips {}, tracks {}",
                p.percent(),
                t.percent()
            );
        }
        ui.label(summary);
        for note in &cv.notes {
            ui.label(RichText::new(format!("note: {note}")).small().weak());
        }
    }
    ui.add_space(10.0);
    match &model.explanation {
        Some(Derived::Ready(e)) => spaces_table_ui(ui, &e.spaces, &e.probe_protocol),
        Some(Derived::Computing) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Measuring each space…");
            });
        }
        Some(Derived::Failed(why)) => {
            ui.label(RichText::new(why).color(ui.visuals().warn_fg_color));
        }
        None => {
            if ui
                .button("Measure each space (nearest neighbours, a linear probe)")
                .on_hover_text("Also in the Explain tab, with what each direction follows")
                .clicked()
            {
                out.push(Command::MeasureSpaces);
            }
        }
    }
}
