//! Fitting a model: the training loop (`train`, with the optimiser in `model::adam`), a whole
//! run on a dataset (`experiment`: split, train, score), cross-validation over tracks with a
//! linear probe beside the model (`crossval`), the named settings (`presets`) and turning a
//! model's outputs into the paper's tables (`scoring`); the recipe's input corruption
//! (`augment`).

pub mod augment;
pub mod crossval;
pub mod experiment;
pub mod presets;
pub mod probe;
pub mod scoring;
pub mod train;
