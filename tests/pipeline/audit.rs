//! The audit on real tracks: a planted exact repeat (the same audio trimmed, in FLAC) and a
//! planted near repeat (the same track trimmed, 6 dB quieter, in Ogg Vorbis) among gtzan-mini's
//! 32 tracks are found, and nothing else is; bad folders get clear words.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use common::cli::*;
use common::*;
use genrescope::analysis::audit::{pair_scores, EXACT_SHARE, NEAR_SHARE};
use genrescope::dataset::{
    load_dataset_cached, scan_folder, FeatureConfig, Split, SplitConfig, SplitProtocol,
};

fn copy_genres(from: &Path, to: &Path) {
    for genre in ["classical", "jazz", "metal", "pop"] {
        let (src, dst) = (from.join("genres_original").join(genre), to.join(genre));
        std::fs::create_dir_all(&dst).unwrap();
        for entry in std::fs::read_dir(src).unwrap().flatten() {
            std::fs::copy(entry.path(), dst.join(entry.file_name())).unwrap();
        }
    }
}

/// The folder with the two planted repeats, and their paths.
fn planted(gtzan: &Path, root: &Path) -> Option<(PathBuf, PathBuf)> {
    copy_genres(gtzan, root);
    let exact = root.join("classical/a-bach-i-never-saw.flac");
    let near = root.join("pop/quiet-and-lossy.ogg");
    let src = |g: &str, t: &str| root.join(g).join(t).display().to_string();
    sox(&[
        &src("jazz", "jazz.00002.wav"),
        exact.to_str()?,
        "trim",
        "1.5",
    ])?;
    sox(&[
        &src("metal", "metal.00002.wav"),
        near.to_str()?,
        "trim",
        "2.0",
        "gain",
        "-6",
    ])?;
    Some((exact, near))
}

#[test]
fn planted_repeats_are_found_and_nothing_else() {
    let Some(gtzan) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let Some((exact, near)) = planted(&gtzan, &root) else {
        return;
    };
    let ds = load_dataset_cached(
        scan_folder(&root, None).unwrap(),
        &FeatureConfig::default(),
        &AtomicBool::new(false),
        &|_| {},
        None,
    )
    .unwrap();
    assert_eq!(ds.tracks.len(), 34);
    let index = |p: &Path| ds.tracks.iter().position(|t| t.path == p).unwrap();
    let by_name = |name: &str| {
        ds.tracks
            .iter()
            .position(|t| t.file_name() == name)
            .unwrap()
    };
    let pair = |x: usize, y: usize| (x.min(y), x.max(y));
    let exact_pair = pair(index(&exact), by_name("jazz.00002.wav"));
    let near_pair = pair(index(&near), by_name("metal.00002.wav"));
    let scores = pair_scores(&ds.fingerprints, 22_050);
    let mut others_anchor = 0.0f64;
    let mut others_landmark = 0.0f64;
    for p in &scores {
        let this = (p.a, p.b);
        if this == exact_pair {
            eprintln!("planted exact: {p:?}");
            assert!(p.anchor_share >= 0.8 && p.anchors_stand_out, "{p:?}");
            assert!((p.anchor_offset_secs.abs() - 1.5).abs() < 1e-3, "{p:?}");
        } else if this == near_pair {
            eprintln!("planted near: {p:?}");
            assert!(
                p.landmark_share >= 1.5 * NEAR_SHARE && p.landmarks_stand_out,
                "{p:?}"
            );
            assert!((p.landmark_offset_secs.abs() - 2.0).abs() < 0.05, "{p:?}");
            assert!(
                p.anchor_share < EXACT_SHARE,
                "quieter and lossy is not exact: {p:?}"
            );
        } else {
            others_anchor = others_anchor.max(p.anchor_share);
            others_landmark = others_landmark.max(p.landmark_share);
        }
    }
    eprintln!(
        "distinct tracks share at most: anchors {others_anchor:.3}, landmarks {others_landmark:.3}"
    );
    assert!(others_landmark < NEAR_SHARE / 4.0, "{others_landmark}");
    assert!(others_anchor < EXACT_SHARE / 2.0, "{others_anchor}");

    // A repeat and its twin stay on one side of every split.
    let track_split = |cfg: &SplitConfig| -> Vec<Split> {
        let splits = ds.splits(cfg).unwrap();
        let mut per_track = vec![Split::Excluded; ds.tracks.len()];
        for (seg, s) in ds.segments.iter().zip(splits) {
            per_track[seg.track] = s;
        }
        per_track
    };
    let track = SplitConfig {
        protocol: SplitProtocol::Track,
        ..SplitConfig::default()
    };
    for seed in 0..4 {
        for cfg in [
            SplitConfig { seed, ..track },
            SplitConfig { seed, ..track }.kfold(4, seed as usize),
        ] {
            let s = track_split(&cfg);
            for (x, y) in [exact_pair, near_pair] {
                assert_eq!(
                    s[x],
                    s[y],
                    "{cfg:?}: {} and {}",
                    ds.tracks[x].file_name(),
                    ds.tracks[y].file_name()
                );
            }
        }
    }

    // Through the command line, as JSON.
    let csv = tmp.path().join("audit.csv");
    let json = ok_json(&genrescope(&[
        "audit",
        root.to_str().unwrap(),
        "--json",
        "--csv",
        csv.to_str().unwrap(),
    ]));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&csv)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    let kinds_in_csv: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(kinds_in_csv, ["exact repeat", "near repeat"], "{rows:?}");
    let duplicates = json["duplicates"].as_array().unwrap();
    assert_eq!(duplicates.len(), 2, "{duplicates:?}");
    let kinds: Vec<&str> = duplicates
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"exact") && kinds.contains(&"near"),
        "{kinds:?}"
    );
    for d in duplicates {
        let (a, b) = (d["a"].as_str().unwrap(), d["b"].as_str().unwrap());
        match d["kind"].as_str().unwrap() {
            "exact" => assert!(
                [a, b]
                    .iter()
                    .any(|p| p.ends_with("a-bach-i-never-saw.flac"))
                    && [a, b].iter().any(|p| p.ends_with("jazz.00002.wav"))
            ),
            _ => assert!(
                [a, b].iter().any(|p| p.ends_with("quiet-and-lossy.ogg"))
                    && [a, b].iter().any(|p| p.ends_with("metal.00002.wav"))
            ),
        }
        let score = d["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
    }
    // gtzan-mini holds none of the published repeats in full (metal.00004's twin is
    // metal.00013): none is listed.
    assert!(json["published_repeats"].as_array().unwrap().is_empty());
    assert!(json["suspected_mislabels"].as_array().unwrap().is_empty());
}

#[test]
fn folders_the_audit_cannot_use_are_said_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(empty.join("jazz")).unwrap();
    let text = failure(&genrescope(&["audit", empty.to_str().unwrap()]));
    assert!(text.contains("empty"), "{text}");
    let one = tmp.path().join("one");
    make_dataset(&one, None, &["jazz"], 1, 3.0);
    let out = ok(&genrescope(&["audit", one.to_str().unwrap()]));
    assert!(
        out.contains("a single track: nothing to compare it with"),
        "{out}"
    );
    let quiet = tmp.path().join("quiet");
    std::fs::create_dir_all(quiet.join("jazz")).unwrap();
    for k in 0..2 {
        write_wav(
            &quiet.join(format!("jazz/silence{k}.wav")),
            &vec![0.0; 44_100],
            22_050,
            1,
        );
    }
    let out = ok(&genrescope(&["audit", quiet.to_str().unwrap()]));
    assert!(out.contains("2 track(s) have no fingerprint"), "{out}");
    assert!(out.contains("no repeats found"), "{out}");
}

#[test]
fn a_track_filed_under_the_wrong_genre_is_suspected() {
    let Some(gtzan) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    copy_genres(&gtzan, &root);
    std::fs::rename(
        root.join("metal/metal.00005.wav"),
        root.join("pop/metal.00005.wav"),
    )
    .unwrap();
    let model = shipped("gtzan-mini-logmel-dsae.safetensors");
    let json = ok_json(&genrescope(&[
        "audit",
        root.to_str().unwrap(),
        &model,
        "--json",
    ]));
    let suspected = json["suspected_mislabels"].as_array().unwrap();
    assert_eq!(suspected.len(), 1, "{suspected:?}");
    let m = &suspected[0];
    assert!(m["path"].as_str().unwrap().ends_with("pop/metal.00005.wav"));
    assert_eq!(m["label"], "pop");
    assert_eq!(m["predicted"], "metal");
    assert_eq!(m["neighbours"], "metal");
}
