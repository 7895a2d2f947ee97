//! The maps as drawn: `maps.csv`, every clip's provenance and its two coordinates on each map
//! (columns named by map and method: `code_tsne1`, `code_tsne2`), and `maps.json` beside it,
//! each map's method and every parameter that decided it, so a map can be made again.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{provenance_row, write_csv_rows, ExportError, PROVENANCE_COLUMNS};
use crate::dataset::{Dataset, Split};
use crate::files::write_atomic;
use crate::maps::method::MapMethod;

/// One map of the export.
pub struct ExportedMap<'a> {
    /// "raw", "code" or "logits".
    pub name: &'static str,
    pub method: MapMethod,
    /// Width of the rows it maps.
    pub dim: usize,
    pub points: &'a [[f64; 2]],
    /// Trustworthiness over 10 neighbours, where measured.
    pub trustworthiness: Option<f64>,
    /// The PCA map's, beside a non-linear map's: what the method gained.
    pub pca_trustworthiness: Option<f64>,
}

/// The column names of a map's two coordinates.
pub fn map_columns(name: &str, method: &MapMethod) -> [String; 2] {
    let m = match method {
        MapMethod::Pca => "pc",
        MapMethod::Tsne(_) => "tsne",
        MapMethod::Umap(_) => "umap",
    };
    [format!("{name}_{m}1"), format!("{name}_{m}2")]
}

#[derive(Serialize)]
struct Sidecar<'a> {
    clips: usize,
    maps: Vec<SidecarMap>,
    /// Where the rows came from (model file, folder), as the command was given them.
    source: &'a serde_json::Value,
}

#[derive(Serialize)]
struct SidecarMap {
    map: &'static str,
    method: MapMethod,
    description: String,
    columns: [String; 2],
    input_dim: usize,
    trustworthiness_k10: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pca_trustworthiness_k10: Option<f64>,
}

/// Writes `maps.csv` and `maps.json` into `dir`; returns their paths.
pub fn write_maps(
    dir: &Path,
    dataset: &Dataset,
    splits: Option<&[Split]>,
    maps: &[ExportedMap],
    source: &serde_json::Value,
) -> Result<[std::path::PathBuf; 2], ExportError> {
    let csv = dir.join("maps.csv");
    let json = dir.join("maps.json");
    write_csv_rows(&csv, |w| {
        let mut header: Vec<String> = PROVENANCE_COLUMNS.iter().map(|s| s.to_string()).collect();
        for map in maps {
            header.extend(map_columns(map.name, &map.method));
        }
        w.write_record(&header)?;
        for i in 0..dataset.len() {
            // A folder the model was not trained on is held out whole.
            let split = splits.map_or("held-out", |s| s[i].name());
            let mut row = provenance_row(dataset, i, split);
            for map in maps {
                let [x, y] = map.points.get(i).copied().unwrap_or([f64::NAN; 2]);
                row.push(x.to_string());
                row.push(y.to_string());
            }
            w.write_record(&row)?;
        }
        Ok(())
    })?;
    let sidecar = Sidecar {
        clips: dataset.len(),
        maps: maps
            .iter()
            .map(|m| SidecarMap {
                map: m.name,
                method: m.method,
                description: m.method.describe(),
                columns: map_columns(m.name, &m.method),
                input_dim: m.dim,
                trustworthiness_k10: m.trustworthiness,
                pca_trustworthiness_k10: m.pca_trustworthiness,
            })
            .collect(),
        source,
    };
    write_atomic(&json, |w| -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, &sidecar)?;
        writeln!(w)
    })?;
    Ok([csv, json])
}
