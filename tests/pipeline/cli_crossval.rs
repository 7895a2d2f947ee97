//! Numbers that say what they rest on: cross-validation over tracks (every track tested once,
//! a linear probe beside the model, folds by artist saying what they could not do), GTZAN's
//! published split, and models that know which tracks they were trained on in any folder.

use crate::common;

use std::path::{Path, PathBuf};

use common::cli::*;
use common::*;

fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&path, &target, keep);
        } else if keep(&path) {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn kfold_tests_every_track_once_with_a_linear_probe_beside_the_model() {
    let Some(gtzan) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m.safetensors");
    let json = ok_json(&genrescope(&[
        "train",
        gtzan.to_str().unwrap(),
        "--input",
        "logmel",
        "--preset",
        "recommended",
        "--epochs",
        "4",
        "--split",
        "kfold:4",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]));
    let folds = json["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 4);
    let sum = |key: &str| folds.iter().map(|f| f[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("test_tracks"), 32, "every track is tested exactly once");
    assert_eq!(sum("test_clips"), 640);
    let accuracies: Vec<f64> = folds
        .iter()
        .map(|f| f["accuracy"].as_f64().unwrap())
        .collect();
    let mean = accuracies.iter().sum::<f64>() / 4.0;
    assert!((json["mean_accuracy"].as_f64().unwrap() - mean).abs() < 1e-9);
    let sd = (accuracies.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    assert!((json["sd_accuracy"].as_f64().unwrap() - sd).abs() < 1e-9);
    let probe = json["probe_mean_accuracy"].as_f64().unwrap();
    assert!(
        probe > 0.5,
        "a linear probe on log-mel patches tells genres apart: {probe}"
    );
    // The model trained on every track afterwards keeps the folds in its file.
    let saved = genrescope::model::load(&model).unwrap();
    let record = saved.meta.training.unwrap();
    let crossval = record.crossval.expect("the folds are in the model file");
    assert_eq!(crossval.folds.len(), 4);
    assert_eq!(record.tracks.len(), 32);
    assert!(record.tracks.iter().all(|t| t.split.name() == "train"));

    // By artist: GTZAN's index puts all of classical under one artist and jazz under two, fewer
    // than the folds, and the run says what it did about it.
    let out = genrescope(&[
        "train",
        gtzan.to_str().unwrap(),
        "--input",
        "logmel",
        "--model",
        "baseline",
        "--epochs",
        "2",
        "--split",
        "kfold:4",
        "--group",
        "artist",
        "--out",
        model.to_str().unwrap(),
    ]);
    let text = ok(&out) + &stderr(&out);
    assert!(
        text.contains("classical has 1 group(s) for 4 folds"),
        "{text}"
    );
    assert!(text.contains("jazz has 2 group(s) for 4 folds"), "{text}");
    assert!(text.contains("grouped by artist"), "{text}");
}

#[test]
fn gtzans_published_split_says_what_it_covers() {
    let Some(gtzan) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m.safetensors");
    let out = genrescope(&[
        "train",
        gtzan.to_str().unwrap(),
        "--model",
        "baseline",
        "--epochs",
        "2",
        "--split",
        "files",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        stderr(&out).contains("GTZAN's published filtered lists cover 31 of the 32 tracks"),
        "{}",
        stderr(&out)
    );
    let json = ok_json(&out);
    let splits = json["report"]["splits"].as_array().unwrap();
    let segments: u64 = splits.iter().map(|s| s["segments"].as_u64().unwrap()).sum();
    assert_eq!(
        segments,
        31 * 20,
        "metal.00004 (an exact repeat) is left out"
    );
    let saved = genrescope::model::load(&model).unwrap();
    let record = saved.meta.training.unwrap();
    let excluded: Vec<&str> = record
        .tracks
        .iter()
        .filter(|t| t.split.name() == "excluded")
        .map(|t| t.path.as_str())
        .collect();
    assert_eq!(excluded.len(), 1);
    assert!(excluded[0].ends_with("metal.00004.wav"), "{excluded:?}");
}

/// The GTZAN name of a file (`jazz.00003` of `jazz.00003.wav`).
fn stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_copy_with_tracks_less_more_or_in_another_format_says_which_were_in_training() {
    let (Some(gtzan), Some(au)) = (gtzan_dir(), gtzan_au_dir()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m.safetensors");
    ok(&genrescope(&[
        "train",
        gtzan.to_str().unwrap(),
        "--model",
        "baseline",
        "--epochs",
        "3",
        "--split",
        "track",
        "--out",
        model.to_str().unwrap(),
    ]));
    let record = genrescope::model::load(&model)
        .unwrap()
        .meta
        .training
        .unwrap();
    let trained: Vec<String> = record
        .tracks
        .iter()
        .filter(|t| t.split.name() == "train")
        .map(|t| stem(&t.path))
        .collect();
    assert_eq!(trained.len(), 24, "6 of each genre's 8 tracks");
    // A copy without one training track and one held-out track, with a training track under
    // another name in another format (the .au of jazz.00000 or jazz.00001, whichever trained).
    let dropped_train = trained[0].clone();
    let held: Vec<String> = record
        .tracks
        .iter()
        .filter(|t| t.split.name() != "train")
        .map(|t| stem(&t.path))
        .collect();
    let dropped_held = held[0].clone();
    let copy: PathBuf = tmp.path().join("copy");
    copy_tree(&gtzan, &copy, &|p: &Path| {
        let s = p.file_stem().unwrap().to_string_lossy();
        s != dropped_train && s != dropped_held
    });
    let renamed = ["jazz.00000", "jazz.00001"]
        .into_iter()
        .find(|t| trained.iter().any(|n| n == t) && *t != dropped_train)
        .expect("one of the two jazz tracks in .au was trained on");
    let jazz_dir = copy.join("genres_original/jazz");
    std::fs::remove_file(jazz_dir.join(format!("{renamed}.wav"))).unwrap();
    std::fs::copy(
        au.join(format!("genres/jazz/{renamed}.au")),
        jazz_dir.join("a track i renamed.au"),
    )
    .unwrap();
    let json = ok_json(&genrescope(&[
        "eval",
        model.to_str().unwrap(),
        copy.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(json["tracks_total"], 30);
    assert_eq!(
        json["tracks_in_training"], 23,
        "24 training tracks less the one dropped; the renamed .au is still one of them"
    );
    let names: Vec<&str> = json["splits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["split"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["in training", "held-out"]);
    assert_eq!(json["held_out"], "held-out");
    assert!(json["protocol"]
        .as_str()
        .unwrap()
        .starts_with("23 of these 30 tracks"));
    let held_out_segments = json["splits"][1]["segments"].as_u64().unwrap();
    assert_eq!(
        held_out_segments,
        7 * 20,
        "never a training track among the held-out"
    );

    // A folder with more tracks than the model heard: the extra ones are held out.
    let more = tmp.path().join("more");
    copy_tree(&gtzan, &more, &|_| true);
    write_wav(
        &more.join("genres_original/pop/extra.wav"),
        &signal(330.0, 30.0, 22_050),
        22_050,
        1,
    );
    let json = ok_json(&genrescope(&[
        "eval",
        model.to_str().unwrap(),
        more.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(json["tracks_in_training"], 24);
    assert_eq!(json["tracks_total"], 33);
}

#[test]
fn mfcc_input_and_the_recipe_run_in_kfold_with_early_stopping() {
    let Some(gtzan) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("mfcc.safetensors");
    let out = genrescope(&[
        "train",
        gtzan.to_str().unwrap(),
        "--input",
        "mfcc",
        "--preset",
        "recommended",
        "--epochs",
        "8",
        "--weight-decay",
        "0.01",
        "--input-noise",
        "0.1",
        "--time-mask",
        "4",
        "--band-mask",
        "4",
        "--best-on-dev",
        "--split",
        "kfold:4",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]);
    let json = ok_json(&out);
    let log = stderr(&out);
    assert!(
        log.contains("weight decay 0.01, input noise 0.1 sd, time masks ≤ 4 frames, band masks ≤ 4 bands, best epoch on dev"),
        "{log}"
    );
    let folds = json["folds"].as_array().unwrap();
    let kept: Vec<u64> = folds
        .iter()
        .map(|f| {
            f["best_epoch"]
                .as_u64()
                .expect("each fold says its kept epoch")
        })
        .collect();
    assert!(kept.iter().all(|e| (1..=8).contains(e)), "{kept:?}");
    // MFCCs tell these four genres apart well above chance (25 %) even after 8 epochs.
    let mean = json["mean_accuracy"].as_f64().unwrap();
    assert!(mean > 0.5, "MFCC DSAE kfold accuracy {mean}");
    // The model on every track trains for the median kept epoch, and its file says so.
    let mut sorted = kept.clone();
    sorted.sort_unstable();
    let saved = genrescope::model::load(&model).unwrap();
    assert_eq!(saved.meta.features.input.kind().name(), "mfcc");
    assert_eq!(
        saved.meta.model.input_dim,
        38 * 40,
        "20 MFCCs and 20 deltas per frame"
    );
    let record = saved.meta.training.unwrap();
    assert_eq!(record.epochs_run as u64, sorted[sorted.len() / 2]);
    assert_eq!(record.train.regularization.weight_decay, 0.01);
    assert!(!record.train.regularization.best_on_dev);
    // It loads and scores like any model.
    let eval = ok_json(&genrescope(&[
        "eval",
        model.to_str().unwrap(),
        gtzan.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(eval["tracks_in_training"].as_u64(), Some(32));

    // Early stopping without dev tracks is refused with what to do.
    let refused = failure(&genrescope(&[
        "train",
        gtzan.to_str().unwrap(),
        "--input",
        "mfcc",
        "--epochs",
        "1",
        "--best-on-dev",
        "--split",
        "track",
        "--dev-fraction",
        "0",
        "--out",
        model.to_str().unwrap(),
    ]));
    assert!(refused.contains("--dev-fraction above 0"), "{refused}");
}
