//! Finding the tracks of a dataset folder. The genre of a track is the name of the folder it
//! sits in; three layouts are recognised: `<root>/<genre>/*`, GTZAN's `genres/<genre>/` and
//! Kaggle's `genres_original/<genre>/`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audio::has_audio_extension;

/// Sub-folders that hold the genre folders in the published GTZAN archives.
pub(crate) const WRAPPER_DIRS: &[&str] = &["genres_original", "genres", "Data/genres_original"];

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
    #[error(
        "no audio files in {} or its sub-folders; genrescope reads .{}",
        path.display(),
        crate::audio::AUDIO_EXTENSIONS.join(", .")
    )]
    NoAudio { path: PathBuf },
    #[error("genre '{genre}' is not in {}; it has: {}", path.display(), available.join(", "))]
    UnknownGenre {
        path: PathBuf,
        genre: String,
        available: Vec<String>,
    },
}

/// `root` is a folder that exists, or the error that says which it is not.
pub(crate) fn require_folder(root: &Path) -> Result<(), ScanError> {
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
    Ok(())
}

/// Lists the tracks under `root`. `genre_filter` keeps only the named genres (all when `None`).
pub fn scan_folder(root: &Path, genre_filter: Option<&[String]>) -> Result<ScanResult, ScanError> {
    require_folder(root)?;
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
        // `.git`, `.Trash`, an application's own folder: never a genre (as a walk skips them).
        if entry.is_dir() && is_hidden(&entry) {
            continue;
        }
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
            let mut walk = Walk::new(false);
            walk.collect(&entry, 0);
            skipped.append(&mut walk.skipped);
            if !walk.audio.is_empty() {
                genres.push((name.to_string(), walk.audio));
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

/// Files and folders whose name starts with a dot are the system's or an application's (macOS's
/// `._track.wav` resource forks carry an audio extension but no audio): never tracks.
fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// A walk down one folder tree, gathering its audio files in name order. Whatever cannot be a
/// track is listed in `skipped` with the reason: FIFOs and devices, broken or looping links, a
/// file named only `.wav`, hidden files, unreadable or too deep sub-folders, and (for a library,
/// where the user expects every file to be music) files that are not audio.
pub(crate) struct Walk {
    visited: Vec<PathBuf>,
    pub(crate) audio: Vec<PathBuf>,
    pub(crate) skipped: Vec<Skipped>,
    report_non_audio: bool,
}

impl Walk {
    pub(crate) fn new(report_non_audio: bool) -> Self {
        Self {
            visited: Vec::new(),
            audio: Vec::new(),
            skipped: Vec::new(),
            report_non_audio,
        }
    }

    fn skip(&mut self, path: &Path, why: String) {
        self.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: format!("{}: {why}", path.display()),
        })
    }

    pub(crate) fn collect(&mut self, dir: &Path, depth: usize) {
        // A link back up the tree would otherwise be read forever.
        if let Ok(real) = std::fs::canonicalize(dir) {
            if self.visited.contains(&real) {
                return self.skip(
                    dir,
                    "this folder links back to one already read; it was read once".into(),
                );
            }
            self.visited.push(real);
        }
        let entries = match sorted_entries(dir) {
            Ok(entries) => entries,
            Err(e) => {
                return self.skip(
                    dir,
                    format!("cannot read this folder ({e}); check its permissions"),
                )
            }
        };
        for entry in entries {
            let named_audio = has_audio_extension(&entry);
            if is_bare_extension(&entry) {
                self.skip(
                    &entry,
                    "has no name before its extension; give it a name, e.g. track.wav".into(),
                );
                continue;
            }
            if is_hidden(&entry) {
                if named_audio || self.report_non_audio {
                    self.skip(
                        &entry,
                        "hidden (its name starts with a dot: a system or application file, such \
                         as macOS's ._ copies); rename it without the dot if it is a track"
                            .into(),
                    );
                }
                continue;
            }
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
                        self.skip(&entry, format!("{what} ({e}); fix or remove it"));
                    }
                    continue;
                }
            };
            if meta.is_dir() {
                if depth + 1 > MAX_DEPTH {
                    self.skip(
                        &entry,
                        format!("more than {MAX_DEPTH} folders deep; move its tracks up"),
                    );
                } else {
                    self.collect(&entry, depth + 1);
                }
            } else if named_audio {
                if meta.is_file() {
                    self.audio.push(entry);
                } else {
                    self.skip(
                        &entry,
                        "not a regular file (a pipe, socket or device); copy the audio into a \
                         file"
                            .into(),
                    );
                }
            } else if self.report_non_audio && meta.is_file() {
                self.skip(
                    &entry,
                    format!(
                        "not an audio file by its name; genrescope reads .{}",
                        crate::audio::AUDIO_EXTENSIONS.join(", .")
                    ),
                );
            }
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
