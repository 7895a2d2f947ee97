//! `genrescope train` and `genrescope eval`, run as a user would, on synthetic and real tracks.

use crate::common;

use common::cli::*;

use common::*;

#[test]
fn train_on_gtzan_mini_lowers_the_loss_and_eval_reads_the_model() {
    let (Some(dir), Some(au)) = (gtzan_dir(), gtzan_au_dir()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m.safetensors");
    let out = genrescope(&[
        "train",
        dir.to_str().unwrap(),
        "--epochs",
        "40",
        "--lr",
        "1e-3",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]);
    let json = ok_json(&out);
    let history = json["history"].as_array().unwrap();
    assert_eq!(history.len(), 40);
    let (first, last) = (
        history[0]["loss"].as_f64().unwrap(),
        history[39]["loss"].as_f64().unwrap(),
    );
    assert!(last < first * 0.7, "loss {first} -> {last}");
    let report = &json["report"];
    assert!(report["protocol"]
        .as_str()
        .unwrap()
        .starts_with("segment split"));
    let segments: Vec<u64> = report["splits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segments"].as_u64().unwrap())
        .collect();
    assert_eq!(segments, [480, 80, 80]);
    assert_eq!(report["per_genre"].as_array().unwrap().len(), 4);
    assert_eq!(report["held_out"], "test");
    assert!(model.exists());

    // The text form prints the paper's tables.
    let text = genrescope(&["eval", model.to_str().unwrap(), au.to_str().unwrap()]);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let text = String::from_utf8(text.stdout).unwrap();
    for needle in [
        "Table 1",
        "Table 2",
        "Confusion matrix",
        "held-out",
        "classical",
    ] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }
    let eval = ok_json(&genrescope(&[
        "eval",
        model.to_str().unwrap(),
        au.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(eval["splits"][0]["segments"], 160);
    assert_eq!(eval["splits"][0]["track_vote"]["tracks"], 8);
    let cm: u64 = eval["confusion"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(cm, 160);
}

#[test]
fn track_split_and_every_model_kind_train() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["a", "b", "c"], 4, 3.0);
    for kind in ["baseline", "autoencoder", "dsae"] {
        let model = tmp.path().join(format!("{kind}.safetensors"));
        let json = ok_json(&genrescope(&[
            "train",
            data.to_str().unwrap(),
            "--model",
            kind,
            "--split",
            "track",
            "--epochs",
            "3",
            "--out",
            model.to_str().unwrap(),
            "--json",
        ]));
        let report = &json["report"];
        assert_eq!(report["model"], kind);
        assert!(report["protocol"]
            .as_str()
            .unwrap()
            .starts_with("track split"));
        // 4 tracks per genre: 2 train, 1 dev, 1 test; 3 segments each.
        let segments: Vec<u64> = report["splits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["segments"].as_u64().unwrap())
            .collect();
        assert_eq!(segments, [18, 9, 9], "{kind}");
        let has_accuracy = !report["splits"][0]["accuracy"].is_null();
        assert_eq!(has_accuracy, kind != "autoencoder");
        let has_mse = !report["splits"][0]["reconstruction_mse"].is_null();
        assert_eq!(has_mse, kind != "baseline");
    }
}

#[test]
fn a_diverging_run_reports_it_and_keeps_the_previous_model() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["a", "b"], 2, 2.0);
    let model = tmp.path().join("keep.safetensors");
    let ok = genrescope(&[
        "train",
        data.to_str().unwrap(),
        "--epochs",
        "2",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let before = std::fs::read(&model).unwrap();
    let out = genrescope(&[
        "train",
        data.to_str().unwrap(),
        "--epochs",
        "20",
        "--lr",
        "1e30",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("diverged") && err.contains("lower the learning rate"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&model).unwrap(),
        before,
        "the previous model is untouched"
    );
}

#[test]
fn eval_on_other_genres_says_what_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    make_dataset(&a, None, &["rock", "jazz"], 2, 2.0);
    let b = tmp.path().join("b");
    make_dataset(&b, None, &["rock", "blues"], 1, 2.0);
    let model = tmp.path().join("m.safetensors");
    assert!(genrescope(&[
        "train",
        a.to_str().unwrap(),
        "--epochs",
        "1",
        "--out",
        model.to_str().unwrap()
    ])
    .status
    .success());
    let out = genrescope(&["eval", model.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("blues") && err.contains("jazz, rock"), "{err}");
    let bad = genrescope(&[
        "eval",
        tmp.path().join("nope.safetensors").to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nope.safetensors"));
}
