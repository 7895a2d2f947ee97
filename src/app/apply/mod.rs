//! The one place that changes the window's state: `apply` takes the user's commands, `handle`
//! takes events (workers' progress and endings, the audio device's news). Both read as tables;
//! each arm is a method in the file of its area. Every error becomes one notice, in words a user
//! can act on.

mod audit;
mod compare;
mod data;
mod decoding;
mod embedding;
mod explain;
mod export;
mod instruments;
mod listening;
mod model;
mod underneath;

use super::events::{Command, Event, Outcome, Output};
use super::notices::Topic;
use super::registry::{Job, JobKind, Progress};
use super::state::{Derived, Playback, Stage};
use super::GenrescopeApp;

impl GenrescopeApp {
    pub fn apply(&mut self, command: Command) {
        use Command::*;
        match command {
            OpenFolderDialog => self.open_folder_dialog(),
            LoadData(source) => self.load_data(source),
            ReadAs(layout) => self.read_as(layout),
            ShowUnderneath(on) => self.show_underneath(on),
            UseShippedModel(model) => self.load_shipped(model),
            CancelLoad => self.cancel_load(),
            SetMapMethod { map, method } => self.set_map_method(map, method),
            EditMapParams { map, method } => self.edit_map_params(map, method),
            CompareWith(path) => {
                self.compare_with(crate::app::jobs::work::CompareSource::File(path))
            }
            CompareWithShipped(s) => {
                self.compare_with(crate::app::jobs::work::CompareSource::Shipped(s))
            }
            StopComparing => self.stop_comparing(),
            CancelMapMethod(map) => self.cancel_map_method(map),
            EditFolderField(text) => self.state.folder_input = text,
            EditSettings(settings) => self.state.settings = settings,
            StartTraining => self.start_training(),
            CancelTraining => self.cancel_training(),
            OpenModelDialog => self.ask_path(super::events::FileTarget::OpenModel),
            LoadModel(path) => self.load_model(path),
            SaveModelDialog => self.ask_path(super::events::FileTarget::SaveModel),
            Dropped(paths) => self.dropped(paths),
            Hover(segment) => {
                if let Some(data) = self.state.data.as_mut() {
                    data.hovered = segment;
                }
            }
            PickA(segment) => self.pick_a(segment, true),
            PickB(segment) => self.pick_b(segment, true),
            ClearPicks => self.clear_picks(),
            PickOnLoad { a, b } => {
                self.state.on_load.picks = Some((a, b));
                self.apply_on_load();
            }
            SetT { t, held } => self.set_t(t, held),
            ReleaseSlider => self.release_slider(),
            SetPathKind(kind) => self.set_path_kind(kind),
            SetSteps(steps) => self.set_steps(steps),
            SetLoopWhileHeld(looping) => self.state.instruments.loop_while_held = looping,
            SetPathDescriptor(d) => self.state.instruments.path_descriptor = d,
            PlayPath => self.play_path(),
            PlaySecondPath => self.play_second_path(),
            PlayVersion { segment, version } => self.play_version(segment, version),
            SetLoudness(loudness) => self.state.loudness = loudness,
            SetColorBy(color_by) => self.state.view.color_by = color_by,
            ShowTrackPoints(on) => self.state.view.track_points = on,
            StopAudio => self.stop_audio(),
            ToggleGenre(genre) => self.toggle_genre(genre),
            SelectCell { truth, predicted } => self.select_cell(truth, predicted),
            SelectPredicted(genre) => self.select_predicted(genre),
            SelectTrack(track) => self.select_track(track),
            ClearSelection => self.clear_selection(),
            SetTab(tab) => self.set_tab(tab),
            DismissNotice(index) => self.state.notices.dismiss(index),
            ShowSidePanel(shown) => self.state.view.side_panel_hidden = !shown,
            AskPath(target) => self.ask_path(target),
            EditPathField(text) => self.edit_path_field(text),
            ConfirmPathField => self.confirm_path_field(),
            CancelPathField => self.state.path_prompt = None,
            UsePath { target, path } => {
                self.use_path(target, path);
            }
            SetTool(tool) => self.set_tool(tool),
            ShowInstrument(instrument) => self.show_instrument(instrument),
            ProbeAt { xy, start } => self.probe_at(xy, start),
            SetOffPlane(off) => self.state.instruments.off_plane = off,
            SetWalk {
                component,
                sigma,
                held,
            } => self.set_walk(component, sigma, held),
            ResetWalk => self.reset_walk(),
            SetSteer {
                toward,
                alpha,
                held,
            } => self.set_steer(toward, alpha, held),
            FindNeighbours {
                space,
                k,
                whole_tracks,
            } => self.find_neighbours(space, k, whole_tracks),
            PlayQueue(clips) => self.play_queue(clips),
            EditPlaceField(text) => self.state.instruments.place_input = text,
            PlaceFile(path) => self.place_file(path),
            ClearPlaced => {
                if let Some(model) = self.state.model_mut() {
                    model.results.placed = None;
                }
                self.place_on_embedded_code_map();
            }
            Outline {
                map,
                xy,
                start,
                done,
            } => self.outline(map, xy, start, done),
            ShowDirection {
                axis,
                descriptor,
                rho,
            } => self.show_direction(axis, descriptor, rho),
            MeasureSpaces => self.request_explanation(),
            AuditData => self.audit_data(),
            SelectTracks { tracks, label } => self.select_tracks(tracks, label),
            HideDirection => {
                if let Some(model) = self.state.model_mut() {
                    model.results.direction = None;
                }
            }
        }
    }

    pub fn handle(&mut self, event: Event) {
        match event {
            Event::LoadProgress { job, progress } => {
                self.state.jobs.set_progress(job, Progress::Load(progress))
            }
            Event::Epoch { job, report } => self.epoch(job, report),
            Event::MapProgress { job, share } => {
                self.state.jobs.set_progress(job, Progress::Share(share))
            }
            Event::Ended { job, outcome } => self.ended(job, outcome),
            Event::Player(news) => self.player_news(news),
            Event::PlaybackStarted { id, at } => self.playback_started(id, at),
            Event::PlaybackPosition { id, frames } => self.playback_position(id, frames),
        }
    }

    /// A job's one ending: its product is used only if it is still wanted and still describes
    /// the data and the model on screen.
    fn ended(&mut self, id: u64, outcome: Outcome) {
        let Some(job) = self.state.jobs.finish(id) else {
            return;
        };
        if !self.state.is_current(job.stamp) {
            // Computed for data or a model that has been replaced: nothing on screen is about
            // it any more, so neither its result nor its failure is shown.
            self.state.jobs.stale_dropped += 1;
            self.after_job(&job);
            return;
        }
        let heavy = matches!(
            job.kind,
            JobKind::LoadData { .. }
                | JobKind::RawMap
                | JobKind::Train { .. }
                | JobKind::Project
                | JobKind::LoadModel { .. }
                | JobKind::Place { .. }
        );
        match outcome {
            // A failure that arrives after the job was stopped is about work nobody wants any
            // more: it would otherwise undo what replaced it.
            Outcome::Failed(_) | Outcome::Done(_) if job.is_cancelled() => self.job_cancelled(&job),
            Outcome::Done(output) => self.job_done(job, output),
            Outcome::Cancelled => self.job_cancelled(&job),
            Outcome::Failed(why) => self.job_failed(&job, why),
        }
        if heavy {
            crate::runtime::release_memory_when(self.state.is_idle());
        }
        self.apply_on_load();
    }

    /// What a dropped job's ending still means: memory to hand back, start-up requests that
    /// were waiting for it.
    fn after_job(&mut self, job: &Job) {
        if self.state.decoder.request == Some(job.id) {
            self.state.decoder.request = None;
        }
        if matches!(job.kind, JobKind::Project | JobKind::RawMap) {
            crate::runtime::release_memory_when(self.state.is_idle());
        }
        self.apply_on_load();
    }

    fn job_done(&mut self, job: Job, output: Output) {
        match (job.kind, output) {
            (JobKind::LoadData { source }, Output::Data(dataset)) => {
                self.data_loaded(job.id, source, *dataset)
            }
            (JobKind::RawMap, Output::RawMap(map)) => self.raw_map_ready(*map),
            (JobKind::Train { data, .. }, Output::Trained(experiment)) => {
                self.trained(data, *experiment)
            }
            (JobKind::Project, Output::Maps(maps)) => self.maps_ready(*maps),
            (JobKind::LoadModel { source, shipped }, Output::Model(saved)) => {
                self.model_loaded(*saved, source, shipped)
            }
            (JobKind::SaveModel { .. } | JobKind::Write { .. }, Output::Written(what)) => {
                self.state.notices.info(Topic::Export, what)
            }
            (JobKind::Dialog { target }, Output::Picked(path)) => self.picked(target, path),
            (JobKind::RenderClip, Output::Clip(clip)) => self.clip_ready(job.id, clip),
            (JobKind::Decode, Output::Decoded(decoded)) => self.decoded(job.id, *decoded),
            (JobKind::Place { .. }, Output::Placed(placement)) => self.placed(*placement),
            (JobKind::Explain, Output::Explained(explanation)) => self.explained(*explanation),
            (JobKind::Audit, Output::Audited(found)) => self.audited(*found),
            (JobKind::Underneath, Output::Underneath(found)) => self.underneath_ready(*found),
            (JobKind::Compare { .. }, Output::Compared(view)) => self.compared(*view),
            (JobKind::Spectrogram, Output::Spectrogram { clip, db }) => {
                self.original_spectrogram_ready(clip, db)
            }
            (
                JobKind::PlaceOnMap,
                Output::PlacedOnMap {
                    placement,
                    method,
                    points,
                },
            ) => self.placed_on_map(&placement, method, points),
            (JobKind::Embed { map }, Output::Embedded { method, points }) => self.embedded_ready(
                job.id,
                crate::app::state::MapId::ALL[map % 3],
                method,
                points,
            ),
            (kind, _) => self.state.notices.error(
                topic_of(&kind),
                format!(
                    "The {} produced something unexpected; this is a bug in genrescope.",
                    kind.name()
                ),
            ),
        }
    }

    fn job_cancelled(&mut self, job: &Job) {
        if let JobKind::LoadData { .. } = job.kind {
            // A model waiting for that folder is used with what is shown.
            if !self
                .state
                .jobs
                .any(|k| matches!(k, JobKind::LoadData { .. }))
            {
                self.activate_pending_model();
                self.state.train_when_loaded = false;
            }
        }
    }

    fn job_failed(&mut self, job: &Job, why: String) {
        match job.kind {
            JobKind::LoadData { .. } => {
                self.state.train_when_loaded = false;
                self.activate_pending_model();
            }
            JobKind::RawMap => {
                if let Some(d) = self.state.data.as_mut() {
                    d.raw_map = Derived::Failed(why.clone());
                }
            }
            JobKind::Project => {
                if let Some(model) = self.state.model_mut() {
                    model.view = Derived::Failed(why.clone());
                }
            }
            JobKind::RenderClip
                if self.state.playback.stage() == Some(Stage::Preparing(job.id)) =>
            {
                self.state.playback = Playback::Stopped;
            }
            JobKind::Decode if self.state.decoder.request == Some(job.id) => {
                self.state.decoder.request = None;
            }
            JobKind::Explain => {
                if let Some(model) = self.state.model_mut() {
                    model.explanation = Some(Derived::Failed(why.clone()));
                }
            }
            JobKind::Audit => {
                if let Some(data) = self.state.data.as_mut() {
                    data.audit = Some(Derived::Failed(why.clone()));
                }
            }
            JobKind::Embed { map } => {
                self.embedding_failed(job.id, crate::app::state::MapId::ALL[map % 3], &why)
            }
            JobKind::Compare { .. } => self.comparison_failed(&why),
            JobKind::Spectrogram => {
                if let Some(d) = self.state.data.as_mut() {
                    d.original_spectrogram = None;
                }
            }
            JobKind::Underneath => {
                self.state.view.underneath = false;
                if let Some(model) = self.state.model_mut() {
                    model.underneath = Some(Derived::Failed(why.clone()));
                }
            }
            _ => {}
        }
        self.state.notices.error(topic_of(&job.kind), why);
    }
}

/// Which banner a job's failure goes to.
fn topic_of(kind: &JobKind) -> Topic {
    match kind {
        JobKind::LoadData { .. } | JobKind::RawMap | JobKind::Audit => Topic::Data,
        JobKind::Train { .. } => Topic::Training,
        JobKind::Project
        | JobKind::LoadModel { .. }
        | JobKind::Explain
        | JobKind::Underneath
        | JobKind::Embed { .. }
        | JobKind::Compare { .. } => Topic::Model,
        JobKind::Spectrogram => Topic::Listening,
        JobKind::SaveModel { .. } | JobKind::Write { .. } | JobKind::Dialog { .. } => Topic::Export,
        JobKind::RenderClip | JobKind::Decode | JobKind::Place { .. } | JobKind::PlaceOnMap => {
            Topic::Listening
        }
    }
}
