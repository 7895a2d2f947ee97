//! The three linked PCA maps (raw input, bottleneck, logits: the paper's Figures 1, 5 and 6),
//! their shared genre legend, and the details of the hovered or selected clip.

use egui::{Color32, RichText, Ui};
use egui_plot::{Plot, PlotPoint, Points};

use crate::dataset::Split;
use crate::model::ModelKind;
use crate::projection::Projection;

use super::events::Command;
use super::state::{AppState, ColorBy, SegmentInfo};
use super::theme::{genre_color, split_shape, split_symbol, HIGHLIGHT};

/// The plot id of a map ("map-raw", "map-code" or "map-logits"): its egui_plot memory holds the
/// transform from data to screen.
pub fn map_plot_id(name: &str) -> egui::Id {
    egui::Id::unique(("genrescope-map", name))
}

/// Colour of the interpolation path, its ends and its current point.
const PATH_COLOR: Color32 = Color32::from_rgb(255, 230, 90);
/// Steps of the reconstruction-error colour scale.
const ERROR_LEVELS: usize = 8;

/// Each clip's reconstruction error as a level 0..ERROR_LEVELS on a log scale between the 5th
/// and 95th percentiles, when the maps are coloured by it.
fn error_levels(state: &AppState) -> Option<Vec<usize>> {
    if state.color_by != ColorBy::ReconstructionError {
        return None;
    }
    let errors = state
        .model
        .as_ref()?
        .maps
        .as_ref()?
        .reconstruction_error
        .as_ref()?;
    let logs: Vec<f64> = errors
        .iter()
        .map(|&e| f64::from(e).max(1e-12).ln())
        .collect();
    let mut sorted = logs.clone();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len().max(1) - 1) as f64 * q).round() as usize];
    let (lo, hi) = (at(0.05), at(0.95));
    let span = (hi - lo).max(1e-12);
    Some(
        logs.iter()
            .map(|&l| {
                (((l - lo) / span * ERROR_LEVELS as f64) as isize)
                    .clamp(0, ERROR_LEVELS as isize - 1) as usize
            })
            .collect(),
    )
}

/// Dark blue (well reconstructed) to yellow (badly), roughly viridis.
pub fn error_color(level: usize) -> Color32 {
    const STOPS: [(u8, u8, u8); 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (253, 231, 37),
    ];
    let x = level as f32 / (ERROR_LEVELS - 1) as f32 * (STOPS.len() - 1) as f32;
    let k = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - k as f32;
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    Color32::from_rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
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
    /// The interpolation path and its current point, on the maps that can show them.
    path: &'a [[f64; 2]],
    current: Option<[f64; 2]>,
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
            path: &[],
            current: None,
        },
        MapView {
            id: "map-code",
            title: code_title,
            map: code,
            path: &state.interp.path_code_xy,
            current: state.interp.current_code_xy,
        },
        MapView {
            id: "map-logits",
            title: format!("Logits ({n_classes}-d)"),
            map: logits,
            path: &state.interp.path_logits_xy,
            current: state.interp.current_logits_xy,
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
        let has_errors = state
            .model
            .as_ref()
            .and_then(|m| m.maps.as_ref())
            .is_some_and(|m| m.reconstruction_error.is_some());
        if has_errors {
            ui.separator();
            let by_error = state.color_by == ColorBy::ReconstructionError;
            if ui
                .selectable_label(by_error, "colour by reconstruction error")
                .on_hover_text("Dark blue: reconstructed well; yellow: badly (log scale, 5th to 95th percentile)")
                .clicked()
            {
                out.push(Command::SetColorBy(if by_error { ColorBy::Genre } else { ColorBy::ReconstructionError }));
            }
        }
        // The marker key, for the splits this model actually has.
        if let Some(splits) = state.model.as_ref().and_then(|m| m.splits.as_ref()) {
            let key: Vec<String> = Split::ALL
                .iter()
                .filter(|s| splits.contains(s))
                .map(|&s| format!("{} {}", split_symbol(s), s.name()))
                .collect();
            if key.len() > 1 {
                ui.separator();
                ui.label(key.join("  "));
            }
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
    let errors = error_levels(state);
    let n_colors = if errors.is_some() {
        ERROR_LEVELS
    } else {
        ds.genres.len()
    };
    let color_of = |i: usize| errors.as_ref().map_or_else(|| ds.label(i), |e| e[i]);
    let mut groups: Vec<Vec<[f64; 2]>> = vec![Vec::new(); LAYERS * n_colors * 4];
    for (i, p) in projection.points.iter().enumerate() {
        if visible(i) {
            let split = splits.map_or(0, |s| 1 + s[i] as usize);
            let layer = i % LAYERS;
            groups[(layer * n_colors + color_of(i)) * 4 + split].push(*p);
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
                let (color, split) = ((k / 4) % n_colors, k % 4);
                let split = if split == 0 {
                    None
                } else {
                    Some(Split::ALL[split - 1])
                };
                let (name, fill) = if errors.is_some() {
                    (format!("error level {color}"), error_color(color))
                } else {
                    (ds.genres[color].clone(), genre_color(color))
                };
                plot_ui.points(
                    Points::new(name, points)
                        .color(fill.gamma_multiply(0.85))
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
            if view.path.len() >= 2 {
                plot_ui.line(
                    egui_plot::Line::new("path", egui_plot::PlotPoints::from(view.path.to_vec()))
                        .color(PATH_COLOR)
                        .width(2.0)
                        .allow_hover(false),
                );
            }
            for (label, index) in [("A", state.selected), ("B", state.interp.b)] {
                let Some(p) = index.and_then(|i| projection.points.get(i)) else {
                    continue;
                };
                plot_ui.points(
                    Points::new(label, vec![*p])
                        .color(PATH_COLOR)
                        .filled(false)
                        .radius(9.0)
                        .allow_hover(false),
                );
                plot_ui.text(
                    egui_plot::Text::new(
                        label,
                        PlotPoint::new(p[0], p[1]),
                        RichText::new(label).strong().size(15.0).color(PATH_COLOR),
                    )
                    .color(PATH_COLOR)
                    .anchor(egui::Align2::LEFT_BOTTOM)
                    .allow_hover(false),
                );
            }
            if let Some(p) = view.current {
                plot_ui.points(
                    Points::new("t", vec![p])
                        .color(PATH_COLOR)
                        .shape(egui_plot::MarkerShape::Asterisk)
                        .radius(9.0)
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
            // The release event carries the modifiers of the click itself.
            let shift = ui.input(|input| {
                input.modifiers.shift
                    || input.events.iter().any(|e| {
                        matches!(e, egui::Event::PointerButton { pressed: false, modifiers, .. } if modifiers.shift)
                    })
            });
            out.push(if shift {
                Command::SelectB(i)
            } else {
                Command::Select(i)
            });
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
    ui.label(RichText::new("click: play, and make it A · shift-click: make it B").weak());
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
