//! One scatter plot of a map's points, reusable wherever a map is drawn (the window's three
//! maps, `bench`'s synthetic ones): colour is genre or a level of a colour scale, marker shape is
//! the split, and marks (A, B, a path, rings, a placed song, a stroke, an outline) go on top.
//! Past [`DENSITY_ABOVE`] points in view it draws a density image instead. It reports what the
//! pointer did; it changes nothing.

mod density;
mod input;
mod marks;

use std::collections::BTreeSet;

use egui::{Color32, Ui};
use egui_plot::{Plot, PlotPoint, Points};

use crate::dataset::Split;

use density::density_texture;
pub use density::{density_image, DensityInput, DENSITY_ABOVE};
pub use marks::{DIRECTION_COLOR, PATH_COLOR};

use super::state::{MapLayer, ERROR_LEVELS, SHADES};
use super::theme::{genre_color, split_shape};

/// Each genre's points are dealt over this many draw layers (see [`draw_map`]).
const LAYERS: usize = 8;

/// The colour of a level of a colour scale (reconstruction error, a descriptor): dark blue (low)
/// to yellow (high), roughly viridis; grey for a clip with no value (any level past the scale).
pub fn scale_color(level: usize) -> Color32 {
    if level >= ERROR_LEVELS {
        return Color32::from_gray(90);
    }
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
    /// The selection (a box, a lasso, a confusion cell), ringed.
    pub selected: &'a [usize],
    /// The hovered clip and clip A, ringed.
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
    /// A direction of the space (from the map's centre, two standard deviations long), and
    /// what it is called.
    pub direction: Option<([f64; 2], String)>,
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
    /// Each point's shade of its genre's colour, 0 (palest) to `SHADES - 1`: how sure a
    /// prediction is, when the genres are predicted.
    pub shades: Option<&'a [u8]>,
    /// Each point's split (marker shape), when the model was trained on this data.
    pub splits: Option<&'a [Split]>,
    /// Each point's level on a colour scale (reconstruction error, a descriptor), when the colour
    /// shows that instead of genre.
    pub levels: Option<&'a [u8]>,
    pub hidden: &'a BTreeSet<usize>,
    pub marks: Marks<'a>,
    pub drag: DragUse,
    /// What to show about a hovered segment.
    pub tooltip: Option<&'a Tooltip<'a>>,
    /// Labelled clips drawn faintly beneath the points (a library's context).
    pub underlay: Option<Underlay<'a>>,
}

/// Points drawn beneath a map's own, as hollow rings in their genre's colour: never hovered or
/// picked, only there to read the map against.
#[derive(Clone, Copy)]
pub struct Underlay<'a> {
    pub points: &'a [[f64; 2]],
    /// Each point's genre (index into the scene's genres).
    pub labels: &'a [u32],
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
    shade: usize,
    split: Option<Split>,
}

impl Group {
    /// No split known, or one of the four.
    const SPLITS: usize = 5;
    const ORDER: [Split; 4] = [Split::Train, Split::Dev, Split::Test, Split::Excluded];

    fn index(self, colors: usize) -> usize {
        let split = self.split.map_or(0, |s| 1 + s as usize);
        (((self.layer * colors + self.color) * SHADES) + self.shade) * Self::SPLITS + split
    }

    fn from_index(index: usize, colors: usize) -> Self {
        let split = match index % Self::SPLITS {
            0 => None,
            k => Some(Self::ORDER[k - 1]),
        };
        let rest = index / Self::SPLITS;
        let (rest, shade) = (rest / SHADES, rest % SHADES);
        Self {
            layer: rest / colors,
            color: rest % colors,
            shade,
            split,
        }
    }
}

/// How opaque a point of each shade is: a torn prediction is faint, a sure one solid.
fn shade_alpha(shade: usize) -> f32 {
    match shade {
        0 => 0.3,
        1 => 0.6,
        // As every point is drawn when no shade is asked for.
        _ => 0.85,
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
    scene.levels.is_some().hash(&mut hasher);
    scene.shades.is_some().hash(&mut hasher);
    scene.labels.len().hash(&mut hasher);
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
/// The underlay's points in view, one hollow ring per point, a plot item per genre.
fn draw_underlay(
    plot_ui: &mut egui_plot::PlotUi,
    genres: &[String],
    under: Underlay<'_>,
    in_box: &dyn Fn(&[f64; 2]) -> bool,
) {
    let mut by_genre: Vec<Vec<[f64; 2]>> = vec![Vec::new(); genres.len().max(1)];
    for (p, &g) in under.points.iter().zip(under.labels) {
        if in_box(p) {
            if let Some(group) = by_genre.get_mut(g as usize) {
                group.push(*p);
            }
        }
    }
    for (g, points) in by_genre.into_iter().enumerate() {
        if points.is_empty() {
            continue;
        }
        let name = format!("underneath: {}", genres.get(g).map_or("?", String::as_str));
        plot_ui.points(
            Points::new(name, points)
                .color(genre_color(g).gamma_multiply(0.7))
                .filled(false)
                .radius(3.5)
                .allow_hover(false),
        );
    }
}

pub fn draw_map(ui: &mut Ui, scene: &MapScene, height: f32) -> MapInput {
    let points = &scene.layer.projection.points;
    let visible = |i: usize| {
        scene
            .labels
            .get(i)
            .is_some_and(|&g| !scene.hidden.contains(&(g as usize)))
    };
    // The scale's levels and one more for clips without a value.
    let colors = if scene.levels.is_some() {
        ERROR_LEVELS + 1
    } else {
        scene.genres.len().max(1)
    };
    let color_of = |i: usize| match scene.levels {
        // Every clip without a value shares the extra colour after the scale's.
        Some(levels) => usize::from(levels[i]).min(ERROR_LEVELS),
        None => scene.labels[i] as usize,
    };
    let fill_of = |color: usize| match scene.levels {
        Some(_) => scale_color(color),
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
    // Shades say how sure a predicted genre is; the colour scales have none.
    let (levels, shades) = (scene.levels, scene.shades);
    let shade_of = move |i: usize| {
        match (levels, shades) {
            (None, Some(shades)) => shades.get(i).map_or(SHADES - 1, |&s| usize::from(s)),
            _ => SHADES - 1,
        }
        .min(SHADES - 1)
    };
    let mut groups: Vec<Vec<[f64; 2]>> = vec![Vec::new(); LAYERS * colors * SHADES * Group::SPLITS];
    if !dense {
        for (i, p) in points.iter().enumerate() {
            if visible(i) && in_box(p) {
                let group = Group {
                    layer: i % LAYERS,
                    color: color_of(i),
                    shade: shade_of(i),
                    split: scene.splits.and_then(|s| s.get(i).copied()),
                };
                groups[group.index(colors)].push(*p);
            }
        }
    }
    let ring = |indices: &mut dyn Iterator<Item = usize>| -> Vec<[f64; 2]> {
        indices.filter_map(|i| points.get(i).copied()).collect()
    };
    let selected = ring(&mut scene.marks.selected.iter().copied());
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
    // A non-linear map's axes have no variance to speak of: they are named by the method.
    let (x_label, y_label) = if scene.layer.is_linear() {
        (
            format!("PC1 ({:.1}% of variance)", 100.0 * explained(0)),
            format!("PC2 ({:.1}%)", 100.0 * explained(1)),
        )
    } else {
        let name = scene.layer.method.name();
        (format!("{name} 1"), format!("{name} 2"))
    };
    let response = Plot::new(scene.id)
        .id(scene.id)
        .height(height)
        .x_axis_label(x_label)
        .y_axis_label(y_label)
        .show_x(false)
        .show_y(false)
        .default_x_bounds(x_range.0, x_range.1)
        .default_y_bounds(y_range.0, y_range.1)
        .allow_drag(scene.drag == DragUse::Pan)
        .show(ui, |plot_ui| {
            if let Some(under) = scene.underlay {
                draw_underlay(plot_ui, scene.genres, under, &in_box);
            }
            if dense {
                let (labels, hidden, levels) = (scene.labels, scene.hidden, scene.levels);
                let shade_of = &shade_of;
                draw_density(plot_ui, scene, &move |i| {
                    let genre = *labels.get(i)? as usize;
                    if hidden.contains(&genre) {
                        return None;
                    }
                    let color = match levels {
                        Some(levels) => scale_color(usize::from(levels[i])),
                        None => genre_color(genre),
                    };
                    Some(color.gamma_multiply(shade_alpha(shade_of(i))))
                });
            }
            // Within each layer the colours take turns at being on top, so no genre hides
            // under the others where they overlap.
            // Paler shades first, so the sure points are on top.
            for shade in 0..SHADES {
                for layer in 0..LAYERS {
                    for c in 0..colors {
                        let color = (c + layer) % colors;
                        for split in 0..Group::SPLITS {
                            let index = Group {
                                layer,
                                color,
                                shade,
                                split: match split {
                                    0 => None,
                                    k => Some(Group::ORDER[k - 1]),
                                },
                            }
                            .index(colors);
                            let group_points = std::mem::take(&mut groups[index]);
                            if group_points.is_empty() {
                                continue;
                            }
                            let group = Group::from_index(index, colors);
                            let name = match scene.levels {
                                Some(_) => format!("level {}", group.color),
                                None => scene.genres.get(group.color).cloned().unwrap_or_default(),
                            };
                            let alpha = shade_alpha(group.shade);
                            plot_ui.points(
                                Points::new(name, group_points)
                                    .color(fill_of(group.color).gamma_multiply(alpha))
                                    .shape(split_shape(group.split))
                                    .radius(2.2)
                                    .allow_hover(false),
                            );
                        }
                    }
                }
            }
            marks::draw_marks(plot_ui, scene, points, selected, neighbours, focus);
        });
    input::pointer_input(ui, scene, &response, &visible)
}
