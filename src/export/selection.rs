//! A selection of clips written out: their table, a playlist of their tracks, their audio.

use std::path::Path;

use super::{write_csv_rows, write_m3u8, write_wav, ExportError, PlaylistEntry};
use crate::dataset::Dataset;
use crate::files::FileError;

/// Each segment's predicted genre (the model's index) and confidence, and the model's genres.
pub type Predictions = (Vec<(usize, f32)>, Vec<String>);

/// A selection of clips: `selection.csv` (each clip with its provenance, genre and prediction),
/// `selection.m3u8` (the tracks they come from, once each, relative to it) and `selection.wav` (the clips' original
/// audio one after another, with short gaps), in `dir`.
pub fn write_selection(
    dir: &Path,
    ds: &Dataset,
    clips: &[usize],
    predicted: Option<&Predictions>,
) -> Result<(), ExportError> {
    write_csv_rows(&dir.join("selection.csv"), |w| {
        w.write_record([
            "path",
            "track",
            "segment",
            "start_secs",
            "end_secs",
            "genre",
            "predicted",
            "confidence",
        ])?;
        for &i in clips {
            let track = ds.track_of(i);
            let (start, end) = ds.segment_time_secs(i);
            let (guess, confidence) = match predicted.and_then(|(p, g)| Some((p.get(i)?, g))) {
                Some((&(k, p), genres)) => (
                    genres.get(k).cloned().unwrap_or_default(),
                    format!("{p:.4}"),
                ),
                None => (String::new(), String::new()),
            };
            w.write_record([
                track.path.display().to_string(),
                track.file_name(),
                ds.segments[i].index.to_string(),
                format!("{start:.3}"),
                format!("{end:.3}"),
                ds.genres[track.genre].clone(),
                guess,
                confidence,
            ])?;
        }
        Ok(())
    })?;
    // The tracks once each, in the selection's order: a playlist a player opens, with entries
    // relative to it so the folder and the music can move together.
    let mut seen = std::collections::HashSet::new();
    let entries: Vec<PlaylistEntry> = clips
        .iter()
        .filter(|&&i| seen.insert(ds.segments[i].track))
        .map(|&i| {
            let track = ds.track_of(i);
            let genre = match (ds.is_library(), predicted) {
                (true, Some((p, genres))) => p
                    .get(i)
                    .and_then(|&(k, _)| genres.get(k))
                    .map_or_else(|| ds.genres[track.genre].clone(), |g| format!("{g}?")),
                _ => ds.genres[track.genre].clone(),
            };
            PlaylistEntry {
                path: track.path.clone(),
                duration_secs: track
                    .source
                    .declared_frames
                    .map(|f| f as f64 / f64::from(track.source.sample_rate_hz.max(1))),
                title: format!("{} ({genre})", track.file_name()),
            }
        })
        .collect();
    write_m3u8(&dir.join("selection.m3u8"), &entries)?;
    let wav = dir.join("selection.wav");
    let rate = ds.features.sample_rate_hz;
    let parts = crate::audio::clip::ClipSource::Sequence(
        clips
            .iter()
            .map(|&i| crate::dataset::sources::original(ds, i))
            .collect(),
    )
    .render_at(rate)
    .map_err(|e| FileError::Write {
        path: wav.clone(),
        cause: e.to_string(),
    })?;
    let gap = vec![0.0f32; (crate::audio::clip::SEQUENCE_GAP_SECS * f64::from(rate)) as usize];
    let audio: Vec<f32> = parts
        .iter()
        .enumerate()
        .flat_map(|(k, p)| {
            let lead: &[f32] = if k == 0 { &[] } else { &gap };
            lead.iter().chain(p.iter()).copied()
        })
        .collect();
    write_wav(&wav, &audio, rate)
}
