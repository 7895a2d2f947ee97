//! A library's tracks as the model sees them, in place of the tables a labelled folder gets:
//! each track's verdict over all its segments, how sure the model is and how its segments
//! split; a genre or a track selects its clips on the maps (and from there, a playlist).

use egui::{RichText, Ui};

use super::events::{ClipVersion, Command};
use super::state::AppState;
use super::theme::genre_color;

pub fn library_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let (Some(ds), Some(model)) = (state.dataset(), state.model()) else {
        ui.label("Open a model (left) to see what it makes of each track of this library.");
        return;
    };
    let Some(view) = state.model_view() else {
        ui.label("Encoding every clip…");
        return;
    };
    let genres = model.genres();
    if view.track_verdicts.is_empty() {
        ui.label(format!(
            "The {} has no genre head, so it gives no verdicts: the maps still show where each \
             track lands.",
            model.source
        ));
        return;
    }
    ui.heading(format!(
        "{} tracks of {}, through the {}",
        view.track_verdicts.len(),
        ds.source.label(),
        model.source
    ));
    ui.label(
        RichText::new(
            "No labels here, so no accuracy: each verdict is the genre of the mean of the \
             track's segment probabilities, over segments spread across the whole track.",
        )
        .italics(),
    );
    ui.add_space(4.0);
    let mut counts = vec![0usize; genres.len()];
    for (_, v) in &view.track_verdicts {
        if let Some(n) = counts.get_mut(v.verdict) {
            *n += 1;
        }
    }
    ui.horizontal_wrapped(|ui| {
        for (g, (genre, n)) in genres.iter().zip(&counts).enumerate() {
            let text = RichText::new(format!("● {genre}: {n} track(s)")).color(genre_color(g));
            if ui
                .button(text)
                .on_hover_text("Select every clip predicted so, on every map")
                .clicked()
            {
                out.push(Command::SelectPredicted(g));
            }
        }
    });
    ui.add_space(4.0);
    // Only the rows in view are laid out: a library can hold ten thousand tracks.
    let row_height = ui.text_style_height(&egui::TextStyle::Button) + 4.0;
    egui::ScrollArea::vertical()
        .id_salt("library-tracks")
        .show_rows(ui, row_height, view.track_verdicts.len(), |ui, rows| {
            for (t, verdict) in &view.track_verdicts[rows] {
                let Some(track) = ds.tracks.get(*t) else {
                    continue;
                };
                ui.horizontal(|ui| {
                    if ui
                        .small_button("▶")
                        .on_hover_text("Play the middle of this track")
                        .clicked()
                    {
                        if let Some(segment) = ds.middle_segment(*t) {
                            out.push(Command::PlayVersion {
                                segment,
                                version: ClipVersion::Original,
                            });
                        }
                    }
                    let genre = genres.get(verdict.verdict).map_or("?", String::as_str);
                    ui.add_sized(
                        [90.0, row_height],
                        egui::Label::new(
                            RichText::new(format!("{genre} {:.0}%", 100.0 * verdict.confidence()))
                                .color(genre_color(verdict.verdict)),
                        ),
                    );
                    let shown = track
                        .path
                        .strip_prefix(ds.source.folder().unwrap_or(&track.path))
                        .unwrap_or(&track.path)
                        .display()
                        .to_string();
                    if ui
                        .link(shown)
                        .on_hover_text("Select this track's clips on the maps")
                        .clicked()
                    {
                        out.push(Command::SelectTrack(*t));
                    }
                    let shares: Vec<String> = genres
                        .iter()
                        .zip(&verdict.segment_share)
                        .filter(|(_, &s)| s >= 0.05)
                        .map(|(g, s)| format!("{g} {:.0}%", 100.0 * s))
                        .collect();
                    let of = if track.segments_in_track > track.n_segments {
                        format!("{} of {}", track.n_segments, track.segments_in_track)
                    } else {
                        track.n_segments.to_string()
                    };
                    // A verdict on a track the model trained on is no evidence of anything.
                    let trained = model
                        .splits
                        .as_ref()
                        .and_then(|s| s.get(ds.track_segments(*t).start))
                        .is_some_and(|s| *s == crate::dataset::Split::Train);
                    ui.label(
                        RichText::new(format!(
                            "{of} segments: {}{}",
                            shares.join(", "),
                            if trained {
                                " · the model trained on this track"
                            } else {
                                ""
                            }
                        ))
                        .small(),
                    );
                });
            }
        });
}
