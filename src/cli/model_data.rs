//! Loading a saved model and a folder cut the way the model needs, for the commands that use both.

use std::path::Path;

use anyhow::Context;

use super::progress::load_for_command;
use crate::dataset::{Dataset, Split};
use crate::model::{load, SavedModel};

pub struct ModelAndData {
    pub saved: SavedModel,
    pub dataset: Dataset,
    /// The model's own splits, when it was trained on this very folder.
    pub splits: Option<Vec<Split>>,
}

pub fn load_model_and_data(model: &Path, dir: &Path, quiet: bool) -> anyhow::Result<ModelAndData> {
    let saved = load(model)?;
    let dataset = load_for_command(dir, None, &saved.meta.features, quiet)?;
    saved
        .meta
        .fits_data(&dataset, &dataset.features)
        .with_context(|| format!("{} does not fit {}", model.display(), dir.display()))?;
    let splits = saved.meta.training_splits(&dataset);
    Ok(ModelAndData {
        saved,
        dataset,
        splits,
    })
}

/// The segment a user named as TRACK:SEGMENT, or an error that shows the form with a real clip.
pub fn find_clip(dataset: &Dataset, spec: &str, dir: &Path) -> anyhow::Result<usize> {
    dataset.find_segment(spec).with_context(|| {
        format!(
            "no clip '{spec}' in {}; write TRACK:SEGMENT, e.g. {}",
            dir.display(),
            dataset.segment_label(0)
        )
    })
}
