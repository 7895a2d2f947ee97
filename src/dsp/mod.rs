//! Signal processing that is not decoding: short-time Fourier transforms (`stft`), the mel
//! filterbank (`mel`), phase recovery (`griffin_lim`), loudness (`loudness`) and audio
//! descriptors after librosa (`descriptors`), cepstral coefficients (`cepstrum`), audio
//! fingerprints for finding repeats
//! (`fingerprint`). Pure functions and small plans that are built once and shared across
//! threads.

pub mod cepstrum;
pub mod descriptors;
pub mod fingerprint;
pub mod griffin_lim;
pub mod loudness;
pub mod mel;
pub mod stft;
