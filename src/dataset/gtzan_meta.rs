//! GTZAN's published metadata (shipped in `assets/gtzan/`, see its README for the sources):
//! who plays each track (Sturm's index), its published exact repeats, and the fault-filtered,
//! artist-conditional train/valid/test lists. A track is recognised by its GTZAN name
//! (`jazz.00033` from `jazz.00033.wav` or `.au`), wherever it lies and whatever its format.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Split;

const INDEX: &str = include_str!("../../assets/gtzan/GTZANindex.txt");
const REPEATS: &str = include_str!("../../assets/gtzan/exact_repeats.csv");
const TRAIN: &str = include_str!("../../assets/gtzan/train_filtered.txt");
const VALID: &str = include_str!("../../assets/gtzan/valid_filtered.txt");
const TEST: &str = include_str!("../../assets/gtzan/test_filtered.txt");

/// What the index says of one track (either may be unknown: 81 entries are blank).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credit {
    pub artist: Option<String>,
    pub title: Option<String>,
}

/// A track's GTZAN name (`genre.NNNNN`) from its file name, when it has one.
pub fn gtzan_name(file_name: &str) -> Option<String> {
    let (stem, _) = file_name.rsplit_once('.')?;
    let (genre, number) = stem.split_once('.')?;
    let ok = !genre.is_empty()
        && genre.chars().all(|c| c.is_ascii_lowercase())
        && number.len() == 5
        && number.chars().all(|c| c.is_ascii_digit());
    ok.then(|| stem.to_string())
}

fn index() -> &'static HashMap<String, Credit> {
    static INDEXED: OnceLock<HashMap<String, Credit>> = OnceLock::new();
    INDEXED.get_or_init(|| {
        INDEX
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|line| {
                let mut parts = line.split(":::").map(str::trim);
                let name = gtzan_name(parts.next()?)?;
                let known = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
                let artist = known(parts.next());
                let title = known(parts.next());
                Some((name, Credit { artist, title }))
            })
            .collect()
    })
}

/// The artist and title of a GTZAN track, by file name.
pub fn credit(file_name: &str) -> Option<&'static Credit> {
    index().get(&gtzan_name(file_name)?)
}

/// The published exact repeats, as pairs of GTZAN names.
pub fn exact_repeats() -> &'static [(String, String)] {
    static PAIRS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        REPEATS
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cells = line.split(',');
                Some((gtzan_name(cells.next()?)?, gtzan_name(cells.next()?)?))
            })
            .collect()
    })
}

/// The published filtered split of a GTZAN track: train, valid (our dev) or test; `None` for
/// the tracks the split leaves out (repetitions, mislabelings, distortions).
pub fn filtered_split(file_name: &str) -> Option<Split> {
    static LISTS: OnceLock<HashMap<String, Split>> = OnceLock::new();
    let lists = LISTS.get_or_init(|| {
        [
            (TRAIN, Split::Train),
            (VALID, Split::Dev),
            (TEST, Split::Test),
        ]
        .iter()
        .flat_map(|(list, split)| {
            list.lines().filter_map(move |line| {
                let file = line.trim().rsplit('/').next()?;
                Some((gtzan_name(file)?, *split))
            })
        })
        .collect()
    });
    lists.get(&gtzan_name(file_name)?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_knows_gtzan_minis_artists() {
        assert_eq!(index().len(), 1000);
        let bach = credit("classical.00001.au").unwrap();
        assert_eq!(bach.artist.as_deref(), Some("JS Bach"));
        assert_eq!(bach.title.as_deref(), Some("Concert for oboe, BWV 1053"));
        assert_eq!(credit("metal.00006.wav"), Some(&Credit::default()));
        assert!(credit("my-song.mp3").is_none());
        assert_eq!(gtzan_name("pop.00042.wav").as_deref(), Some("pop.00042"));
        assert!(gtzan_name("pop.42.wav").is_none());
    }

    #[test]
    fn repeats_and_the_filtered_split_are_read() {
        assert_eq!(exact_repeats().len(), 32);
        assert!(exact_repeats().contains(&("metal.00004".into(), "metal.00013".into())));
        assert_eq!(filtered_split("metal.00004.wav"), None);
        let counts = |s: Split| {
            ["classical", "jazz", "metal", "pop"]
                .iter()
                .flat_map(|g| (0..100).map(move |k| format!("{g}.{k:05}.wav")))
                .filter(|f| filtered_split(f) == Some(s))
                .count()
        };
        // The literature's figures for the paper's four genres: 176 / 70 / 115.
        assert_eq!(
            (
                counts(Split::Train),
                counts(Split::Dev),
                counts(Split::Test)
            ),
            (176, 70, 115)
        );
    }
}
