//! Where music comes from: a folder on disk or the built-in demo set, as a dataset, and the
//! original audio of any of its segments (a stretch of a file, or the synthesizer's clip made
//! again). Above both `dataset` and `demo`, so neither needs the other.

use std::sync::atomic::AtomicBool;

use crate::audio::clip::{ClipError, ClipSource, Mono};
use crate::dataset::features::Featurizer;
use crate::dataset::{
    load_any, load_folder, DataSource, Dataset, FeatureConfig, Layout, LoadError, LoadProgress,
};

/// How to read a folder, beyond its features.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading<'a> {
    /// Only these genre folders (which implies genre folders).
    pub genres: Option<&'a [String]>,
    /// Read it this way whatever it looks like (`None`: as the scan finds it).
    pub layout: Option<Layout>,
    /// The features to read it in should it be a library (the window opens the shipped log-mel
    /// model for a library, so reads it in that model's features at once, not twice).
    pub library_features: Option<FeatureConfig>,
}

impl<'a> Reading<'a> {
    pub fn genres(genres: Option<&'a [String]>) -> Self {
        Self {
            genres,
            ..Self::default()
        }
    }
}

/// Loads a folder (labelled or a library) or the synthesizer's demo set: the whole ingestion
/// pipeline in one call.
pub fn load_source(
    source: &DataSource,
    reading: &Reading<'_>,
    cfg: &FeatureConfig,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
) -> Result<Dataset, LoadError> {
    match source {
        DataSource::Demo => Ok(crate::dataset::demo::dataset(&Featurizer::new(cfg)?)),
        // Filtering by genre implies genre folders; otherwise the folder says what it is.
        DataSource::Folder(root) => match reading.genres {
            Some(genres) => load_folder(root, Some(genres), cfg, cancel, progress),
            None => load_any(
                root,
                reading.layout,
                cfg,
                reading.library_features.as_ref(),
                cancel,
                progress,
            ),
        },
    }
}

/// The original audio of segment `i`: a stretch of its file, or the synthesizer's clip.
pub fn original(ds: &Dataset, i: usize) -> ClipSource {
    let track = ds.track_of(i);
    let seg = ds.segments[i];
    let len = ds.features.segment_samples;
    if ds.source.is_demo() {
        let path = track.path.clone();
        return ClipSource::Made(Box::new(move || {
            crate::dataset::demo::render_clip(&path, seg.offset_samples, len)
                .map(|samples| Mono {
                    samples,
                    rate_hz: crate::dataset::demo::RATE_HZ,
                })
                .ok_or_else(|| ClipError::Make(format!("{} is not a demo track", path.display())))
        }));
    }
    ClipSource::File {
        path: track.path.clone(),
        rate_hz: ds.features.sample_rate_hz,
        offset_samples: seg.offset_samples,
        len_samples: len,
    }
}
