//! Listening: picking clips A and B, playing a clip's original audio, what the model sees and
//! its reconstruction (loudness-matched unless the user asks for the raw level), and the audio
//! device's news (a clip finished, the stream failed). What plays is one [`Playback`] state.

use std::sync::Arc;
use std::time::Instant;

use crate::app::events::{ClipVersion, Event};
use crate::app::jobs::work;
use crate::app::notices::Topic;
use crate::app::registry::{JobId, JobKind, Stamp};
use crate::app::state::Derived;
use crate::app::state::{Loudness, Playback, Stage};
use crate::app::GenrescopeApp;
use crate::audio::clip::{ClipSource, PreparedClip};
use crate::audio::playback::PlayerNews;
use crate::dataset::sources::original;
use crate::latent::audible::{voiced, voiced_when_made};

impl GenrescopeApp {
    pub(super) fn pick_a(&mut self, segment: usize, play: bool) {
        let Some(data) = self.state.data.as_mut() else {
            return;
        };
        if segment >= data.dataset.len() {
            return;
        }
        data.picks.a = Some(segment);
        if play {
            self.play_version(segment, ClipVersion::Original);
        }
        self.refresh_trace();
        self.request_original_spectrogram(segment);
    }

    /// With inputs that are not log-mel patches (the waveform, MFCCs), a spectrogram of A's
    /// original audio to show beside what the model sees; made on a worker, once per clip.
    fn request_original_spectrogram(&mut self, segment: usize) {
        let Some(data) = self.state.data.as_mut() else {
            return;
        };
        if data.dataset.features.input.kind() == crate::dataset::InputKind::Logmel
            || data
                .original_spectrogram
                .as_ref()
                .is_some_and(|(i, _)| *i == segment)
        {
            return;
        }
        data.original_spectrogram = Some((segment, Derived::Computing));
        let ds = Arc::clone(&data.dataset);
        let stamp = self.state.data_stamp();
        self.state.jobs.cancel(|k| *k == JobKind::Spectrogram);
        self.start_job(JobKind::Spectrogram, stamp, move |_, _, _| {
            crate::app::jobs::work::original_spectrogram(&ds, segment)
        });
    }

    pub(super) fn original_spectrogram_ready(&mut self, clip: usize, db: Vec<f32>) {
        if let Some(data) = self.state.data.as_mut() {
            if data
                .original_spectrogram
                .as_ref()
                .is_some_and(|(i, _)| *i == clip)
            {
                data.original_spectrogram = Some((clip, Derived::Ready(db)));
            }
        }
    }

    pub(super) fn pick_b(&mut self, segment: usize, play: bool) {
        let Some(data) = self.state.data.as_mut() else {
            return;
        };
        if segment >= data.dataset.len() {
            return;
        }
        data.picks.b = Some(segment);
        if play {
            self.play_version(segment, ClipVersion::Original);
        }
        self.refresh_trace();
    }

    /// Applies `--a`, `--b` and `--place` once the clips can be found and the model has
    /// encoded them.
    pub(super) fn apply_on_load(&mut self) {
        let busy = self.state.loading().is_some()
            || self.state.is_projecting()
            || self.state.is_loading_model()
            || self.state.pending_model.is_some();
        if busy || self.state.dataset().is_none() {
            return;
        }
        if let Some(song) = self.state.on_load.place.take() {
            self.place_file(song);
        }
        if self.state.model_view().is_some() && std::mem::take(&mut self.state.on_load.underneath) {
            self.show_underneath(true);
        }
        let Some((a, b)) = self.state.on_load.picks.take() else {
            return;
        };
        for (spec, is_b) in [(a, false), (b, true)] {
            let Some(spec) = spec else { continue };
            match self.state.dataset().and_then(|d| d.find_segment(&spec)) {
                Some(i) if is_b => self.pick_b(i, false),
                Some(i) => self.pick_a(i, false),
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

    /// The level decoded audio is brought to for clip `i`: the level of what the model sees.
    pub(super) fn input_level(&self, i: usize) -> Option<f32> {
        let (ds, model) = (self.state.dataset()?, self.state.model()?);
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
        let voice = self.state.model().map(|m| Arc::clone(&m.voice));
        let input = voice
            .clone()
            .map(|v| voiced(v, ds.vector(segment).to_vec(), None));
        let target = match self.state.loudness {
            Loudness::Matched => self.input_level(segment),
            Loudness::Raw => None,
        };
        if version == ClipVersion::SecondReconstruction {
            self.play_second_reconstruction(segment, target);
            return;
        }
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
        self.play_clip(source, label, false);
    }

    /// The second model's decoder on its own code of the clip (compare mode), at the same
    /// loudness as the first's reconstruction, for A/B listening.
    fn play_second_reconstruction(&mut self, segment: usize, target: Option<f32>) {
        let Some(view) = self
            .state
            .model()
            .and_then(|m| m.compare.as_ref())
            .and_then(|c| c.ready())
            .cloned()
        else {
            return;
        };
        let code = view
            .second_of(segment)
            .and_then(|j| view.code(j))
            .filter(|_| view.saved.meta.model.kind.has_decoder())
            .map(<[f32]>::to_vec);
        let Some(code) = code else {
            self.state.notices.error(
                Topic::Listening,
                "The second model has no decoder, or did not read this clip.",
            );
            return;
        };
        let voice = Arc::clone(&view.voice);
        let saved = Arc::clone(&view.saved);
        let source = voiced_when_made(
            voice,
            move || {
                saved
                    .model
                    .decode(&code)
                    .map_err(|e| format!("the second model cannot decode this clip: {e}"))
            },
            target,
        );
        let Some(ds) = self.state.dataset() else {
            return;
        };
        let (start, end) = ds.segment_time_secs(segment);
        let label = format!(
            "{} {start:.1}-{end:.1} s (reconstruction by the second model, {})",
            ds.track_of(segment).file_name(),
            view.source
        );
        self.play_clip(source, label, false);
    }

    /// Prepares `source` on a worker and plays it when ready, replacing what plays. A path
    /// (`is_path`) follows the step being heard.
    pub(super) fn play_clip(&mut self, source: ClipSource, label: String, is_path: bool) {
        let Some(format) = self.player.as_ref().map(|p| p.format().clone()) else {
            return;
        };
        self.state.jobs.cancel(|k| *k == JobKind::RenderClip);
        let job = self.start_job(JobKind::RenderClip, Stamp::default(), move |_, _, _| {
            work::render_clip(source, format)
        });
        let stage = Stage::Preparing(job);
        self.state.playback = match is_path {
            true => Playback::Path {
                label,
                stage,
                part_starts: Vec::new(),
                step: None,
            },
            false => Playback::Clip { label, stage },
        };
    }

    pub(super) fn clip_ready(&mut self, job: JobId, clip: PreparedClip) {
        if self.state.playback.stage() != Some(Stage::Preparing(job)) {
            return;
        }
        let part_starts = clip.part_starts.clone();
        let Some(id) = self.hand_to_player(clip.frames, false) else {
            return;
        };
        match &mut self.state.playback {
            Playback::Clip { stage, .. } => *stage = Stage::Playing(id),
            Playback::Path {
                stage,
                part_starts: starts,
                ..
            } => {
                *stage = Stage::Playing(id);
                *starts = part_starts;
            }
            Playback::Stopped | Playback::Failed { .. } => {}
        }
    }

    /// Gives frames to the player; a failure is said once, and the playback is then failed.
    pub(super) fn hand_to_player(&mut self, frames: Box<[f32]>, looping: bool) -> Option<u64> {
        let player = self.player.as_mut()?;
        match player.play_prepared(frames, looping) {
            Ok(id) => {
                if matches!(self.state.playback, Playback::Failed { .. }) {
                    // A new stream opened after a failure: sound works again.
                    self.state.notices.clear(Topic::Audio);
                }
                Some(id)
            }
            Err(e) => {
                self.state.playback = Playback::Failed { why: e.to_string() };
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
        if self.state.playback.is_sounding() {
            self.state.playback = Playback::Stopped;
        }
    }

    /// What the audio device has to say this frame, as events (the apply step handles them).
    pub(crate) fn audio_events(&mut self) -> Vec<Event> {
        let Some(player) = self.player.as_mut() else {
            return Vec::new();
        };
        let mut events: Vec<Event> = player.tick().into_iter().map(Event::Player).collect();
        if let Some((_, Some(id))) = self.state.decoder.awaiting {
            if let Some(at) = player.started_at(id) {
                events.push(Event::PlaybackStarted { id, at });
            }
        }
        if let (Playback::Path { stage, .. }, Some((id, frames))) =
            (&self.state.playback, player.position())
        {
            if *stage == Stage::Playing(id) {
                events.push(Event::PlaybackPosition { id, frames });
            }
        }
        events
    }

    pub(super) fn player_news(&mut self, news: PlayerNews) {
        match news {
            PlayerNews::Finished { id } => {
                if self.state.playback.playing_id() == Some(id) {
                    self.state.playback = Playback::Stopped;
                }
            }
            PlayerNews::StreamFailed { first, errors } => {
                eprintln!(
                    "genrescope: the audio stream failed ({first}; {errors} error(s) reported); \
                     it was closed and will be reopened at the next play"
                );
                let why = format!("the audio device reported an error ({first})");
                self.state.notices.error(
                    Topic::Audio,
                    format!(
                        "Sound stopped: {why}. genrescope closed the stream; click a point or \
                         a play button to try again."
                    ),
                );
                self.state.playback = Playback::Failed { why };
            }
        }
    }

    pub(super) fn playback_started(&mut self, id: u64, at: Instant) {
        let decoder = &mut self.state.decoder;
        if let Some((asked, Some(awaited))) = decoder.awaiting {
            if awaited == id {
                decoder.latency_ms = Some(at.saturating_duration_since(asked).as_secs_f64() * 1e3);
                decoder.awaiting = None;
            }
        }
    }

    pub(super) fn playback_position(&mut self, id: u64, frames: usize) {
        if let Playback::Path {
            stage,
            part_starts,
            step,
            ..
        } = &mut self.state.playback
        {
            if *stage == Stage::Playing(id) {
                *step = part_starts.iter().rposition(|&s| s <= frames);
            }
        }
    }
}
