//! Progress lines on stderr for the headless commands.

use std::io::{IsTerminal, Write};

use crate::dataset::LoadProgress;

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
        } else if done || p.tracks_done % 100 == 0 && p.tracks_done > 0 {
            eprintln!("decoding: {}/{} tracks", p.tracks_done, p.tracks_total);
        }
    }
}
