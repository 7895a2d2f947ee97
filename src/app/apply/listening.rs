//! Listening: picking clips A and B, playing a clip's original audio, what the model sees and
//! its reconstruction (loudness-matched unless the user asks for the raw level), and the audio
//! device's news (a clip finished, the stream failed).

use std::sync::Arc;
use std::time::Instant;

use crate::app::events::{ClipVersion, Event};
use crate::app::jobs::work;
use crate::app::notices::Topic;
use crate::app::registry::{JobId, JobKind};
use crate::app::state::{AudioStatus, Loudness, NowPlaying};
use crate::app::GenrescopeApp;
use crate::audible::Voice;
use crate::audio::clip::{ClipError, ClipSource, Mono, PreparedClip};
use crate::audio::playback::PlayerNews;
use crate::dsp::loudness::match_rms;
pub(super) use crate::sources::original;

/// Audio made on the worker from a vector: through the voice, brought to `target_rms` if given.
pub(super) fn voiced(voice: Arc<Voice>, vector: Vec<f32>, target_rms: Option<f32>) -> ClipSource {
    ClipSource::Made(Box::new(move || {
        let mut samples = voice
            .render(&vector)
            .map_err(|e| ClipError::Make(e.to_string()))?;
        if let Some(target) = target_rms {
            match_rms(&mut samples, target);
        }
        Ok(Mono {
            samples,
            rate_hz: voice.sample_rate_hz(),
        })
    }))
}

impl GenrescopeApp {
    pub(super) fn select_a(&mut self, segment: usize, play: bool) {
        if self.state.dataset().is_none_or(|ds| segment >= ds.len()) {
            return;
        }
        self.state.view.selected = Some(segment);
        if play {
            self.play_version(segment, ClipVersion::Original);
        }
        self.refresh_trace();
    }

    pub(super) fn select_b(&mut self, segment: usize, play: bool) {
        if self.state.dataset().is_none_or(|ds| segment >= ds.len()) {
            return;
        }
        self.state.interp.b = Some(segment);
        if play {
            self.play_version(segment, ClipVersion::Original);
        }
        self.refresh_trace();
    }

    /// Applies `--a` / `--b` once the clips can be found and the model has encoded them.
    pub(super) fn apply_picks(&mut self) {
        let busy = self.state.loading().is_some()
            || self.state.is_projecting()
            || self.state.is_loading_model()
            || self.state.pending_model.is_some();
        if busy || self.state.dataset().is_none() {
            return;
        }
        if let Some(song) = self.state.place_on_load.take() {
            self.place_file(song);
        }
        let Some((a, b)) = self.state.picks.take() else {
            return;
        };
        for (spec, is_b) in [(a, false), (b, true)] {
            let Some(spec) = spec else { continue };
            match self.state.dataset().and_then(|d| d.find_segment(&spec)) {
                Some(i) if is_b => self.select_b(i, false),
                Some(i) => self.select_a(i, false),
                None => self.state.notices.error(
                    Topic::Listening,
                    format!(
                        "No clip '{spec}' in this folder; write TRACK:SEGMENT, e.g. \
                         jazz.00003.wav:4"
                    ),
                ),
            }
        }
    }

    /// The level decoded audio is brought to: the level of what the model sees for clip `i`.
    pub(super) fn input_level(&self, i: usize) -> Option<f32> {
        let (ds, model) = (self.state.dataset()?, self.state.model.as_ref()?);
        (i < ds.len()).then(|| model.voice.level(ds.vector(i)))
    }

    /// Plays a version of a clip: its original audio, what the model sees, the
    /// reconstruction, or all three in turn.
    pub(super) fn play_version(&mut self, segment: usize, version: ClipVersion) {
        if self.player.is_none() {
            // Said once at start-up; clicking again should not repeat it.
            return;
        }
        let Some(ds) = self.state.dataset().cloned() else {
            return;
        };
        if segment >= ds.len() {
            return;
        }
        let voice = self.state.model.as_ref().map(|m| Arc::clone(&m.voice));
        let input = voice
            .clone()
            .map(|v| voiced(v, ds.vector(segment).to_vec(), None));
        let target = match self.state.loudness {
            Loudness::Matched => self.input_level(segment),
            Loudness::Raw => None,
        };
        let reconstruction = voice
            .zip(self.state.reconstruction(segment))
            .map(|(v, r)| voiced(v, r.to_vec(), target));
        let (source, what) = match (version, input, reconstruction) {
            (ClipVersion::Original, _, _) => (original(&ds, segment), ""),
            (ClipVersion::Input, Some(input), _) => (input, " (what the model sees)"),
            (ClipVersion::Reconstruction, _, Some(r)) => (r, " (reconstruction)"),
            (ClipVersion::All, Some(input), Some(r)) => (
                ClipSource::Sequence(vec![original(&ds, segment), input, r]),
                " (original, what the model sees, reconstruction)",
            ),
            (ClipVersion::Input, None, _) => {
                self.state.notices.error(
                    Topic::Listening,
                    "Open or train a model first: it decides how its input sounds.",
                );
                return;
            }
            _ => {
                self.state.notices.error(
                    Topic::Listening,
                    "This model has no decoder, so there is no reconstruction to play.",
                );
                return;
            }
        };
        let (start, end) = ds.segment_time_secs(segment);
        let track = ds.track_of(segment);
        let label = format!(
            "{} {:.1}-{:.1} s ({}){what}",
            track.file_name(),
            start,
            end,
            ds.genres[track.genre]
        );
        self.play_clip(source, label);
    }

    /// Prepares `source` on a worker and plays it when ready, replacing what plays.
    pub(super) fn play_clip(&mut self, source: ClipSource, label: String) {
        let Some(format) = self.player.as_ref().map(|p| p.format().clone()) else {
            return;
        };
        self.state.jobs.cancel(|k| *k == JobKind::RenderClip);
        let job = self.start_job(JobKind::RenderClip, move |_, _, _| {
            work::render_clip(source, format)
        });
        self.state.sound.playing_path = None;
        self.state.sound.path_step_playing = None;
        self.state.now_playing = Some(NowPlaying {
            job: Some(job),
            label,
            player_id: None,
        });
    }

    pub(super) fn clip_ready(&mut self, job: JobId, clip: PreparedClip) {
        let wanted = self.state.now_playing.as_ref().and_then(|p| p.job) == Some(job);
        if !wanted {
            return;
        }
        let is_path = self.state.sound.path_clip_job.take() == Some(job);
        let part_starts = clip.part_starts.clone();
        match self.hand_to_player(clip.frames, false) {
            Some(id) => {
                if let Some(playing) = self.state.now_playing.as_mut() {
                    playing.player_id = Some(id);
                    playing.job = None;
                }
                if is_path {
                    self.state.sound.playing_path = Some((id, part_starts));
                }
            }
            None => self.state.now_playing = None,
        }
    }

    /// Gives frames to the player; a failure is said once and the player id is `None`.
    pub(super) fn hand_to_player(&mut self, frames: Box<[f32]>, looping: bool) -> Option<u64> {
        let player = self.player.as_mut()?;
        match player.play_prepared(frames, looping) {
            Ok(id) => {
                if matches!(self.state.audio, Some(AudioStatus::Failed(_))) {
                    // A new stream opened after a failure: sound works again.
                    self.state.audio = Some(AudioStatus::Ready(player.format().clone()));
                    self.state.notices.clear(Topic::Audio);
                }
                Some(id)
            }
            Err(e) => {
                self.state.audio = Some(AudioStatus::Failed(e.to_string()));
                self.state.notices.error(
                    Topic::Audio,
                    format!("Cannot play: {e}. Click again to retry."),
                );
                None
            }
        }
    }

    pub(super) fn stop_audio(&mut self) {
        if let Some(player) = self.player.as_mut() {
            player.stop();
        }
        self.state.jobs.cancel(|k| *k == JobKind::RenderClip);
        self.state.now_playing = None;
        self.state.sound.playing_path = None;
        self.state.sound.path_step_playing = None;
    }

    /// What the audio device has to say this frame, as events (the apply step handles them).
    pub(crate) fn audio_events(&mut self) -> Vec<Event> {
        let Some(player) = self.player.as_mut() else {
            return Vec::new();
        };
        let mut events: Vec<Event> = player.tick().into_iter().map(Event::Player).collect();
        let sound = &self.state.sound;
        if let (Some(id), Some(_)) = (sound.playing_id, sound.requested_at) {
            if let Some(at) = player.started_at(id) {
                events.push(Event::PlaybackStarted { id, at });
            }
        }
        if let (Some((path_id, _)), Some((id, frames))) = (&sound.playing_path, player.position()) {
            if *path_id == id {
                events.push(Event::PlaybackPosition { id, frames });
            }
        }
        events
    }

    pub(super) fn player_news(&mut self, news: PlayerNews) {
        match news {
            PlayerNews::Finished { id } => {
                if self
                    .state
                    .now_playing
                    .as_ref()
                    .is_some_and(|p| p.player_id == Some(id))
                {
                    self.state.now_playing = None;
                }
                if self
                    .state
                    .sound
                    .playing_path
                    .as_ref()
                    .is_some_and(|p| p.0 == id)
                {
                    self.state.sound.playing_path = None;
                    self.state.sound.path_step_playing = None;
                }
            }
            PlayerNews::StreamFailed { first, errors } => {
                eprintln!(
                    "genrescope: the audio stream failed ({first}; {errors} error(s) reported); \
                     it was closed and will be reopened at the next play"
                );
                self.state.now_playing = None;
                self.state.sound.playing_path = None;
                let why = format!("the audio device reported an error ({first})");
                self.state.audio = Some(AudioStatus::Failed(why.clone()));
                self.state.notices.error(
                    Topic::Audio,
                    format!(
                        "Sound stopped: {why}. genrescope closed the stream; click a point or \
                         a play button to try again."
                    ),
                );
            }
        }
    }

    pub(super) fn playback_started(&mut self, id: u64, at: Instant) {
        let sound = &mut self.state.sound;
        if sound.playing_id == Some(id) {
            if let Some(asked) = sound.requested_at.take() {
                sound.latency_ms = Some(at.saturating_duration_since(asked).as_secs_f64() * 1e3);
            }
        }
    }

    pub(super) fn playback_position(&mut self, id: u64, frames: usize) {
        let sound = &mut self.state.sound;
        if let Some((path_id, starts)) = &sound.playing_path {
            if *path_id == id {
                sound.path_step_playing = starts.iter().rposition(|&s| s <= frames);
            }
        }
    }
}
