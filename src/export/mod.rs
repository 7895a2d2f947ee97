//! Taking results out of genrescope: feature vectors (CSV, NPY), embeddings with provenance
//! (CSV), the TensorBoard embedding projector's `vectors.tsv` + `metadata.tsv`, and audio as WAV.
//! Every file is written atomically (see `files`), and every error names its file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::dataset::{Dataset, Split};
use crate::files::{write_atomic, FileError};
use crate::latent::audible::{AudibleError, Voice};
use crate::latent::interpolate::PathStep;
use crate::maps::ModelMaps;
use crate::model::ModelMeta;

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
fn write_csv_rows(
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

/// Every vector of `dataset` with its provenance; without `with_vectors`, the provenance alone
/// (the sidecar of an NPY file).
pub fn write_features_csv(
    path: &Path,
    dataset: &Dataset,
    splits: &[Split],
    with_vectors: bool,
) -> Result<(), ExportError> {
    write_csv_rows(path, |w| {
        let mut header: Vec<String> = PROVENANCE_COLUMNS.iter().map(|s| s.to_string()).collect();
        if with_vectors {
            header.extend((0..dataset.dim()).map(|j| format!("v{j}")));
        }
        w.write_record(&header)?;
        for (i, (seg, split)) in dataset.segments.iter().zip(splits).enumerate() {
            let track = &dataset.tracks[seg.track];
            let mut row = vec![
                track.path.display().to_string(),
                dataset.genres[track.genre].clone(),
                track.genre.to_string(),
                seg.track.to_string(),
                seg.index.to_string(),
                seg.offset_samples.to_string(),
                split.name().to_string(),
            ];
            if with_vectors {
                // `{}` prints the shortest text that parses back to the same f32.
                row.extend(dataset.vector(i).iter().map(|v| v.to_string()));
            }
            w.write_record(&row)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Every vector as a float32 `.npy` matrix (rows in the order of the provenance CSV).
pub fn write_features_npy(path: &Path, dataset: &Dataset) -> Result<(), ExportError> {
    use ndarray_npy::WriteNpyExt;
    let matrix = ndarray::ArrayView2::from_shape((dataset.len(), dataset.dim()), &dataset.vectors)
        .map_err(|e| FileError::Write {
            path: path.to_path_buf(),
            cause: e.to_string(),
        })?;
    write_atomic(path, |w| matrix.write_npy(w))?;
    Ok(())
}

/// Everything known about each segment, for the embedding exports.
pub struct Embeddings<'a> {
    pub dataset: &'a Dataset,
    pub meta: &'a ModelMeta,
    /// `n × code_dim` codes (the 64-d bottleneck, or the baseline's hidden layer).
    pub codes: &'a [f32],
    pub code_dim: usize,
    /// `n × n_classes` logits, for classifiers.
    pub logits: Option<&'a [f32]>,
    /// Predicted model genre and its probability, for classifiers.
    pub predicted: Option<&'a [(usize, f32)]>,
    pub splits: Option<&'a [Split]>,
    /// 2-d PCA coordinates of the raw, code and logits maps, where fitted.
    pub raw_xy: Option<&'a [[f64; 2]]>,
    pub code_xy: Option<&'a [[f64; 2]]>,
    pub logits_xy: Option<&'a [[f64; 2]]>,
}

impl<'a> Embeddings<'a> {
    /// Everything a model's maps know about `dataset`; `raw_xy` is the raw-input map, if fitted.
    pub fn new(
        dataset: &'a Dataset,
        meta: &'a ModelMeta,
        maps: &'a ModelMaps,
        splits: Option<&'a [Split]>,
        raw_xy: Option<&'a [[f64; 2]]>,
    ) -> Self {
        Self {
            dataset,
            meta,
            codes: &maps.inference.code,
            code_dim: maps.inference.code_dim,
            logits: maps.inference.logits.as_deref(),
            predicted: maps.predicted.as_deref(),
            splits,
            raw_xy,
            code_xy: maps.code_map.as_ref().ok().map(|p| p.points.as_slice()),
            logits_xy: maps
                .logits_map
                .as_ref()
                .and_then(|m| m.as_ref().ok())
                .map(|p| p.points.as_slice()),
        }
    }

    fn split_name(&self, i: usize) -> &'static str {
        self.splits.map_or("held-out", |s| s[i].name())
    }

    fn predicted_name(&self, i: usize) -> (String, String) {
        match self.predicted.and_then(|p| p.get(i)) {
            Some(&(g, p)) => (
                self.meta.genres.get(g).cloned().unwrap_or_default(),
                format!("{p:.4}"),
            ),
            None => (String::new(), String::new()),
        }
    }

    /// One row per segment: provenance, the representation, genres, the codes, the logits and
    /// the map coordinates.
    pub fn write_csv(&self, path: &Path) -> Result<(), ExportError> {
        let n_classes = self.meta.model.n_classes;
        let input = self.meta.features.input.kind().name();
        write_csv_rows(path, |w| {
            let mut header: Vec<String> = [
                "path",
                "track",
                "segment",
                "offset_samples",
                "split",
                "representation",
                "genre",
                "predicted",
                "confidence",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            header.extend((0..self.code_dim).map(|j| format!("code_{j}")));
            if self.logits.is_some() {
                header.extend(self.meta.genres.iter().map(|g| format!("logit_{g}")));
            }
            for (name, xy) in [
                ("raw", self.raw_xy),
                ("code", self.code_xy),
                ("logits", self.logits_xy),
            ] {
                if xy.is_some() {
                    header.push(format!("{name}_pc1"));
                    header.push(format!("{name}_pc2"));
                }
            }
            w.write_record(&header)?;
            let ds = self.dataset;
            for i in 0..ds.len() {
                let seg = ds.segments[i];
                let track = &ds.tracks[seg.track];
                let (predicted, confidence) = self.predicted_name(i);
                let mut row = vec![
                    track.path.display().to_string(),
                    track.file_name(),
                    seg.index.to_string(),
                    seg.offset_samples.to_string(),
                    self.split_name(i).to_string(),
                    input.to_string(),
                    ds.genres[track.genre].clone(),
                    predicted,
                    confidence,
                ];
                row.extend(
                    self.codes[i * self.code_dim..(i + 1) * self.code_dim]
                        .iter()
                        .map(|v| v.to_string()),
                );
                if let Some(logits) = self.logits {
                    row.extend(
                        logits[i * n_classes..(i + 1) * n_classes]
                            .iter()
                            .map(|v| v.to_string()),
                    );
                }
                for xy in [self.raw_xy, self.code_xy, self.logits_xy]
                    .into_iter()
                    .flatten()
                {
                    row.push(xy[i][0].to_string());
                    row.push(xy[i][1].to_string());
                }
                w.write_record(&row)?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// The embedding projector's pair: `vectors.tsv` (one code per line, tab-separated, no
    /// header) and `metadata.tsv` (a header line, then one line per vector).
    pub fn write_projector(&self, dir: &Path) -> Result<[PathBuf; 2], ExportError> {
        let vectors = dir.join("vectors.tsv");
        let metadata = dir.join("metadata.tsv");
        let ds = self.dataset;
        write_atomic(&vectors, |w| -> std::io::Result<()> {
            for i in 0..ds.len() {
                let code = &self.codes[i * self.code_dim..(i + 1) * self.code_dim];
                let line: Vec<String> = code.iter().map(|x| x.to_string()).collect();
                writeln!(w, "{}", line.join("\t"))?;
            }
            Ok(())
        })?;
        // Tabs and newlines would break the format; file names rarely have them, but be safe.
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        let input = self.meta.features.input.kind().name();
        write_atomic(&metadata, |w| -> std::io::Result<()> {
            writeln!(w, "track\tsegment\tgenre\tpredicted\tsplit\trepresentation")?;
            for i in 0..ds.len() {
                let track = ds.track_of(i);
                writeln!(
                    w,
                    "{}\t{}\t{}\t{}\t{}\t{input}",
                    clean(&track.file_name()),
                    ds.segments[i].index,
                    clean(&ds.genres[track.genre]),
                    clean(&self.predicted_name(i).0),
                    self.split_name(i)
                )?;
            }
            Ok(())
        })?;
        Ok([vectors, metadata])
    }
}

/// Writes the decoded steps one after another as a 16-bit WAV at the data's sample rate, and
/// `<stem>.steps.csv` beside it with each step's t, where it starts and ends, and its genre
/// probabilities. `target_rms`, when given, maps a step's t to the level its audio is brought to
/// (loudness matching, as the window plays it). Returns the CSV's path.
pub fn write_path_wav(
    path: &Path,
    steps: &[PathStep],
    meta: &ModelMeta,
    voice: &Voice,
    target_rms: Option<&dyn Fn(f32) -> f32>,
) -> Result<PathBuf, ExportError> {
    let audio_err = |cause| ExportError::Audio {
        path: path.to_path_buf(),
        cause,
    };
    let mut audio = Vec::new();
    let mut bounds = Vec::with_capacity(steps.len());
    for step in steps {
        let mut part = voice.render(&step.decoded).map_err(audio_err)?;
        if let Some(target) = target_rms {
            crate::dsp::loudness::match_rms(&mut part, target(step.t));
        }
        if audio.len() + part.len() > MAX_WAV_SAMPLES {
            return Err(ExportError::WavTooLong {
                path: path.to_path_buf(),
                samples: audio.len() + part.len(),
            });
        }
        bounds.push((audio.len(), audio.len() + part.len()));
        audio.extend(part);
    }
    write_wav(path, &audio, voice.sample_rate_hz())?;
    let table_path = path.with_extension("steps.csv");
    write_csv_rows(&table_path, |w| {
        let mut header = vec![
            "step".to_string(),
            "t".into(),
            "start_sample".into(),
            "end_sample".into(),
        ];
        if steps.first().is_some_and(|s| s.probabilities.is_some()) {
            header.extend(meta.genres.iter().map(|g| format!("p_{g}")));
        }
        w.write_record(&header)?;
        for (k, (step, (start, end))) in steps.iter().zip(&bounds).enumerate() {
            let mut row = vec![
                k.to_string(),
                format!("{:.4}", step.t),
                start.to_string(),
                end.to_string(),
            ];
            if let Some(p) = &step.probabilities {
                row.extend(p.iter().map(|v| format!("{v:.4}")));
            }
            w.write_record(&row)?;
        }
        Ok(())
    })?;
    Ok(table_path)
}

/// Each segment's predicted genre (the model's index) and confidence, and the model's genres.
pub type Predictions = (Vec<(usize, f32)>, Vec<String>);

/// A selection of clips: `selection.csv` (each clip with its provenance, genre and prediction),
/// `selection.m3u` (the tracks they come from, once each) and `selection.wav` (the clips' original
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
    let mut tracks: Vec<usize> = clips.iter().map(|&i| ds.segments[i].track).collect();
    tracks.sort_unstable();
    tracks.dedup();
    write_atomic(&dir.join("selection.m3u"), |w| -> std::io::Result<()> {
        writeln!(w, "#EXTM3U")?;
        for t in tracks {
            let track = &ds.tracks[t];
            writeln!(
                w,
                "#EXTINF:-1,{} ({})",
                track.file_name(),
                ds.genres[track.genre]
            )?;
            writeln!(w, "{}", track.path.display())?;
        }
        Ok(())
    })?;
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
