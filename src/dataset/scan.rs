//! Finding the tracks of a dataset folder. The genre of a track is the name of the folder it
//! sits in; three layouts are recognised: `<root>/<genre>/*`, GTZAN's `genres/<genre>/` and
//! Kaggle's `genres_original/<genre>/`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audio::has_audio_extension;

/// Sub-folders that hold the genre folders in the published GTZAN archives.
const WRAPPER_DIRS: &[&str] = &["genres_original", "genres", "Data/genres_original"];

/// One audio file and the genre its folder names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackRef {
    pub path: PathBuf,
    pub genre: String,
}

/// A file (or folder) that was left out. `reason` is a whole sentence that names the file and
/// says what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct ScanResult {
    /// The folder the user gave.
    pub root: PathBuf,
    /// The folder whose sub-folders are the genres (the root, or its `genres*` wrapper).
    pub genre_root: PathBuf,
    /// Genres found (after the filter), sorted by name: the label order of every model.
    pub genres: Vec<String>,
    /// Tracks sorted by genre, then file name.
    pub tracks: Vec<TrackRef>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot open the folder {}: {source}; check the path and its permissions", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a folder; give the folder that holds one sub-folder per genre", path.display())]
    NotAFolder { path: PathBuf },
    #[error(
        "no genre folders with audio files in {}; expected <folder>/<genre>/*.wav (or GTZAN's genres/<genre>/*.au, or Kaggle's genres_original/<genre>/*.wav)",
        path.display()
    )]
    NoGenres { path: PathBuf },
    #[error("genre '{genre}' is not in {}; it has: {}", path.display(), available.join(", "))]
    UnknownGenre {
        path: PathBuf,
        genre: String,
        available: Vec<String>,
    },
}

/// Lists the tracks under `root`. `genre_filter` keeps only the named genres (all when `None`).
pub fn scan_folder(root: &Path, genre_filter: Option<&[String]>) -> Result<ScanResult, ScanError> {
    if !root.exists() {
        return Err(ScanError::Unreadable {
            path: root.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    if !root.is_dir() {
        return Err(ScanError::NotAFolder {
            path: root.to_path_buf(),
        });
    }
    let genre_root = WRAPPER_DIRS
        .iter()
        .map(|w| root.join(w))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| root.to_path_buf());

    let mut skipped = Vec::new();
    let entries = sorted_entries(&genre_root).map_err(|source| ScanError::Unreadable {
        path: genre_root.clone(),
        source,
    })?;
    let mut genres: Vec<(String, Vec<PathBuf>)> = Vec::new();
    let mut loose_files = 0usize;
    for entry in entries {
        if entry.is_dir() {
            let Some(name) = entry.file_name().and_then(|n| n.to_str()) else {
                skipped.push(Skipped {
                    path: entry.clone(),
                    reason: format!(
                        "{}: folder name is not valid UTF-8; rename it",
                        entry.display()
                    ),
                });
                continue;
            };
            match sorted_entries(&entry) {
                Ok(files) => {
                    let audio: Vec<PathBuf> = files
                        .into_iter()
                        .filter(|f| f.is_file() && has_audio_extension(f))
                        .collect();
                    if !audio.is_empty() {
                        genres.push((name.to_string(), audio));
                    }
                }
                Err(e) => skipped.push(Skipped {
                    path: entry.clone(),
                    reason: format!(
                        "{}: cannot read this genre folder ({e}); check its permissions",
                        entry.display()
                    ),
                }),
            }
        } else if has_audio_extension(&entry) {
            loose_files += 1;
        }
    }
    if loose_files > 0 {
        skipped.push(Skipped {
            path: genre_root.clone(),
            reason: format!(
                "{}: {loose_files} audio file(s) directly in this folder have no genre; move them into a folder named after their genre",
                genre_root.display()
            ),
        });
    }
    if genres.is_empty() {
        return Err(ScanError::NoGenres {
            path: root.to_path_buf(),
        });
    }
    if let Some(filter) = genre_filter {
        let available: Vec<String> = genres.iter().map(|(g, _)| g.clone()).collect();
        for wanted in filter {
            if !available.iter().any(|g| g == wanted) {
                return Err(ScanError::UnknownGenre {
                    path: root.to_path_buf(),
                    genre: wanted.clone(),
                    available,
                });
            }
        }
        genres.retain(|(g, _)| filter.contains(g));
    }
    genres.sort_by(|a, b| a.0.cmp(&b.0));
    let tracks = genres
        .iter()
        .flat_map(|(genre, files)| {
            files.iter().map(move |path| TrackRef {
                path: path.clone(),
                genre: genre.clone(),
            })
        })
        .collect();
    Ok(ScanResult {
        root: root.to_path_buf(),
        genre_root,
        genres: genres.into_iter().map(|(g, _)| g).collect(),
        tracks,
        skipped,
    })
}

/// Directory entries sorted by file name, so every run sees the same order.
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect::<Vec<_>>();
    paths.sort();
    Ok(paths)
}
