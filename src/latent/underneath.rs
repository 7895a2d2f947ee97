//! A labelled folder drawn underneath another folder's maps, as context: a library seen through a
//! model gets the model's own training folder beneath it, so a track's neighbourhood can be read
//! against tracks whose genre is known. Its clips are encoded by the same model and projected
//! through the maps already fitted, which do not move (as a placed song is).

use std::path::PathBuf;

use super::place::MapsOfData;
use crate::dataset::Dataset;
use crate::maps::projection::{Projection, ProjectionError};
use crate::model::{ModelError, SavedModel};

/// The labelled clips underneath, on each map.
#[derive(Debug, Clone)]
pub struct Underneath {
    pub folder: PathBuf,
    /// Each clip's genre, as an index into the model's genres.
    pub labels: Vec<u32>,
    /// Their points on the raw, bottleneck and logits maps (empty where that map is missing).
    pub raw: Vec<[f64; 2]>,
    pub code: Vec<[f64; 2]>,
    pub logits: Vec<[f64; 2]>,
    /// The folder's genres the model does not know: their clips are left out.
    pub ignored_genres: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UnderneathError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error("none of its genres ({0}) is one the model knows")]
    NoKnownGenre(String),
}

/// Encodes the clips of `labelled` whose genre `saved` knows and projects them through `maps`.
pub fn underneath(
    labelled: &Dataset,
    saved: &SavedModel,
    maps: &MapsOfData<'_>,
) -> Result<Underneath, UnderneathError> {
    let genres = &saved.meta.genres;
    let known: Vec<Option<u32>> = labelled
        .genres
        .iter()
        .map(|g| genres.iter().position(|m| m == g).map(|k| k as u32))
        .collect();
    let ignored_genres: Vec<String> = labelled
        .genres
        .iter()
        .zip(&known)
        .filter(|(_, k)| k.is_none())
        .map(|(g, _)| g.clone())
        .collect();
    let dim = labelled.dim();
    let mut vectors = Vec::new();
    let mut labels = Vec::new();
    for (i, segment) in labelled.segments.iter().enumerate() {
        if let Some(k) = known[labelled.tracks[segment.track].genre] {
            vectors.extend_from_slice(labelled.vector(i));
            labels.push(k);
        }
    }
    if labels.is_empty() {
        return Err(UnderneathError::NoKnownGenre(labelled.genres.join(", ")));
    }
    let inference = saved.model.infer_lean(&vectors)?;
    let through = |map: Option<&Projection>, rows: &[f32]| -> Result<_, ProjectionError> {
        map.map_or(Ok(Vec::new()), |m| m.project(rows))
    };
    let raw = match maps.raw {
        Some(m) if m.dim == dim => m.project(&vectors)?,
        _ => Vec::new(),
    };
    let logits = match &inference.logits {
        Some(l) => through(maps.logits, l)?,
        None => Vec::new(),
    };
    Ok(Underneath {
        folder: labelled
            .source
            .folder()
            .map(PathBuf::from)
            .unwrap_or_default(),
        code: through(maps.code, &inference.code)?,
        logits,
        raw,
        labels,
        ignored_genres,
    })
}
