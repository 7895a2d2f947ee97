//! Train/dev/test splits. `segment` is the paper's protocol (a shuffle over segments, so every
//! track is in every split and dev/test scores measure memorised tracks); `track` keeps each
//! track in exactly one split, stratified by genre, and is the honest measure of new music.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SplitProtocol {
    /// The paper's: segments shuffled across tracks (scores are flattered by leakage).
    Segment,
    /// Every track in exactly one split, stratified by genre.
    Track,
}

impl std::fmt::Display for SplitProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Segment => "segment",
            Self::Track => "track",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Dev,
    Test,
}

impl Split {
    pub const ALL: [Split; 3] = [Split::Train, Split::Dev, Split::Test];

    pub fn name(self) -> &'static str {
        match self {
            Self::Train => "train",
            Self::Dev => "dev",
            Self::Test => "test",
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
}

impl Default for SplitConfig {
    fn default() -> Self {
        Self {
            protocol: SplitProtocol::Segment,
            train_fraction: 0.75,
            dev_fraction: 0.125,
            seed: 0,
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

/// Assigns every segment a split. `segment_track[i]` is segment i's track, `track_genre[t]`
/// track t's genre index; `genres` names them for error messages.
pub fn assign_splits(
    segment_track: &[usize],
    track_genre: &[usize],
    genres: &[String],
    cfg: &SplitConfig,
) -> Result<Vec<Split>, SplitError> {
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
    match cfg.protocol {
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
            Ok(splits)
        }
        SplitProtocol::Track => {
            let mut track_split = vec![Split::Train; track_genre.len()];
            for (g, genre) in genres.iter().enumerate() {
                let mut tracks: Vec<usize> = (0..track_genre.len())
                    .filter(|&t| track_genre[t] == g)
                    .collect();
                if tracks.is_empty() {
                    continue;
                }
                if tracks.len() < 3 {
                    return Err(SplitError::TooFewTracks {
                        genre: genre.clone(),
                        tracks: tracks.len(),
                    });
                }
                tracks.shuffle(&mut rng);
                let (train, dev, _) = counts(tracks.len(), cfg, true);
                for (rank, &t) in tracks.iter().enumerate() {
                    track_split[t] = if rank < train {
                        Split::Train
                    } else if rank < train + dev {
                        Split::Dev
                    } else {
                        Split::Test
                    };
                }
            }
            Ok(segment_track.iter().map(|&t| track_split[t]).collect())
        }
    }
}
