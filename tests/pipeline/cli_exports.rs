//! `genrescope interpolate` and `genrescope export`: their files open in the usual tools.

use crate::common;

use common::cli::*;

use std::process::Command;

use common::*;

/// A folder and a DSAE trained on it (both in `tmp`).
fn fixture(tmp: &std::path::Path, kind: &str) -> (String, String) {
    let data = tmp.join("data");
    make_dataset(&data, None, &["low", "mid", "high"], 3, 2.0);
    let model = tmp.join(format!("{kind}.safetensors"));
    ok(&genrescope(&[
        "train",
        data.to_str().unwrap(),
        "--model",
        kind,
        "--epochs",
        "20",
        "--lr",
        "3e-3",
        "--batch",
        "16",
        "--out",
        model.to_str().unwrap(),
    ]));
    (data.display().to_string(), model.display().to_string())
}

#[test]
fn interpolate_writes_a_wav_of_every_step_and_their_t_values() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, model) = fixture(tmp.path(), "dsae");
    let wav = tmp.path().join("path.wav");
    let json: serde_json::Value = serde_json::from_str(&ok(&genrescope(&[
        "interpolate",
        &model,
        &data,
        "--from",
        "low.00000.wav:0",
        "--to",
        "high.00002:1",
        "--steps",
        "5",
        "--path",
        "spherical",
        "--out",
        wav.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    let steps = json.as_array().unwrap();
    assert_eq!(steps.len(), 5);
    for (k, step) in steps.iter().enumerate() {
        assert!((step["t"].as_f64().unwrap() - k as f64 / 4.0).abs() < 1e-6);
        let total: f64 = step["probabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p[1].as_f64().unwrap())
            .sum();
        assert!((total - 1.0).abs() < 1e-4, "probabilities sum to {total}");
    }
    // hound reads it: 22,050 Hz mono 16-bit, 5 steps of 20,000 samples.
    let reader = hound::WavReader::open(&wav).unwrap();
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (22_050, 1, 16)
    );
    assert_eq!(reader.len(), 5 * 20_000);
    // sox reads it too, when it is installed.
    if let Ok(out) = Command::new("soxi").arg("-s").arg(&wav).output() {
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "100000");
    }
    // The steps table says where each step is and what the classifier thinks of it.
    let mut table = csv::Reader::from_path(tmp.path().join("path.steps.csv")).unwrap();
    assert_eq!(
        table.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "step",
            "t",
            "start_sample",
            "end_sample",
            "p_high",
            "p_low",
            "p_mid",
            "rms_dbfs",
            "centroid_hz",
            "flatness",
            "rolloff_hz",
            "zcr",
            "onset_rate_hz",
            "tempo_bpm"
        ]
    );
    let rows: Vec<csv::StringRecord> = table.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[4][2], "80000");
    assert_eq!(&rows[4][3], "100000");
    // Each step's decoded audio described: a level and a brightness, no tempo in 0.9 s.
    assert!(rows
        .iter()
        .all(|r| r[7].parse::<f32>().is_ok() && r[8].parse::<f32>().is_ok()));
    assert!(rows.iter().all(|r| r[13].is_empty()));

    // The text form is a table of probabilities per step.
    let text = ok(&genrescope(&[
        "interpolate",
        &model,
        &data,
        "--from",
        "low.00000.wav:0",
        "--to",
        "high.00002.wav:1",
        "--steps",
        "3",
        "--out",
        wav.to_str().unwrap(),
    ]));
    assert!(
        text.contains("low.00000.wav:0 -> high.00002.wav:1"),
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.trim_end().ends_with('%')).count(),
        3,
        "{text}"
    );
}

#[test]
fn interpolate_says_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, model) = fixture(tmp.path(), "dsae");
    let out = tmp.path().join("x.wav");
    let missing = genrescope(&[
        "interpolate",
        &model,
        &data,
        "--from",
        "nope.wav:0",
        "--to",
        "low.00000.wav:0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("no clip 'nope.wav:0'") && err.contains("TRACK:SEGMENT"),
        "{err}"
    );
    let baseline = fixture(&tmp.path().join("b"), "baseline").1;
    let no_decoder = genrescope(&[
        "interpolate",
        &baseline,
        &data,
        "--from",
        "low.00000.wav:0",
        "--to",
        "low.00001.wav:0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&no_decoder.stderr).contains("no decoder"));
}

#[test]
fn export_writes_embeddings_csv_and_the_projectors_tsvs() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, model) = fixture(tmp.path(), "dsae");
    let out = tmp.path().join("exported");
    ok(&genrescope(&[
        "export",
        &model,
        &data,
        "--out",
        out.to_str().unwrap(),
    ]));

    let mut csv_reader = csv::Reader::from_path(out.join("embeddings.csv")).unwrap();
    let header: Vec<String> = csv_reader
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    for column in [
        "path",
        "track",
        "artist",
        "title",
        "rms_dbfs",
        "centroid_hz",
        "flatness",
        "rolloff_hz",
        "zcr",
        "onset_rate_hz",
        "tempo_bpm",
        "segment",
        "split",
        "genre",
        "predicted",
        "confidence",
        "code_0",
        "code_63",
        "logit_low",
        "raw_pc1",
        "code_pc2",
        "logits_pc1",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "{column} missing from {header:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = csv_reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 18);
    // Trained on this very folder: the rows carry its train/dev/test split.
    let split = header.iter().position(|h| h == "split").unwrap();
    assert!(rows
        .iter()
        .all(|r| ["train", "dev", "test"].contains(&&r[split])));
    let code0 = header.iter().position(|h| h == "code_0").unwrap();
    assert!(rows.iter().all(|r| r[code0].parse::<f32>().is_ok()));
    // Descriptors of the clips' audio: a level and a brightness for every clip, no tempo for
    // 0.9 s clips (an empty cell, never NaN).
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(rows
        .iter()
        .all(|r| r[column("rms_dbfs")].parse::<f32>().unwrap() < 0.0));
    assert!(rows
        .iter()
        .all(|r| r[column("centroid_hz")].parse::<f32>().unwrap() > 50.0));
    assert!(rows.iter().all(|r| r[column("tempo_bpm")].is_empty()));
    assert!(rows.iter().all(|r| !r.iter().any(|c| c.contains("NaN"))));

    // vectors.tsv: no header, one 64-value line per clip; metadata.tsv: a header, then one line
    // each.
    let vectors = std::fs::read_to_string(out.join("vectors.tsv")).unwrap();
    let lines: Vec<&str> = vectors.lines().collect();
    assert_eq!(lines.len(), 18);
    assert!(lines
        .iter()
        .all(|l| l.split('\t').count() == 64 && l.split('\t').all(|v| v.parse::<f32>().is_ok())));
    let metadata = std::fs::read_to_string(out.join("metadata.tsv")).unwrap();
    let meta: Vec<&str> = metadata.lines().collect();
    assert_eq!(
        meta[0],
        "track\tartist\ttitle\tsegment\tgenre\tpredicted\tsplit\trepresentation\trms_dbfs\t\
         centroid_hz\tflatness\trolloff_hz\tzcr\tonset_rate_hz\ttempo_bpm"
    );
    assert_eq!(meta.len(), 19);
    assert!(meta[1..]
        .iter()
        .all(|l| l.split('\t').count() == 15 && l.contains("\twaveform\t")));
}

#[test]
fn export_draws_the_maps_by_umap_with_their_parameters_on_gtzan_mini() {
    let Some(dir) = gtzan_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("maps");
    let model = shipped("gtzan-mini-dsae.safetensors");
    let args = |seed: &'static str, out: &std::path::Path| {
        genrescope(&[
            "export",
            &model,
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--map-method",
            "umap",
            "--neighbours",
            "10",
            "--seed",
            seed,
        ])
    };
    ok(&args("7", &out));
    let mut reader = csv::Reader::from_path(out.join("maps.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "path",
        "genre",
        "split",
        "raw_umap1",
        "code_umap1",
        "code_umap2",
        "logits_umap2",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "{column} missing from {header:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 640);
    let code = header.iter().position(|h| h == "code_umap1").unwrap();
    let xs: Vec<f64> = rows
        .iter()
        .map(|r| r[code].parse::<f64>().unwrap())
        .collect();
    assert!(xs.iter().all(|x| x.is_finite()));
    assert!(
        xs.iter().any(|&x| (x - xs[0]).abs() > 1e-3),
        "every clip in one spot"
    );

    // The sidecar says how: the method, its parameters as given, and how trustworthy each map
    // is beside the PCA map of the same rows.
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("maps.json")).unwrap()).unwrap();
    assert_eq!(sidecar["clips"], 640);
    let maps = sidecar["maps"].as_array().unwrap();
    assert_eq!(maps.len(), 3);
    for map in maps {
        assert_eq!(map["method"]["method"], "umap");
        assert_eq!(map["method"]["neighbours"], 10);
        assert_eq!(map["method"]["seed"], 7);
    }
    let code_map = maps.iter().find(|m| m["map"] == "code").unwrap();
    let (t, t_pca) = (
        code_map["trustworthiness_k10"].as_f64().unwrap(),
        code_map["pca_trustworthiness_k10"].as_f64().unwrap(),
    );
    // umap-learn's own UMAP of the same kind of rows scores about 0.9 (README, Performance).
    assert!(t > t_pca && t > 0.85, "UMAP {t}, PCA {t_pca}");

    // Seeded: the same seed draws the same maps, another seed others.
    let again = tmp.path().join("again");
    ok(&args("7", &again));
    let read = |dir: &std::path::Path| std::fs::read_to_string(dir.join("maps.csv")).unwrap();
    assert_eq!(read(&out), read(&again));
    let other = tmp.path().join("other");
    ok(&args("8", &other));
    assert_ne!(read(&out), read(&other));
}

#[test]
fn export_says_which_map_parameter_is_wrong_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, model) = fixture(tmp.path(), "dsae");
    let out = tmp.path().join("never");
    for (args, says) in [
        (
            &["--map-method", "umap", "--perplexity", "20"][..],
            "--map-method tsne",
        ),
        (
            &["--map-method", "tsne", "--perplexity", "0"][..],
            "--perplexity",
        ),
        (&["--seed", "3"][..], "no effect on PCA"),
    ] {
        let mut all = vec!["export", &model, &data, "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let message = failure(&genrescope(&all));
        assert!(message.contains(says), "{args:?}: {message}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}
