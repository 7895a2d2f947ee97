//! Background work. The registry (`super::registry`) knows what runs; `Spawner` runs each job
//! on a named thread that reports only through the event channel (then asks for a repaint), and
//! turns every way a job can end — a result, a cancellation, an error, a panic, a thread that
//! cannot start — into exactly one `Event::Ended`. `work` holds the jobs' bodies, `decoder` the
//! latest-wins worker behind the sliders.

pub mod decoder;
pub mod work;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use super::events::{Event, Outcome, Output};
use super::registry::{JobId, JobKind};

/// Why a job produced nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum JobError {
    Cancelled,
    /// In words a user can act on.
    Failed(String),
}

impl JobError {
    pub fn failed(e: impl std::fmt::Display) -> Self {
        Self::Failed(format!("{e:#}"))
    }
}

pub type JobResult = Result<Output, JobError>;

/// Sends a worker's events and wakes the UI for each.
#[derive(Clone)]
pub struct Reporter {
    tx: Sender<Event>,
    ctx: egui::Context,
}

impl Reporter {
    pub fn send(&self, event: Event) {
        // Progress comes as often as tracks finish (a large library's, 60 a second): four frames
        // a second show it as well, where a frame for each took a core from the decoding on a
        // software renderer (llvmpipe draws a 1500 x 900 frame in about 13 ms on each core).
        let progress = matches!(event, Event::LoadProgress { .. });
        // A closed channel means the window is gone: nothing left to tell.
        let _ = self.tx.send(event);
        if progress {
            self.ctx
                .request_repaint_after(std::time::Duration::from_millis(250));
        } else {
            self.ctx.request_repaint();
        }
    }
}

/// Starts workers.
#[derive(Clone)]
pub struct Spawner {
    reporter: Reporter,
}

impl Spawner {
    pub fn new(tx: Sender<Event>, ctx: egui::Context) -> Self {
        Self {
            reporter: Reporter { tx, ctx },
        }
    }

    pub fn reporter(&self) -> Reporter {
        self.reporter.clone()
    }

    /// Asks for another frame after `after` (to follow something that changes without input).
    pub fn request_repaint_after(&self, after: std::time::Duration) {
        self.reporter.ctx.request_repaint_after(after);
    }

    /// Runs `work` for job `job` on a thread named after `kind`; whatever happens, one
    /// `Event::Ended` for the job follows.
    pub fn spawn(
        &self,
        job: JobId,
        kind: &JobKind,
        cancel: Arc<AtomicBool>,
        work: impl FnOnce(&Reporter) -> JobResult + Send + 'static,
    ) {
        let reporter = self.reporter.clone();
        let name = kind.name();
        let thread_name = format!("genrescope-{}", name.replace(' ', "-"));
        let spawned = std::thread::Builder::new()
            .name(thread_name)
            .spawn(move || {
                let outcome = run_guarded(name, &cancel, || work(&reporter));
                reporter.send(Event::Ended { job, outcome });
            });
        if let Err(e) = spawned {
            self.reporter.send(Event::Ended {
                job,
                outcome: Outcome::Failed(format!(
                    "The {name} could not start: the system refused a new thread ({e}). Close \
                     other programs or wait for running work to finish, then try again."
                )),
            });
        }
    }
}

/// Runs a job's body, turning a panic into a failure that names the job.
pub fn run_guarded(name: &str, cancel: &AtomicBool, work: impl FnOnce() -> JobResult) -> Outcome {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(_) if cancel.load(Ordering::Relaxed) => Outcome::Cancelled,
        Ok(Ok(output)) => Outcome::Done(output),
        Ok(Err(JobError::Cancelled)) => Outcome::Cancelled,
        Ok(Err(JobError::Failed(why))) => Outcome::Failed(why),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Outcome::Failed(format!(
                "The {name} stopped unexpectedly ({what}); nothing else was changed. This is a \
                 bug in genrescope: please report it with the steps that led to it."
            ))
        }
    }
}
