//! Interpolating between A and B in the bottleneck: every slider move asks the decoder worker for
//! the step at t (and the whole path), latest wins; its answer is drawn on the maps and played.

use std::sync::Arc;
use std::time::Instant;

use crate::app::jobs::decoder::{AudioRequest, DecodeRequest, Decoded};
use crate::app::jobs::registry::{JobId, JobKind};
use crate::app::notices::Topic;
use crate::app::state::{Loudness, NowPlaying};
use crate::app::GenrescopeApp;

use super::listening::voiced;
use crate::audio::clip::ClipSource;
use crate::dsp::loudness::interpolate_rms;
use crate::interpolate::{interpolate, steps_t, PathKind, PathStep};
use crate::projection::Projection;

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

    /// The level of decoded audio at `t` between A's and B's inputs (loudness matching).
    fn path_level(&self, t: f32) -> Option<f32> {
        if self.state.loudness == Loudness::Raw {
            return None;
        }
        let a = self.input_level(self.state.view.selected?)?;
        let b = self.input_level(self.state.interp.b?)?;
        Some(interpolate_rms(a, b, t))
    }

    /// Asks for the decoded point at the current t (and the path), once A and B are chosen and
    /// the model can decode. With `play`, the point is played (looping if asked).
    pub(super) fn request_interpolation(&mut self, play: bool, looping: bool) {
        let (Some(a), Some(b)) = (self.state.view.selected, self.state.interp.b) else {
            return;
        };
        let Some(model) = self.state.model.as_ref() else {
            return;
        };
        if !model.saved.meta.model.kind.has_decoder() {
            return;
        }
        let (Some(code_a), Some(code_b)) = (self.state.code(a), self.state.code(b)) else {
            return;
        };
        let interp = &self.state.interp;
        let point = (interp.t, interpolate(code_a, code_b, interp.t, interp.kind));
        let path = steps_t(interp.steps)
            .into_iter()
            .map(|t| (t, interpolate(code_a, code_b, t, interp.kind)))
            .collect();
        let (saved, voice) = (Arc::clone(&model.saved), Arc::clone(&model.voice));
        let audio = match (play, self.player.as_ref()) {
            (true, Some(player)) => Some(AudioRequest {
                format: player.format().clone(),
                looping,
                target_rms: self.path_level(interp.t),
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
        let interp = &mut self.state.interp;
        interp.request = Some(job);
        if play {
            interp.requested_at = Some(Instant::now());
            interp.playing_id = None;
        }
    }

    pub(super) fn decoded(&mut self, job: JobId, decoded: Decoded) {
        if self.state.interp.request != Some(job) {
            return;
        }
        self.state.interp.request = None;
        let Decoded {
            point,
            path,
            clip,
            looping,
            gain_db,
        } = decoded;
        let label = format!("decoded step at t = {:.2}", point.t);
        self.show_interpolation(point, path);
        if let Some(clip) = clip {
            self.state.interp.gain_db = Some(gain_db);
            if let Some(id) = self.hand_to_player(clip.frames, looping) {
                self.state.interp.playing_id = Some(id);
                self.state.interp.playing_path = None;
                self.state.now_playing = Some(NowPlaying {
                    job: None,
                    label,
                    player_id: Some(id),
                });
            }
        }
    }

    /// Puts a worker's answer on the maps: the path and the point through the same PCA fits.
    fn show_interpolation(&mut self, current: PathStep, path: Vec<PathStep>) {
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
        let interp = &mut self.state.interp;
        interp.path_code_xy = path_code_xy;
        interp.current_code_xy = current_code_xy;
        interp.path_logits_xy = path_logits_xy;
        interp.current_logits_xy = current_logits_xy;
        interp.current = Some(current);
        interp.path = path;
    }

    pub(super) fn play_path(&mut self) {
        if self.state.interp.path.is_empty() {
            self.state.notices.error(
                Topic::Listening,
                "Pick A (click) and B (shift-click) on a map first.",
            );
            return;
        }
        let Some(model) = self.state.model.as_ref() else {
            return;
        };
        let voice = Arc::clone(&model.voice);
        let parts = self
            .state
            .interp
            .path
            .iter()
            .map(|step| {
                voiced(
                    Arc::clone(&voice),
                    step.decoded.clone(),
                    self.path_level(step.t),
                )
            })
            .collect();
        let label = format!("the path A → B, {} steps", self.state.interp.path.len());
        self.play_clip(ClipSource::Sequence(parts), label);
        self.state.interp.path_clip_job = self.state.now_playing.as_ref().and_then(|p| p.job);
    }
}
