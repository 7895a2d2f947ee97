//! Each clip's codes, logits, prediction and map coordinates with its provenance: as one CSV,
//! and as the TensorBoard embedding projector's `vectors.tsv` + `metadata.tsv`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{write_csv_rows, ExportError};
use crate::dataset::{gtzan_meta, Dataset, Descriptor, Split};
use crate::files::write_atomic;
use crate::maps::ModelMaps;
use crate::model::ModelMeta;

/// The artist and title GTZAN's index gives a track (empty where it says nothing).
fn credit_of(file_name: &str) -> (String, String) {
    let credit = gtzan_meta::credit(file_name);
    let of = |f: fn(&gtzan_meta::Credit) -> &Option<String>| {
        credit.and_then(|c| f(c).clone()).unwrap_or_default()
    };
    (of(|c| &c.artist), of(|c| &c.title))
}

/// Clip `i`'s descriptors as text, in [`Descriptor::ALL`]'s order; empty where one is not
/// defined (no tempo for a short clip), never NaN.
fn descriptor_cells(ds: &Dataset, i: usize) -> Vec<String> {
    let described = ds.descriptors.get(i);
    Descriptor::ALL
        .iter()
        .map(|&d| {
            described
                .and_then(|x| x.get(d))
                .map_or_else(String::new, |v| v.to_string())
        })
        .collect()
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
                "artist",
                "title",
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
            header.extend(Descriptor::ALL.iter().map(|d| d.column().to_string()));
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
                let (artist, title) = credit_of(&track.file_name());
                let mut row = vec![
                    track.path.display().to_string(),
                    track.file_name(),
                    artist,
                    title,
                    seg.index.to_string(),
                    seg.offset_samples.to_string(),
                    self.split_name(i).to_string(),
                    input.to_string(),
                    ds.genres[track.genre].clone(),
                    predicted,
                    confidence,
                ];
                row.extend(descriptor_cells(ds, i));
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
            let columns: Vec<&str> = Descriptor::ALL.iter().map(|d| d.column()).collect();
            writeln!(
                w,
                "track\tartist\ttitle\tsegment\tgenre\tpredicted\tsplit\trepresentation\t{}",
                columns.join("\t")
            )?;
            for i in 0..ds.len() {
                let track = ds.track_of(i);
                let (artist, title) = credit_of(&track.file_name());
                writeln!(
                    w,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{input}\t{}",
                    clean(&track.file_name()),
                    clean(&artist),
                    clean(&title),
                    ds.segments[i].index,
                    clean(&ds.genres[track.genre]),
                    clean(&self.predicted_name(i).0),
                    self.split_name(i),
                    descriptor_cells(ds, i).join("\t")
                )?;
            }
            Ok(())
        })?;
        Ok([vectors, metadata])
    }
}
