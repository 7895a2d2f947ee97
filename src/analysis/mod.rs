//! What a model's spaces hold, measured: a linear probe (`probe`), the audio descriptors each
//! direction of the space follows (`correlation`), the neighbours' genres (`neighbours`), and
//! disentanglement (`mig`); `explain` puts them together for a model on a folder.

pub mod correlation;
pub mod explain;
pub mod mig;
pub mod neighbours;
pub mod probe;
