//! What a model's spaces hold, measured: the audio descriptors each direction of a space follows
//! (`correlation`), its neighbours' genres (`neighbours`), disentanglement (`mig`), and with the
//! linear probe of `training::probe`, `explain` puts them together for a model on a folder;
//! `audit` looks at the data itself (repeats, suspected mislabels); `compare` sets two models
//! side by side on the same clips.

pub mod audit;
pub mod compare;
pub mod correlation;
pub mod explain;
pub mod mig;
pub mod neighbours;
pub mod predict;
