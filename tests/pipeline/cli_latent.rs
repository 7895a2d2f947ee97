//! `genrescope neighbours`, `place` and `steer` on the real GTZAN tracks with the shipped
//! models: what they print agrees with the window's maps, and bad input gets a clear message.

use crate::common;

use common::cli::*;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// A copy of the GTZAN folder without one track (hard links would do, but /tmp may be
/// another file system): the track to place, and the folder.
fn folder_without(gtzan: &Path, tmp: &Path, genre: &str, track: &str) -> (PathBuf, PathBuf) {
    let copy = tmp.join("gtzan-minus");
    let mut removed = None;
    for entry in walk(gtzan) {
        let relative = entry.strip_prefix(gtzan).unwrap();
        let to = copy.join(relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        if entry.file_name().is_some_and(|n| n == track)
            && relative.to_string_lossy().contains(genre)
        {
            let aside = tmp.join(track);
            std::fs::copy(&entry, &aside).unwrap();
            removed = Some(aside);
        } else {
            std::fs::copy(&entry, &to).unwrap();
        }
    }
    (removed.expect("the track is in the folder"), copy)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "wav") {
            files.push(path);
        }
    }
    files
}

#[test]
fn neighbours_are_the_nearest_codes_in_order_and_bad_asks_are_explained() {
    let Some(gtzan) = gtzan_dir() else { return };
    let dir = gtzan.to_str().unwrap();
    let model = shipped("gtzan-mini-logmel-dsae.safetensors");
    let found = ok_json(&genrescope(&[
        "neighbours",
        &model,
        dir,
        "--clip",
        "jazz.00003.wav:3",
        "--k",
        "8",
        "--json",
    ]));
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 8);
    let distances: Vec<f64> = found
        .iter()
        .map(|n| n["distance"].as_f64().unwrap())
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "nearest first: {distances:?}"
    );
    assert!(
        found.iter().all(|n| n["clip"] != "jazz.00003.wav:3"),
        "the clip itself is not its own neighbour"
    );
    // The log-mel DSAE groups by genre: most of a jazz clip's neighbours are jazz.
    let jazz = found.iter().filter(|n| n["genre"] == "jazz").count();
    assert!(jazz >= 6, "{jazz} of 8 neighbours are jazz: {found:?}");

    // Raw space answers too, with other distances.
    let raw = ok_json(&genrescope(&[
        "neighbours",
        &model,
        dir,
        "--clip",
        "jazz.00003.wav:3",
        "--k",
        "3",
        "--space",
        "raw",
        "--json",
    ]));
    assert_ne!(raw[0]["distance"], found[0]["distance"]);

    let too_many = failure(&genrescope(&[
        "neighbours",
        &model,
        dir,
        "--clip",
        "jazz.00003.wav:3",
        "--k",
        "100000",
    ]));
    assert!(too_many.contains("use 1 to"), "{too_many}");
    let no_clip = failure(&genrescope(&[
        "neighbours",
        &model,
        dir,
        "--clip",
        "blues.00000.wav:3",
    ]));
    assert!(
        no_clip.contains("no clip 'blues.00000.wav:3'") && no_clip.contains("TRACK:SEGMENT"),
        "{no_clip}"
    );
}

#[test]
fn a_track_left_out_of_the_folder_is_placed_without_moving_the_maps() {
    let Some(gtzan) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (track, folder) = folder_without(&gtzan, tmp.path(), "metal", "metal.00002.wav");
    let model = shipped("gtzan-mini-logmel-dsae.safetensors");
    let placed = ok_json(&genrescope(&[
        "place",
        &model,
        folder.to_str().unwrap(),
        track.to_str().unwrap(),
        "--json",
    ]));
    let segments = placed["segments"].as_array().unwrap();
    // 30 s at the paper's cut of 20,000 samples a segment (0.907 s at 22,050 Hz).
    assert_eq!(segments.len(), 33, "{} segments", segments.len());
    for s in segments {
        let p = s["probabilities"].as_array().unwrap();
        let sum: f64 = p.iter().map(|v| v.as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-4, "probabilities sum to 1: {sum}");
        assert!(s["code_xy"].is_array() && s["logits_xy"].is_array() && s["raw_xy"].is_array());
    }
    assert_eq!(placed["verdict"], "metal", "{}", placed["verdict"]);

    // Placing a track that is in the folder lands exactly on its own points: the placement
    // goes through the very maps the folder was drawn with.
    let own = walk(&folder)
        .into_iter()
        .find(|p| p.ends_with("pop.00001.wav"))
        .unwrap();
    let again = ok_json(&genrescope(&[
        "place",
        &model,
        folder.to_str().unwrap(),
        own.to_str().unwrap(),
        "--json",
        "--k",
        "1",
    ]));
    let nearest = again["nearest"].as_array().unwrap();
    assert_eq!(nearest.len(), 1);
    let embeddings = tmp.path().join("embeddings");
    let out = genrescope(&[
        "export",
        &model,
        folder.to_str().unwrap(),
        "--out",
        embeddings.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Titles hold commas ("Concert for oboe, BWV 1053"): read it as CSV.
    let mut reader = csv::Reader::from_path(embeddings.join("embeddings.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (track_col, segment_col) = (column("track"), column("segment"));
    let (x_col, y_col) = (column("code_pc1"), column("code_pc2"));
    let (artist_col, rms_col) = (column("artist"), column("rms_dbfs"));
    let mut checked = 0;
    let mut bach = 0;
    for record in reader.records() {
        let cells = record.unwrap();
        if &cells[track_col] == "classical.00000.wav" && &cells[segment_col] == "0" {
            // GTZAN's index names the artist; the level is librosa's (-29.4793 dBFS).
            assert_eq!(&cells[artist_col], "JS Bach");
            let rms: f64 = cells[rms_col].parse().unwrap();
            assert!((rms + 29.4793).abs() < 1e-3, "{rms}");
            bach += 1;
        }
        if &cells[track_col] != "pop.00001.wav" {
            continue;
        }
        let k: usize = cells[segment_col].parse().unwrap();
        let at = &again["segments"][k]["code_xy"];
        for (cell, value) in [(x_col, &at[0]), (y_col, &at[1])] {
            let expected: f64 = cells[cell].parse().unwrap();
            let got = value.as_f64().unwrap();
            assert!(
                (expected - got).abs() < 1e-3 * expected.abs().max(1.0),
                "segment {k}: {expected} on the map, placed at {got}"
            );
        }
        checked += 1;
    }
    assert_eq!(bach, 1);
    // The folder keeps the paper's first 20 segments of a track; a placed song keeps them all.
    assert_eq!(
        checked, 20,
        "every segment of the track on the map was compared"
    );

    let not_audio = tmp.path().join("notes.wav");
    std::fs::write(&not_audio, "these are not samples").unwrap();
    let message = failure(&genrescope(&[
        "place",
        &model,
        folder.to_str().unwrap(),
        not_audio.to_str().unwrap(),
    ]));
    assert!(
        message.contains("notes.wav") && message.contains("convert it to WAV"),
        "{message}"
    );
    let short = tmp.path().join("short.wav");
    write_wav(&short, &signal(440.0, 0.2, 22_050), 22_050, 1);
    let message = failure(&genrescope(&[
        "place",
        &model,
        folder.to_str().unwrap(),
        short.to_str().unwrap(),
    ]));
    assert!(
        message.contains("short.wav") && message.contains("shorter than one segment"),
        "{message}"
    );
}

#[test]
fn steering_toward_a_genre_raises_its_probability_and_writes_the_steps() {
    let Some(gtzan) = gtzan_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = gtzan.to_str().unwrap();
    let model = shipped("gtzan-mini-logmel-dsae.safetensors");
    let wav = tmp.path().join("steer.wav");
    let steps = ok_json(&genrescope(&[
        "steer",
        &model,
        dir,
        "--clip",
        "classical.00001.wav:4",
        "--toward",
        "metal",
        "--out",
        wav.to_str().unwrap(),
        "--json",
    ]));
    let steps = steps.as_array().unwrap();
    assert_eq!(steps.len(), 7);
    let metal = |s: &Value| {
        s["probabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == "metal")
            .unwrap()[1]
            .as_f64()
            .unwrap()
    };
    assert_eq!(steps[0]["alpha"].as_f64().unwrap(), 0.0);
    assert!(
        metal(&steps[0]) < 0.1,
        "A is classical: {}",
        metal(&steps[0])
    );
    assert!(
        metal(&steps[4]) > 0.9,
        "a whole step toward metal's centroid is metal: {}",
        metal(&steps[4])
    );
    let mut source = genrescope::audio::decode::open_mono(&wav).unwrap();
    assert_eq!(source.info().sample_rate_hz, 22_050);
    let mut samples = 0;
    while let Some(block) = source.next_block().unwrap() {
        samples += block.len();
    }
    // Seven decoded log-mel segments of 20,000 samples each.
    assert_eq!(samples, 7 * 20_000);
    assert!(tmp.path().join("steer.steps.csv").is_file());

    let unknown = failure(&genrescope(&[
        "steer",
        &model,
        dir,
        "--clip",
        "classical.00001.wav:4",
        "--toward",
        "rock",
        "--out",
        wav.to_str().unwrap(),
    ]));
    assert!(
        unknown.contains("'rock'") && unknown.contains("classical, jazz, metal, pop"),
        "{unknown}"
    );
}
