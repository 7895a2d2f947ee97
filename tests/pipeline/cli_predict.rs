//! `genrescope predict` on one's own music: real GTZAN tracks copied into a flat and a nested
//! library (names that say nothing of their genre), with the files a real library holds beside
//! them, run as a user would run it; its playlists opened by sox, which reads M3U as a player does.

use crate::common;

use std::path::Path;

use common::cli::{genrescope, ok, ok_json, shipped};

const GENRES: [&str; 4] = ["classical", "jazz", "metal", "pop"];

fn read_wav(path: &Path) -> (Vec<i16>, hound::WavSpec) {
    let mut r = hound::WavReader::open(path).expect("a real GTZAN wav");
    let spec = r.spec();
    let samples = r.samples::<i16>().map(|s| s.expect("a sample")).collect();
    (samples, spec)
}

/// pop, then classical, then pop again, as one 90-second track.
fn write_medley(gtzan: &Path, out: &Path) {
    let (pop, spec) = read_wav(&common::gtzan_track(gtzan, "pop", 2));
    let (classical, _) = read_wav(&common::gtzan_track(gtzan, "classical", 2));
    let mut w = hound::WavWriter::create(out, spec).expect("create");
    for s in pop.iter().chain(&classical).chain(&pop) {
        w.write_sample(*s).expect("write");
    }
    w.finalize().expect("finalize");
}

fn track<'a>(json: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    json["tracks"]
        .as_array()
        .expect("tracks")
        .iter()
        .find(|t| t["path"] == path)
        .unwrap_or_else(|| panic!("no track {path} in {json:#}"))
}

#[test]
fn a_flat_library_of_real_tracks_gets_verdicts_over_whole_tracks_and_playlists_a_player_reads() {
    let Some(gtzan) = common::gtzan_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = dir.path().join("My Music");
    std::fs::create_dir_all(&lib).expect("mkdir");
    for (k, genre) in GENRES.iter().enumerate() {
        std::fs::copy(
            common::gtzan_track(&gtzan, genre, 1),
            lib.join(format!("song {k}.wav")),
        )
        .expect("copy");
    }
    write_medley(&gtzan, &lib.join("medley.wav"));
    // What else a real library holds: nothing here may stop the rest loading.
    std::fs::write(lib.join("cover.jpg"), b"\xff\xd8\xff").expect("write");
    std::fs::write(lib.join("._song 0.wav"), b"\0\x05\x16\x07").expect("write");
    std::fs::write(lib.join("empty.wav"), b"").expect("write");
    std::fs::write(lib.join("not really.mp3"), b"hello").expect("write");

    let out_dir = dir.path().join("playlists");
    let model = shipped("gtzan-mini-logmel-dsae.safetensors");
    let args = [
        "predict",
        &model,
        lib.to_str().expect("utf-8"),
        "--json",
        "--playlists",
        out_dir.to_str().expect("utf-8"),
    ];
    let json = ok_json(&genrescope(&args));
    assert_eq!(json["layout"], "library", "{json:#}");
    assert_eq!(json["tracks"].as_array().map(Vec::len), Some(5));
    for (k, genre) in GENRES.iter().enumerate() {
        let t = track(&json, &format!("song {k}.wav"));
        assert_eq!(t["verdict"], *genre, "{t:#}");
        assert!(t.get("label").is_none(), "a library has no labels: {t:#}");
        // The shipped model was trained on these tracks: known by content under a new name.
        assert_eq!(t["training"], "train", "{t:#}");
        let p: f64 = t["probabilities"]
            .as_object()
            .expect("probabilities")
            .values()
            .filter_map(serde_json::Value::as_f64)
            .sum();
        assert!((p - 1.0).abs() < 1e-3, "{t:#}");
    }
    // The paper's cut (the first 20 segments) hears only the medley's pop; spread over its whole
    // length, a third of it is classical.
    let medley = track(&json, "medley.wav");
    assert_eq!(medley["segments"]["count"], 64, "{medley:#}");
    assert_eq!(medley["segments"]["in_track"], 99, "{medley:#}");
    let classical = medley["segments"]["share"]["classical"]
        .as_f64()
        .expect("a share");
    assert!((0.2..0.45).contains(&classical), "{medley:#}");
    assert_eq!(medley["verdict"], "pop", "{medley:#}");

    let reasons: Vec<String> = json["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| s["reason"].as_str().unwrap_or_default().to_string())
        .collect();
    for (file, why) in [
        ("cover.jpg", "not an audio file"),
        ("._song 0.wav", "hidden"),
        ("empty.wav", "empty"),
        ("not really.mp3", "not audio"),
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(file) && r.contains(why)),
            "no '{why}' for {file}: {reasons:#?}"
        );
    }

    // The other commands take the library too: scan says what it is, the tracks that sound
    // like one track are other tracks, and export writes every whole-track segment.
    let lib_arg = lib.to_str().expect("utf-8");
    let scan = ok_json(&genrescope(&["scan", lib_arg, "--json"]));
    assert_eq!(scan["layout"]["layout"], "library", "{scan:#}");
    assert_eq!(scan["tracks"], 5, "{scan:#}");
    assert_eq!(scan["segments_per_track_limit"], 64, "{scan:#}");
    // And a labelled folder reads as a library when asked: every track, no labels.
    let gtzan_arg = gtzan.to_str().expect("utf-8");
    let as_library = ok_json(&genrescope(&[
        "scan", gtzan_arg, "--layout", "library", "--json",
    ]));
    assert_eq!(as_library["layout"]["layout"], "library", "{as_library:#}");
    assert_eq!(as_library["tracks"], 32, "{as_library:#}");
    let near = ok_json(&genrescope(&[
        "neighbours",
        &model,
        lib_arg,
        "--track",
        "song 3.wav",
        "--k",
        "3",
        "--json",
    ]));
    let near = near.as_array().expect("a list");
    assert_eq!(near.len(), 3, "{near:#?}");
    assert!(near.iter().all(|n| n["track"] != "song 3.wav"), "{near:#?}");
    assert!(
        near.iter()
            .all(|n| n["genre"].as_str().is_some_and(|g| g.ends_with('%'))),
        "a library's tracks go by their verdicts: {near:#?}"
    );
    let distances: Vec<f64> = near.iter().filter_map(|n| n["distance"].as_f64()).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    let exported = dir.path().join("exported");
    ok(&genrescope(&[
        "export",
        &model,
        lib_arg,
        "--out",
        exported.to_str().expect("utf-8"),
    ]));
    let rows = std::fs::read_to_string(exported.join("embeddings.csv")).expect("embeddings");
    // 4 songs of 33 segments (0.9 s each, the paper's) and the medley's 64.
    let segments = rows.lines().count() - 1;
    assert_eq!(segments, 64 + 4 * 33, "{segments} rows");

    // One playlist per predicted genre, entries relative to it: move the lot and a player
    // still finds every track (sox reads M3U and plays its entries one after another).
    let moved = dir.path().join("moved");
    std::fs::create_dir_all(&moved).expect("mkdir");
    std::fs::rename(&lib, moved.join("My Music")).expect("move the library");
    std::fs::rename(&out_dir, moved.join("playlists")).expect("move the playlists");
    let pop_list = moved.join("playlists/pop.m3u8");
    let text = std::fs::read_to_string(&pop_list).expect("pop.m3u8");
    assert!(text.starts_with("#EXTM3U\n"), "{text}");
    assert!(text.contains("\n../My Music/song 3.wav\n"), "{text}");
    assert!(text.contains("\n../My Music/medley.wav\n"), "{text}");
    let as_m3u = moved.join("playlists/pop.m3u");
    std::fs::copy(&pop_list, &as_m3u).expect("copy");
    let played = moved.join("played.wav");
    if common::sox(&[
        as_m3u.to_str().expect("utf-8"),
        played.to_str().expect("utf-8"),
    ])
    .is_some()
    {
        let (samples, spec) = read_wav(&played);
        let secs = samples.len() as f64 / f64::from(spec.sample_rate) / f64::from(spec.channels);
        assert!(
            (secs - 120.0).abs() < 0.5,
            "the pop playlist plays {secs} s"
        );
    }
    let csv = std::fs::read_to_string(moved.join("playlists/predictions.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 6, "{csv}");
    assert!(csv.starts_with("path,label,verdict,confidence,"), "{csv}");
}

#[test]
fn a_nested_library_and_a_labelled_folder_with_genres_the_model_never_learned() {
    let Some(gtzan) = common::gtzan_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = dir.path().join("lib");
    let album = nested.join("Some Artist/First Album");
    std::fs::create_dir_all(&album).expect("mkdir");
    std::fs::copy(
        common::gtzan_track(&gtzan, "metal", 3),
        album.join("01 opener.wav"),
    )
    .expect("copy");
    std::fs::copy(
        common::gtzan_track(&gtzan, "classical", 3),
        nested.join("loose.wav"),
    )
    .expect("copy");
    let model = shipped("gtzan-mini-dsae.safetensors");
    let out = genrescope(&["predict", &model, nested.to_str().expect("utf-8")]);
    let text = ok(&out);
    assert!(
        text.contains("Some Artist/First Album/01 opener.wav"),
        "{text}"
    );
    assert!(
        common::cli::stderr(&out).contains("in sub-folders"),
        "the scan says what it found: {}",
        common::cli::stderr(&out)
    );

    // A labelled folder with two genres beyond the model's four: those are predicted but not
    // scored, and the output says which.
    let labelled = dir.path().join("labelled");
    for genre in ["jazz", "metal", "blues", "rock"] {
        std::fs::create_dir_all(labelled.join(genre)).expect("mkdir");
    }
    std::fs::copy(
        common::gtzan_track(&gtzan, "jazz", 4),
        labelled.join("jazz/a.wav"),
    )
    .expect("copy");
    std::fs::copy(
        common::gtzan_track(&gtzan, "metal", 4),
        labelled.join("metal/b.wav"),
    )
    .expect("copy");
    let tone = common::signal(220.0, 5.0, 22_050);
    common::write_wav(&labelled.join("blues/c.wav"), &tone, 22_050, 1);
    common::write_wav(&labelled.join("rock/d.wav"), &tone, 22_050, 1);
    let json = ok_json(&genrescope(&[
        "predict",
        &model,
        labelled.to_str().expect("utf-8"),
        "--json",
    ]));
    assert_eq!(json["layout"], "genres", "{json:#}");
    assert_eq!(json["tracks"].as_array().map(Vec::len), Some(4));
    assert_eq!(track(&json, "blues/c.wav")["label"], "blues");
    // The two real tracks are the model's training tracks; the two tones it never heard.
    let trained = &json["score_training"];
    assert_eq!(trained["tracks_scored"], 2, "{json:#}");
    let held_out = &json["score"];
    assert_eq!(held_out["tracks_scored"], 0, "{json:#}");
    assert_eq!(
        held_out["genres_ignored"],
        serde_json::json!(["blues", "rock"])
    );
}

/// The paper's future work: all ten of GTZAN's genres. A synthetic ten-genre folder trains,
/// scores and predicts end to end, and the shipped four-genre model applied to it scores only the
/// four it knows and names the six it ignored.
#[test]
fn ten_genres_train_end_to_end_and_a_four_genre_model_scores_only_its_own() {
    const TEN: [&str; 10] = [
        "blues",
        "classical",
        "country",
        "disco",
        "hiphop",
        "jazz",
        "metal",
        "pop",
        "reggae",
        "rock",
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let data = common::make_dataset(&dir.path().join("ten"), None, &TEN, 3, 2.0);
    let data_arg = data.to_str().expect("utf-8");
    let model = dir.path().join("ten.safetensors");
    let json = ok_json(&genrescope(&[
        "train",
        data_arg,
        "--split",
        "track",
        "--epochs",
        "3",
        "--out",
        model.to_str().expect("utf-8"),
        "--json",
    ]));
    let report = &json["report"];
    assert_eq!(report["genres"], serde_json::json!(TEN), "{report:#}");
    assert_eq!(report["confusion"]["n_classes"], 10, "{report:#}");
    let counts = report["confusion"]["counts"].as_array().expect("counts");
    assert_eq!(counts.len(), 10 * 10, "{report:#}");
    let held_out: u64 = counts.iter().filter_map(serde_json::Value::as_u64).sum();
    assert!(held_out > 0, "{report:#}");
    let predicted = ok_json(&genrescope(&[
        "predict",
        model.to_str().expect("utf-8"),
        data_arg,
        "--json",
    ]));
    assert_eq!(predicted["genres"], serde_json::json!(TEN));
    assert_eq!(predicted["tracks"].as_array().map(Vec::len), Some(30));
    assert!(
        predicted["score"]["genres_ignored"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{:#}",
        predicted["score"]
    );

    let four = shipped("gtzan-mini-dsae.safetensors");
    let json = ok_json(&genrescope(&["predict", &four, data_arg, "--json"]));
    let score = &json["score"];
    assert_eq!(score["tracks_scored"], 4 * 3, "{json:#}");
    assert_eq!(
        score["genres_ignored"],
        serde_json::json!(["blues", "country", "disco", "hiphop", "reggae", "rock"])
    );
}
