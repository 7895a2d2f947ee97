//! The headless `scan` and `features` commands, run as a user would run them.

use crate::common;

use common::cli::*;

use std::path::Path;

use common::*;

#[test]
fn scan_json_on_gtzan_mini() {
    let Some(dir) = gtzan_dir() else { return };
    let out = genrescope(&["scan", dir.to_str().unwrap(), "--json"]);
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json["tracks"], 32);
    assert_eq!(json["segments"], 640);
    assert_eq!(json["genres"].as_array().unwrap().len(), 4);
    assert_eq!(json["genres"][0]["genre"], "classical");
    assert_eq!(json["genres"][0]["tracks"], 8);
    assert!(json["skipped"].as_array().unwrap().is_empty());
    assert!(json["seconds"].as_f64().unwrap() > 0.0);
}

#[test]
fn scan_au_layout_with_genre_filter() {
    let Some(dir) = gtzan_au_dir() else { return };
    let out = genrescope(&["scan", dir.to_str().unwrap(), "--genres", "jazz,metal"]);
    let text = ok(&out);
    assert!(text.contains("jazz"), "{text}");
    assert!(!text.contains("classical"), "{text}");
    assert!(text.contains("total                4        80"), "{text}");
}

#[test]
fn scan_lists_skipped_files_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let root = make_dataset(dir.path(), Some("genres"), &["a", "b"], 1, 1.0);
    std::fs::write(root.join("a").join("broken.wav"), b"RIFF....WAVEjunk").unwrap();
    let out = genrescope(&["scan", dir.path().to_str().unwrap()]);
    let text = ok(&out);
    assert!(text.contains("skipped 1:"), "{text}");
    assert!(text.contains("broken.wav"), "{text}");
}

#[test]
fn scan_of_a_bad_folder_fails_with_a_clear_message() {
    let out = genrescope(&["scan", "/definitely/not/here"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/definitely/not/here"), "{err}");
}

#[test]
fn features_csv_and_npy_hold_every_vector_with_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    make_dataset(&data, None, &["x", "y", "z"], 3, 2.0);
    let csv_path = dir.path().join("f.csv");
    ok(&genrescope(&[
        "features",
        data.to_str().unwrap(),
        "--out",
        csv_path.to_str().unwrap(),
        "--split",
        "track",
    ]));
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "path");
    assert_eq!(&header[6], "split");
    assert_eq!(header.len(), 7 + 500);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 18);
    // Every track is in one split under --split track; vectors are the pooled audio.
    let mut per_track = std::collections::HashMap::new();
    for row in &rows {
        let split = per_track
            .entry(row[0].to_string())
            .or_insert_with(|| row[6].to_string());
        assert_eq!(*split, row[6]);
        let offset: usize = row[5].parse().unwrap();
        let clip =
            genrescope::audio::read_clip(Path::new(&row[0]), 22_050, offset, 20_000).unwrap();
        let pooled = reference_pool(&clip, 40);
        let v: Vec<f32> = (7..507).map(|j| row[j].parse().unwrap()).collect();
        assert_eq!(v, pooled);
    }

    let npy_path = dir.path().join("f.npy");
    ok(&genrescope(&[
        "features",
        data.to_str().unwrap(),
        "--out",
        npy_path.to_str().unwrap(),
    ]));
    let m: ndarray::Array2<f32> = ndarray_npy::read_npy(&npy_path).unwrap();
    assert_eq!(m.dim(), (18, 500));
    let side = csv::Reader::from_path(dir.path().join("f.provenance.csv"))
        .unwrap()
        .into_records()
        .count();
    assert_eq!(side, 18);

    let bad = genrescope(&["features", data.to_str().unwrap(), "--out", "x.txt"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains(".csv or .npy"));
}
