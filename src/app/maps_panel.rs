//! The three linked PCA maps (raw input, bottleneck, logits: the paper's Figures 1, 5 and 6),
//! their shared legend (genre toggles, colour by reconstruction error with its colour bar), and
//! the details of the hovered or selected clip.
//!
//! A map is drawn from a [`MapScene`]: everything one plot needs, borrowed. The window builds
//! scenes from its state; `bench` builds them from synthetic points.

use std::collections::BTreeSet;

use egui::{Color32, RichText, Ui};
use egui_plot::{Plot, PlotPoint, Points};

use crate::dataset::Split;
use crate::model::ModelKind;

use super::density::{density_image, density_texture, DensityInput, DENSITY_ABOVE};
use super::events::Command;
use super::state::{AppState, ColorBy, MapId, MapLayer, SegmentInfo, Tool, ERROR_LEVELS};
use super::theme::{genre_color, split_shape, split_symbol, HIGHLIGHT};

/// Colour of the interpolation path, its ends and its current point.
const PATH_COLOR: Color32 = Color32::from_rgb(255, 230, 90);
/// Ring around the clips that sound like A.
const NEIGHBOUR_COLOR: Color32 = Color32::from_rgb(120, 220, 255);
/// Markers of a placed song's segments.
const PLACED_COLOR: Color32 = Color32::WHITE;
/// Each genre's points are dealt over this many draw layers (see [`draw_map`]).
const LAYERS: usize = 8;
/// Pointer distance (in points) within which a marker counts as hovered.
const HOVER_RADIUS: f32 = 8.0;

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

/// Marks drawn over a map's points.
#[derive(Default)]
pub struct Marks<'a> {
    /// Segments picked as a group (a confusion cell), ringed.
    pub highlighted: &'a [usize],
    /// Hovered and selected segments, ringed.
    pub focus: Vec<usize>,
    pub a: Option<usize>,
    pub b: Option<usize>,
    /// The path the decoder last walked and its current point, on the maps that can show them.
    pub path: &'a [[f64; 2]],
    pub current: Option<[f64; 2]>,
    /// The clips found to sound like A.
    pub neighbours: Vec<usize>,
    /// A placed song's segments on this map.
    pub placed: Vec<[f64; 2]>,
    /// The probe's stroke.
    pub stroke: &'a [[f64; 2]],
    /// A box or lasso being drawn.
    pub outline: Option<&'a [[f64; 2]]>,
}

/// What pressing and dragging on a map does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DragUse {
    /// Pan the view; a click picks a clip.
    #[default]
    Pan,
    /// Play the decoder's sound of the point under the pointer.
    Probe,
    /// Draw a box or a lasso.
    Outline,
}

/// A press or drag on a map, in map coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapDrag {
    pub xy: [f64; 2],
    /// A new press.
    pub start: bool,
    /// The button was let go.
    pub done: bool,
}

/// Everything one map plot draws.
pub struct MapScene<'a> {
    pub id: egui::Id,
    pub layer: &'a MapLayer,
    pub genres: &'a [String],
    /// Each point's genre (index into `genres`).
    pub labels: &'a [u32],
    /// Each point's split (marker shape), when the model was trained on this data.
    pub splits: Option<&'a [Split]>,
    /// Each point's reconstruction-error level, when the colour shows that instead of genre.
    pub error_levels: Option<&'a [u8]>,
    pub hidden: &'a BTreeSet<usize>,
    pub marks: Marks<'a>,
    pub drag: DragUse,
    /// What to show about a hovered segment.
    pub tooltip: Option<&'a Tooltip<'a>>,
}

/// Draws what is known about a hovered segment.
pub type Tooltip<'a> = dyn Fn(&mut Ui, usize) + 'a;

/// What the pointer did on a map.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct MapInput {
    /// The pointer is over this map (and over this segment, if any).
    pub over: bool,
    pub hovered: Option<usize>,
    /// A click on a segment, and whether shift was held.
    pub clicked: Option<(usize, bool)>,
    /// A press or drag when it probes or outlines instead of panning.
    pub drag: Option<MapDrag>,
}

/// Which plot item a point goes into: colour says genre (or error level), marker shape says
/// split, and each colour is dealt over [`LAYERS`] draw layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Group {
    layer: usize,
    color: usize,
    split: Option<Split>,
}

impl Group {
    const SPLITS: usize = 4;

    fn index(self, colors: usize) -> usize {
        let split = self.split.map_or(0, |s| 1 + s as usize);
        (self.layer * colors + self.color) * Self::SPLITS + split
    }

    fn from_index(index: usize, colors: usize) -> Self {
        let split = match index % Self::SPLITS {
            0 => None,
            k => Some(Split::ALL[k - 1]),
        };
        let rest = index / Self::SPLITS;
        Self {
            layer: rest / colors,
            color: rest % colors,
            split,
        }
    }
}

/// The points of a dense map as one image over the current view.
fn draw_density(
    plot_ui: &mut egui_plot::PlotUi,
    scene: &MapScene,
    color_of: &(dyn Fn(usize) -> Option<Color32> + Sync),
) {
    use std::hash::{Hash, Hasher};
    let bounds = plot_ui.plot_bounds();
    let frame = *plot_ui.transform().frame();
    // One bin per two screen points: finer than a marker, coarse enough to bin fast.
    let size = [
        ((frame.width() / 2.0) as usize).max(1),
        ((frame.height() / 2.0) as usize).max(1),
    ];
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for v in bounds.min().iter().chain(&bounds.max()) {
        v.to_bits().hash(&mut hasher);
    }
    size.hash(&mut hasher);
    scene.hidden.hash(&mut hasher);
    scene.error_levels.is_some().hash(&mut hasher);
    scene.layer.projection.points.len().hash(&mut hasher);
    let ctx = plot_ui.ctx().clone();
    let texture = density_texture(&ctx, scene.id.with("density"), hasher.finish(), || {
        density_image(&DensityInput {
            points: &scene.layer.projection.points,
            color_of,
            bounds,
            size,
        })
    });
    let (min, max) = (bounds.min(), bounds.max());
    plot_ui.image(
        egui_plot::PlotImage::new(
            "density",
            texture.id(),
            PlotPoint::new((min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0),
            egui::vec2((max[0] - min[0]) as f32, (max[1] - min[1]) as f32),
        )
        .allow_hover(false),
    );
}

/// Draws one map and reports what the pointer did there.
pub fn draw_map(ui: &mut Ui, scene: &MapScene, height: f32) -> MapInput {
    let points = &scene.layer.projection.points;
    let visible = |i: usize| {
        scene
            .labels
            .get(i)
            .is_some_and(|&g| !scene.hidden.contains(&(g as usize)))
    };
    let colors = if scene.error_levels.is_some() {
        ERROR_LEVELS
    } else {
        scene.genres.len().max(1)
    };
    let color_of = |i: usize| match scene.error_levels {
        Some(levels) => usize::from(levels[i]),
        None => scene.labels[i] as usize,
    };
    let fill_of = |color: usize| match scene.error_levels {
        Some(_) => error_color(color),
        None => genre_color(color),
    };
    // Only what is in view (with a margin, so a pan shows no gap for the one frame before the
    // new view is known) is drawn; past DENSITY_ABOVE points it is drawn as a density image.
    let [x_range, y_range] = scene.layer.bounds;
    let (view_min, view_max) = egui_plot::PlotMemory::load(ui.ctx(), scene.id)
        .map(|m| (m.bounds().min(), m.bounds().max()))
        .unwrap_or(([x_range.0, y_range.0], [x_range.1, y_range.1]));
    let (mx, my) = (
        (view_max[0] - view_min[0]) * 0.5,
        (view_max[1] - view_min[1]) * 0.5,
    );
    let in_box = |p: &[f64; 2]| {
        p[0] >= view_min[0] - mx
            && p[0] <= view_max[0] + mx
            && p[1] >= view_min[1] - my
            && p[1] <= view_max[1] + my
    };
    let in_view = points
        .iter()
        .enumerate()
        .filter(|&(i, p)| visible(i) && in_box(p))
        .count();
    let dense = in_view > DENSITY_ABOVE;
    let mut groups: Vec<Vec<[f64; 2]>> = vec![Vec::new(); LAYERS * colors * Group::SPLITS];
    if !dense {
        for (i, p) in points.iter().enumerate() {
            if visible(i) && in_box(p) {
                let group = Group {
                    layer: i % LAYERS,
                    color: color_of(i),
                    split: scene.splits.and_then(|s| s.get(i).copied()),
                };
                groups[group.index(colors)].push(*p);
            }
        }
    }
    let ring = |indices: &mut dyn Iterator<Item = usize>| -> Vec<[f64; 2]> {
        indices.filter_map(|i| points.get(i).copied()).collect()
    };
    let highlighted = ring(&mut scene.marks.highlighted.iter().copied());
    let focus = ring(&mut scene.marks.focus.iter().copied());
    let neighbours = ring(&mut scene.marks.neighbours.iter().copied());
    let explained = |k: usize| {
        scene
            .layer
            .projection
            .explained
            .get(k)
            .copied()
            .unwrap_or(0.0)
    };
    let response = Plot::new(scene.id)
        .id(scene.id)
        .height(height)
        .x_axis_label(format!("PC1 ({:.1}% of variance)", 100.0 * explained(0)))
        .y_axis_label(format!("PC2 ({:.1}%)", 100.0 * explained(1)))
        .show_x(false)
        .show_y(false)
        .default_x_bounds(x_range.0, x_range.1)
        .default_y_bounds(y_range.0, y_range.1)
        .allow_drag(scene.drag == DragUse::Pan)
        .show(ui, |plot_ui| {
            if dense {
                let (labels, hidden, levels) = (scene.labels, scene.hidden, scene.error_levels);
                draw_density(plot_ui, scene, &move |i| {
                    let genre = *labels.get(i)? as usize;
                    if hidden.contains(&genre) {
                        return None;
                    }
                    let color = match levels {
                        Some(levels) => error_color(usize::from(levels[i])),
                        None => genre_color(genre),
                    };
                    Some(color.gamma_multiply(0.85))
                });
            }
            // Within each layer the colours take turns at being on top, so no genre hides
            // under the others where they overlap.
            for layer in 0..LAYERS {
                for c in 0..colors {
                    let color = (c + layer) % colors;
                    for split in 0..Group::SPLITS {
                        let index = (layer * colors + color) * Group::SPLITS + split;
                        let group_points = std::mem::take(&mut groups[index]);
                        if group_points.is_empty() {
                            continue;
                        }
                        let group = Group::from_index(index, colors);
                        let name = match scene.error_levels {
                            Some(_) => format!("error level {}", group.color),
                            None => scene.genres[group.color].clone(),
                        };
                        let fill = fill_of(group.color);
                        plot_ui.points(
                            Points::new(name, group_points)
                                .color(fill.gamma_multiply(0.85))
                                .shape(split_shape(group.split))
                                .radius(2.2)
                                .allow_hover(false),
                        );
                    }
                }
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
            if !neighbours.is_empty() {
                plot_ui.points(
                    Points::new("sounds like A", neighbours)
                        .color(NEIGHBOUR_COLOR)
                        .filled(false)
                        .radius(6.0)
                        .allow_hover(false),
                );
            }
            if !scene.marks.placed.is_empty() {
                if scene.marks.placed.len() >= 2 {
                    plot_ui.line(
                        egui_plot::Line::new(
                            "placed song",
                            egui_plot::PlotPoints::from(scene.marks.placed.clone()),
                        )
                        .color(PLACED_COLOR.gamma_multiply(0.35))
                        .width(1.0)
                        .allow_hover(false),
                    );
                }
                plot_ui.points(
                    Points::new("placed song", scene.marks.placed.clone())
                        .color(PLACED_COLOR)
                        .shape(egui_plot::MarkerShape::Asterisk)
                        .radius(6.0)
                        .allow_hover(false),
                );
            }
            if scene.marks.stroke.len() >= 2 {
                plot_ui.line(
                    egui_plot::Line::new(
                        "probe stroke",
                        egui_plot::PlotPoints::from(scene.marks.stroke.to_vec()),
                    )
                    .color(PATH_COLOR.gamma_multiply(0.6))
                    .width(1.5)
                    .allow_hover(false),
                );
            }
            if let Some(outline) = scene.marks.outline.filter(|o| o.len() >= 2) {
                let mut closed = outline.to_vec();
                closed.push(outline[0]);
                plot_ui.line(
                    egui_plot::Line::new("outline", egui_plot::PlotPoints::from(closed))
                        .color(HIGHLIGHT)
                        .width(1.5)
                        .style(egui_plot::LineStyle::dashed_loose())
                        .allow_hover(false),
                );
            }
            if scene.marks.path.len() >= 2 {
                plot_ui.line(
                    egui_plot::Line::new(
                        "path",
                        egui_plot::PlotPoints::from(scene.marks.path.to_vec()),
                    )
                    .color(PATH_COLOR)
                    .width(2.0)
                    .allow_hover(false),
                );
            }
            for (label, index) in [("A", scene.marks.a), ("B", scene.marks.b)] {
                let Some(p) = index.and_then(|i| points.get(i)) else {
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
            if let Some(p) = scene.marks.current {
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
    let transform = &response.transform;
    let drag = drag_of(&response.response, transform, scene.drag);
    let Some(pointer) = response.response.hover_pos() else {
        return MapInput {
            drag,
            ..MapInput::default()
        };
    };
    let hovered = points
        .iter()
        .enumerate()
        .filter(|&(i, _)| visible(i))
        .map(|(i, p)| {
            let at = transform.position_from_point(&PlotPoint::new(p[0], p[1]));
            (i, at.distance(pointer))
        })
        .filter(|&(_, d)| d <= HOVER_RADIUS)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    let picks = scene.drag != DragUse::Probe;
    let clicked = hovered
        .filter(|_| picks && response.response.clicked())
        .map(|i| {
            // The release event carries the modifiers of the click itself.
            let shift = ui.input(|input| {
                let released_with_shift = |e: &egui::Event| match e {
                    egui::Event::PointerButton {
                        pressed: false,
                        modifiers,
                        ..
                    } => modifiers.shift,
                    _ => false,
                };
                input.modifiers.shift || input.events.iter().any(released_with_shift)
            });
            (i, shift)
        });
    if let (Some(i), Some(tooltip)) = (hovered, scene.tooltip) {
        response
            .response
            .clone()
            .on_hover_ui_at_pointer(|ui| tooltip(ui, i));
    }
    MapInput {
        over: true,
        hovered,
        clicked,
        drag,
    }
}

/// A press, a move while pressed, or the release, when dragging probes or outlines. For the
/// probe a press that does not move (a click) counts as a press and its release.
fn drag_of(
    response: &egui::Response,
    transform: &egui_plot::PlotTransform,
    use_: DragUse,
) -> Option<MapDrag> {
    if use_ == DragUse::Pan {
        return None;
    }
    let at = |pos: egui::Pos2| {
        let p = transform.value_from_position(pos);
        [p.x, p.y]
    };
    let pos = response.interact_pointer_pos().or(response.hover_pos())?;
    // A click probes where it lands; with a box or lasso it picks a clip as in pan mode.
    if response.clicked() {
        return (use_ == DragUse::Probe).then(|| MapDrag {
            xy: at(pos),
            start: true,
            done: true,
        });
    }
    let start = response.drag_started();
    let done = response.drag_stopped();
    let moved = response.dragged() && response.drag_delta() != egui::Vec2::ZERO;
    // A drag is recognised only once the pointer has moved a little: it starts where the
    // button went down.
    let pos = match start {
        true => response
            .ctx
            .input(|i| i.pointer.press_origin())
            .unwrap_or(pos),
        false => pos,
    };
    (start || done || moved).then(|| MapDrag {
        xy: at(pos),
        start,
        done,
    })
}

/// One map's content, or why there is none yet.
fn map_status(state: &AppState, map: MapId) -> Result<&MapLayer, String> {
    if let Some(layer) = state.layer(map) {
        return Ok(layer);
    }
    let no_map = |e: &dyn std::fmt::Display| format!("No map: {e}");
    if map == MapId::Raw {
        return Err(match state.data.as_ref() {
            Some(d) => d.raw_map_error.as_ref().map_or_else(
                || "Computing the PCA of the raw input…".into(),
                |e| no_map(e),
            ),
            None => String::new(),
        });
    }
    let model = state.model.as_ref();
    if map == MapId::Logits
        && model.is_some_and(|m| m.saved.meta.model.kind == ModelKind::Autoencoder)
    {
        return Err("The autoencoder has no classifier, so no logits.".into());
    }
    Err(match model {
        None if state.is_training() => "Training… the map appears when it is done.".into(),
        None => "No model yet: train one or open one (left).".into(),
        Some(m) => match (&m.maps, &m.maps_error) {
            (_, Some(e)) => no_map(e),
            (None, None) => "Encoding every clip…".into(),
            (Some(maps), None) => match map {
                MapId::Code => maps
                    .code_map
                    .as_ref()
                    .err()
                    .map_or_else(String::new, |e| no_map(e)),
                _ => match &maps.logits_map {
                    Some(Err(e)) => no_map(e),
                    _ => "This model has no logits.".into(),
                },
            },
        },
    })
}

fn map_title(state: &AppState, map: MapId) -> String {
    let model = state.model.as_ref().map(|m| &m.saved.meta);
    let input = state
        .dataset()
        .map_or("waveform", |d| d.features.input.kind().name());
    match map {
        MapId::Raw => {
            let dim = state.dataset().map_or(500, |d| d.dim());
            format!("Raw input ({dim}-d {input})")
        }
        MapId::Code => match model {
            Some(m) if m.model.kind == ModelKind::Baseline => {
                "Hidden layer (128-d, baseline)".to_string()
            }
            _ => "Bottleneck (64-d)".to_string(),
        },
        MapId::Logits => {
            let n = model.map_or(state.dataset().map_or(4, |d| d.genres.len()), |m| {
                m.model.n_classes
            });
            format!("Logits ({n}-d)")
        }
    }
}

pub fn maps_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(data) = state.data.as_ref() else {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 3.0);
            if let Some(super::registry::JobKind::LoadData { source }) =
                state.loading().map(|j| &j.kind)
            {
                ui.heading(format!("Loading {}…", source.label()));
                return;
            }
            ui.heading("Open a folder of music to explore");
            ui.label(
                "Use Open folder…, drag a folder onto this window, or type its path on the left.",
            );
            ui.label(
                "Expected layout: <folder>/<genre>/*.wav (also GTZAN's genres/ and Kaggle's \
                 genres_original/).",
            );
        });
        return;
    };
    legend_ui(ui, state, out);
    let details_height = 48.0;
    let plot_height = (ui.available_height() - details_height - 24.0).max(120.0);
    let labels = &data.labels;
    let model = state.model.as_ref();
    let splits = model.and_then(|m| m.splits.as_deref());
    let error_levels = match state.view.color_by {
        ColorBy::ReconstructionError => model
            .and_then(|m| m.error_scale.as_ref())
            .map(|s| s.levels.as_slice()),
        ColorBy::Genre => None,
    };
    let focus: Vec<usize> = state
        .view
        .hovered
        .into_iter()
        .chain(state.view.selected)
        .collect();
    let interp = &state.interp;
    let trace = &state.trace;
    let instruments = &state.instruments;
    let neighbours: Vec<usize> = match (instruments.neighbours_of, state.view.selected) {
        (Some(of), Some(a)) if of == a => instruments.neighbours.iter().map(|n| n.0).collect(),
        _ => Vec::new(),
    };
    let ctrl = ui.input(|i| i.modifiers.command || i.modifiers.ctrl);
    let can_probe = model.is_some_and(|m| m.saved.meta.model.kind.has_decoder());
    let tooltip = |ui: &mut Ui, i: usize| {
        if let Some(info) = state.segment_info(i) {
            segment_tooltip(ui, &info);
        }
    };
    let mut input = MapInput::default();
    ui.columns(3, |columns| {
        for (ui, map) in columns.iter_mut().zip(MapId::ALL) {
            ui.add(egui::Label::new(RichText::new(map_title(state, map)).strong()).truncate());
            match map_status(state, map) {
                Ok(layer) => {
                    let (path, current) = match map {
                        MapId::Raw => (&[][..], None),
                        MapId::Code => (&trace.path_code_xy[..], trace.current_code_xy),
                        MapId::Logits => (&trace.path_logits_xy[..], trace.current_logits_xy),
                    };
                    let scene = MapScene {
                        id: state.map_plot_id(map),
                        layer,
                        genres: &data.dataset.genres,
                        labels,
                        splits,
                        error_levels,
                        hidden: &state.view.hidden_genres,
                        marks: Marks {
                            highlighted: &state.view.highlighted,
                            focus: focus.clone(),
                            a: state.view.selected,
                            b: interp.b,
                            path,
                            current,
                            neighbours: neighbours.clone(),
                            placed: placed_on(state, map),
                            stroke: if map == MapId::Code {
                                &instruments.stroke_xy
                            } else {
                                &[]
                            },
                            outline: instruments
                                .outline
                                .as_ref()
                                .filter(|(on, _)| *on == map)
                                .map(|(_, o)| o.as_slice()),
                        },
                        drag: match instruments.tool {
                            Tool::BoxSelect | Tool::LassoSelect => DragUse::Outline,
                            Tool::Probe if map == MapId::Code && can_probe => DragUse::Probe,
                            Tool::Pan if ctrl && map == MapId::Code && can_probe => DragUse::Probe,
                            _ => DragUse::Pan,
                        },
                        tooltip: Some(&tooltip),
                    };
                    let here = draw_map(ui, &scene, plot_height);
                    if let Some(drag) = here.drag {
                        out.push(match scene.drag {
                            DragUse::Probe => Command::ProbeAt {
                                xy: drag.xy,
                                start: drag.start,
                            },
                            _ => Command::Outline {
                                map,
                                xy: drag.xy,
                                start: drag.start,
                                done: drag.done,
                            },
                        });
                    }
                    if here.over {
                        input = here;
                    }
                }
                Err(message) => placeholder(ui, &message, plot_height),
            }
        }
    });
    if input.hovered != state.view.hovered {
        out.push(Command::Hover(input.hovered));
    }
    if let Some((i, shift)) = input.clicked {
        out.push(if shift {
            Command::SelectB(i)
        } else {
            Command::Select(i)
        });
    }
    details_ui(ui, state, out);
}

/// Where a placed song's segments land on `map`.
fn placed_on(state: &AppState, map: MapId) -> Vec<[f64; 2]> {
    let Some(placed) = &state.instruments.placed else {
        return Vec::new();
    };
    placed
        .segments
        .iter()
        .filter_map(|s| match map {
            MapId::Raw => s.raw_xy,
            MapId::Code => s.code_xy,
            MapId::Logits => s.logits_xy,
        })
        .collect()
}

fn placeholder(ui: &mut Ui, message: &str, height: f32) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::hover(),
    );
    ui.painter()
        .rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
    let galley = ui.painter().layout(
        message.to_string(),
        egui::FontId::proportional(13.0),
        ui.visuals().weak_text_color(),
        (rect.width() - 16.0).max(40.0),
    );
    let at = rect.center() - galley.size() / 2.0;
    ui.painter()
        .galley(at, galley, ui.visuals().weak_text_color());
}

fn legend_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(ds) = state.dataset() else { return };
    let counts = ds.genre_counts();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Genres:").strong());
        for (g, count) in counts.iter().enumerate() {
            let shown = !state.view.hidden_genres.contains(&g);
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
        let scale = state.model.as_ref().and_then(|m| m.error_scale.as_ref());
        if let Some(scale) = scale {
            ui.separator();
            let by_error = state.view.color_by == ColorBy::ReconstructionError;
            if ui
                .selectable_label(by_error, "colour by reconstruction error")
                .on_hover_text("Each clip's mean squared reconstruction error, on a log scale")
                .clicked()
            {
                out.push(Command::SetColorBy(if by_error {
                    ColorBy::Genre
                } else {
                    ColorBy::ReconstructionError
                }));
            }
            if by_error {
                colour_bar_ui(ui, scale);
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
        if let Some(label) = &state.view.highlight_label {
            ui.separator();
            ui.label(RichText::new(format!("○ {label}")).color(HIGHLIGHT));
            if ui.small_button("clear").clicked() {
                out.push(Command::ClearSelection);
            }
        }
    });
}

/// The error colour scale with its values at both ends and the middle.
fn colour_bar_ui(ui: &mut Ui, scale: &super::state::ErrorScale) {
    ui.label(RichText::new(format!("{:.2e}", scale.low)).small());
    let (rect, response) = ui.allocate_exact_size(egui::vec2(120.0, 12.0), egui::Sense::hover());
    let step = rect.width() / ERROR_LEVELS as f32;
    for level in 0..ERROR_LEVELS {
        let x0 = rect.left() + step * level as f32;
        let cell = egui::Rect::from_min_max(
            egui::pos2(x0, rect.top()),
            egui::pos2(x0 + step, rect.bottom()),
        );
        ui.painter().rect_filled(cell, 0.0, error_color(level));
    }
    response.on_hover_text(format!(
        "mean squared error per value: below {:.2e} (dark) to above {:.2e} (yellow); the middle \
         is {:.2e}",
        scale.low,
        scale.high,
        scale.level_value(ERROR_LEVELS / 2)
    ));
    ui.label(RichText::new(format!("{:.2e} MSE", scale.high)).small());
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

fn details_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.separator();
    let view = &state.view;
    let focus = view.hovered.or(view.selected);
    ui.horizontal_wrapped(|ui| {
        match focus.and_then(|i| state.segment_info(i).map(|info| (i, info))) {
            Some((i, info)) => {
                let what = if Some(i) == view.selected && view.hovered.is_none() {
                    "Selected"
                } else {
                    "Clip"
                };
                ui.label(RichText::new(format!("{what}: {}", info.track)).strong());
                ui.label(format!("{:.2}-{:.2} s", info.start_secs, info.end_secs));
                ui.label(format!("true: {}", info.genre));
                if let Some((g, p)) = &info.predicted {
                    let right = *g == info.genre;
                    let color = if right {
                        Color32::from_rgb(120, 200, 120)
                    } else {
                        Color32::from_rgb(230, 120, 110)
                    };
                    ui.label(
                        RichText::new(format!("predicted: {g} ({:.0}%)", 100.0 * p)).color(color),
                    );
                }
                if let Some(split) = info.split {
                    ui.label(format!("split: {}", split.name()));
                }
                if let Some(sel) = view.selected {
                    if ui.button("▶ Play selected").clicked() {
                        out.push(Command::PlayVersion {
                            segment: sel,
                            version: super::events::ClipVersion::Original,
                        });
                    }
                }
            }
            None => {
                let total = state.dataset().map_or(0, |d| d.len());
                let shown = state.visible_clips();
                let count = if shown == total {
                    format!("{total} clips")
                } else {
                    format!("{shown} of {total} clips shown")
                };
                ui.label(format!(
                "{count}. Hover a point for its details; click to hear it; space stops. Drag to \
                 pan, scroll to zoom, double-click to reset."
            ));
            }
        }
    });
}
