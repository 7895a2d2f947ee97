//! Progress lines on stderr for the headless commands.

use std::io::{IsTerminal, Write};

use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::Context;

use crate::dataset::sources::load_source;
use crate::dataset::{DataSource, Dataset, FeatureConfig, LoadProgress};

/// Loads a folder (or `builtin:demo`) for a command, with progress on stderr and each skipped
/// file reported there.
pub fn load_for_command(
    dir: &Path,
    genres: Option<&[String]>,
    features: &FeatureConfig,
    quiet: bool,
) -> anyhow::Result<Dataset> {
    let dataset = load_source(
        &DataSource::from_arg(dir),
        &crate::dataset::sources::Reading::genres(genres),
        features,
        &AtomicBool::new(false),
        &load_reporter(quiet),
    )
    .with_context(|| format!("cannot load {}", dir.display()))?;
    if let Some(note) = dataset.cache_note() {
        eprintln!("note: {note}");
    }
    for skip in &dataset.skipped {
        eprintln!("skipped: {}", skip.reason);
    }
    Ok(dataset)
}

/// Reports decoding progress: one updating line on a terminal, a few lines otherwise.
pub fn load_reporter(quiet: bool) -> impl Fn(LoadProgress) + Sync {
    let tty = std::io::stderr().is_terminal();
    move |p: LoadProgress| {
        if quiet || p.tracks_total == 0 {
            return;
        }
        let done = p.tracks_done == p.tracks_total;
        if tty {
            eprint!("\rdecoding: {}/{} tracks", p.tracks_done, p.tracks_total);
            if done {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        } else if done || p.tracks_done.is_multiple_of(100) && p.tracks_done > 0 {
            eprintln!("decoding: {}/{} tracks", p.tracks_done, p.tracks_total);
        }
    }
}
