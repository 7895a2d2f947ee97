//! genrescope: explore what a Deep Softmax Autoencoder learns about musical genre.
//!
//! Architecture in one paragraph: `dataset` turns a folder (or the synthesizer's demo set) into
//! one vector per segment with provenance, decoding through `audio`: the paper's pooled 500-d
//! waveform or a log-mel patch (`dsp`), cached on disk with checksums; `model` holds the paper's
//! three networks in candle with their files and optimiser; `training` fits them on a worker
//! thread (the loop, a whole run, the presets, scoring) and `tables` holds the paper's tables;
//! `maps` fits the PCA maps of a model's view of the data; `latent` holds what walks the
//! bottleneck (probe, components, steer, neighbours, placing a song, paths) and `latent::audible`
//! turns vectors back into sound; `export` writes results out. The `app` (eframe) owns all
//! state on the UI thread, nested by what it derives from, and talks to workers through stamped
//! events; `cli` runs the same pipeline headless. Without the default `window` feature the crate
//! is the pipeline alone (no eframe, egui, cpal or rfd): what the fuzz targets build.

pub mod analysis;
#[cfg(feature = "window")]
pub mod app;
pub mod audio;
pub mod cli;
pub mod dataset;
pub mod dsp;
pub mod export;
pub mod files;
pub mod latent;
pub mod maps;
pub mod matmul;
pub mod model;
pub mod runtime;
pub mod simd;
pub mod tables;
pub mod training;
