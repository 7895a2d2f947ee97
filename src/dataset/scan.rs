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
    #[error(
        "cannot open the folder {}: {cause}; check the path and its permissions",
        path.display()
    )]
    Unreadable {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "{} is not a folder; give the folder that holds one sub-folder per genre",
        path.display()
    )]
    NotAFolder { path: PathBuf },
    #[error(
        "no genre folders with audio files in {}; expected <folder>/<genre>/*.wav (or GTZAN's \
        genres/<genre>/*.au, or Kaggle's genres_original/<genre>/*.wav)",
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
            cause: std::io::Error::from(std::io::ErrorKind::NotFound),
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
    let entries = sorted_entries(&genre_root).map_err(|cause| ScanError::Unreadable {
        path: genre_root.clone(),
        cause,
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
            let mut audio = Vec::new();
            let mut visited = Vec::new();
            collect_tracks(&entry, 0, &mut visited, &mut audio, &mut skipped);
            if !audio.is_empty() {
                genres.push((name.to_string(), audio));
            }
        } else if has_audio_extension(&entry) {
            loose_files += 1;
        }
    }
    if loose_files > 0 {
        skipped.push(Skipped {
            path: genre_root.clone(),
            reason: format!(
                "{}: {loose_files} audio file(s) directly in this folder have no genre; move them \
                into a folder named after their genre",
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

/// Sub-folders deeper than this below a genre folder are not read (and said so).
const MAX_DEPTH: usize = 8;

/// The audio files of one genre folder and its sub-folders (an album per folder, say), in name
/// order. Whatever cannot be a track is listed in `skipped` with the reason: FIFOs and devices,
/// broken or looping links, a file named only `.wav`, unreadable or too deep sub-folders.
fn collect_tracks(
    dir: &Path,
    depth: usize,
    visited: &mut Vec<PathBuf>,
    audio: &mut Vec<PathBuf>,
    skipped: &mut Vec<Skipped>,
) {
    let skip = |skipped: &mut Vec<Skipped>, path: &Path, why: String| {
        skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: format!("{}: {why}", path.display()),
        })
    };
    // A link back up the tree would otherwise be read forever.
    if let Ok(real) = std::fs::canonicalize(dir) {
        if visited.contains(&real) {
            return skip(
                skipped,
                dir,
                "this folder links back to one already read; it was read once".into(),
            );
        }
        visited.push(real);
    }
    let entries = match sorted_entries(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return skip(
                skipped,
                dir,
                format!("cannot read this folder ({e}); check its permissions"),
            )
        }
    };
    for entry in entries {
        let named_audio = has_audio_extension(&entry);
        // `metadata` follows links: an error here is a broken or looping link.
        let meta = match std::fs::metadata(&entry) {
            Ok(meta) => meta,
            Err(e) => {
                let link = std::fs::symlink_metadata(&entry).is_ok_and(|m| m.is_symlink());
                if link || named_audio {
                    let what = if link {
                        "a link whose target cannot be read"
                    } else {
                        "cannot be read"
                    };
                    skip(skipped, &entry, format!("{what} ({e}); fix or remove it"));
                }
                continue;
            }
        };
        if meta.is_dir() {
            if depth + 1 > MAX_DEPTH {
                skip(
                    skipped,
                    &entry,
                    format!(
                        "more than {MAX_DEPTH} folders below its genre folder; move its tracks up"
                    ),
                );
            } else {
                collect_tracks(&entry, depth + 1, visited, audio, skipped);
            }
        } else if named_audio {
            if meta.is_file() {
                audio.push(entry);
            } else {
                skip(
                    skipped,
                    &entry,
                    "not a regular file (a pipe, socket or device); copy the audio into a file"
                        .into(),
                );
            }
        } else if is_bare_extension(&entry) {
            skip(
                skipped,
                &entry,
                "has no name before its extension; give it a name, e.g. track.wav".into(),
            );
        }
    }
}

/// A file named only `.wav` (or another audio extension): a hidden file to the system, but
/// most likely a track that lost its name.
fn is_bare_extension(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix('.'))
        .is_some_and(|ext| {
            crate::audio::AUDIO_EXTENSIONS
                .iter()
                .any(|a| a.eq_ignore_ascii_case(ext))
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
