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
use crate::app::state::{Instrument, Loudness, NowPlaying};
use crate::app::GenrescopeApp;
use crate::audio::clip::ClipSource;
use crate::dsp::loudness::interpolate_rms;
use crate::interpolate::{interpolate, steps_t, PathKind, PathStep};
use crate::latent::{genre_centroids, probe_code, steer, walk, GenreCentroids};
use crate::projection::Projection;

use super::listening::voiced;
use crate::app::state::MAX_ALPHA;

/// Points of the paths drawn for a walk along a component (−3σ to 3σ) and a move toward a genre.
const PATH_POINTS: usize = 7;
/// Most points of a probe's stroke kept for its WAV.
const MAX_STROKE: usize = 400;

impl GenrescopeApp {
    pub(super) fn set_t(&mut self, t: f32, held: bool) {
        self.state.interp.t = t.clamp(0.0, 1.0);
        let looping = held && self.state.interp.looping;
        self.request_interpolation(true, looping);
    }

    pub(super) fn release_t(&mut self) {
        if let Some(player) = self.player.as_mut() {
            player.set_looping(false);
        }
    }

    pub(super) fn set_path_kind(&mut self, kind: PathKind) {
        self.state.interp.kind = kind;
        self.request_interpolation(false, false);
    }

    pub(super) fn set_steps(&mut self, steps: usize) {
        self.state.interp.steps = steps.clamp(2, 64);
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
        let a = self.input_level(self.state.view.selected?)?;
        let b = self.input_level(self.state.interp.b?)?;
        self.matched(Some(interpolate_rms(a, b, t)))
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
                let i = &self.state.instruments;
                let ready = self.state.model.as_ref().is_some_and(|m| m.maps.is_some());
                if ready && self.state.view.selected.is_some() {
                    self.find_neighbours(i.space, if i.k == 0 { 10 } else { i.k });
                }
            }
            _ => {}
        }
    }

    /// Asks for the decoded point at the current t (and the path), once A and B are chosen and
    /// the model can decode. With `play`, the point is played (looping if asked).
    pub(super) fn request_interpolation(&mut self, play: bool, looping: bool) {
        let (Some(a), Some(b)) = (self.state.view.selected, self.state.interp.b) else {
            return;
        };
        let (Some(code_a), Some(code_b)) = (self.state.code(a), self.state.code(b)) else {
            return;
        };
        let interp = &self.state.interp;
        let point = (interp.t, interpolate(code_a, code_b, interp.t, interp.kind));
        let path = steps_t(interp.steps)
            .into_iter()
            .map(|t| (t, interpolate(code_a, code_b, t, interp.kind)))
            .collect();
        let level = self.path_level(interp.t);
        self.submit(Instrument::Interpolate, point, path, play, looping, level);
    }

    /// Clip A walked along the bottleneck's first components by the walk's σs; the path drawn
    /// is the walk along `moved` from −3σ to 3σ.
    pub(super) fn set_walk(&mut self, component: usize, sigma: f32, held: bool) {
        if let Some(s) = self.state.instruments.walk.get_mut(component) {
            *s = sigma.clamp(-3.0, 3.0);
        }
        self.request_walk(component, true, held && self.state.interp.looping);
    }

    pub(super) fn reset_walk(&mut self) {
        self.state.instruments.walk = [0.0; 3];
        self.request_walk(0, true, false);
    }

    fn request_walk(&mut self, moved: usize, play: bool, looping: bool) {
        let Some(a) = self.state.view.selected else {
            return;
        };
        let (Some(code), Some(map)) = (self.state.code(a), self.code_map()) else {
            return;
        };
        let sigmas = self.state.instruments.walk;
        let point = (sigmas[moved], walk(code, map, &sigmas));
        let path = (0..PATH_POINTS)
            .map(|k| {
                let s = -3.0 + 6.0 * k as f32 / (PATH_POINTS - 1) as f32;
                let mut along = sigmas;
                along[moved] = s;
                (s, walk(code, map, &along))
            })
            .collect();
        let level = self.matched(self.input_level(a));
        self.submit(Instrument::Components, point, path, play, looping, level);
    }

    /// Clip A moved toward genre `toward` by α (the model's genre index).
    pub(super) fn set_steer(&mut self, toward: usize, alpha: f32, held: bool) {
        let instruments = &mut self.state.instruments;
        instruments.steer_toward = Some(toward);
        instruments.alpha = alpha.clamp(0.0, MAX_ALPHA);
        self.request_steer(true, held && self.state.interp.looping);
    }

    fn request_steer(&mut self, play: bool, looping: bool) {
        let Some(a) = self.state.view.selected else {
            return;
        };
        let (Some(model), Some(ds)) = (self.state.model.as_ref(), self.state.dataset()) else {
            return;
        };
        let Some(maps) = model.maps.as_ref() else {
            return;
        };
        let dim = maps.inference.code_dim;
        let Ok(GenreCentroids { labels, centres }) =
            genre_centroids(ds, &model.saved.meta, &maps.inference.code, dim)
        else {
            return;
        };
        let genres = model.saved.meta.genres.len();
        // Until a genre is chosen: the first that is not A's own (as the panel shows).
        let toward = self
            .state
            .instruments
            .steer_toward
            .unwrap_or_else(|| (0..genres).find(|&g| g != labels[a]).unwrap_or(0));
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
        let alpha = self.state.instruments.alpha;
        let point = (alpha, steer(code, from, to, alpha));
        let path = (0..PATH_POINTS)
            .map(|k| {
                let a = MAX_ALPHA * k as f32 / (PATH_POINTS - 1) as f32;
                (a, steer(code, from, to, a))
            })
            .collect();
        let level = self.matched(self.input_level(a));
        self.submit(Instrument::Steer, point, path, play, looping, level);
    }

    /// The probe pressed or moved to `xy` on the bottleneck map (`start`: a new stroke).
    pub(super) fn probe_at(&mut self, xy: [f64; 2], start: bool) {
        let Some(map) = self.code_map() else {
            return;
        };
        let Some(maps) = self.state.model.as_ref().and_then(|m| m.maps.clone()) else {
            return;
        };
        let off = self.state.instruments.off_plane;
        let (code, nearest) =
            probe_code(map, &maps.inference.code, maps.inference.code_dim, xy, off);
        let instruments = &mut self.state.instruments;
        if start {
            instruments.stroke.clear();
            instruments.stroke_xy.clear();
        }
        if instruments.stroke.len() < MAX_STROKE {
            instruments.stroke.push(code.clone());
            instruments.stroke_xy.push(xy);
        }
        instruments.probe_nearest = nearest;
        let step = instruments.stroke.len() as f32;
        let level = self.matched(nearest.and_then(|i| self.input_level(i)));
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
            .model
            .as_ref()?
            .code_layer
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
        let Some(model) = self.state.model.as_ref() else {
            return;
        };
        if !model.saved.meta.model.kind.has_decoder() {
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
        self.state.jobs.cancel(|k| *k == JobKind::Decode);
        let (job, cancel) = self.state.jobs.start(JobKind::Decode);
        let request = DecodeRequest {
            job,
            cancel,
            saved,
            voice,
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
        self.state.trace.instrument = instrument;
        let sound = &mut self.state.sound;
        sound.request = Some(job);
        if play {
            sound.requested_at = Some(Instant::now());
            sound.playing_id = None;
        }
    }

    pub(super) fn decoded(&mut self, job: JobId, decoded: Decoded) {
        if self.state.sound.request != Some(job) {
            return;
        }
        self.state.sound.request = None;
        let Decoded {
            point,
            path,
            clip,
            looping,
            gain_db,
        } = decoded;
        let instrument = self.state.trace.instrument;
        let label = format!(
            "decoded step at {} = {:.2}",
            instrument.parameter(),
            point.t
        );
        self.show_trace(point, path);
        if let Some(clip) = clip {
            self.state.sound.gain_db = Some(gain_db);
            if let Some(id) = self.hand_to_player(clip.frames, looping) {
                self.state.sound.playing_id = Some(id);
                self.state.sound.playing_path = None;
                self.state.now_playing = Some(NowPlaying {
                    job: None,
                    label,
                    player_id: Some(id),
                });
            }
        }
    }

    /// Puts a worker's answer on the maps: the path and the point through the same PCA fits.
    fn show_trace(&mut self, current: PathStep, path: Vec<PathStep>) {
        let model = self.state.model.as_ref();
        let code_map = model
            .and_then(|m| m.code_layer.as_ref())
            .map(|l| &l.projection);
        let logits_map = model
            .and_then(|m| m.logits_layer.as_ref())
            .map(|l| &l.projection);
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
        let trace = &mut self.state.trace;
        trace.current_code_xy = current_code_xy;
        trace.current_logits_xy = current_logits_xy;
        trace.current = Some(current);
        trace.path_code_xy = path_code_xy;
        trace.path_logits_xy = path_logits_xy;
        trace.path = path;
    }

    /// The path shown (A → B, a walk, a move toward a genre), step after step.
    pub(super) fn play_path(&mut self) {
        if self.state.trace.path.is_empty() {
            let hint = match self.state.instruments.shown {
                Instrument::Probe => "A probe has no path: export its stroke as a WAV instead.",
                Instrument::Components | Instrument::Steer => "Click a point to make it A first.",
                _ => "Pick A (click) and B (shift-click) on a map first.",
            };
            self.state.notices.error(Topic::Listening, hint);
            return;
        }
        let Some(model) = self.state.model.as_ref() else {
            return;
        };
        let voice = Arc::clone(&model.voice);
        let instrument = self.state.trace.instrument;
        let parts = self
            .state
            .trace
            .path
            .iter()
            .map(|step| {
                let level = match instrument {
                    Instrument::Interpolate => self.path_level(step.t),
                    _ => self.matched(self.state.view.selected.and_then(|a| self.input_level(a))),
                };
                voiced(Arc::clone(&voice), step.decoded.clone(), level)
            })
            .collect();
        let label = format!(
            "the path, {} steps of {}",
            self.state.trace.path.len(),
            instrument.parameter()
        );
        self.play_clip(ClipSource::Sequence(parts), label);
        self.state.sound.path_clip_job = self.state.now_playing.as_ref().and_then(|p| p.job);
    }
}
