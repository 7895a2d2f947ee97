//! Which kind of folder the user opened: a labelled dataset (one sub-folder per genre, as GTZAN)
//! or their own library (flat, or by artist and album), whose tracks have no genre.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::scan::{
    require_folder, scan_folder, ScanError, ScanResult, TrackRef, Walk, WRAPPER_DIRS,
};

/// The genre a library's tracks carry: they have none until a model says.
pub const UNLABELLED: &str = "unknown";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// `<folder>/<genre>/*`: the folder names are the labels.
    #[default]
    Genres,
    /// Any other tree of audio files: no labels.
    Library,
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Genres => "genres",
            Self::Library => "library",
        })
    }
}

/// Genre names common enough that a folder named so is a label, not an artist or an album. The
/// auto-detection reads a folder as labelled when most of its sub-folders are named so (or its
/// files are named after their folder, as GTZAN's `jazz/jazz.00003.wav`).
const GENRE_WORDS: &[&str] = &[
    "acoustic",
    "afrobeat",
    "alternative",
    "ambient",
    "blues",
    "bluegrass",
    "bossa nova",
    "breakbeat",
    "classical",
    "country",
    "dance",
    "disco",
    "drum and bass",
    "dnb",
    "dub",
    "dubstep",
    "edm",
    "electronic",
    "electronica",
    "experimental",
    "folk",
    "funk",
    "gospel",
    "grunge",
    "hardcore",
    "hiphop",
    "hip-hop",
    "hip hop",
    "house",
    "indie",
    "industrial",
    "jazz",
    "k-pop",
    "latin",
    "lofi",
    "lo-fi",
    "metal",
    "new age",
    "opera",
    "pop",
    "punk",
    "r&b",
    "rnb",
    "rap",
    "reggae",
    "reggaeton",
    "rock",
    "salsa",
    "ska",
    "soul",
    "soundtrack",
    "techno",
    "trance",
    "trap",
    "world",
];

fn is_genre_word(name: &str) -> bool {
    let name = name.trim().to_lowercase().replace('_', " ");
    GENRE_WORDS.contains(&name.as_str())
}

/// A track named after its folder, as GTZAN names them (`jazz/jazz.00003.wav`).
fn named_after_folder(track: &TrackRef) -> bool {
    track
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(&format!("{}.", track.genre)))
}

/// What the scan found and why, in a sentence for the user.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LayoutFound {
    pub layout: Layout,
    pub why: String,
}

/// Lists the tracks under `root`, labelled or not. `layout` forces one reading; `None` decides:
/// a GTZAN wrapper folder, genre-named sub-folders or GTZAN-named files make it labelled (as
/// [`scan_folder`] reads it), anything else a library of every audio file below `root`.
pub fn scan_any(
    root: &Path,
    layout: Option<Layout>,
) -> Result<(ScanResult, LayoutFound), ScanError> {
    if layout == Some(Layout::Genres) {
        let scan = scan_folder(root, None)?;
        let why = format!(
            "read as {} genre folders, as asked ({})",
            scan.genres.len(),
            scan.genres.join(", ")
        );
        return Ok((scan, found(Layout::Genres, why)));
    }
    if layout.is_none() {
        let wrapped = WRAPPER_DIRS.iter().any(|w| root.join(w).is_dir());
        match scan_folder(root, None) {
            Ok(scan) => {
                let genre_named = scan.genres.iter().filter(|g| is_genre_word(g)).count();
                let gtzan_named = scan.tracks.iter().all(named_after_folder);
                // Genre folders hold their tracks (`<genre>/track`); a library nests albums
                // under artists (`<artist>/<album>/track`) or keeps loose tracks beside them.
                // Each track's folder once: 500 artists × 10,000 tracks compared pairwise took
                // a third of a second.
                let folders: std::collections::HashSet<&Path> =
                    scan.tracks.iter().filter_map(|t| t.path.parent()).collect();
                let holding = scan
                    .genres
                    .iter()
                    .filter(|g| folders.contains(scan.genre_root.join(g).as_path()))
                    .count();
                let folders_hold_tracks = 2 * holding >= scan.genres.len() && !loose_audio(root);
                if wrapped
                    || gtzan_named
                    || 2 * genre_named >= scan.genres.len()
                    || folders_hold_tracks
                {
                    let why = format!(
                        "{} genre folders ({}); pass --layout library to read it as a library",
                        scan.genres.len(),
                        scan.genres.join(", ")
                    );
                    return Ok((scan, found(Layout::Genres, why)));
                }
            }
            Err(ScanError::NoGenres { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    scan_library(root)
}

/// Audio files directly in `root`, beside any sub-folders: a library's loose tracks.
fn loose_audio(root: &Path) -> bool {
    std::fs::read_dir(root).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let path = e.path();
            path.is_file() && crate::audio::has_audio_extension(&path)
        })
    })
}

fn found(layout: Layout, why: String) -> LayoutFound {
    LayoutFound { layout, why }
}

/// Every audio file below `root`, in path order, as one unlabelled genre.
fn scan_library(root: &Path) -> Result<(ScanResult, LayoutFound), ScanError> {
    require_folder(root)?;
    let mut walk = Walk::new(true);
    walk.collect(root, 0);
    if walk.audio.is_empty() {
        return Err(ScanError::NoAudio {
            path: root.to_path_buf(),
        });
    }
    let nested = walk
        .audio
        .iter()
        .any(|p| p.parent().is_some_and(|d| d != root));
    let why = format!(
        "a library of {} audio file(s) ({}), without genre folders: the tracks have no labels \
         until a model predicts them",
        walk.audio.len(),
        if nested {
            "in sub-folders"
        } else {
            "all in one folder"
        }
    );
    let tracks = walk
        .audio
        .into_iter()
        .map(|path| TrackRef {
            path,
            genre: UNLABELLED.to_string(),
        })
        .collect();
    let scan = ScanResult {
        root: root.to_path_buf(),
        genre_root: root.to_path_buf(),
        genres: vec![UNLABELLED.to_string()],
        tracks,
        skipped: walk.skipped,
    };
    Ok((scan, found(Layout::Library, why)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, b"RIFF").expect("write");
    }

    #[test]
    fn artist_album_folders_are_a_library_and_genre_folders_are_labels() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = dir.path().join("lib");
        touch(&lib.join("Nina Simone/Pastel Blues/01 Be My Husband.flac"));
        touch(&lib.join("Nina Simone/Pastel Blues/cover.jpg"));
        touch(&lib.join("Slayer/Reign in Blood/01 Angel of Death.mp3"));
        touch(&lib.join("Slayer/Reign in Blood/._01 Angel of Death.mp3"));
        let (scan, found) = scan_any(&lib, None).expect("scan");
        assert_eq!(found.layout, Layout::Library, "{}", found.why);
        assert_eq!(scan.tracks.len(), 2);
        assert!(scan.tracks.iter().all(|t| t.genre == UNLABELLED));
        let reasons: Vec<&str> = scan.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("cover.jpg") && r.contains("not an audio")),
            "{reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("._01") && r.contains("hidden")),
            "{reasons:?}"
        );

        let labelled = dir.path().join("labelled");
        touch(&labelled.join("Jazz/a.wav"));
        touch(&labelled.join("rock/b.wav"));
        touch(&labelled.join(".git/objects/x.wav"));
        // Folders that hold their tracks are labels whatever they are called (a dataset's own
        // classes); loose tracks beside them make it a library.
        let classes = dir.path().join("classes");
        touch(&classes.join("low/a.wav"));
        touch(&classes.join("high/b.wav"));
        touch(&classes.join("high/deeper/c.wav"));
        assert_eq!(
            scan_any(&classes, None).expect("scan").1.layout,
            Layout::Genres
        );
        touch(&classes.join("loose.wav"));
        assert_eq!(
            scan_any(&classes, None).expect("scan").1.layout,
            Layout::Library
        );
        let (scan, found) = scan_any(&labelled, None).expect("scan");
        assert_eq!(found.layout, Layout::Genres, "{}", found.why);
        assert_eq!(scan.genres, ["Jazz", "rock"]);
        // The user's word wins over the guess, both ways.
        let (scan, found) = scan_any(&labelled, Some(Layout::Library)).expect("scan");
        assert_eq!((found.layout, scan.genres.len()), (Layout::Library, 1));
        let (scan, _) = scan_any(&lib, Some(Layout::Genres)).expect("scan");
        assert_eq!(scan.genres, ["Nina Simone", "Slayer"]);
    }

    #[test]
    fn a_flat_folder_is_a_library_and_an_empty_one_says_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(&dir.path().join("b.wav"));
        touch(&dir.path().join("a.mp3"));
        let (scan, found) = scan_any(dir.path(), None).expect("scan");
        assert_eq!(found.layout, Layout::Library);
        assert!(found.why.contains("all in one folder"), "{}", found.why);
        let names: Vec<_> = scan.tracks.iter().map(|t| t.path.file_name()).collect();
        assert_eq!(names, [Some("a.mp3".as_ref()), Some("b.wav".as_ref())]);

        let empty = tempfile::tempdir().expect("tempdir");
        std::fs::write(empty.path().join("notes.txt"), b"x").expect("write");
        let err = scan_any(empty.path(), None).expect_err("no audio");
        assert!(err.to_string().contains("no audio files"), "{err}");
    }
}
