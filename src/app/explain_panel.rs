//! The Explain tab: what the model's spaces hold on this folder. Each space's extrinsic scores
//! (k-nearest-neighbour genre accuracy and precision@10 with a clip's own track left out, a
//! linear probe over folds of tracks); a heatmap of the Spearman correlation of every direction
//! (the bottleneck's principal components, each code dimension, each logit) with every audio
//! descriptor, whose cells colour the maps by that descriptor and draw the direction; and the
//! code's mutual information gap for genre and each descriptor.

use egui::{Color32, RichText, Ui};

use crate::analysis::explain::{Axis, Explanation, SpaceScores, EXPLAINED_PCS};
use crate::dataset::Descriptor;

use super::events::Command;
use super::state::{AppState, Derived};

fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// Blue (follows it the other way) through grey (not at all) to red (follows it), by |ρ|.
pub fn correlation_color(rho: f64) -> Color32 {
    let a = rho.abs().clamp(0.0, 1.0) as f32;
    let (r, g, b) = if rho >= 0.0 {
        (220.0, 70.0, 60.0)
    } else {
        (60.0, 120.0, 230.0)
    };
    let grey = 45.0;
    let mix = |c: f32| (grey + (c - grey) * a).round() as u8;
    Color32::from_rgb(mix(r), mix(g), mix(b))
}

pub fn explain_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(model) = state.model() else {
        ui.label("Train a model or open one: its spaces are measured here.");
        return;
    };
    match &model.explanation {
        None | Some(Derived::Computing) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(
                    "Measuring the spaces: neighbours, a linear probe over folds of tracks, the \
                     correlations with the audio descriptors, MIG…",
                );
            });
        }
        Some(Derived::Failed(why)) => {
            ui.label(RichText::new(why).color(ui.visuals().warn_fg_color));
        }
        Some(Derived::Ready(e)) => explanation_ui(ui, e, model.genres(), out),
    }
}

fn explanation_ui(ui: &mut Ui, e: &Explanation, genres: &[String], out: &mut Vec<Command>) {
    ui.heading("What the model's spaces hold");
    ui.label(format!(
        "{} clips of {} tracks; {} of those tracks were in the model's training, so its spaces \
         were fitted to them.",
        e.clips, e.tracks, e.tracks_in_training
    ));
    ui.add_space(6.0);
    spaces_table_ui(ui, &e.spaces, &e.probe_protocol);
    ui.add_space(8.0);
    ui.label(RichText::new("What each direction follows").strong());
    ui.label(
        RichText::new(
            "Spearman's ρ of each direction with each descriptor of the clips' audio (librosa's \
             definitions). Click a cell: the maps are coloured by its descriptor and the \
             direction is drawn.",
        )
        .small()
        .weak(),
    );
    heatmap_ui(ui, e, genres, out);
    ui.add_space(8.0);
    ui.label(RichText::new("How disentangled the code is").strong());
    ui.label(
        RichText::new(
            "Mutual information gap (Chen et al. 2018): the most informative code dimension's \
             lead over the second, as a share of the factor's entropy (1: one dimension alone \
             carries it). Dimensions discretised in 20 equal-width bins, descriptors in 20 \
             equal-count bins.",
        )
        .small()
        .weak(),
    );
    egui::Grid::new("mig").striped(true).show(ui, |ui| {
        ui.label(RichText::new("factor").strong());
        ui.label(RichText::new("MIG").strong());
        ui.label(RichText::new("carried by").strong());
        ui.end_row();
        for g in &e.mig {
            ui.label(g.factor);
            ui.label(format!("{:.3}", g.mig));
            ui.label(format!("code_{}", g.dimension));
            ui.end_row();
        }
    });
    for note in &e.notes {
        ui.label(RichText::new(format!("note: {note}")).small().weak());
    }
}

/// Each space's extrinsic scores (the Explain tab and the Metrics tab show it).
pub fn spaces_table_ui(ui: &mut Ui, spaces: &[SpaceScores], probe_protocol: &str) {
    ui.label(RichText::new("Each space on an extrinsic task").strong());
    ui.label(
        RichText::new(format!(
            "Genre by the 5 nearest clips and precision@10, a clip's own track never counting \
             among its neighbours; a linear probe (logistic regression) over {probe_protocol}."
        ))
        .small()
        .weak(),
    );
    egui::Grid::new("spaces").striped(true).show(ui, |ui| {
        for h in [
            "space",
            "dim",
            "5-NN accuracy",
            "linear probe",
            "precision@10",
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for s in spaces {
            ui.label(s.space);
            ui.label(s.dim.to_string());
            ui.label(pct(s.knn_accuracy));
            ui.label(pct(s.probe_accuracy));
            ui.label(pct(s.precision_at_10));
            ui.end_row();
        }
    });
}

/// The axes in the heatmap's order: components, logits, then the code dimensions.
fn axes(e: &Explanation, genres: &[String]) -> Vec<Axis> {
    let mut axes: Vec<Axis> = (0..EXPLAINED_PCS).map(Axis::Pc).collect();
    axes.extend((0..genres.len()).map(Axis::Logit));
    axes.retain(|&a| {
        Descriptor::ALL
            .iter()
            .any(|&d| e.correlation(a, d).is_some())
    });
    let mut dims: Vec<usize> = e
        .correlations
        .iter()
        .filter_map(|c| match c.which {
            Axis::Code(j) => Some(j),
            _ => None,
        })
        .collect();
    dims.sort_unstable();
    dims.dedup();
    axes.extend(dims.into_iter().map(Axis::Code));
    axes
}

fn heatmap_ui(ui: &mut Ui, e: &Explanation, genres: &[String], out: &mut Vec<Command>) {
    let descriptors: Vec<Descriptor> = Descriptor::ALL
        .iter()
        .copied()
        .filter(|&d| e.correlations.iter().any(|c| c.of == d))
        .collect();
    let (cell, label_width) = (egui::vec2(74.0, 16.0), 130.0);
    ui.horizontal(|ui| {
        ui.add_space(label_width);
        for d in &descriptors {
            ui.add_sized(
                cell,
                egui::Label::new(RichText::new(d.column()).small()).truncate(),
            );
        }
    });
    egui::ScrollArea::vertical()
        .max_height(360.0)
        .id_salt("heatmap")
        .show(ui, |ui| {
            for axis in axes(e, genres) {
                let name = axis.name(genres);
                ui.horizontal(|ui| {
                    ui.add_sized(
                        egui::vec2(label_width, cell.y),
                        egui::Label::new(RichText::new(&name).small().monospace()),
                    );
                    for &d in &descriptors {
                        let rho = e.correlation(axis, d);
                        let (rect, response) = ui.allocate_exact_size(cell, egui::Sense::click());
                        let fill = rho.map_or(Color32::from_gray(30), correlation_color);
                        ui.painter().rect_filled(rect.shrink(1.0), 2.0, fill);
                        if let Some(r) = rho {
                            ui.painter().text(
                                rect.center(),
                                egui::Align2::CENTER_CENTER,
                                format!("{r:+.2}"),
                                egui::FontId::proportional(11.0),
                                Color32::WHITE,
                            );
                        }
                        let label = format!("{name} × {}", d.column());
                        response.widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::Button, true, &label)
                        });
                        let response = response.on_hover_text(match rho {
                            Some(r) => format!(
                                "{name} and {} ({}): ρ = {r:+.3}. Click to colour the maps by \
                                 it and draw the direction.",
                                d.label(),
                                d.column()
                            ),
                            None => format!("{name} does not vary: no correlation"),
                        });
                        if response.clicked() {
                            if let Some(rho) = rho {
                                out.push(Command::ShowDirection {
                                    axis,
                                    descriptor: d,
                                    rho,
                                });
                            }
                        }
                    }
                });
            }
        });
}
