//! genrescope: explore what a Deep Softmax Autoencoder learns about musical genre.
//!
//! Architecture in one paragraph: `dataset` turns a folder into one vector per segment with
//! provenance (decoding through `audio`): the paper's pooled 500-d waveform or a log-mel patch
//! (`dsp`); `model` holds the paper's three networks in candle, `train` fits them (with `adam`)
//! on a worker thread and `metrics`/`report` give the paper's tables; `projection` fits the PCA
//! maps; `audible` turns a decoded vector back into sound and `latent` holds the instruments
//! that walk the bottleneck. The `app` (eframe) owns all state on the UI thread and talks to
//! workers through events; `cli` runs the same pipeline headless. Without the default `window`
//! feature the crate is the pipeline alone (no eframe, egui, cpal or rfd): what the fuzz targets
//! build.

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
pub mod model;
pub mod runtime;
pub mod tables;
pub mod training;
