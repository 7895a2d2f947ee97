//! The latent space's other instruments: the drag tools (probe, box and lasso selection), the
//! clips that sound like A, a song placed on the maps, and what is done with a selection
//! (played as a queue, exported).

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::events::Output;
use crate::app::jobs::JobError;
use crate::app::notices::Topic;
use crate::app::registry::{JobKind, Stamp};
use crate::app::state::{Instrument, MapId, Neighbours, Outline, Selection, Tab, Tool, MAX_QUEUE};
use crate::app::GenrescopeApp;
use crate::audio::clip::ClipSource;
use crate::dataset::sources::original;
use crate::latent::{
    check_neighbour_count, inside, nearest, place, track_means, MapsOfData, Placement, Space,
};

impl GenrescopeApp {
    pub(super) fn set_tool(&mut self, tool: Tool) {
        if let Some(data) = self.state.data.as_mut() {
            data.outline = None;
        }
        let instruments = &mut self.state.instruments;
        instruments.tool = tool;
        instruments.shown = match tool {
            Tool::Probe => Instrument::Probe,
            Tool::BoxSelect | Tool::LassoSelect => Instrument::Selection,
            Tool::Pan => instruments.shown,
        };
    }

    /// The probe's tab arms the probe (that is what it is for); leaving it for another
    /// instrument gives the maps back to panning.
    pub(super) fn show_instrument(&mut self, instrument: Instrument) {
        let instruments = &mut self.state.instruments;
        instruments.shown = instrument;
        instruments.tool = match (instrument, instruments.tool) {
            (Instrument::Probe, _) => Tool::Probe,
            (Instrument::Selection, tool @ (Tool::BoxSelect | Tool::LassoSelect)) => tool,
            _ => Tool::Pan,
        };
        if let Some(data) = self.state.data.as_mut() {
            data.outline = None;
        }
        self.refresh_trace();
    }

    pub(super) fn find_neighbours(&mut self, space: Space, k: usize, whole_tracks: bool) {
        let instruments = &mut self.state.instruments;
        instruments.space = space;
        instruments.k = k;
        instruments.whole_tracks = whole_tracks;
        let Some(a) = self.state.clip_a() else {
            self.state.notices.error(
                Topic::Listening,
                "Click a clip first: its neighbours are looked for.",
            );
            return;
        };
        let (Some(ds), Some(model), Some(view)) = (
            self.state.dataset(),
            self.state.model(),
            self.state.model_view(),
        ) else {
            return;
        };
        let among = if whole_tracks {
            ds.tracks.len()
        } else {
            ds.len()
        };
        if let Err(e) = check_neighbour_count(k, among) {
            self.state.notices.error(Topic::Listening, format!("{e}."));
            return;
        }
        let Some((rows, dim)) =
            space.rows(ds, &view.maps.inference, model.saved.meta.model.n_classes)
        else {
            self.state.notices.error(
                Topic::Listening,
                "This model has no classifier, so no logits: look in the bottleneck.",
            );
            return;
        };
        let found = if whole_tracks {
            // Never A's own track: what sounds like a song is another song.
            let means = track_means(ds, rows, dim);
            let own = ds.segments[a].track;
            nearest(
                &means,
                dim,
                &means[own * dim..(own + 1) * dim],
                k,
                Some(own),
            )
            .into_iter()
            .filter_map(|(t, d)| Some((ds.middle_segment(t)?, d)))
            .collect()
        } else {
            nearest(rows, dim, &rows[a * dim..(a + 1) * dim], k, Some(a))
        };
        self.state.instruments.shown = Instrument::Neighbours;
        if let Some(model) = self.state.model_mut() {
            model.results.neighbours = Some(Neighbours {
                of: a,
                space,
                found,
                whole_tracks,
            });
        }
    }

    /// Plays clips' original audio one after another (at most [`MAX_QUEUE`]).
    pub(super) fn play_queue(&mut self, clips: Vec<usize>) {
        let Some(ds) = self.state.dataset().cloned() else {
            return;
        };
        let clips: Vec<usize> = clips.into_iter().filter(|&i| i < ds.len()).collect();
        if clips.is_empty() {
            return;
        }
        let shown = clips.len().min(MAX_QUEUE);
        let parts = clips[..shown].iter().map(|&i| original(&ds, i)).collect();
        let more = if clips.len() > shown {
            format!(" (the first {shown} of {})", clips.len())
        } else {
            String::new()
        };
        self.play_clip(
            ClipSource::Sequence(parts),
            format!("{shown} clips one after another{more}"),
            false,
        );
    }

    /// Places an audio file on the maps (on a worker: it is decoded and encoded).
    pub(super) fn place_file(&mut self, path: PathBuf) {
        let (Some(data), Some(model)) = (self.state.data.as_ref(), self.state.model()) else {
            self.state.notices.error(
                Topic::Listening,
                "Open a folder and a model first: a song is placed on their maps.",
            );
            return;
        };
        let Some(maps) = model.view.ready().map(|v| Arc::clone(&v.maps)) else {
            self.state.notices.error(
                Topic::Listening,
                "The model is still encoding the clips; place the song in a moment.",
            );
            return;
        };
        let saved = Arc::clone(&model.saved);
        let raw = data.raw_map.ready().map(|l| l.projection.clone());
        self.state.instruments.place_input = path.display().to_string();
        self.state.instruments.shown = Instrument::Place;
        let kind = JobKind::Place { path: path.clone() };
        self.start_job(kind, self.state.stamp(), move |_, _, _| {
            let of_data = MapsOfData::new(&maps, raw.as_ref());
            place(&path, &saved, &of_data, 5)
                .map(|p| Output::Placed(Box::new(p)))
                .map_err(|e| JobError::Failed(format!("Cannot place {}: {e}", path.display())))
        });
    }

    pub(super) fn placed(&mut self, placement: Placement) {
        if let Some(model) = self.state.model_mut() {
            model.results.placed = Some(Arc::new(placement));
        }
        self.place_on_embedded_code_map();
        self.state.view.tab = Tab::Maps;
    }

    /// A box or lasso drawn on a map; on release its clips become the selection.
    pub(super) fn outline(&mut self, map: MapId, xy: [f64; 2], start: bool, done: bool) {
        let tool = self.state.instruments.tool;
        let Some(method) = self.state.shown_layer(map).map(|l| l.method) else {
            return;
        };
        let Some(data) = self.state.data.as_mut() else {
            return;
        };
        match (&mut data.outline, start) {
            (Some(outline), false) if outline.map == map => match tool {
                Tool::BoxSelect => {
                    let first = outline.points[0];
                    outline.points = vec![first, [xy[0], first[1]], xy, [first[0], xy[1]]];
                }
                _ => outline.points.push(xy),
            },
            _ => {
                data.outline = Some(Outline {
                    map,
                    points: vec![xy],
                    method,
                })
            }
        }
        if !done {
            return;
        }
        let Some(outline) = data.outline.take() else {
            return;
        };
        // The outline was drawn around the points as shown (a t-SNE or UMAP map's, if chosen).
        let Some(layer) = self.state.shown_layer(map) else {
            return;
        };
        if layer.method != outline.method {
            self.state.notices.info(
                Topic::Model,
                format!(
                    "The {} map was redrawn by {} while the outline was drawn: draw it again.",
                    map.describe(),
                    layer.method.name()
                ),
            );
            return;
        }
        let Some(data) = self.state.data.as_ref() else {
            return;
        };
        let clips: Vec<usize> = inside(&layer.projection.points, &outline.points)
            .into_iter()
            .filter(|&i| {
                self.state
                    .shown_genre(i)
                    .is_some_and(|g| !data.hidden_genres.contains(&g))
            })
            .collect();
        let label = format!(
            "{} clip(s) selected on the {} map",
            clips.len(),
            map.describe()
        );
        if let Some(data) = self.state.data.as_mut() {
            data.selection = Some(Selection { clips, label });
        }
        self.state.instruments.shown = Instrument::Selection;
    }

    /// The probe's stroke, decoded point after point, as a WAV.
    pub(super) fn export_stroke(&mut self, path: PathBuf) {
        let Some(model) = self.state.model() else {
            return;
        };
        let stroke = model.results.stroke.codes.clone();
        if stroke.is_empty() {
            self.state.notices.error(
                Topic::Export,
                "Draw on the bottleneck map with the probe first: there is no stroke yet.",
            );
            return;
        }
        let (saved, voice) = (Arc::clone(&model.saved), Arc::clone(&model.voice));
        let what = format!("stroke WAV {}", path.display());
        self.start_job(JobKind::Write { what }, Stamp::default(), move |_, _, _| {
            let params: Vec<f32> = (0..stroke.len()).map(|k| k as f32).collect();
            let steps = crate::latent::interpolate::decode_codes(&saved.model, &params, stroke)
                .map_err(JobError::failed)?;
            crate::export::write_path_wav(&path, &steps, &saved.meta, &voice, None)
                .map(|table| {
                    Output::Written(format!("Wrote {} and {}.", path.display(), table.display()))
                })
                .map_err(JobError::failed)
        });
    }

    /// The selection as `selection.csv` (clips with provenance), `selection.m3u8` (their tracks)
    /// and `selection.wav` (the clips one after another).
    pub(super) fn export_selection(&mut self, dir: PathBuf) {
        let Some(ds) = self.state.dataset().cloned() else {
            return;
        };
        let clips = self.state.selected().to_vec();
        if clips.is_empty() {
            self.state.notices.error(
                Topic::Export,
                "Select clips first: draw a box or a lasso on a map, or click a confusion cell.",
            );
            return;
        }
        let predicted = self.state.model().and_then(|m| {
            let p = m.view.ready()?.maps.predicted.clone()?;
            Some((p, m.saved.meta.genres.clone()))
        });
        let what = format!("selection in {}", dir.display());
        self.start_job(JobKind::Write { what }, Stamp::default(), move |_, _, _| {
            crate::export::write_selection(&dir, &ds, &clips, predicted.as_ref())
                .map(|()| {
                    Output::Written(format!(
                        "Wrote selection.csv, selection.m3u8 and selection.wav ({} clips) to {}.",
                        clips.len(),
                        dir.display()
                    ))
                })
                .map_err(JobError::failed)
        });
    }
}
