//! The three linked PCA maps (raw input, bottleneck, logits: the paper's Figures 1, 5 and 6),
//! their shared genre legend, and the details of the hovered or selected clip.

use egui::{Color32, RichText, Ui};
use egui_plot::{Plot, PlotPoint, Points};

use crate::dataset::Split;
use crate::model::ModelKind;
use crate::projection::Projection;

use super::events::Command;
use super::state::{AppState, SegmentInfo};
use super::theme::{genre_color, split_shape, split_symbol, HIGHLIGHT};

/// The plot id of a map ("map-raw", "map-code" or "map-logits"): its egui_plot memory holds the
/// transform from data to screen.
pub fn map_plot_id(name: &str) -> egui::Id {
    egui::Id::unique(("genrescope-map", name))
}

/// Each genre's points are dealt over this many draw layers (see `map_ui`).
const LAYERS: usize = 8;

/// The default view: the 1st to 99th percentile of each axis with a margin, so a few outliers
/// do not squash the rest into a dot. Zooming out still reaches them.
fn robust_bounds(points: &[[f64; 2]]) -> ((f64, f64), (f64, f64)) {
    let range = |axis: usize| {
        let mut v: Vec<f64> = points
            .iter()
            .map(|p| p[axis])
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            return (-1.0, 1.0);
        }
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        let (lo, hi) = (at(0.01), at(0.99));
        let margin = ((hi - lo) * 0.08).max(1e-9);
        (lo - margin, hi + margin)
    };
    (range(0), range(1))
}

/// Pointer distance (in points) within which a marker counts as hovered.
const HOVER_RADIUS: f32 = 8.0;

/// One map's content, or why there is none yet.
struct MapView<'a> {
    id: &'static str,
    title: String,
    map: Result<&'a Projection, String>,
}

fn views(state: &AppState) -> [MapView<'_>; 3] {
    let raw = match state.data.as_ref() {
        Some(d) => match (&d.raw_map, &d.raw_map_error) {
            (Some(p), _) => Ok(p),
            (None, Some(e)) => Err(format!("No map: {e}")),
            (None, None) => Err("Computing the PCA of the raw input…".into()),
        },
        None => Err(String::new()),
    };
    let dim = state.dataset().map_or(500, |d| d.dim());
    let model = state.model.as_ref();
    let kind = model.map(|m| m.saved.meta.model.kind);
    let pending = || -> String {
        match model {
            None if state.training.is_some() => "Training… the map appears when it is done.".into(),
            None => "No model yet: train one or open one (left).".into(),
            Some(m) => m
                .maps_error
                .clone()
                .map_or_else(|| "Encoding every clip…".into(), |e| format!("No map: {e}")),
        }
    };
    let maps = model.and_then(|m| m.maps.as_ref());
    let code = match maps {
        Some(m) => m.code_map.as_ref().map_err(|e| format!("No map: {e}")),
        None => Err(pending()),
    };
    let logits = match (kind, maps) {
        (Some(ModelKind::Autoencoder), _) => {
            Err("The autoencoder has no classifier, so no logits.".into())
        }
        (_, Some(m)) => match &m.logits_map {
            Some(Ok(p)) => Ok(p),
            Some(Err(e)) => Err(format!("No map: {e}")),
            None => Err("This model has no logits.".into()),
        },
        (_, None) => Err(pending()),
    };
    let n_classes = model.map_or(state.dataset().map_or(4, |d| d.genres.len()), |m| {
        m.saved.meta.model.n_classes
    });
    let code_title = match kind {
        Some(ModelKind::Baseline) => "Hidden layer (128-d, baseline)".to_string(),
        _ => "Bottleneck (64-d)".to_string(),
    };
    [
        MapView {
            id: "map-raw",
            title: format!("Raw input ({dim}-d)"),
            map: raw,
        },
        MapView {
            id: "map-code",
            title: code_title,
            map: code,
        },
        MapView {
            id: "map-logits",
            title: format!("Logits ({n_classes}-d)"),
            map: logits,
        },
    ]
}

pub fn maps_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(data) = state.data.as_ref() else {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 3.0);
            ui.heading("Open a folder of music to explore");
            ui.label("Use Open folder…, drag a folder onto this window, or type its path on the left.");
            ui.label("Expected layout: <folder>/<genre>/*.wav (also GTZAN's genres/ and Kaggle's genres_original/).");
        });
        return;
    };
    legend_ui(ui, state, out);
    let details_height = 64.0;
    let plot_height = (ui.available_height() - details_height).max(160.0);
    let views = views(state);
    let mut hover: Option<Option<usize>> = None;
    ui.columns(3, |columns| {
        for (ui, view) in columns.iter_mut().zip(&views) {
            if let Some(h) = map_ui(ui, state, view, plot_height, out) {
                hover = Some(h);
            }
        }
    });
    let hovered = hover.flatten();
    if hovered != state.hovered {
        out.push(Command::Hover(hovered));
    }
    details_ui(ui, state, data.dataset.len(), out);
}

fn legend_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(ds) = state.dataset() else { return };
    let counts = ds.genre_counts();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Genres:").strong());
        for (g, count) in counts.iter().enumerate() {
            let shown = !state.hidden_genres.contains(&g);
            let color = if shown {
                genre_color(g)
            } else {
                Color32::DARK_GRAY
            };
            let text =
                RichText::new(format!("● {} ({})", count.genre, count.segments)).color(color);
            let button = ui.selectable_label(shown, text).on_hover_text(if shown {
                "Click to hide this genre on every map"
            } else {
                "Click to show this genre again"
            });
            if button.clicked() {
                out.push(Command::ToggleGenre(g));
            }
        }
        if state.model.as_ref().is_some_and(|m| m.splits.is_some()) {
            ui.separator();
            let key: Vec<String> = Split::ALL
                .iter()
                .map(|&s| format!("{} {}", split_symbol(s), s.name()))
                .collect();
            ui.label(key.join("  "));
        }
        if let Some(label) = &state.highlight_label {
            ui.separator();
            ui.label(RichText::new(format!("○ {label}")).color(HIGHLIGHT));
            if ui.small_button("clear").clicked() {
                out.push(Command::ClearSelection);
            }
        }
    });
}

/// Draws one map; returns `Some(hovered segment)` when the pointer is over this map.
fn map_ui(
    ui: &mut Ui,
    state: &AppState,
    view: &MapView,
    height: f32,
    out: &mut Vec<Command>,
) -> Option<Option<usize>> {
    ui.label(RichText::new(&view.title).strong());
    let projection = match &view.map {
        Ok(p) => *p,
        Err(message) => {
            let (rect, _) = ui.allocate_exact_size(
                egui::vec2(ui.available_width(), height),
                egui::Sense::hover(),
            );
            ui.painter()
                .rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                message,
                egui::FontId::proportional(13.0),
                ui.visuals().weak_text_color(),
            );
            return None;
        }
    };
    let ds = state.dataset()?;
    let splits = state.model.as_ref().and_then(|m| m.splits.as_ref());
    let visible = |i: usize| !state.hidden_genres.contains(&ds.label(i));
    // Plot items by (layer, genre, split): colour says genre, marker shape says split. Each
    // genre is dealt over several layers drawn in turn, so no genre sits on top of the others.
    let n_genres = ds.genres.len();
    let mut groups: Vec<Vec<[f64; 2]>> = vec![Vec::new(); LAYERS * n_genres * 4];
    for (i, p) in projection.points.iter().enumerate() {
        if visible(i) {
            let split = splits.map_or(0, |s| 1 + s[i] as usize);
            let layer = i % LAYERS;
            groups[(layer * n_genres + ds.label(i)) * 4 + split].push(*p);
        }
    }
    let (x_range, y_range) = robust_bounds(&projection.points);
    let ring = |indices: &mut dyn Iterator<Item = usize>| -> Vec<[f64; 2]> {
        indices
            .filter(|&i| i < projection.points.len())
            .map(|i| projection.points[i])
            .collect()
    };
    let highlighted = ring(&mut state.highlighted.iter().copied());
    let focus = ring(&mut state.hovered.into_iter().chain(state.selected));
    let response = Plot::new(view.id)
        .id(map_plot_id(view.id))
        .height(height)
        .x_axis_label(format!(
            "PC1 ({:.1}% of variance)",
            100.0 * projection.explained[0]
        ))
        .y_axis_label(format!("PC2 ({:.1}%)", 100.0 * projection.explained[1]))
        .show_x(false)
        .show_y(false)
        .default_x_bounds(x_range.0, x_range.1)
        .default_y_bounds(y_range.0, y_range.1)
        .show(ui, |plot_ui| {
            for (k, points) in groups.into_iter().enumerate() {
                if points.is_empty() {
                    continue;
                }
                let (genre, split) = ((k / 4) % n_genres, k % 4);
                let split = if split == 0 {
                    None
                } else {
                    Some(Split::ALL[split - 1])
                };
                plot_ui.points(
                    Points::new(ds.genres[genre].clone(), points)
                        .color(genre_color(genre).gamma_multiply(0.85))
                        .shape(split_shape(split))
                        .radius(2.2)
                        .allow_hover(false),
                );
            }
            if !highlighted.is_empty() {
                plot_ui.points(
                    Points::new("selected cell", highlighted)
                        .color(HIGHLIGHT)
                        .filled(false)
                        .radius(5.0)
                        .allow_hover(false),
                );
            }
            if !focus.is_empty() {
                plot_ui.points(
                    Points::new("focus", focus)
                        .color(HIGHLIGHT)
                        .filled(false)
                        .radius(7.0)
                        .allow_hover(false),
                );
            }
        });
    let pointer = response.response.hover_pos()?;
    let transform = &response.transform;
    let nearest = projection
        .points
        .iter()
        .enumerate()
        .filter(|&(i, _)| visible(i))
        .map(|(i, p)| {
            (
                i,
                transform
                    .position_from_point(&PlotPoint::new(p[0], p[1]))
                    .distance(pointer),
            )
        })
        .filter(|&(_, d)| d <= HOVER_RADIUS)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    if let Some(i) = nearest {
        if let Some(info) = state.segment_info(i) {
            response
                .response
                .clone()
                .on_hover_ui_at_pointer(|ui| segment_tooltip(ui, &info));
        }
        if response.response.clicked() {
            out.push(Command::Select(i));
        }
    }
    Some(nearest)
}

fn segment_tooltip(ui: &mut Ui, info: &SegmentInfo) {
    ui.label(RichText::new(&info.track).strong());
    ui.label(format!("{:.2}-{:.2} s", info.start_secs, info.end_secs));
    ui.label(format!("true genre: {}", info.genre));
    match &info.predicted {
        Some((genre, p)) => ui.label(format!("predicted: {genre} ({:.0}%)", 100.0 * p)),
        None => ui.label("predicted: - (no classifier)"),
    };
    if let Some(split) = info.split {
        ui.label(format!("split: {}", split.name()));
    }
    ui.label(RichText::new("click to play").weak());
}

fn details_ui(ui: &mut Ui, state: &AppState, n_segments: usize, out: &mut Vec<Command>) {
    ui.separator();
    let focus = state.hovered.or(state.selected);
    ui.horizontal_wrapped(|ui| match focus.and_then(|i| state.segment_info(i).map(|info| (i, info))) {
        Some((i, info)) => {
            let what = if Some(i) == state.selected && state.hovered.is_none() { "Selected" } else { "Clip" };
            ui.label(RichText::new(format!("{what}: {}", info.track)).strong());
            ui.label(format!("{:.2}-{:.2} s", info.start_secs, info.end_secs));
            ui.label(format!("true: {}", info.genre));
            if let Some((g, p)) = &info.predicted {
                let right = *g == info.genre;
                let color = if right { Color32::from_rgb(120, 200, 120) } else { Color32::from_rgb(230, 120, 110) };
                ui.label(RichText::new(format!("predicted: {g} ({:.0}%)", 100.0 * p)).color(color));
            }
            if let Some(split) = info.split {
                ui.label(format!("split: {}", split.name()));
            }
            if let Some(sel) = state.selected {
                if ui.button("▶ Play selected").clicked() {
                    out.push(Command::PlaySegment(sel));
                }
            }
        }
        None => {
            ui.label(format!(
                "{n_segments} clips. Hover a point for its details; click to hear it; space stops. Drag to pan, scroll to zoom, double-click to reset."
            ));
        }
    });
}
