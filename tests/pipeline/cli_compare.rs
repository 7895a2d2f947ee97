//! `genrescope compare`, run as a user would: the shipped waveform and log-mel models on the real
//! GTZAN tracks, and a model against itself.

use crate::common;

use common::cli::*;
use common::*;

#[test]
fn the_waveform_and_log_mel_models_compared_on_gtzan_mini() {
    let Some(dir) = gtzan_dir() else {
        return;
    };
    let (waveform, logmel) = (
        shipped("gtzan-mini-dsae.safetensors"),
        shipped("gtzan-mini-logmel-dsae.safetensors"),
    );
    let json = ok_json(&genrescope(&[
        "compare",
        &waveform,
        &logmel,
        dir.to_str().unwrap(),
        "--moved",
        "15",
        "--json",
    ]));
    // gtzan-mini's 640 clips, cut alike by both models.
    let clips = json["clips_compared"].as_u64().unwrap();
    assert_eq!(clips, 640);
    let agreement = json["agreement"].as_f64().unwrap();
    let table = &json["cross_table"];
    let counts: Vec<Vec<u64>> = table["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(counts.iter().flatten().sum::<u64>(), clips);
    // Same genre list on both sides here: the diagonal is the agreement.
    assert_eq!(table["rows"], table["columns"]);
    let diagonal: u64 = (0..counts.len()).map(|g| counts[g][g]).sum();
    assert!((agreement - diagonal as f64 / clips as f64).abs() < 1e-9);
    assert!((0.0..=1.0).contains(&agreement));

    let moved = json["moved"].as_array().unwrap();
    assert_eq!(moved.len(), 15);
    let distances: Vec<f64> = moved
        .iter()
        .map(|m| m["distance"].as_f64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] >= w[1]), "{distances:?}");
    assert!(distances.iter().all(|d| (0.0..=1.0).contains(d)));
    // A waveform and a log-mel bottleneck are different spaces: neighbourhoods move.
    let mean = json["mean_moved"].as_f64().unwrap();
    assert!(
        mean > 0.3 && distances[0] >= mean,
        "mean {mean}, most {}",
        distances[0]
    );
    assert!(moved[0]["clip"].as_str().unwrap().contains(':'));
    // Both shipped models were trained on every gtzan-mini track, and their scores say so.
    for side in ["first", "second"] {
        let scores = &json[side]["scores"];
        let accuracy = scores["splits"][0]["accuracy"].as_f64();
        assert!(accuracy.is_some_and(|a| a > 0.25), "{side}: {accuracy:?}");
        assert_eq!(
            scores["tracks_in_training"], scores["tracks_total"],
            "{side}"
        );
        assert!(scores["tracks_total"].as_u64().is_some_and(|t| t > 0));
    }

    // The text form says the same.
    let text = ok(&genrescope(&[
        "compare",
        &waveform,
        &logmel,
        dir.to_str().unwrap(),
    ]));
    assert!(text.contains(&format!(
        "{:.1} % of clips get the same genre",
        100.0 * agreement
    )));
    assert!(text.contains("moved most"), "{text}");
    assert!(text.contains("trained on 32 of these 32 tracks"), "{text}");
}

#[test]
fn a_model_compared_with_itself_agrees_everywhere_and_nothing_moves() {
    let Some(dir) = gtzan_dir() else {
        return;
    };
    let model = shipped("gtzan-mini-dsae.safetensors");
    let json = ok_json(&genrescope(&[
        "compare",
        &model,
        &model,
        dir.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(json["agreement"].as_f64(), Some(1.0));
    assert_eq!(json["mean_moved"].as_f64(), Some(0.0));
    assert!(json["moved"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["distance"].as_f64() == Some(0.0)));
}

#[test]
fn a_model_file_that_is_not_there_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    make_dataset(tmp.path(), None, &["a", "b"], 2, 2.0);
    let model = shipped("demo-dsae.safetensors");
    let out = genrescope(&[
        "compare",
        "missing.safetensors",
        &model,
        tmp.path().to_str().unwrap(),
    ]);
    let said = failure(&out);
    assert!(said.contains("missing.safetensors"), "{said}");
}
