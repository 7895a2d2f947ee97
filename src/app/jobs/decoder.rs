//! The decoder behind the sliders: one long-lived worker that decodes a code (an interpolation
//! step) and, when asked, the whole path and the audio to play. Only the newest request matters
//! while a slider moves: older ones still waiting end as cancelled.

use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

use super::{run_guarded, JobError, JobResult, Reporter};
pub use crate::app::events::Decoded;
use crate::app::events::{Event, Outcome, Output};
use crate::app::registry::JobId;
use crate::app::state::Instrument;
use crate::audio::clip::{ClipSource, Mono};
use crate::audio::playback::OutputFormat;
use crate::dsp::descriptors::{DescriptorAnalysis, Descriptors};
use crate::dsp::loudness::match_rms;
use crate::latent::audible::{describe_steps, Voice};
use crate::latent::interpolate::decode_codes;
use crate::latent::interpolate::PathStep;
use crate::model::SavedModel;

/// Play the decoded point on this device.
pub struct AudioRequest {
    pub format: OutputFormat,
    pub looping: bool,
    /// Bring the sound to this RMS (loudness matching), or leave it as decoded.
    pub target_rms: Option<f32>,
}

pub struct DecodeRequest {
    pub job: JobId,
    pub cancel: Arc<AtomicBool>,
    pub saved: Arc<SavedModel>,
    pub voice: Arc<Voice>,
    /// The instrument asking.
    pub instrument: Instrument,
    /// The code to decode, and where on its path it is.
    pub point: (f32, Vec<f32>),
    /// Codes along the whole path (empty: only the point).
    pub path: Vec<(f32, Vec<f32>)>,
    pub audio: Option<AudioRequest>,
}

/// The handle the window keeps: requests go in, `Event::Ended`s come back.
pub struct Decoder {
    tx: Option<Sender<DecodeRequest>>,
}

impl Decoder {
    pub fn start(reporter: Reporter) -> Self {
        let (tx, rx) = channel();
        let started = std::thread::Builder::new()
            .name("genrescope-decoder".into())
            .spawn(move || serve(rx, reporter));
        Self {
            tx: started.ok().map(|_| tx),
        }
    }

    /// Queues a request; fails when the worker is not running.
    pub fn submit(&self, request: DecodeRequest) -> Result<(), DecoderStopped> {
        match &self.tx {
            Some(tx) => tx.send(request).map_err(|_| DecoderStopped),
            None => Err(DecoderStopped),
        }
    }
}

/// The decoder's thread is not running (the system refused it, or it ended).
#[derive(Debug)]
pub struct DecoderStopped;

/// What the worker keeps between requests: the descriptor analysis (per sample rate) and the
/// descriptors of the last path it described, so moving a slider along the same path does not
/// render every step again.
#[derive(Default)]
struct Memory {
    analysis: Option<DescriptorAnalysis>,
    /// The model and the path last described.
    last_model: usize,
    last_path: Vec<(f32, Vec<f32>)>,
    last_descriptors: Vec<Option<Descriptors>>,
}

fn serve(rx: Receiver<DecodeRequest>, reporter: Reporter) {
    let mut memory = Memory::default();
    while let Ok(mut request) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            reporter.send(Event::Ended {
                job: request.job,
                outcome: Outcome::Cancelled,
            });
            request = newer;
        }
        let cancel = Arc::clone(&request.cancel);
        let job = request.job;
        let outcome = run_guarded("decoder", &cancel, || decode(request, &mut memory));
        reporter.send(Event::Ended { job, outcome });
    }
}

fn decode(request: DecodeRequest, memory: &mut Memory) -> JobResult {
    let model = &request.saved.model;
    let instrument = request.instrument;
    let model_id = Arc::as_ptr(&request.saved) as usize;
    if request.path != memory.last_path || model_id != memory.last_model {
        memory.last_model = model_id;
        memory.last_path = request.path.clone();
        memory.last_descriptors.clear();
    }
    let (params, codes): (Vec<f32>, Vec<Vec<f32>>) =
        std::iter::once(request.point).chain(request.path).unzip();
    let mut steps = decode_codes(model, &params, codes)
        .map_err(|e| JobError::Failed(format!("Cannot decode: {e}")))?;
    let mut path = steps.split_off(1);
    describe_path(&request.voice, memory, &mut path)
        .map_err(|e| JobError::Failed(format!("Cannot describe the decoded path: {e}")))?;
    let point = steps
        .pop()
        .ok_or_else(|| JobError::Failed("Cannot decode: no code was given".into()))?;
    let looping = request.audio.as_ref().is_some_and(|a| a.looping);
    let (clip, gain_db) = match request.audio {
        Some(audio) => {
            let mut samples = request.voice.render(&point.decoded).map_err(|e| {
                JobError::Failed(format!("Cannot make the decoded step audible: {e}"))
            })?;
            let gain_db = audio
                .target_rms
                .map_or(0.0, |target| match_rms(&mut samples, target));
            let rate_hz = request.voice.sample_rate_hz();
            let clip = ClipSource::Made(Box::new(move || Ok(Mono { samples, rate_hz })))
                .prepare(&audio.format)
                .map_err(|e| JobError::Failed(format!("Cannot play the decoded step: {e}")))?;
            (Some(clip), gain_db)
        }
        None => (None, 0.0),
    };
    Ok(Output::Decoded(Box::new(Decoded {
        instrument,
        point,
        path,
        clip,
        looping,
        gain_db,
    })))
}

/// The descriptors of each step's decoded audio: remembered from the last request when the
/// path is the same, else rendered and described now.
fn describe_path(
    voice: &Voice,
    memory: &mut Memory,
    path: &mut [PathStep],
) -> Result<(), crate::latent::audible::AudibleError> {
    if memory.last_descriptors.len() == path.len() {
        for (step, d) in path.iter_mut().zip(&memory.last_descriptors) {
            step.descriptors = *d;
        }
        return Ok(());
    }
    let rate = voice.sample_rate_hz();
    let analysis = match &memory.analysis {
        Some(a) if a.sample_rate_hz() == rate => a,
        _ => memory.analysis.insert(DescriptorAnalysis::new(rate)),
    };
    describe_steps(voice, analysis, path)?;
    memory.last_descriptors = path.iter().map(|s| s.descriptors).collect();
    Ok(())
}
