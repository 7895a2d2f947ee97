//! Taking results out of genrescope: embeddings with provenance (CSV), the TensorBoard embedding
//! projector's `vectors.tsv` + `metadata.tsv`, and an interpolation path as a WAV.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::dataset::{Dataset, Split};
use crate::interpolate::{pooled_to_audio, PathStep};
use crate::maps::ModelMaps;
use crate::model::ModelMeta;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {}: {source}; check that the folder exists and is writable", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {detail}", path.display())]
    Format { path: PathBuf, detail: String },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
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

    /// One row per segment: provenance, genres, the codes, the logits and the map coordinates.
    pub fn write_csv(&self, path: &Path) -> Result<(), ExportError> {
        let mut w = csv::Writer::from_path(path).map_err(|e| ExportError::Format {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let n_classes = self.meta.model.n_classes;
        let mut header: Vec<String> = [
            "path",
            "track",
            "segment",
            "offset_samples",
            "split",
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
        let fail = |e: csv::Error| ExportError::Format {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        w.write_record(&header).map_err(fail)?;
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
            w.write_record(&row).map_err(fail)?;
        }
        w.flush().map_err(io(path))
    }

    /// The embedding projector's pair: `vectors.tsv` (one code per line, tab-separated, no
    /// header) and `metadata.tsv` (a header line, then one line per vector).
    pub fn write_projector(&self, dir: &Path) -> Result<[PathBuf; 2], ExportError> {
        let vectors = dir.join("vectors.tsv");
        let metadata = dir.join("metadata.tsv");
        let mut v = std::io::BufWriter::new(std::fs::File::create(&vectors).map_err(io(&vectors))?);
        let mut m =
            std::io::BufWriter::new(std::fs::File::create(&metadata).map_err(io(&metadata))?);
        writeln!(m, "track\tsegment\tgenre\tpredicted\tsplit").map_err(io(&metadata))?;
        let ds = self.dataset;
        // Tabs and newlines would break the format; file names rarely have them, but be safe.
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        for i in 0..ds.len() {
            let code = &self.codes[i * self.code_dim..(i + 1) * self.code_dim];
            let line: Vec<String> = code.iter().map(|x| x.to_string()).collect();
            writeln!(v, "{}", line.join("\t")).map_err(io(&vectors))?;
            let track = ds.track_of(i);
            let name = track.file_name();
            writeln!(
                m,
                "{}\t{}\t{}\t{}\t{}",
                clean(&name),
                ds.segments[i].index,
                clean(&ds.genres[track.genre]),
                clean(&self.predicted_name(i).0),
                self.split_name(i)
            )
            .map_err(io(&metadata))?;
        }
        v.flush().map_err(io(&vectors))?;
        m.flush().map_err(io(&metadata))?;
        Ok([vectors, metadata])
    }
}

/// Writes the decoded steps one after another as 16-bit WAV at the data's sample rate, and
/// `<stem>.steps.csv` beside it with each step's t, where it starts and ends, and its genre
/// probabilities. Returns the CSV's path.
pub fn write_path_wav(
    path: &Path,
    steps: &[PathStep],
    meta: &ModelMeta,
) -> Result<PathBuf, ExportError> {
    let features = &meta.features;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: features.sample_rate_hz,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let fail = |detail: String| ExportError::Format {
        path: path.to_path_buf(),
        detail,
    };
    let mut wav = hound::WavWriter::create(path, spec).map_err(|e| fail(e.to_string()))?;
    let table_path = path.with_extension("steps.csv");
    let mut table = csv::Writer::from_path(&table_path).map_err(|e| ExportError::Format {
        path: table_path.clone(),
        detail: e.to_string(),
    })?;
    let mut header = vec![
        "step".to_string(),
        "t".into(),
        "start_sample".into(),
        "end_sample".into(),
    ];
    if steps.first().is_some_and(|s| s.probabilities.is_some()) {
        header.extend(meta.genres.iter().map(|g| format!("p_{g}")));
    }
    let table_fail = |e: csv::Error| ExportError::Format {
        path: table_path.clone(),
        detail: e.to_string(),
    };
    table.write_record(&header).map_err(table_fail)?;
    let mut position = 0usize;
    for (k, step) in steps.iter().enumerate() {
        let audio = pooled_to_audio(&step.decoded, features).map_err(fail)?;
        for s in &audio {
            wav.write_sample((s * 32767.0).round() as i16)
                .map_err(|e| fail(e.to_string()))?;
        }
        let mut row = vec![
            k.to_string(),
            format!("{:.4}", step.t),
            position.to_string(),
            (position + audio.len()).to_string(),
        ];
        if let Some(p) = &step.probabilities {
            row.extend(p.iter().map(|v| format!("{v:.4}")));
        }
        table.write_record(&row).map_err(table_fail)?;
        position += audio.len();
    }
    wav.finalize().map_err(|e| fail(e.to_string()))?;
    table.flush().map_err(io(&table_path))?;
    Ok(table_path)
}
