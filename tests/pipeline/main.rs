//! The pipeline's tests without a window: decoding, features, models, training, the scores and
//! every command line, in one test binary. Linking each file as its own binary cost CI minutes
//! (every binary links the whole dependency tree); tests that need a process of their own (a
//! counting allocator, the window, environment settings, the fuzz corpus script) stay apart.
//! Run one file's tests with `scripts/test --test pipeline cli_predict::`.

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod audit;
mod btcvae;
mod cli_compare;
mod cli_crossval;
mod cli_explain;
mod cli_exports;
mod cli_ingest;
mod cli_latent;
mod cli_models;
mod cli_predict;
mod descriptors;
mod feature_cache;
mod fuzz_regressions;
mod gtzan_ingest;
mod ingest_bad_input;
mod ingest_formats;
mod ingest_layouts_splits;
mod logmel;
mod model_compat;
mod model_files;
mod model_training;
mod robustness;
mod shipped_models;
mod training_recipe;
