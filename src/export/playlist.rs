//! Playlists a media player opens: M3U8 (UTF-8 extended M3U) with each entry relative to the
//! playlist's own folder, so the playlist and the music can move together.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::files::{write_atomic, FileError};

/// One entry: the track's file, its length and the title a player shows.
#[derive(Debug, Clone)]
pub struct PlaylistEntry {
    pub path: PathBuf,
    pub duration_secs: Option<f64>,
    pub title: String,
}

/// The path of `track` as written in a playlist saved at `playlist`: relative to the
/// playlist's folder with `/` separators when both are on one tree, absolute otherwise.
pub fn entry_path(playlist: &Path, track: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let track = absolute(track);
    let from = playlist.parent().map(absolute).unwrap_or_default();
    let relative = pathdiff::diff_paths(&track, &from).unwrap_or_else(|| track.clone());
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes `entries` as an M3U8 playlist at `path`.
pub fn write_m3u8(path: &Path, entries: &[PlaylistEntry]) -> Result<(), FileError> {
    write_atomic(path, |w| -> std::io::Result<()> {
        writeln!(w, "#EXTM3U")?;
        for e in entries {
            // A line break in a title would end the entry early.
            let title = e.title.replace(['\r', '\n'], " ");
            let secs = e.duration_secs.map_or(-1, |s| s.round() as i64);
            writeln!(w, "#EXTINF:{secs},{title}")?;
            writeln!(w, "{}", entry_path(path, &e.path))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_relative_to_the_playlist() {
        let list = Path::new("/music/lists/jazz.m3u8");
        assert_eq!(
            entry_path(list, Path::new("/music/Nina Simone/01 Track.flac")),
            "../Nina Simone/01 Track.flac"
        );
        assert_eq!(entry_path(list, Path::new("/music/lists/a.wav")), "a.wav");
    }

    #[test]
    fn a_playlist_lists_each_track_with_its_length() {
        let dir = tempfile::tempdir().expect("tempdir");
        let list = dir.path().join("out/pop.m3u8");
        std::fs::create_dir_all(list.parent().expect("parent")).expect("mkdir");
        let entries = [PlaylistEntry {
            path: dir.path().join("songs/a b.wav"),
            duration_secs: Some(30.01),
            title: "a b\nc".into(),
        }];
        write_m3u8(&list, &entries).expect("written");
        let text = std::fs::read_to_string(&list).expect("read");
        assert_eq!(text, "#EXTM3U\n#EXTINF:30,a b c\n../songs/a b.wav\n");
    }
}
