//! `genrescope explain`: what each space holds and what each direction follows, on the real
//! tracks with both shipped models, checked against the exported embeddings; and the inputs
//! it cannot explain said plainly.

use crate::common;

use common::cli::*;
use common::*;
use serde_json::Value;

/// Spearman's rho computed here, independently of genrescope's (average ranks for ties).
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&a, &b| v[a].partial_cmp(&v[b]).unwrap());
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
                j += 1;
            }
            for k in i..=j {
                r[order[k]] = (i + j) as f64 / 2.0 + 1.0;
            }
            i = j + 1;
        }
        r
    }
    let (a, b) = (ranks(x), ranks(y));
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

fn column(rows: &[csv::StringRecord], header: &[String], name: &str) -> Vec<f64> {
    let k = header.iter().position(|h| h == name).unwrap();
    rows.iter().map(|r| r[k].parse().unwrap()).collect()
}

fn correlation(json: &Value, descriptor: &str, axis: &str) -> f64 {
    json["correlations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["descriptor"] == descriptor && c["axis"] == axis)
        .and_then(|c| c["spearman"].as_f64())
        .unwrap_or_else(|| panic!("no {descriptor} x {axis}"))
}

#[test]
fn explain_scores_each_space_and_says_what_each_direction_follows() {
    let Some(gtzan) = gtzan_dir() else { return };
    let dir = gtzan.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for model in [
        "gtzan-mini-logmel-dsae.safetensors",
        "gtzan-mini-dsae.safetensors",
    ] {
        let model = shipped(model);
        let json = ok_json(&genrescope(&["explain", &model, dir, "--json"]));
        assert_eq!(json["clips"], 640);
        assert_eq!(json["tracks_in_training"], 32);
        let spaces = json["spaces"].as_array().unwrap();
        let names: Vec<&str> = spaces
            .iter()
            .map(|s| s["space"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["raw", "bottleneck", "logits"]);
        for s in spaces {
            for key in ["knn_accuracy", "probe_accuracy", "precision_at_10"] {
                let v = s[key].as_f64().unwrap_or_else(|| panic!("{key} of {s}"));
                assert!((0.0..=1.0).contains(&v), "{key} {v}");
            }
        }
        let correlations = json["correlations"].as_array().unwrap();
        // 4 components + 64 dimensions (less the dead ones) + 4 logits, by 6 descriptors (no
        // tempo in 0.9 s).
        let dead = json["constant_dimensions"].as_array().unwrap().len();
        assert_eq!(correlations.len(), (72 - dead) * 6);
        assert!(correlations.iter().all(|c| c["spearman"]
            .as_f64()
            .is_some_and(|r| (-1.0..=1.0).contains(&r))));
        let mig = json["mig"].as_array().unwrap();
        let genre = mig.iter().find(|g| g["factor"] == "genre").unwrap();
        assert!((0.0..=1.0).contains(&genre["mig"].as_f64().unwrap()));
        assert!(genre["dimension"].as_u64().unwrap() < 64);
        assert!(json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("tempo_bpm")));

        // The same correlation, from the exported embeddings and computed here.
        let out = tmp.path().join("export");
        ok(&genrescope(&[
            "export",
            &model,
            dir,
            "--out",
            out.to_str().unwrap(),
        ]));
        let mut reader = csv::Reader::from_path(out.join("embeddings.csv")).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        for (descriptor, axis, exported) in [
            ("rms_dbfs", "pc1", "code_pc1"),
            ("centroid_hz", "pc2", "code_pc2"),
            ("zcr", "code_10", "code_10"),
        ] {
            let theirs = spearman(
                &column(&rows, &header, descriptor),
                &column(&rows, &header, exported),
            );
            let ours = correlation(&json, descriptor, axis);
            // The exported principal components may point the other way round than the ones
            // explained (a sign is a convention); the code dimensions are the same numbers.
            let ours = if axis.starts_with("pc") {
                ours.abs()
            } else {
                ours
            };
            let theirs = if axis.starts_with("pc") {
                theirs.abs()
            } else {
                theirs
            };
            assert!(
                (ours - theirs).abs() < 1e-6,
                "{descriptor} x {axis}: {ours} vs {theirs}"
            );
        }
    }
    // The log-mel bottleneck follows brightness: some code dimension correlates strongly.
    let json = ok_json(&genrescope(&[
        "explain",
        &shipped("gtzan-mini-logmel-dsae.safetensors"),
        dir,
        "--json",
    ]));
    let strongest = json["correlations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["descriptor"] == "centroid_hz" && c["axis"].as_str().unwrap().starts_with("code_")
        })
        .map(|c| c["spearman"].as_f64().unwrap().abs())
        .fold(0.0, f64::max);
    assert!(strongest > 0.6, "{strongest}");
}

#[test]
fn what_explain_cannot_do_it_says() {
    let tmp = tempfile::tempdir().unwrap();
    let data = make_dataset(&tmp.path().join("two"), None, &["low", "high"], 2, 3.0);
    let model = tmp.path().join("m.safetensors");
    train_small_model(&data, &model, 5);
    // Two tracks a genre: neighbours work, the probe's folds of tracks cannot be made.
    let json = ok_json(&genrescope(&[
        "explain",
        model.to_str().unwrap(),
        data.to_str().unwrap(),
        "--json",
    ]));
    assert!(json["spaces"][1]["probe_accuracy"].is_null());
    assert!(json["spaces"][1]["knn_accuracy"].as_f64().is_some());
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("at least 3 tracks of each genre")),
        "{notes:?}"
    );
    // A model of other genres: refused, saying which.
    let other = make_dataset(&tmp.path().join("other"), None, &["mid", "deep"], 3, 3.0);
    let err = failure(&genrescope(&[
        "explain",
        model.to_str().unwrap(),
        other.to_str().unwrap(),
    ]));
    assert!(
        err.contains("the model knows the genres") && err.contains("deep"),
        "{err}"
    );
}
