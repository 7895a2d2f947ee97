//! Everything the decoder plays: the interpolation from A to B, A walked along the bottleneck's
//! components, A moved toward a genre, and the probe anywhere on the bottleneck map. Each change
//! asks the decoder worker for the point (and the path it lies on), latest wins; the answer is
//! drawn on the maps and played, loudness-matched to the music around it unless the raw level
//! is asked for.

use std::sync::Arc;
use std::time::Instant;

use crate::app::jobs::decoder::{AudioRequest, DecodeRequest, Decoded};
use crate::app::notices::Topic;
use crate::app::registry::{JobId, JobKind};
use crate::app::state::{Instrument, Loudness, Playback, Stage};
use crate::app::GenrescopeApp;
use crate::audio::clip::ClipSource;
use crate::latent::audible::{voiced, voiced_when_made};
use crate::latent::interpolate::{interpolate, steps_t, PathKind, PathStep};
use crate::latent::{
    genre_centroids, probe_code, steer, steer_path, walk, walk_path, GenreCentroids, MAX_ALPHA,
    MAX_SIGMA, PATH_POINTS,
};
use crate::maps::projection::Projection;

/// Most points of a probe's stroke kept for its WAV.
const MAX_STROKE: usize = 400;

impl GenrescopeApp {
    pub(super) fn set_t(&mut self, t: f32, held: bool) {
        if let Some(data) = self.state.data.as_mut() {
            data.picks.t = t.clamp(0.0, 1.0);
        }
        self.request_interpolation(true, self.loops(held));
    }

    /// Whether a slider's sound loops: while it is held, when asked to.
    fn loops(&self, held: bool) -> bool {
        held && self.state.instruments.loop_while_held
    }

    pub(super) fn release_slider(&mut self) {
        if let Some(player) = self.player.as_mut() {
            player.set_looping(false);
        }
    }

    pub(super) fn set_path_kind(&mut self, kind: PathKind) {
        self.state.instruments.path_kind = kind;
        self.request_interpolation(false, false);
    }

    pub(super) fn set_steps(&mut self, steps: usize) {
        self.state.instruments.path_steps = steps.clamp(2, 64);
        self.request_interpolation(false, false);
    }

    /// The level decoded audio is brought to (loudness matching), or none for the raw level.
    fn matched(&self, level: Option<f32>) -> Option<f32> {
        (self.state.loudness == Loudness::Matched)
            .then_some(level)
            .flatten()
    }

    /// The level at `t` between A's and B's inputs.
    fn path_level(&self, t: f32) -> Option<f32> {
        let picks = self.state.picks();
        let (ds, model) = (self.state.dataset()?, self.state.model()?);
        let levels = model
            .voice
            .path_levels(ds.vector(picks.a?), ds.vector(picks.b?));
        self.matched(Some(levels.at(t)))
    }

    /// The shown instrument's path and point decoded again (not played), or A's neighbours
    /// found again: after A, B or the instrument changed, the maps and the panel show what the
    /// controls now stand for.
    pub(super) fn refresh_trace(&mut self) {
        match self.state.instruments.shown {
            Instrument::Interpolate => self.request_interpolation(false, false),
            Instrument::Components => self.request_walk(0, false, false),
            Instrument::Steer => self.request_steer(false, false),
            Instrument::Neighbours => {
                let settings = &self.state.instruments;
                let (space, k, whole) = (settings.space, settings.k, settings.whole_tracks);
                if self.state.model_view().is_some() && self.state.clip_a().is_some() {
                    self.find_neighbours(space, k, whole);
                }
            }
            _ => {}
        }
    }

    /// Asks for the decoded point at the current t (and the path), once A and B are chosen and
    /// the model can decode. With `play`, the point is played (looping if asked).
    pub(super) fn request_interpolation(&mut self, play: bool, looping: bool) {
        let picks = self.state.picks();
        let (Some(a), Some(b)) = (picks.a, picks.b) else {
            return;
        };
        let (Some(code_a), Some(code_b)) = (self.state.code(a), self.state.code(b)) else {
            return;
        };
        let kind = self.state.instruments.path_kind;
        let point = (picks.t, interpolate(code_a, code_b, picks.t, kind));
        let path = steps_t(self.state.instruments.path_steps)
            .into_iter()
            .map(|t| (t, interpolate(code_a, code_b, t, kind)))
            .collect();
        let level = self.path_level(picks.t);
        self.submit(Instrument::Interpolate, point, path, play, looping, level);
    }

    /// Clip A walked along the bottleneck's first components by the walk's σs; the path drawn
    /// is the walk along `moved` from −3σ to 3σ.
    pub(super) fn set_walk(&mut self, component: usize, sigma: f32, held: bool) {
        if let Some(s) = self
            .state
            .model_mut()
            .and_then(|m| m.results.walk.get_mut(component))
        {
            *s = sigma.clamp(-MAX_SIGMA, MAX_SIGMA);
        }
        self.request_walk(component, true, self.loops(held));
    }

    pub(super) fn reset_walk(&mut self) {
        if let Some(model) = self.state.model_mut() {
            model.results.walk = [0.0; 3];
        }
        self.request_walk(0, true, false);
    }

    fn request_walk(&mut self, moved: usize, play: bool, looping: bool) {
        let Some(a) = self.state.clip_a() else {
            return;
        };
        let (Some(code), Some(map), Some(results)) =
            (self.state.code(a), self.code_map(), self.state.results())
        else {
            return;
        };
        let sigmas = results.walk;
        let point = (sigmas[moved], walk(code, map, &sigmas));
        let path = walk_path(code, map, &sigmas, moved);
        let level = self.matched(self.input_level(a));
        self.submit(Instrument::Components, point, path, play, looping, level);
    }

    /// Clip A moved toward genre `toward` by α (the model's genre index).
    pub(super) fn set_steer(&mut self, toward: usize, alpha: f32, held: bool) {
        if let Some(model) = self.state.model_mut() {
            if toward < model.genres().len() {
                model.results.steer.toward = Some(toward);
            }
            model.results.steer.alpha = alpha.clamp(0.0, MAX_ALPHA);
        }
        self.request_steer(true, self.loops(held));
    }

    fn request_steer(&mut self, play: bool, looping: bool) {
        let Some(a) = self.state.clip_a() else {
            return;
        };
        let (Some(model), Some(ds), Some(view)) = (
            self.state.model(),
            self.state.dataset(),
            self.state.model_view(),
        ) else {
            return;
        };
        let dim = view.maps.inference.code_dim;
        let Ok(GenreCentroids { labels, centres }) = genre_centroids(
            ds,
            &model.saved.meta,
            &view.maps.inference.code,
            dim,
            view.maps.predicted.as_deref(),
        ) else {
            return;
        };
        let setting = model.results.steer;
        // Until a genre is chosen: the first that is not A's own (as the panel shows).
        let toward = setting.toward.unwrap_or_else(|| {
            (0..model.genres().len())
                .find(|&g| g != labels[a])
                .unwrap_or(0)
        });
        let (Some(Some(from)), Some(Some(to))) = (centres.get(labels[a]), centres.get(toward))
        else {
            self.state.notices.error(
                Topic::Listening,
                "This folder has no clips of that genre to move toward.",
            );
            return;
        };
        let Some(code) = self.state.code(a) else {
            return;
        };
        let point = (setting.alpha, steer(code, from, to, setting.alpha));
        let path = steer_path(code, from, to, MAX_ALPHA, PATH_POINTS);
        let level = self.matched(self.input_level(a));
        self.submit(Instrument::Steer, point, path, play, looping, level);
    }

    /// The probe pressed or moved to `xy` on the bottleneck map (`start`: a new stroke).
    pub(super) fn probe_at(&mut self, xy: [f64; 2], start: bool) {
        let (Some(map), Some(view)) = (self.code_map(), self.state.model_view()) else {
            return;
        };
        let off = self.state.instruments.off_plane;
        let inference = &view.maps.inference;
        let (code, nearest) = probe_code(map, &inference.code, inference.code_dim, xy, off);
        let level = self.matched(nearest.and_then(|i| self.input_level(i)));
        let Some(model) = self.state.model_mut() else {
            return;
        };
        let stroke = &mut model.results.stroke;
        if start {
            stroke.codes.clear();
            stroke.xy.clear();
        }
        if stroke.codes.len() < MAX_STROKE {
            stroke.codes.push(code.clone());
            stroke.xy.push(xy);
        }
        stroke.nearest = nearest;
        let step = stroke.codes.len() as f32;
        self.submit(
            Instrument::Probe,
            (step, code),
            Vec::new(),
            true,
            false,
            level,
        );
    }

    fn code_map(&self) -> Option<&Projection> {
        self.state
            .model_view()?
            .code
            .as_ref()
            .map(|l| &l.projection)
    }

    /// Sends one question to the decoder worker; newer questions replace older ones.
    fn submit(
        &mut self,
        instrument: Instrument,
        point: (f32, Vec<f32>),
        path: Vec<(f32, Vec<f32>)>,
        play: bool,
        looping: bool,
        target_rms: Option<f32>,
    ) {
        let Some(model) = self.state.model() else {
            return;
        };
        if !model.has_decoder() {
            return;
        }
        let (saved, voice) = (Arc::clone(&model.saved), Arc::clone(&model.voice));
        let audio = match (play, self.player.as_ref()) {
            (true, Some(player)) => Some(AudioRequest {
                format: player.format().clone(),
                looping,
                target_rms,
            }),
            _ => None,
        };
        let stamp = self.state.stamp();
        self.state.jobs.cancel(|k| *k == JobKind::Decode);
        let (job, cancel) = self.state.jobs.start(JobKind::Decode, stamp);
        let request = DecodeRequest {
            job,
            cancel,
            saved,
            voice,
            instrument,
            point,
            path,
            audio,
        };
        if self.decoder.submit(request).is_err() {
            self.state.jobs.finish(job);
            self.state.notices.error(
                Topic::Listening,
                "The decoder is not running (the system refused its thread); restart genrescope.",
            );
            return;
        }
        let decoder = &mut self.state.decoder;
        decoder.request = Some(job);
        if play {
            decoder.awaiting = Some((Instant::now(), None));
        }
    }

    pub(super) fn decoded(&mut self, job: JobId, decoded: Decoded) {
        if self.state.decoder.request != Some(job) {
            return;
        }
        self.state.decoder.request = None;
        let label = format!(
            "decoded step at {} = {:.2}",
            decoded.instrument.parameter(),
            decoded.point.t
        );
        self.show_trace(decoded.instrument, decoded.point, decoded.path);
        if let Some(clip) = decoded.clip {
            self.state.decoder.gain_db = Some(decoded.gain_db);
            if let Some(id) = self.hand_to_player(clip.frames, decoded.looping) {
                if let Some((asked, _)) = self.state.decoder.awaiting {
                    self.state.decoder.awaiting = Some((asked, Some(id)));
                }
                self.state.playback = Playback::Clip {
                    label,
                    stage: Stage::Playing(id),
                };
            }
        }
    }

    /// Puts a worker's answer on the maps: the path and the point through the same PCA fits.
    fn show_trace(&mut self, instrument: Instrument, current: PathStep, path: Vec<PathStep>) {
        let Some(view) = self.state.model_view() else {
            return;
        };
        let code_map = view.code.as_ref().map(|l| &l.projection);
        let logits_map = view.logits.as_ref().map(|l| &l.projection);
        let project = |map: Option<&Projection>, rows: Vec<&[f32]>| -> Vec<[f64; 2]> {
            let flat: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
            map.and_then(|m| m.project(&flat).ok()).unwrap_or_default()
        };
        let path_code_xy = project(code_map, path.iter().map(|s| s.code.as_slice()).collect());
        let current_code_xy = project(code_map, vec![&current.code]).first().copied();
        let path_logits_xy = project(
            logits_map,
            path.iter().filter_map(|s| s.logits.as_deref()).collect(),
        );
        let current_logits_xy = current
            .logits
            .as_deref()
            .and_then(|l| project(logits_map, vec![l]).first().copied());
        let Some(model) = self.state.model_mut() else {
            return;
        };
        let trace = &mut model.results.trace;
        trace.instrument = instrument;
        trace.current_code_xy = current_code_xy;
        trace.current_logits_xy = current_logits_xy;
        trace.current = Some(current);
        trace.path_code_xy = path_code_xy;
        trace.path_logits_xy = path_logits_xy;
        trace.path = path;
    }

    /// The path shown (A → B, a walk, a move toward a genre), step after step.
    pub(super) fn play_path(&mut self) {
        let Some(model) = self.state.model() else {
            return;
        };
        let trace = &model.results.trace;
        if trace.path.is_empty() {
            let hint = match self.state.instruments.shown {
                Instrument::Probe => "A probe has no path: export its stroke as a WAV instead.",
                Instrument::Components | Instrument::Steer => "Click a point to make it A first.",
                _ => "Pick A (click) and B (shift-click) on a map first.",
            };
            self.state.notices.error(Topic::Listening, hint);
            return;
        }
        let voice = Arc::clone(&model.voice);
        let instrument = trace.instrument;
        let a_level = self.matched(self.state.clip_a().and_then(|a| self.input_level(a)));
        let parts = trace
            .path
            .iter()
            .map(|step| {
                let level = match instrument {
                    Instrument::Interpolate => self.path_level(step.t),
                    _ => a_level,
                };
                voiced(Arc::clone(&voice), step.decoded.clone(), level)
            })
            .collect();
        let label = format!(
            "the path, {} steps of {}",
            trace.path.len(),
            instrument.parameter()
        );
        self.play_clip(ClipSource::Sequence(parts), label, true);
    }

    /// The A → B path in the second model's space: its codes of A's and B's clips, the same
    /// steps of t and kind of path, decoded by its decoder, at the loudness the first path has.
    pub(super) fn play_second_path(&mut self) {
        let (Some(model), Some(a), Some(b)) = (
            self.state.model(),
            self.state.picks().a,
            self.state.picks().b,
        ) else {
            self.state.notices.error(
                Topic::Listening,
                "Pick A (click) and B (shift-click) on a map first.",
            );
            return;
        };
        let Some(view) = model.compare.as_ref().and_then(|c| c.ready()).cloned() else {
            return;
        };
        let ends = view
            .second_of(a)
            .and_then(|i| view.code(i))
            .zip(view.second_of(b).and_then(|j| view.code(j)));
        let Some((code_a, code_b)) = ends.filter(|_| view.saved.meta.model.kind.has_decoder())
        else {
            self.state.notices.error(
                Topic::Listening,
                "The second model has no decoder, or did not read A's or B's clip.",
            );
            return;
        };
        let ts = steps_t(self.state.instruments.path_steps);
        let kind = self.state.instruments.path_kind;
        // Each step is decoded where the clip is prepared, not in the frame that asked.
        let parts: Vec<ClipSource> =
            ts.iter()
                .map(|&t| {
                    let code = interpolate(code_a, code_b, t, kind);
                    let saved = Arc::clone(&view.saved);
                    voiced_when_made(
                        Arc::clone(&view.voice),
                        move || {
                            saved.model.decode(&code).map_err(|e| {
                                format!("the second model cannot decode the path: {e}")
                            })
                        },
                        self.path_level(t),
                    )
                })
                .collect();
        let steps = parts.len();
        let label = format!(
            "the path by the second model ({}), {} steps of t",
            view.source, steps
        );
        self.play_clip(ClipSource::Sequence(parts), label, false);
    }
}
