//! Compare mode's instrument: what the two models share, how often they agree, the
//! cross-table of their predictions, the clips whose neighbourhoods moved most (each playable),
//! and A's reconstruction by either decoder for A/B listening.

use egui::{RichText, Ui};

use super::events::{ClipVersion, Command};
use super::state::{AppState, Derived, ModelState};

/// Clips listed as having moved most.
const MOVED_SHOWN: usize = 12;

pub fn compare_ui(ui: &mut Ui, state: &AppState, model: &ModelState, out: &mut Vec<Command>) {
    let view = match &model.compare {
        None => {
            ui.label(
                "Compare this model with a second one on the same folder: the model panel \
                 (left) offers the shipped models and any model file.",
            );
            return;
        }
        Some(Derived::Computing) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the folder with the second model…");
            });
            return;
        }
        Some(Derived::Failed(why)) => {
            ui.colored_label(egui::Color32::from_rgb(200, 80, 60), why);
            return;
        }
        Some(Derived::Ready(view)) => view,
    };
    let c = &view.comparison;
    ui.label(RichText::new(format!("This model beside {}", view.source)).strong());
    ui.label(RichText::new(&view.shared).small());
    if let (Some(share), Some(table)) = (c.agreement, &c.cross_table) {
        ui.label(format!(
            "Same genre from both on {:.1} % of the clips. Rows: this model's prediction; \
             columns: the second's.",
            100.0 * share
        ));
        egui::Grid::new("compare-cross-table")
            .striped(true)
            .show(ui, |ui| {
                ui.label("");
                for g in &table.columns {
                    ui.label(RichText::new(g).small());
                }
                ui.end_row();
                for (r, (g, row)) in table.rows.iter().zip(&table.counts).enumerate() {
                    ui.label(RichText::new(g).small());
                    for (k, n) in row.iter().enumerate() {
                        let same = table.columns.get(k) == table.rows.get(r);
                        let text = RichText::new(n.to_string()).small();
                        ui.label(if same { text.strong() } else { text });
                    }
                    ui.end_row();
                }
            });
    }
    if let Some(mean) = c.mean_moved() {
        ui.label(format!(
            "Moved most: a clip's 10 nearest clips from other tracks in this bottleneck \
             against the second's (Jaccard distance, 1 = none shared; mean {mean:.2}). Click to \
             hear one as A."
        ));
        let ds = state.dataset();
        egui::ScrollArea::vertical()
            .id_salt("compare-moved")
            .max_height(140.0)
            .show(ui, |ui| {
                for k in c.most_moved(MOVED_SHOWN) {
                    let (i, _) = c.pairs[k];
                    let name = ds.map_or_else(String::new, |d| d.segment_label(i));
                    if ui
                        .selectable_label(
                            state.picks().a == Some(i),
                            format!("{:.2}  {name}", c.moved[k]),
                        )
                        .clicked()
                    {
                        out.push(Command::PickA(i));
                    }
                }
            });
    }
    for note in &c.notes {
        ui.label(RichText::new(format!("Note: {note}")).small().weak());
    }
    let Some(a) = state.picks().a else {
        return;
    };
    if state.picks().b.is_some() {
        ui.horizontal_wrapped(|ui| {
            // This model's own path is the A → B instrument's (it keeps the trace on the maps).
            ui.label("The A → B path (this model's: the A → B tab):");
            if ui
                .add_enabled(
                    view.saved.meta.model.kind.has_decoder(),
                    egui::Button::new("▶ in the second model's space"),
                )
                .on_hover_text("Its own codes of A's and B's clips, the same steps of t")
                .clicked()
            {
                out.push(Command::PlaySecondPath);
            }
        });
    }
    let decodes = (
        model.has_decoder(),
        view.saved.meta.model.kind.has_decoder(),
    );
    ui.horizontal_wrapped(|ui| {
        ui.label("A's reconstruction:");
        if ui
            .add_enabled(decodes.0, egui::Button::new("▶ by this model"))
            .clicked()
        {
            out.push(Command::PlayVersion {
                segment: a,
                version: ClipVersion::Reconstruction,
            });
        }
        if ui
            .add_enabled(
                decodes.1 && view.second_of(a).is_some(),
                egui::Button::new("▶ by the second model"),
            )
            .clicked()
        {
            out.push(Command::PlayVersion {
                segment: a,
                version: ClipVersion::SecondReconstruction,
            });
        }
    });
}
