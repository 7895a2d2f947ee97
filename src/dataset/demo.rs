//! The built-in demo: four clearly different styles made by a small deterministic synthesizer,
//! so the window opens on something worth exploring with nothing to download. It is labelled as
//! a synthetic demo set everywhere, so nobody mistakes it for GTZAN.
//!
//! Each track is a pure function of (style, track index): it can be regenerated at any time,
//! which is how a demo clip is played (there is no file behind it).

use std::f32::consts::TAU;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::audio::SourceInfo;
use crate::dataset::features::{Featurizer, TrackFeatures};
use crate::dataset::{DataSource, Dataset, Segment, Track};

/// The demo's styles, in label order.
pub const STYLES: [&str; 4] = ["house", "metal", "strings", "swing"];
pub const TRACKS_PER_STYLE: usize = 8;
pub const SEGMENTS_PER_TRACK: usize = 12;
pub use crate::dataset::{DEMO_LABEL as LABEL, DEMO_ROOT as ROOT};

/// The synthesizer's sample rate.
pub const RATE_HZ: u32 = 22_050;
const RATE: f32 = RATE_HZ as f32;

fn track_path(style: usize, track: usize) -> PathBuf {
    PathBuf::from(format!(
        "{ROOT}/{}/{}.{track:05}",
        STYLES[style], STYLES[style]
    ))
}

/// Parses a demo track path back into (style, track).
fn parse_track(path: &Path) -> Option<(usize, usize)> {
    let name = path.file_name()?.to_str()?;
    let (style, track) = name.split_once('.')?;
    Some((
        STYLES.iter().position(|s| *s == style)?,
        track.parse().ok()?,
    ))
}

/// The first `len` samples of a demo track at 22,050 Hz.
pub fn render_track(style: usize, track: usize, len: usize) -> Vec<f32> {
    let mut rng =
        ChaCha8Rng::seed_from_u64(0x6765_6e72_6500 + (style as u64) * 1000 + track as u64);
    let mut out = vec![0.0f32; len];
    match style {
        0 => house(&mut rng, &mut out),
        1 => metal(&mut rng, &mut out),
        2 => strings(&mut rng, &mut out),
        _ => swing(&mut rng, &mut out),
    }
    for s in &mut out {
        *s = s.clamp(-1.0, 1.0);
    }
    out
}

/// The audio of `len` samples from `offset` of a demo track given by its path.
pub fn render_clip(path: &Path, offset: usize, len: usize) -> Option<Vec<f32>> {
    let (style, track) = parse_track(path)?;
    let mut audio = render_track(style, track, offset + len);
    Some(audio.split_off(offset.min(audio.len())))
}

/// The whole demo set, turned into vectors like any folder.
pub fn dataset(featurizer: &Featurizer) -> Dataset {
    let features = featurizer.config();
    let per_track = SEGMENTS_PER_TRACK.min(features.max_segments_per_track.unwrap_or(usize::MAX));
    let len = per_track * features.segment_samples;
    let jobs: Vec<(usize, usize)> = (0..STYLES.len())
        .flat_map(|s| (0..TRACKS_PER_STYLE).map(move |t| (s, t)))
        .collect();
    let source = SourceInfo {
        sample_rate_hz: RATE as u32,
        channels: 1,
        codec: "synthetic".into(),
        declared_frames: Some(len as u64),
    };
    let made: Vec<TrackFeatures> = jobs
        .par_iter()
        .map(|&(style, track)| {
            let audio = render_track(style, track, len);
            let mut made = TrackFeatures::new(source.clone(), per_track * features.dim());
            for segment in audio.chunks_exact(features.segment_samples) {
                featurizer.add_segment(segment, &mut made);
            }
            featurizer.finish(&mut made);
            made
        })
        .collect();
    let mut tracks = Vec::new();
    let mut segments = Vec::new();
    let mut vectors = Vec::new();
    let mut descriptors = Vec::new();
    let mut fingerprints = Vec::new();
    for ((style, track), made) in jobs.into_iter().zip(made) {
        let index = tracks.len();
        segments.extend((0..per_track).map(|k| Segment {
            track: index,
            index: k,
            offset_samples: k * features.segment_samples,
        }));
        vectors.extend(made.vectors);
        descriptors.extend(made.descriptors);
        fingerprints.push(made.fingerprint);
        tracks.push(Track {
            path: track_path(style, track),
            genre: style,
            source: made.source,
            n_segments: per_track,
            size_bytes: 0,
            content: made.content.finish(),
            segments_in_track: 0,
        });
    }
    Dataset {
        source: DataSource::Demo,
        genres: STYLES.iter().map(|s| s.to_string()).collect(),
        features: *features,
        tracks,
        segments,
        vectors,
        descriptors,
        fingerprints,
        skipped: Vec::new(),
        cache_repaired: 0,
        spread_limit: 0,
        layout: Default::default(),
    }
}

// ---- the synthesizer --------------------------------------------------------------------

/// A one-pole low-pass filter: cheap warmth for naive oscillators.
struct LowPass {
    a: f32,
    y: f32,
}

impl LowPass {
    fn new(cutoff_hz: f32) -> Self {
        Self {
            a: 1.0 - (-TAU * cutoff_hz / RATE).exp(),
            y: 0.0,
        }
    }

    fn run(&mut self, x: f32) -> f32 {
        self.y += self.a * (x - self.y);
        self.y
    }
}

/// Equal-tempered frequency of a MIDI note.
fn midi(note: f32) -> f32 {
    440.0 * 2f32.powf((note - 69.0) / 12.0)
}

fn saw(phase: f32) -> f32 {
    2.0 * (phase - phase.floor()) - 1.0
}

fn square(phase: f32) -> f32 {
    if phase - phase.floor() < 0.5 {
        1.0
    } else {
        -1.0
    }
}

/// Adds a percussive hit at sample `at`: `tone` gives the sample at time t after the onset.
fn hit(out: &mut [f32], at: usize, secs: f32, tone: &mut dyn FnMut(f32) -> f32) {
    let n = (secs * RATE) as usize;
    for (k, s) in out.iter_mut().skip(at).take(n).enumerate() {
        *s += tone(k as f32 / RATE);
    }
}

fn noise(rng: &mut ChaCha8Rng) -> f32 {
    rng.random::<f32>() * 2.0 - 1.0
}

/// Four-on-the-floor kick, off-beat hats and bright chord stabs.
fn house(rng: &mut ChaCha8Rng, out: &mut [f32]) {
    let bpm = rng.random_range(118.0..130.0);
    let beat = (60.0 / bpm * RATE) as usize;
    let root = rng.random_range(57.0..64.0f32).round();
    let progression = [0.0, 5.0, 7.0, 3.0];
    let mut t = 0;
    let mut bar = 0;
    while t < out.len() {
        for b in 0..4 {
            let at = t + b * beat;
            hit(out, at, 0.25, &mut |s| {
                let f = 45.0 + 110.0 * (-s * 30.0).exp();
                0.7 * (TAU * f * s).sin() * (-s * 12.0).exp()
            });
            let mut hat_rng = ChaCha8Rng::seed_from_u64((at as u64) ^ 0x5eed);
            let mut hp = 0.0;
            hit(out, at + beat / 2, 0.05, &mut |s| {
                let n = noise(&mut hat_rng);
                let y = n - hp;
                hp = n;
                0.18 * y * (-s * 70.0).exp()
            });
            // A stab of a bright (square) triad on the off-beat.
            let chord = root + progression[bar % 4];
            let freqs = [
                midi(chord),
                midi(chord + 4.0),
                midi(chord + 7.0),
                midi(chord + 12.0),
            ];
            hit(out, at + beat / 2, 0.18, &mut |s| {
                let env = (-s * 14.0).exp();
                0.06 * env
                    * freqs
                        .iter()
                        .map(|f| square(f * s) + 0.5 * square(f * 1.005 * s))
                        .sum::<f32>()
            });
        }
        t += 4 * beat;
        bar += 1;
    }
}

/// Distorted power chords chugging in sixteenths over double-kick drums.
fn metal(rng: &mut ChaCha8Rng, out: &mut [f32]) {
    let bpm = rng.random_range(160.0..200.0);
    let sixteenth = (15.0 / bpm * RATE) as usize;
    let root = rng.random_range(38.0..45.0f32).round();
    let riff: Vec<[f32; 3]> = (0..8)
        .map(|_| {
            let note = root + [0.0, 0.0, 3.0, 5.0, 7.0][rng.random_range(0..5)];
            [midi(note), midi(note + 7.0), midi(note + 12.0)]
        })
        .collect();
    let gain = rng.random_range(6.0..12.0);
    let mut tone = LowPass::new(rng.random_range(2500.0..4000.0));
    let mut phase = [0.0f32; 3];
    for (k, s) in out.iter_mut().enumerate() {
        let step = k / sixteenth;
        let in_step = (k % sixteenth) as f32 / RATE;
        let freqs = &riff[(step / 4) % riff.len()];
        let mut x = 0.0;
        for (p, f) in phase.iter_mut().zip(freqs) {
            *p += f / RATE;
            x += saw(*p);
        }
        // Palm-muted chugs: each sixteenth decays, every fourth rings longer.
        let env = if step.is_multiple_of(4) {
            (-in_step * 4.0).exp()
        } else {
            (-in_step * 18.0).exp()
        };
        *s = 0.22 * tone.run((gain * x * env).tanh());
    }
    let beat = 4 * sixteenth;
    let mut t = 0;
    while t < out.len() {
        for k in 0..4 {
            hit(out, t + k * sixteenth, 0.12, &mut |s| {
                let f = 50.0 + 90.0 * (-s * 40.0).exp();
                0.4 * (TAU * f * s).sin() * (-s * 25.0).exp()
            });
        }
        if (t / beat) % 2 == 1 {
            let mut snare_rng = ChaCha8Rng::seed_from_u64(t as u64);
            hit(out, t, 0.15, &mut |s| {
                0.28 * ((TAU * 190.0 * s).sin() * 0.5 + noise(&mut snare_rng)) * (-s * 22.0).exp()
            });
        }
        t += beat;
    }
}

/// Sustained string-like chords: detuned sawtooth voices, slow swells, vibrato, soft filter.
fn strings(rng: &mut ChaCha8Rng, out: &mut [f32]) {
    let root = rng.random_range(50.0..58.0f32).round();
    let chord_secs = rng.random_range(1.8..3.2);
    let chord_len = (chord_secs * RATE) as usize;
    // Each chord's voice frequencies, two detuned oscillators per note.
    let progression: Vec<[f32; 8]> = (0..16)
        .map(|_| {
            let shapes = [
                [0.0, 4.0, 7.0, 12.0],
                [0.0, 3.0, 7.0, 10.0],
                [-3.0, 0.0, 4.0, 9.0],
                [-5.0, 0.0, 4.0, 7.0],
            ];
            let shift = [0.0, 2.0, 5.0, 7.0, -2.0][rng.random_range(0..5)];
            let notes = shapes[rng.random_range(0..4)].map(|n| midi(root + n + shift));
            std::array::from_fn(|v| notes[v / 2] * if v % 2 == 0 { 1.0 } else { 1.003 })
        })
        .collect();
    let vibrato_hz = rng.random_range(4.5..6.0);
    let mut filter = LowPass::new(rng.random_range(900.0..1600.0));
    let mut phases = [0.0f32; 8];
    for (k, s) in out.iter_mut().enumerate() {
        let chord = &progression[(k / chord_len) % progression.len()];
        let in_chord = (k % chord_len) as f32 / chord_len as f32;
        // Swell in, hold, fade out: bowed strings, no attack transient.
        let swell = (in_chord * 4.0).min(1.0) * ((1.0 - in_chord) * 6.0).min(1.0);
        let vibrato = 1.0 + 0.004 * (TAU * vibrato_hz * k as f32 / RATE).sin();
        let mut x = 0.0;
        for (p, f) in phases.iter_mut().zip(chord) {
            *p += f * vibrato / RATE;
            x += saw(*p);
        }
        *s = 0.09 * swell * filter.run(x);
    }
}

/// A swung walking bass with a ride cymbal pattern.
fn swing(rng: &mut ChaCha8Rng, out: &mut [f32]) {
    let bpm = rng.random_range(130.0..170.0);
    let beat = (60.0 / bpm * RATE) as usize;
    // Swung eighths: the off-beat falls two thirds into the beat.
    let swung = beat * 2 / 3;
    let scale = [0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 10.0, 12.0];
    let root = rng.random_range(36.0..43.0f32).round();
    let mut degree: i32 = 0;
    let mut t = 0;
    while t < out.len() {
        degree =
            (degree + [-1, 1, 1, 2, -2][rng.random_range(0..5)]).clamp(0, scale.len() as i32 - 1);
        let f = midi(root + scale[degree as usize]);
        hit(out, t, 0.6, &mut |s| {
            let env = (-s * 5.0).exp() * (s * 400.0).min(1.0);
            0.45 * env * ((TAU * f * s).sin() + 0.3 * (TAU * 2.0 * f * s).sin())
        });
        // Ride: "ding, ding-a ding": every beat, plus the swung eighth on beats 2 and 4.
        let beat_in_bar = (t / beat) % 4;
        let mut onsets = vec![t];
        if beat_in_bar % 2 == 1 {
            onsets.push(t + swung);
        }
        for at in onsets {
            let mut ride_rng = ChaCha8Rng::seed_from_u64(at as u64 ^ 0x71de);
            let mut hp = 0.0;
            hit(out, at, 0.4, &mut |s| {
                let n = noise(&mut ride_rng);
                let y = n - hp;
                hp = n * 0.9;
                let bell = 0.3 * (TAU * 3100.0 * s).sin();
                0.09 * (y + bell) * (-s * 7.0).exp()
            });
        }
        t += beat;
    }
}
