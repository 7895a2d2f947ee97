//! Train/dev/test splits. `segment` is the paper's protocol (a shuffle over segments, so every
//! track is in every split and dev/test scores measure memorised tracks); `track` keeps each
//! track in exactly one split, stratified by genre; `kfold` deals the tracks into K folds,
//! stratified by genre, one fold the test and the next the dev; `files` applies GTZAN's
//! published fault-filtered, artist-conditional lists. Track, kfold and files keep a group of
//! tracks together: a published exact repeat, a duplicate the audit found, and (grouping by
//! artist) every track of one artist.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitProtocol {
    /// The paper's: segments shuffled across tracks (scores are flattered by leakage).
    #[default]
    Segment,
    /// Every track in exactly one split, stratified by genre.
    Track,
    /// K folds of tracks, stratified by genre: fold `fold` is the test, the next the dev.
    #[serde(rename = "kfold")]
    KFold,
    /// GTZAN's published fault-filtered lists; tracks in none of them are excluded.
    Files,
}

impl std::fmt::Display for SplitProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Segment => "segment",
            Self::Track => "track",
            Self::KFold => "kfold",
            Self::Files => "files",
        })
    }
}

/// What must stay on one side of a split besides a track's own segments.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Each track (with its duplicates)
    #[default]
    Track,
    /// Each artist GTZAN's index names (with the duplicates); tracks it cannot place stay alone
    Artist,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Dev,
    Test,
    /// Left out of every split (`files`: a track the published lists exclude).
    Excluded,
}

impl Split {
    /// The splits a model is trained and scored on.
    pub const ALL: [Split; 3] = [Split::Train, Split::Dev, Split::Test];

    pub fn name(self) -> &'static str {
        match self {
            Self::Train => "train",
            Self::Dev => "dev",
            Self::Test => "test",
            Self::Excluded => "excluded",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SplitConfig {
    pub protocol: SplitProtocol,
    /// Fraction of segments (or tracks) for training; dev gets `dev_fraction`, test the rest.
    pub train_fraction: f64,
    pub dev_fraction: f64,
    pub seed: u64,
    /// `kfold`: how many folds, and which is the test.
    #[serde(default)]
    pub folds: usize,
    #[serde(default)]
    pub fold: usize,
    /// `track`, `kfold` and `files`: what stays together.
    #[serde(default)]
    pub group: GroupBy,
}

impl Default for SplitConfig {
    fn default() -> Self {
        Self {
            protocol: SplitProtocol::Segment,
            train_fraction: 0.75,
            dev_fraction: 0.125,
            seed: 0,
            folds: 0,
            fold: 0,
            group: GroupBy::Track,
        }
    }
}

impl SplitConfig {
    /// Fold `fold` of a `folds`-fold split of this one.
    pub fn kfold(self, folds: usize, fold: usize) -> Self {
        Self {
            protocol: SplitProtocol::KFold,
            folds,
            fold,
            ..self
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SplitError {
    #[error(
        "split fractions must be in [0, 1] and train + dev must not exceed 1 (got train \
        {train}, dev {dev})"
    )]
    Fractions { train: f64, dev: f64 },
    #[error(
        "genre '{genre}' has only {tracks} track(s); the track split needs at least 3 per \
        genre (one each for train, dev and test), or use --split segment"
    )]
    TooFewTracks { genre: String, tracks: usize },
    #[error(
        "genre '{genre}' has {tracks} track group(s) for {folds} folds; use at most {tracks} \
        folds (kfold:{tracks}), or a folder with more tracks of it"
    )]
    TooFewForFolds {
        genre: String,
        tracks: usize,
        folds: usize,
    },
    #[error("kfold needs from 3 folds (test, dev and train) up to 100, got {0}")]
    Folds(usize),
    #[error(
        "none of the tracks is in GTZAN's published lists (they name files such as \
        jazz.00033.wav): --split files needs a GTZAN folder"
    )]
    NotGtzan,
}

/// One track as a split sees it.
#[derive(Debug, Clone)]
pub struct SplitTrack {
    pub genre: usize,
    /// Tracks with the same group go to the same side.
    pub group: usize,
    /// The published filtered split of the track (`files`), `None` when not in the lists.
    pub listed: Option<Split>,
}

/// Every segment's split, and what a report should say about how it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitPlan {
    pub splits: Vec<Split>,
    pub notes: Vec<String>,
}

/// How many of `n` items go to (train, dev, test): dev and test are rounded, train takes the rest.
/// With `at_least_one`, dev and test each get one item whenever there are three or more.
fn counts(n: usize, cfg: &SplitConfig, at_least_one: bool) -> (usize, usize, usize) {
    let test_fraction = (1.0 - cfg.train_fraction - cfg.dev_fraction).max(0.0);
    let mut dev = (n as f64 * cfg.dev_fraction).round() as usize;
    let mut test = (n as f64 * test_fraction).round() as usize;
    if at_least_one && n >= 3 {
        dev = dev.max(usize::from(cfg.dev_fraction > 0.0));
        test = test.max(usize::from(test_fraction > 1e-12));
    }
    dev = dev.min(n);
    test = test.min(n - dev);
    (n - dev - test, dev, test)
}

/// The groups whose first track is of genre `g` (a group across genres, such as a repeat filed
/// under two genres, goes with its first track's), each its tracks in order, the groups in
/// order of their first track.
fn genre_groups(tracks: &[SplitTrack], g: usize) -> Vec<Vec<usize>> {
    let mut slot: std::collections::HashMap<usize, usize> = Default::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (t, track) in tracks.iter().enumerate() {
        let k = *slot.entry(track.group).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[k].push(t);
    }
    groups.retain(|members| tracks[members[0]].genre == g);
    groups
}

/// Assigns every segment a split. `segment_track[i]` is segment i's track; `genres` names the
/// genres for messages.
pub fn assign_splits(
    segment_track: &[usize],
    tracks: &[SplitTrack],
    genres: &[String],
    cfg: &SplitConfig,
) -> Result<SplitPlan, SplitError> {
    let valid = (0.0..=1.0).contains(&cfg.train_fraction)
        && (0.0..=1.0).contains(&cfg.dev_fraction)
        && cfg.train_fraction + cfg.dev_fraction <= 1.0 + 1e-9;
    if !valid {
        return Err(SplitError::Fractions {
            train: cfg.train_fraction,
            dev: cfg.dev_fraction,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut notes = Vec::new();
    let track_split = match cfg.protocol {
        SplitProtocol::Segment => {
            let mut order: Vec<usize> = (0..segment_track.len()).collect();
            order.shuffle(&mut rng);
            let (train, dev, _) = counts(order.len(), cfg, false);
            let mut splits = vec![Split::Test; order.len()];
            for (rank, &i) in order.iter().enumerate() {
                splits[i] = if rank < train {
                    Split::Train
                } else if rank < train + dev {
                    Split::Dev
                } else {
                    Split::Test
                };
            }
            return Ok(SplitPlan { splits, notes });
        }
        SplitProtocol::Track => by_fraction(tracks, genres, cfg, &mut rng)?,
        SplitProtocol::KFold => by_folds(tracks, genres, cfg, &mut rng, &mut notes)?,
        SplitProtocol::Files => {
            let listed = tracks.iter().filter(|t| t.listed.is_some()).count();
            if listed == 0 {
                return Err(SplitError::NotGtzan);
            }
            notes.push(format!(
                "GTZAN's published filtered lists cover {listed} of the {} tracks; the other {} \
                 are excluded",
                tracks.len(),
                tracks.len() - listed
            ));
            tracks
                .iter()
                .map(|t| t.listed.unwrap_or(Split::Excluded))
                .collect()
        }
    };
    Ok(SplitPlan {
        splits: segment_track.iter().map(|&t| track_split[t]).collect(),
        notes,
    })
}

/// Each genre's groups shuffled and dealt to train, dev and test by their share of tracks.
fn by_fraction(
    tracks: &[SplitTrack],
    genres: &[String],
    cfg: &SplitConfig,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<Split>, SplitError> {
    let mut track_split = vec![Split::Train; tracks.len()];
    for (g, genre) in genres.iter().enumerate() {
        let mut groups = genre_groups(tracks, g);
        let n: usize = groups.iter().map(Vec::len).sum();
        if n == 0 {
            continue;
        }
        if n < 3 {
            return Err(SplitError::TooFewTracks {
                genre: genre.clone(),
                tracks: n,
            });
        }
        groups.shuffle(rng);
        let (train, dev, _) = counts(n, cfg, true);
        // A group goes where its first track falls; groups of one are dealt as tracks.
        let mut placed = 0;
        for group in groups {
            let split = if placed < train {
                Split::Train
            } else if placed < train + dev {
                Split::Dev
            } else {
                Split::Test
            };
            placed += group.len();
            for t in group {
                track_split[t] = split;
            }
        }
    }
    Ok(track_split)
}

/// Each genre's groups shuffled and dealt to the fold with the fewest of the genre's tracks;
/// fold `cfg.fold` is the test, the next the dev. A genre with fewer groups than folds (all of
/// a genre by one artist) is dealt by track instead, and the notes say so.
fn by_folds(
    tracks: &[SplitTrack],
    genres: &[String],
    cfg: &SplitConfig,
    rng: &mut ChaCha8Rng,
    notes: &mut Vec<String>,
) -> Result<Vec<Split>, SplitError> {
    let k = cfg.folds;
    if !(3..=100).contains(&k) {
        return Err(SplitError::Folds(k));
    }
    let mut fold_of = vec![0usize; tracks.len()];
    let mut fold_size = vec![0usize; k];
    for (g, genre) in genres.iter().enumerate() {
        let mut groups = genre_groups(tracks, g);
        let n: usize = groups.iter().map(Vec::len).sum();
        if n == 0 {
            continue;
        }
        if groups.len() < k {
            let alone: Vec<SplitTrack> = tracks
                .iter()
                .enumerate()
                .map(|(t, s)| SplitTrack {
                    group: t,
                    ..s.clone()
                })
                .collect();
            let singles = genre_groups(&alone, g);
            if singles.len() < k {
                return Err(SplitError::TooFewForFolds {
                    genre: genre.clone(),
                    tracks: singles.len(),
                    folds: k,
                });
            }
            notes.push(format!(
                "{genre} has {} group(s) for {k} folds: its tracks are dealt one by one, so its \
                 held-out tracks share groups (artists) with its training tracks",
                groups.len()
            ));
            groups = singles;
        }
        groups.shuffle(rng);
        // Large groups first, so the folds come out even; the shuffle breaks ties.
        groups.sort_by_key(|group| std::cmp::Reverse(group.len()));
        let mut in_fold = vec![0usize; k];
        for group in groups {
            let fold = (0..k)
                .min_by_key(|&f| (in_fold[f], fold_size[f], f))
                .unwrap_or(0);
            in_fold[fold] += group.len();
            fold_size[fold] += group.len();
            for t in group {
                fold_of[t] = fold;
            }
        }
    }
    let test = cfg.fold % k;
    let dev = (test + 1) % k;
    Ok(fold_of
        .into_iter()
        .map(|f| match f {
            f if f == test => Split::Test,
            f if f == dev => Split::Dev,
            _ => Split::Train,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracks(per_genre: usize, genres: usize) -> Vec<SplitTrack> {
        (0..per_genre * genres)
            .map(|t| SplitTrack {
                genre: t / per_genre,
                group: t,
                listed: None,
            })
            .collect()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|g| format!("g{g}")).collect()
    }

    #[test]
    fn every_track_is_tested_in_exactly_one_fold() {
        let t = tracks(8, 4);
        let segs: Vec<usize> = (0..t.len()).collect();
        let mut tested = vec![0; t.len()];
        for fold in 0..8 {
            let cfg = SplitConfig::default().kfold(8, fold);
            let plan = assign_splits(&segs, &t, &names(4), &cfg).unwrap();
            for (i, s) in plan.splits.iter().enumerate() {
                tested[i] += usize::from(*s == Split::Test);
            }
            // Stratified: one track of each genre in the test fold and in the dev fold.
            for g in 0..4 {
                let of = |s: Split| {
                    (0..t.len())
                        .filter(|&i| t[i].genre == g && plan.splits[i] == s)
                        .count()
                };
                assert_eq!(
                    (of(Split::Test), of(Split::Dev), of(Split::Train)),
                    (1, 1, 6)
                );
            }
        }
        assert!(tested.iter().all(|&n| n == 1), "{tested:?}");
    }

    #[test]
    fn a_group_stays_on_one_side_and_a_one_group_genre_is_dealt_by_track() {
        let mut t = tracks(8, 2);
        // Genre 0: tracks 0-2 are one artist, 3-7 another... and genre 1 all one artist.
        for (i, track) in t.iter_mut().enumerate() {
            track.group = match i {
                0..=2 => 100,
                3..=4 => 101,
                8..=15 => 200,
                _ => i,
            };
        }
        let segs: Vec<usize> = (0..t.len()).collect();
        let cfg = SplitConfig::default().kfold(4, 0);
        let plan = assign_splits(&segs, &t, &names(2), &cfg).unwrap();
        assert!(plan.splits[0] == plan.splits[1] && plan.splits[1] == plan.splits[2]);
        assert_eq!(plan.splits[3], plan.splits[4]);
        assert_eq!(plan.notes.len(), 1, "{:?}", plan.notes);
        assert!(plan.notes[0].starts_with("g1 has 1 group(s) for 4 folds"));
        // The track split keeps a group together too.
        let cfg = SplitConfig {
            protocol: SplitProtocol::Track,
            ..SplitConfig::default()
        };
        let plan = assign_splits(&segs, &t, &names(2), &cfg).unwrap();
        assert!(plan.splits[0] == plan.splits[1] && plan.splits[1] == plan.splits[2]);
    }

    #[test]
    fn too_few_tracks_for_the_folds_is_refused() {
        let t = tracks(3, 2);
        let segs: Vec<usize> = (0..t.len()).collect();
        let err = assign_splits(&segs, &t, &names(2), &SplitConfig::default().kfold(4, 0));
        assert!(matches!(err, Err(SplitError::TooFewForFolds { .. })));
        let err = assign_splits(&segs, &t, &names(2), &SplitConfig::default().kfold(2, 0));
        assert_eq!(err, Err(SplitError::Folds(2)));
    }
}
