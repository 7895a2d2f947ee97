//! Taking results out of genrescope: feature vectors (CSV, NPY: `features`), embeddings with
//! provenance (CSV) and the TensorBoard embedding projector's `vectors.tsv` + `metadata.tsv`
//! (`embeddings`), the maps by any method with their parameters (`maps_csv`), a decoded path as WAV with its steps (`path_audio`), a selection of clips
//! (`selection`), an audit of the data (`audit_csv`), playlists (`playlist`). Every file is written atomically (see `files`), and every error names its
//! file.

mod audit_csv;
mod embeddings;
mod features;
mod maps_csv;
mod path_audio;
mod playlist;
mod selection;

pub use audit_csv::write_audit_csv;
pub use embeddings::Embeddings;
pub use features::{write_features_csv, write_features_npy, write_matrix};
pub use maps_csv::{map_columns, write_maps, ExportedMap};
pub use path_audio::write_path_wav;
pub use playlist::{entry_path, write_m3u8, PlaylistEntry};
pub use selection::{write_selection, Predictions};

use std::path::{Path, PathBuf};

use crate::files::{write_atomic, FileError};
use crate::latent::audible::AudibleError;

/// A WAV file's data chunk is addressed with 32 bits: at most this many 16-bit samples.
pub const MAX_WAV_SAMPLES: usize = (u32::MAX as usize - 64) / 2;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("cannot make the audio for {}: {cause}", path.display())]
    Audio { path: PathBuf, cause: AudibleError },
    #[error(
        "{} would hold {samples} samples, more than a WAV file can ({MAX_WAV_SAMPLES}); \
         export fewer steps",
        path.display()
    )]
    WavTooLong { path: PathBuf, samples: usize },
}

/// Writes mono audio as a 16-bit WAV.
pub fn write_wav(path: &Path, samples: &[f32], rate_hz: u32) -> Result<(), ExportError> {
    if samples.len() > MAX_WAV_SAMPLES {
        return Err(ExportError::WavTooLong {
            path: path.to_path_buf(),
            samples: samples.len(),
        });
    }
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate_hz,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    write_atomic(path, |w| -> Result<(), hound::Error> {
        let mut wav = hound::WavWriter::new(w, spec)?;
        for &s in samples {
            wav.write_sample((s.clamp(-1.0, 1.0) * 32767.0).round() as i16)?;
        }
        wav.finalize()
    })?;
    Ok(())
}

/// Writes a CSV file row by row.
pub(crate) fn write_csv_rows(
    path: &Path,
    rows: impl FnOnce(&mut csv::Writer<&mut std::io::BufWriter<std::fs::File>>) -> csv::Result<()>,
) -> Result<(), FileError> {
    write_atomic(path, |w| -> csv::Result<()> {
        let mut csv = csv::Writer::from_writer(w);
        rows(&mut csv)?;
        csv.flush()?;
        Ok(())
    })
}

/// Clip `i`'s cells under [`PROVENANCE_COLUMNS`], its split named `split`.
pub(crate) fn provenance_row(
    dataset: &crate::dataset::Dataset,
    i: usize,
    split: &str,
) -> Vec<String> {
    let seg = dataset.segments[i];
    let track = &dataset.tracks[seg.track];
    vec![
        track.path.display().to_string(),
        dataset.genres[track.genre].clone(),
        track.genre.to_string(),
        seg.track.to_string(),
        seg.index.to_string(),
        seg.offset_samples.to_string(),
        split.to_string(),
    ]
}

/// The provenance columns every per-clip export starts with.
pub const PROVENANCE_COLUMNS: [&str; 7] = [
    "path",
    "genre",
    "label",
    "track",
    "segment",
    "offset_samples",
    "split",
];
