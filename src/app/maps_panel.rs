//! The three linked PCA maps (raw input, bottleneck, logits: the paper's Figures 1, 5 and 6) as
//! the window shows them: each drawn by [`map_plot`](super::map_plot) from the window's state,
//! with the legend above (`legend_panel`) and the details of the hovered clip or A below.

use egui::{Color32, RichText, Ui};

use crate::analysis::explain::Axis;
use crate::dataset::{Descriptor, Split};
use crate::model::ModelKind;

use super::events::{ClipVersion, Command};
use super::legend_panel::legend_ui;
use super::map_method_panel::{method_caption, method_menu};
use super::map_plot::{draw_map, DragUse, MapInput, MapScene, Marks, Underlay};
use super::state::{AppState, ColorBy, Derived, MapId, MapLayer, SegmentInfo, Tool, NO_LEVEL};
use super::theme::HIGHLIGHT;

/// One map's content, or why there is none yet.
fn map_status(state: &AppState, map: MapId) -> Result<&MapLayer, String> {
    if let Some(layer) = state.shown_layer(map) {
        return Ok(layer);
    }
    let no_map = |e: &dyn std::fmt::Display| format!("No map: {e}");
    if map == MapId::Raw {
        return Err(match state.data.as_ref().map(|d| &d.raw_map) {
            Some(Derived::Failed(e)) => no_map(e),
            Some(_) => "Computing the PCA of the raw input…".into(),
            None => String::new(),
        });
    }
    let model = state.model();
    if map == MapId::Logits
        && model.is_some_and(|m| m.saved.meta.model.kind == ModelKind::Autoencoder)
    {
        return Err("The autoencoder has no classifier, so no logits.".into());
    }
    Err(match model {
        None if state.is_training() => "Training… the map appears when it is done.".into(),
        None => "No model yet: train one or open one (left).".into(),
        Some(m) => match &m.view {
            Derived::Failed(e) => no_map(e),
            Derived::Computing => "Encoding every clip…".into(),
            Derived::Ready(view) => match map {
                MapId::Code => view
                    .maps
                    .code_map
                    .as_ref()
                    .err()
                    .map_or_else(String::new, |e| no_map(e)),
                _ => match &view.maps.logits_map {
                    Some(Err(e)) => no_map(e),
                    _ => "This model has no logits.".into(),
                },
            },
        },
    })
}

fn map_title(state: &AppState, map: MapId) -> String {
    let model = state.model().map(|m| &m.saved.meta);
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

fn no_data_ui(ui: &mut Ui, state: &AppState) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() / 3.0);
        if let Some(super::registry::JobKind::LoadData { source }) =
            state.loading().map(|j| &j.kind)
        {
            ui.heading(format!("Loading {}…", source.label()));
            return;
        }
        ui.heading("Open a folder of music to explore");
        ui.label("Use Open folder…, drag a folder onto this window, or type its path on the left.");
        ui.label(
            "Expected layout: <folder>/<genre>/*.wav (also GTZAN's genres/ and Kaggle's \
             genres_original/).",
        );
    });
}

pub fn maps_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    let Some(data) = state.data.as_ref() else {
        no_data_ui(ui, state);
        return;
    };
    legend_ui(ui, state, out);
    // The details line keeps its room whether or not a clip is picked: picking A must not
    // move the maps under the pointer.
    let details_height = 48.0;
    // What stands above the plots (the title row, and for a t-SNE or UMAP map its parameters
    // and captions, which wrap with the width) as measured in the last frame: the plots take
    // the rest, so the details line under them never runs into the panel below.
    let header_id = egui::Id::unique("genrescope-map-headers");
    let guess = if state.view.map_methods.iter().any(|m| !m.is_linear()) {
        80.0
    } else {
        24.0
    };
    let headers = last_height(ui, header_id, guess);
    let mut tallest_header = 0.0f32;
    let mut plot_height = (ui.available_height() - details_height - headers).max(120.0);
    // Compare mode: the second model's maps in a row beneath, the height shared.
    let second = state
        .model()
        .and_then(|m| m.compare.as_ref())
        .and_then(|c| c.ready())
        .cloned();
    if second.is_some() {
        // Its one line of header, as measured when last drawn.
        let label = last_height(ui, second_label_id(), 24.0);
        plot_height = ((plot_height - label) / 2.0).max(100.0);
    }
    let model = state.model();
    let splits = model.and_then(|m| m.splits.as_deref());
    let levels = match state.view.color_by {
        ColorBy::ReconstructionError => state
            .model_view()
            .and_then(|v| v.error_scale.as_ref())
            .map(|s| s.levels.as_slice()),
        ColorBy::Descriptor(d) => data.descriptor_scale(d).map(|s| s.levels.as_slice()),
        ColorBy::Genre => None,
    };
    let Some(colouring) = state.genre_colouring() else {
        return;
    };
    let picks = data.picks;
    let focus: Vec<usize> = data.hovered.into_iter().chain(picks.a).collect();
    let results = model.map(|m| &m.results);
    let trace = results.map(|r| &r.trace);
    let neighbours: Vec<usize> = match results.and_then(|r| r.neighbours.as_ref()) {
        Some(n) if Some(n.of) == picks.a => n.found.iter().map(|n| n.0).collect(),
        _ => Vec::new(),
    };
    let ctrl = ui.input(|i| i.modifiers.command || i.modifiers.ctrl);
    let can_probe = model.is_some_and(|m| m.has_decoder());
    let tooltip = |ui: &mut Ui, i: usize| {
        if let Some(info) = state.segment_info(i) {
            segment_tooltip(ui, &info);
        }
    };
    let tool = state.instruments.tool;
    let mut input = MapInput::default();
    ui.columns(3, |columns| {
        for (ui, map) in columns.iter_mut().zip(MapId::ALL) {
            // A map's PNG starts at its title, so the image says what it shows and how.
            let corner = ui.cursor().left_top();
            ui.ctx()
                .data_mut(|d| d.insert_temp(map_top_id(map), corner));
            ui.horizontal(|ui| {
                method_menu(ui, state, map, out);
                ui.add(egui::Label::new(RichText::new(map_title(state, map)).strong()).truncate());
            });
            method_caption(ui, state, map, out);
            tallest_header = tallest_header.max(ui.cursor().top() - corner.y);
            let layer = match map_status(state, map) {
                Ok(layer) => layer,
                Err(message) => {
                    placeholder(ui, &message, plot_height);
                    continue;
                }
            };
            // A path, a stroke and a direction are drawn through the PCA fit: they belong on
            // PCA maps only (the caption of a non-linear map says so).
            let linear = layer.is_linear();
            let (path, current) = match (map, trace) {
                _ if !linear => (&[][..], None),
                (MapId::Code, Some(t)) => (&t.path_code_xy[..], t.current_code_xy),
                (MapId::Logits, Some(t)) => (&t.path_logits_xy[..], t.current_logits_xy),
                _ => (&[][..], None),
            };
            let direction = direction_on(state, map).filter(|_| linear);
            let stroke = match (map, results) {
                (MapId::Code, Some(r)) if linear => &r.stroke.xy[..],
                _ => &[],
            };
            // One point per track instead of every clip: what the clips' marks and the
            // pointer mean is translated both ways, clip to track and track to its middle clip.
            let ds = &data.dataset;
            let gathered = if state.view.track_points {
                state.track_points(map, layer)
            } else {
                None
            };
            let per_track = |of_clip: &dyn Fn(usize) -> u8| -> Option<Vec<u8>> {
                let g = gathered.as_ref()?;
                Some(g.middle.iter().map(|&m| of_clip(m)).collect())
            };
            let track_levels =
                levels.and_then(|l| per_track(&|m| l.get(m).copied().unwrap_or(NO_LEVEL)));
            let track_splits: Option<Vec<Split>> = gathered.as_ref().zip(splits).map(|(g, s)| {
                g.middle
                    .iter()
                    .map(|&m| s.get(m).copied().unwrap_or(Split::Excluded))
                    .collect()
            });
            let to_points = |clips: &mut dyn Iterator<Item = usize>| -> Vec<usize> {
                match &gathered {
                    Some(g) => {
                        let mut points: Vec<usize> =
                            clips.filter_map(|i| g.point_of_clip(ds, i)).collect();
                        points.sort_unstable();
                        points.dedup();
                        points
                    }
                    None => clips.collect(),
                }
            };
            let selected = to_points(&mut data.selected().iter().copied());
            let to_point = |i: Option<usize>| match &gathered {
                Some(g) => i.and_then(|i| g.point_of_clip(ds, i)),
                None => i,
            };
            let track_tooltip = |ui: &mut Ui, k: usize| {
                if let Some(&m) = gathered.as_ref().and_then(|g| g.middle.get(k)) {
                    tooltip(ui, m);
                }
            };
            let scene = MapScene {
                id: state.map_plot_id(map),
                layer: gathered.as_ref().map_or(layer, |g| &g.layer),
                genres: colouring.genres,
                labels: gathered.as_ref().map_or(colouring.labels, |g| &g.labels),
                shades: match &gathered {
                    Some(g) => Some(&g.shades),
                    None => colouring.shades,
                },
                splits: match &gathered {
                    Some(_) => track_splits.as_deref(),
                    None => splits,
                },
                levels: match &gathered {
                    Some(_) => track_levels.as_deref(),
                    None => levels,
                },
                hidden: &data.hidden_genres,
                underlay: underlay_on(state, map).filter(|_| linear),
                marks: Marks {
                    selected: &selected,
                    focus: to_points(&mut focus.iter().copied()),
                    a: to_point(picks.a),
                    b: to_point(picks.b),
                    path,
                    current,
                    neighbours: to_points(&mut neighbours.iter().copied()),
                    placed: placed_on(state, map, layer),
                    stroke,
                    outline: data
                        .outline
                        .as_ref()
                        .filter(|o| o.map == map)
                        .map(|o| o.points.as_slice()),
                    direction,
                },
                drag: match tool {
                    Tool::BoxSelect | Tool::LassoSelect => DragUse::Outline,
                    Tool::Probe if map == MapId::Code && can_probe && linear => DragUse::Probe,
                    Tool::Pan if ctrl && map == MapId::Code && can_probe && linear => {
                        DragUse::Probe
                    }
                    _ => DragUse::Pan,
                },
                tooltip: Some(if gathered.is_some() {
                    &track_tooltip
                } else {
                    &tooltip
                }),
            };
            let mut here = draw_map(ui, &scene, plot_height);
            if let Some(g) = &gathered {
                here.hovered = here.hovered.and_then(|k| g.middle.get(k).copied());
                here.clicked = here
                    .clicked
                    .and_then(|(k, shift)| Some((*g.middle.get(k)?, shift)));
            }
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
    });
    keep_height(ui, header_id, tallest_header, headers);
    if let Some(view) = &second {
        if let Some(here) = second_row_ui(ui, state, view, plot_height) {
            input = here;
        }
    }
    if input.hovered != data.hovered {
        out.push(Command::Hover(input.hovered));
    }
    if let Some((i, shift)) = input.clicked {
        out.push(if shift {
            Command::PickB(i)
        } else {
            Command::PickA(i)
        });
    }
    details_ui(ui, state, out);
}

/// A height measured when last drawn, or `guess` before it was.
fn last_height(ui: &Ui, id: egui::Id, guess: f32) -> f32 {
    ui.ctx().data(|d| d.get_temp::<f32>(id)).unwrap_or(guess)
}

/// Keeps a height measured now; when it differs from the one this frame was laid out with,
/// the frame is laid out once more.
fn keep_height(ui: &Ui, id: egui::Id, height: f32, laid_out_with: f32) {
    if (height - laid_out_with).abs() > 0.5 {
        ui.ctx().data_mut(|d| d.insert_temp(id, height));
        ui.ctx().request_discard("a height around the maps changed");
    }
}

/// The direction a heatmap cell stands for on `map`, two standard deviations long, pointing
/// where its descriptor grows: a principal component along its axis; a code dimension (or a
/// logit) as its unit vector seen through the map's two components.
fn direction_on(state: &AppState, map: MapId) -> Option<([f64; 2], String)> {
    let (axis, rho) = state.results()?.direction?;
    let view = state.model_view()?;
    let sign = rho.signum();
    let genres = state.model()?.genres();
    let name = format!(
        "{} ({})",
        axis.name(genres),
        if rho >= 0.0 { "+" } else { "-" }
    );
    let through = |layer: &MapLayer, rows: &[f32], width: usize, j: usize| {
        let p = &layer.projection;
        let column: Vec<f32> = rows.iter().skip(j).step_by(width).copied().collect();
        let std = crate::tables::metrics::variance(&column).sqrt();
        let (x, y) = (f64::from(p.component(0)[j]), f64::from(p.component(1)[j]));
        [2.0 * std * x * sign, 2.0 * std * y * sign]
    };
    let tip = match (axis, map) {
        (Axis::Pc(k), MapId::Code) if k < 2 => {
            let std = view.code.as_ref()?.projection.std.get(k).copied()?;
            let mut tip = [0.0, 0.0];
            tip[k] = 2.0 * std * sign;
            tip
        }
        (Axis::Code(j), MapId::Code) => {
            let inference = &view.maps.inference;
            through(view.code.as_ref()?, &inference.code, inference.code_dim, j)
        }
        (Axis::Logit(g), MapId::Logits) => {
            let logits = view.maps.inference.logits.as_ref()?;
            through(view.logits.as_ref()?, logits, genres.len(), g)
        }
        _ => return None,
    };
    Some((tip, name))
}

/// Where a placed song's segments land on `map`: through the PCA fit on a PCA map; on the
/// bottleneck by t-SNE or UMAP at the weighted mean of each segment's nearest clips' positions
/// (found once per placement); on the other non-linear maps not at all (their rows of the song
/// are not kept).
fn placed_on(state: &AppState, map: MapId, layer: &MapLayer) -> Vec<[f64; 2]> {
    let Some(placed) = state.results().and_then(|r| r.placed.as_ref()) else {
        return Vec::new();
    };
    if !layer.is_linear() {
        return state
            .embedded(map)
            .map(|e| e.placed.clone())
            .unwrap_or_default();
    }
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

fn segment_tooltip(ui: &mut Ui, info: &SegmentInfo) {
    ui.label(RichText::new(&info.track).strong());
    ui.label(format!("{:.2}-{:.2} s", info.start_secs, info.end_secs));
    if info.labelled {
        ui.label(format!("true genre: {}", info.genre));
    }
    match &info.predicted {
        Some((genre, p)) => ui.label(format!("predicted: {genre} ({:.0}%)", 100.0 * p)),
        None => ui.label("predicted: - (no classifier)"),
    };
    if let Some(split) = info.split {
        ui.label(format!("split: {}", split.name()));
    }
    if let Some(artist) = &info.artist {
        ui.label(format!("artist: {artist}"));
    }
    if let Some(title) = &info.title {
        ui.label(format!("title: {title}"));
    }
    if let Some(d) = &info.descriptors {
        let described: Vec<String> = Descriptor::ALL
            .iter()
            .filter_map(|&k| Some(format!("{} {}", k.label(), k.format(d.get(k)?))))
            .collect();
        for pair in described.chunks(2) {
            ui.label(RichText::new(pair.join(" · ")).small());
        }
        if d.silent {
            ui.label(RichText::new("silent (below -120 dBFS)").small());
        }
    }
    ui.label(RichText::new("click: play, and make it A · shift-click: make it B").weak());
}

fn details_ui(ui: &mut Ui, state: &AppState, out: &mut Vec<Command>) {
    ui.separator();
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let a = data.picks.a;
    let focus = data.hovered.or(a);
    ui.horizontal_wrapped(|ui| {
        match focus.and_then(|i| state.segment_info(i).map(|info| (i, info))) {
            Some((i, info)) => {
                let what = if Some(i) == a && data.hovered.is_none() {
                    "A"
                } else {
                    "Clip"
                };
                ui.label(RichText::new(format!("{what}: {}", info.track)).strong());
                ui.label(format!("{:.2}-{:.2} s", info.start_secs, info.end_secs));
                if info.labelled {
                    ui.label(format!("true: {}", info.genre));
                }
                if let Some((g, p)) = &info.predicted {
                    let right = *g == info.genre;
                    let color = if !info.labelled {
                        HIGHLIGHT
                    } else if right {
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
                if let Some(artist) = &info.artist {
                    ui.label(format!("by {artist}"));
                }
                if let Some(d) = &info.descriptors {
                    let brief: Vec<String> = [Descriptor::RmsDbfs, Descriptor::CentroidHz]
                        .iter()
                        .filter_map(|&k| Some(format!("{} {}", k.label(), k.format(d.get(k)?))))
                        .collect();
                    ui.label(RichText::new(brief.join(" · ")).weak());
                }
                if let Some(a) = a {
                    if ui.button("▶ Play A").clicked() {
                        out.push(Command::PlayVersion {
                            segment: a,
                            version: ClipVersion::Original,
                        });
                    }
                }
            }
            None => {
                let total = data.dataset.len();
                let shown = state.visible_clips();
                let count = if shown == total {
                    format!("{total} clips")
                } else {
                    format!("{shown} of {total} clips shown")
                };
                ui.label(format!(
                    "{count}. Hover a point for its details; click to hear it; space stops. Drag \
                     to pan, scroll to zoom, double-click to reset."
                ));
            }
        }
    });
}

/// The model's training folder beneath `map`, when asked for and ready.
fn underlay_on(state: &AppState, map: MapId) -> Option<Underlay<'_>> {
    if !state.view.underneath {
        return None;
    }
    let under = state.model()?.underneath.as_ref()?.ready()?;
    let points = match map {
        MapId::Raw => &under.raw,
        MapId::Code => &under.code,
        MapId::Logits => &under.logits,
    };
    (!points.is_empty()).then_some(Underlay {
        points,
        labels: &under.labels,
    })
}

/// Where a map's column (its title) starts on screen (top left), for its PNG.
pub fn map_top_id(map: MapId) -> egui::Id {
    egui::Id::unique(("map-top", map.name()))
}

fn second_label_id() -> egui::Id {
    egui::Id::unique("genrescope-second-row-label")
}

/// The second model's three maps beneath the first's, linked to them: the hovered clip, A, B
/// and the selection are ringed on its own points (its clip of the same file and start time),
/// and hovering or clicking one of its points means the first model's clip. Returns what the
/// pointer did on it, in the first model's clips.
fn second_row_ui(
    ui: &mut Ui,
    state: &AppState,
    view: &crate::app::state::CompareView,
    height: f32,
) -> Option<MapInput> {
    let data = state.data.as_ref()?;
    let label = ui.add(
        egui::Label::new(
            RichText::new(format!(
                "Second model: {} ({}) — {}",
                view.saved.meta.model.kind.name(),
                view.saved.meta.features.input.kind().name(),
                view.shared
            ))
            .small(),
        )
        .truncate(),
    );
    let label_height = label.rect.height() + ui.spacing().item_spacing.y;
    let laid_out_with = last_height(ui, second_label_id(), 24.0);
    keep_height(ui, second_label_id(), label_height, laid_out_with);
    let ours = |i: Option<usize>| i.and_then(|i| view.second_of(i));
    let picks = data.picks;
    let selected: Vec<usize> = data
        .selected()
        .iter()
        .filter_map(|&i| view.second_of(i))
        .collect();
    let focus: Vec<usize> = data
        .hovered
        .into_iter()
        .chain(picks.a)
        .filter_map(|i| view.second_of(i))
        .collect();
    // Genres hidden on the first row are hidden here by name: the two may list them apart.
    let hidden = state
        .genre_colouring()
        .map_or_else(Default::default, |colouring| {
            crate::app::state::compare::hidden_by_name(
                colouring.genres,
                &data.hidden_genres,
                &view.genres,
            )
        });
    let tooltip = |ui: &mut Ui, j: usize| {
        if let Some(info) = view.first_of(j).and_then(|i| state.segment_info(i)) {
            segment_tooltip(ui, &info);
        }
    };
    let mut input = None;
    ui.columns(3, |columns| {
        for (ui, map) in columns.iter_mut().zip(MapId::ALL) {
            let Some(layer) = view.layer(map) else {
                placeholder(ui, "This model has no such map.", height);
                continue;
            };
            let scene = MapScene {
                id: egui::Id::unique((
                    "genrescope-compare-map",
                    map.name(),
                    &view.source,
                    state.stamp().model,
                )),
                layer,
                genres: &view.genres,
                labels: &view.labels,
                shades: None,
                splits: None,
                levels: None,
                hidden: &hidden,
                underlay: None,
                marks: Marks {
                    selected: &selected,
                    focus: focus.clone(),
                    a: ours(picks.a),
                    b: ours(picks.b),
                    ..Marks::default()
                },
                drag: DragUse::Pan,
                tooltip: Some(&tooltip),
            };
            let mut here = draw_map(ui, &scene, height);
            here.hovered = here.hovered.and_then(|j| view.first_of(j));
            here.clicked = here
                .clicked
                .and_then(|(j, shift)| Some((view.first_of(j)?, shift)));
            if here.over {
                input = Some(here);
            }
        }
    });
    input
}
