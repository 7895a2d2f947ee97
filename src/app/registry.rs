//! One registry of the window's background work, keyed by job id (as the rerun viewer's
//! background tasks): loading, projecting, training, model files, writes, clips, decoding. A job
//! is registered when it starts and removed when its one ending event arrives, so "is anything
//! running?" and "what is?" have one answer.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::dataset::{DataSource, LoadProgress};

use super::paths::FileTarget;

/// A job's identity: a number never reused while the window is open.
pub type JobId = u64;

/// What a job was started for: the data (by the id of the job that loaded it) and the model
/// in use then (by its id). Where its result arrives, a stamp that no longer matches the data
/// or the model on screen means the result describes something gone: it is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    pub data: Option<JobId>,
    pub model: Option<u64>,
}

impl Stamp {
    /// Work stamped so still describes `now` (the data and the model in use). Once false it
    /// stays false: data and models get new ids, never old ones back.
    pub fn holds_for(self, now: Stamp) -> bool {
        self.data.is_none_or(|d| now.data == Some(d))
            && self.model.is_none_or(|m| now.model == Some(m))
    }
}

/// What a job does, with what its ending needs to know.
#[derive(Debug, Clone, PartialEq)]
pub enum JobKind {
    LoadData {
        source: DataSource,
    },
    /// The PCA of the raw input of the data loaded.
    RawMap,
    /// Training on the data loaded by job `data`.
    Train {
        epochs: usize,
        data: JobId,
    },
    /// Encoding every clip with the current model and fitting its maps.
    Project,
    LoadModel {
        source: String,
        shipped: Option<crate::model::shipped::Shipped>,
    },
    SaveModel {
        path: PathBuf,
    },
    /// A file export (embeddings, maps, audio).
    Write {
        what: String,
    },
    Dialog {
        target: FileTarget,
    },
    /// Preparing a clip for the device.
    RenderClip,
    /// Decoding codes (an interpolation step, a probe) and preparing their sound.
    Decode,
    /// Placing a file on the maps.
    Place {
        path: PathBuf,
    },
    /// Measuring what the model's spaces hold (`explain`).
    Explain,
    /// Auditing the data (and, with a model, its labels).
    Audit,
    /// Reading the model's training folder to draw underneath a library's maps.
    Underneath,
    /// Drawing a map by t-SNE or UMAP.
    Embed {
        /// The map's place in `MapId::ALL` (the registry does not depend on the state).
        map: usize,
    },
    /// A spectrogram of clip A's original audio.
    Spectrogram,
    /// Placing the placed song on the bottleneck's t-SNE or UMAP map (its clips' neighbours).
    PlaceOnMap,
    /// Reading the folder with a second model and comparing the two.
    Compare {
        source: String,
    },
}

impl JobKind {
    /// How a message names the job ("the training run").
    pub fn name(&self) -> &'static str {
        match self {
            Self::LoadData { .. } => "loading",
            Self::RawMap => "raw-input map",
            Self::Train { .. } => "training run",
            Self::Project => "encoding of the clips",
            Self::LoadModel { .. } => "model loading",
            Self::SaveModel { .. } => "model saving",
            Self::Write { .. } => "export",
            Self::Dialog { .. } => "file dialog",
            Self::RenderClip => "clip preparation",
            Self::Decode => "decoder",
            Self::Place { .. } => "placing of a file",
            Self::Explain => "measuring of the spaces",
            Self::Audit => "audit",
            Self::Underneath => "training folder underneath",
            Self::Embed { .. } => "non-linear map",
            Self::Compare { .. } => "comparison with a second model",
            Self::Spectrogram => "spectrogram of the clip",
            Self::PlaceOnMap => "placing of the song on the map",
        }
    }
}

/// What a running job reported last.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Load(LoadProgress),
    Epoch(usize),
    /// The share done, 0 to 1.
    Share(f32),
}

#[derive(Debug)]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    pub stamp: Stamp,
    pub cancel: Arc<AtomicBool>,
    pub started: Instant,
    pub progress: Option<Progress>,
}

impl Job {
    /// The user cancelled it, or newer work replaced it: whatever it produces is not wanted.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
pub struct JobRegistry {
    next: JobId,
    jobs: BTreeMap<JobId, Job>,
    /// Results that arrived for data or a model no longer in use, and were dropped.
    pub stale_dropped: usize,
}

impl JobRegistry {
    /// Registers a job; the worker gets the id and the cancel flag.
    pub fn start(&mut self, kind: JobKind, stamp: Stamp) -> (JobId, Arc<AtomicBool>) {
        self.next += 1;
        let id = self.next;
        let cancel = Arc::new(AtomicBool::new(false));
        self.jobs.insert(
            id,
            Job {
                id,
                kind,
                stamp,
                cancel: Arc::clone(&cancel),
                started: Instant::now(),
                progress: None,
            },
        );
        (id, cancel)
    }

    /// Removes a job whose ending event arrived.
    pub fn finish(&mut self, id: JobId) -> Option<Job> {
        self.jobs.remove(&id)
    }

    pub fn get(&self, id: JobId) -> Option<&Job> {
        self.jobs.get(&id)
    }

    pub fn set_progress(&mut self, id: JobId, progress: Progress) {
        if let Some(job) = self.jobs.get_mut(&id) {
            job.progress = Some(progress);
        }
    }

    /// The newest running job that `matches` and is still wanted.
    pub fn find(&self, matches: impl Fn(&JobKind) -> bool) -> Option<&Job> {
        self.jobs
            .values()
            .rev()
            .find(|j| matches(&j.kind) && !j.is_cancelled())
    }

    pub fn any(&self, matches: impl Fn(&JobKind) -> bool) -> bool {
        self.find(matches).is_some()
    }

    /// Asks every job whose result would be dropped as stale on arrival (its stamp no longer
    /// holds for `now`) to stop now: a replaced model's maps or a replaced folder's audit would
    /// otherwise keep the cores busy for nothing.
    pub fn cancel_stale(&mut self, now: Stamp) {
        for job in self.jobs.values().filter(|j| !j.stamp.holds_for(now)) {
            job.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Asks every job that `matches` to stop; returns how many were running.
    pub fn cancel(&mut self, matches: impl Fn(&JobKind) -> bool) -> usize {
        let mut n = 0;
        for job in self.jobs.values().filter(|j| matches(&j.kind)) {
            if !job.cancel.swap(true, Ordering::Relaxed) {
                n += 1;
            }
        }
        n
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_found_until_they_finish_or_are_cancelled() {
        let mut jobs = JobRegistry::default();
        let (a, _) = jobs.start(JobKind::Project, Stamp::default());
        let (b, cancel_b) = jobs.start(JobKind::Project, Stamp::default());
        assert_eq!(jobs.find(|k| *k == JobKind::Project).map(|j| j.id), Some(b));
        assert_eq!(jobs.cancel(|k| *k == JobKind::Project), 2);
        assert!(cancel_b.load(Ordering::Relaxed));
        assert!(!jobs.any(|k| *k == JobKind::Project));
        assert_eq!(
            jobs.len(),
            2,
            "cancelled jobs stay until their ending arrives"
        );
        assert!(jobs.finish(a).is_some() && jobs.finish(b).is_some());
        assert!(jobs.is_empty());
    }
}
