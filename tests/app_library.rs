//! One's own music in the window: real GTZAN tracks renamed into a nested (artist/album) and a
//! flat library, with what a real library holds beside them, opened as a user opens a folder.
//! The window reads them as libraries, opens the shipped log-mel model for them, colours the
//! maps by predicted genre, lists each track's verdict, and a predicted genre becomes a
//! playlist whose entries are the tracks.

mod common;

use std::path::{Path, PathBuf};

use common::ui::{app_on, projected, run_until, settled, App};
use egui_kittest::kittest::Queryable;
use genrescope::app::events::{Command, FileTarget};
use genrescope::app::state::{MapId, Tab, TrackPoints};
use genrescope::model::shipped::Shipped;

const GENRES: [&str; 4] = ["classical", "jazz", "metal", "pop"];

/// Two tracks of each genre under `Artist k/Album/NN Title.wav`, plus a cover, a macOS `._`
/// file and a text file; returns each track's path and the genre it came from.
fn nested_library(gtzan: &Path, lib: &Path) -> Vec<(PathBuf, &'static str)> {
    let mut tracks = Vec::new();
    for (k, genre) in GENRES.iter().enumerate() {
        let album = lib.join(format!("Artist {k}")).join("First Album");
        std::fs::create_dir_all(&album).expect("mkdir");
        for id in [3, 4] {
            let to = album.join(format!("{id:02} Untitled.wav"));
            std::fs::copy(common::gtzan_track(gtzan, genre, id), &to).expect("copy");
            tracks.push((to, *genre));
        }
        std::fs::write(album.join("cover.jpg"), b"\xff\xd8\xff").expect("write");
        std::fs::write(album.join("._03 Untitled.wav"), b"\x00\x05\x16\x07").expect("write");
    }
    std::fs::write(lib.join("notes.txt"), b"my music").expect("write");
    tracks
}

/// An 8-bit mono WAV of `secs` seconds at 22,050 Hz: a tone whose pitch wanders, so its
/// segments differ.
fn write_long_wav(path: &Path, secs: u32) {
    use std::io::Write;
    const RATE_HZ: u32 = 22_050;
    let data_bytes = secs * RATE_HZ;
    let mut header = Vec::with_capacity(44);
    header.extend_from_slice(b"RIFF");
    header.extend_from_slice(&(36 + data_bytes).to_le_bytes());
    header.extend_from_slice(b"WAVEfmt ");
    header.extend_from_slice(&16u32.to_le_bytes());
    header.extend_from_slice(&1u16.to_le_bytes()); // PCM
    header.extend_from_slice(&1u16.to_le_bytes()); // mono
    header.extend_from_slice(&RATE_HZ.to_le_bytes());
    header.extend_from_slice(&RATE_HZ.to_le_bytes()); // bytes per second
    header.extend_from_slice(&1u16.to_le_bytes()); // bytes per frame
    header.extend_from_slice(&8u16.to_le_bytes());
    header.extend_from_slice(b"data");
    header.extend_from_slice(&data_bytes.to_le_bytes());
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    file.write_all(&header).expect("write");
    for second in 0..secs {
        let hz = 220.0 + 110.0 * (second as f32 * 0.01).sin();
        let block: Vec<u8> = (0..RATE_HZ)
            .map(|i| {
                let t = i as f32 / RATE_HZ as f32;
                (128.0 + 60.0 * (t * hz * std::f32::consts::TAU).sin()) as u8
            })
            .collect();
        file.write_all(&block).expect("write");
    }
    file.flush().expect("flush");
}

fn ready(h: &mut App, what: &str) {
    run_until(h, 240, what, |a| {
        settled(a)
            && projected(a)
            && a.state.dataset().is_some_and(|d| d.is_library())
            && a.state.model().is_some_and(|m| m.view.ready().is_some())
    });
}

#[test]
fn a_nested_and_a_flat_library_open_through_the_shipped_model_and_give_a_playlist() {
    let Some(gtzan) = common::gtzan_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = dir.path().join("Music");
    let tracks = nested_library(&gtzan, &lib);

    let mut h = app_on(lib.clone());
    ready(&mut h, "the library through the shipped model");
    let state = &h.state().state;
    let ds = state.dataset().expect("data");
    assert!(ds.is_library(), "{}", ds.layout.why);
    assert_eq!(ds.tracks.len(), tracks.len());
    // The cover, the `._` file and the notes are listed with their reasons; nothing else is.
    let skipped: Vec<String> = ds.skipped.iter().map(|s| s.reason.clone()).collect();
    assert_eq!(skipped.len(), 4 + 4 + 1, "{skipped:#?}");
    assert!(
        skipped.iter().any(|r| r.contains("cover.jpg")),
        "{skipped:#?}"
    );
    assert!(skipped.iter().any(|r| r.contains("hidden")), "{skipped:#?}");
    // Whole tracks: 30 s of GTZAN hold 33 segments of 0.9 s (the paper's), all taken, where the
    // paper's cut takes the first 20.
    assert!(
        ds.tracks
            .iter()
            .all(|t| t.n_segments == 33 && t.segments_in_track == t.n_segments),
        "{:?}",
        ds.tracks.iter().map(|t| t.n_segments).collect::<Vec<_>>()
    );
    let model = state.model().expect("a model");
    assert_eq!(model.shipped, Some(Shipped::GtzanLogmel));
    // Read once, straight in the shipped model's features (not first as waveforms, then again).
    assert_eq!(ds.features, model.saved.meta.features);
    assert!(
        !state
            .notices
            .shown()
            .iter()
            .any(|n| n.text.contains("Reading the clips as")),
        "the library was read twice"
    );
    assert!(
        model.report.is_none(),
        "a library has no labels to score against"
    );
    let colouring = state.genre_colouring().expect("colours");
    assert!(colouring.predicted);
    assert_eq!(colouring.genres, GENRES);
    assert_eq!(colouring.labels.len(), ds.len());
    assert!(colouring.shades.is_some_and(|s| s.len() == ds.len()));

    // The model's own labelled folder beneath the library, through the same maps: each library
    // track copied from it lies exactly over its training copy.
    h.get_by_label("training folder underneath").click();
    let training = Path::new("../shared/gtzan-mini");
    if training.is_dir() {
        run_until(&mut h, 240, "the training folder underneath", |a| {
            a.state
                .model()
                .and_then(|m| m.underneath.as_ref())
                .is_some_and(|u| u.ready().is_some())
        });
        let state = &h.state().state;
        let under = state
            .model()
            .and_then(|m| m.underneath.as_ref()?.ready().cloned())
            .expect("underneath");
        assert_eq!(
            under.labels.len(),
            32 * 20,
            "gtzan-mini's 32 tracks, 20 clips each"
        );
        assert_eq!((under.code.len(), under.logits.len()), (640, 640));
        assert!(under.ignored_genres.is_empty());
        let layer = state.layer(MapId::Code).expect("the bottleneck map");
        let ds = state.dataset().expect("data");
        let first = ds.track_segments(0).start;
        let p = layer.projection.points[first];
        let twin = under
            .code
            .iter()
            .map(|q| ((q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2)).sqrt())
            .fold(f64::MAX, f64::min);
        assert!(twin < 1e-3, "the training copy lies {twin} away");
        h.run_steps(2);
        h.get_by_label_contains("(640 labelled clips)");
    } else {
        // Not beside this checkout: said, and nothing drawn.
        h.run_steps(2);
        assert!(!h.state().state.view.underneath);
        h.get_by_label_contains("there is nothing to show underneath");
    }

    let state = &h.state().state;
    let ds = state.dataset().expect("data");
    // The tracks' verdicts, against the genre each was copied from (the model never saw these
    // names, but it did train on these tracks: this checks the plumbing, not generalisation).
    let view = state.model_view().expect("maps");
    assert_eq!(view.track_verdicts.len(), tracks.len());
    let right = view
        .track_verdicts
        .iter()
        .filter(|(t, v)| {
            let genre = tracks
                .iter()
                .find(|(p, _)| *p == ds.tracks[*t].path)
                .map(|(_, g)| *g);
            genre == Some(GENRES[v.verdict])
        })
        .count();
    assert!(right >= 7, "{right} of 8 verdicts match the source genre");
    h.run_steps(2);
    h.get_by_label_contains("Predicted genres:");
    h.get_by_label_contains("library of 8 audio file(s)");

    // The Tracks tab lists them; a genre's button selects its clips, which export as a playlist.
    h.get_by_label("Tracks").click();
    h.run_steps(3);
    h.get_by_label_contains("8 tracks of");
    h.get_by_label_contains("Artist 3/First Album/03 Untitled.wav");
    // The shipped model trained on these very tracks: known by their sound, and said.
    assert_eq!(
        h.query_all_by_label_contains("the model trained on this track")
            .count(),
        tracks.len()
    );
    let pop = GENRES.iter().position(|g| *g == "pop").expect("pop");
    h.state_mut().apply(Command::SelectPredicted(pop));
    h.run_steps(2);
    let state = &h.state().state;
    assert_eq!(state.view.tab, Tab::Maps);
    let selected = state.data.as_ref().expect("data").selected().to_vec();
    let predicted = common::ui::model_predictions(&h);
    assert!(!selected.is_empty());
    assert_eq!(
        selected,
        (0..predicted.len())
            .filter(|&i| predicted[i] == pop)
            .collect::<Vec<_>>()
    );
    let out = dir.path().join("pop-selection");
    std::fs::create_dir_all(&out).expect("mkdir");
    h.state_mut().apply(Command::UsePath {
        target: FileTarget::SelectionFolder,
        path: out.clone(),
    });
    run_until(&mut h, 60, "the selection's files", |a| {
        a.state
            .notices
            .shown()
            .iter()
            .any(|n| n.text.starts_with("Wrote selection.csv"))
    });
    let playlist = std::fs::read_to_string(out.join("selection.m3u8")).expect("a playlist");
    let entries: Vec<&str> = playlist
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert!(!entries.is_empty(), "{playlist}");
    for entry in &entries {
        assert!(entry.starts_with("../Music/Artist "), "{playlist}");
        assert!(out.join(entry).is_file(), "{entry} does not resolve");
    }
    assert!(playlist.contains("(pop?)"), "{playlist}");

    // What sounds like a track: other tracks, by the mean of their clips, never its own.
    h.state_mut().apply(Command::PickA(0));
    h.state_mut().apply(Command::FindNeighbours {
        space: genrescope::latent::Space::Bottleneck,
        k: 3,
        whole_tracks: true,
    });
    h.run_steps(2);
    let state = &h.state().state;
    let ds = state.dataset().expect("data");
    let found = state
        .results()
        .and_then(|r| r.neighbours.as_ref())
        .expect("neighbours")
        .found
        .clone();
    let mut found_tracks: Vec<usize> = found.iter().map(|&(i, _)| ds.segments[i].track).collect();
    assert_eq!(found_tracks.len(), 3);
    assert!(
        !found_tracks.contains(&ds.segments[0].track),
        "{found_tracks:?}"
    );
    found_tracks.sort_unstable();
    found_tracks.dedup();
    assert_eq!(found_tracks.len(), 3, "three different tracks");
    h.get_by_label_contains("Sounds like A's track");

    // One point per track: the mean of its clips; a click on it picks the track's middle clip.
    h.get_by_label("tracks").click();
    h.run_steps(3);
    assert!(h.state().state.view.track_points);
    let state = &h.state().state;
    let ds = state.dataset().expect("data");
    let layer = state.layer(MapId::Code).expect("the bottleneck map");
    let colouring = state.genre_colouring().expect("colours");
    let gathered = TrackPoints::gather(layer, ds, colouring.labels, colouring.genres.len());
    assert_eq!(gathered.layer.projection.points.len(), tracks.len());
    // What the maps draw is made once and kept: the same points.
    let kept = state.track_points(MapId::Code, layer).expect("kept");
    assert_eq!(
        kept.layer.projection.points,
        gathered.layer.projection.points
    );
    assert!(std::ptr::eq(
        kept,
        state.track_points(MapId::Code, layer).expect("kept")
    ));
    let range = ds.track_segments(5);
    let mean_x = range
        .clone()
        .map(|i| layer.projection.points[i][0])
        .sum::<f64>()
        / range.len() as f64;
    assert!((gathered.layer.projection.points[5][0] - mean_x).abs() < 1e-9);
    let frame = common::ui::plot_memory(&h, "map-code")
        .transform()
        .frame()
        .shrink(12.0);
    let transform = common::ui::plot_memory(&h, "map-code").transform();
    let (k, at) = (0..tracks.len())
        .map(|k| {
            let p = gathered.layer.projection.points[k];
            (
                k,
                transform.position_from_point(&egui_plot::PlotPoint::new(p[0], p[1])),
            )
        })
        .find(|(_, at)| frame.contains(*at))
        .expect("a track on screen");
    common::ui::click_at(&mut h, at);
    assert_eq!(h.state().state.picks().a, Some(gathered.middle[k]));
    h.get_by_label("clips").click();
    h.run_steps(2);
    assert!(!h.state().state.view.track_points);

    // No labels, so nothing to train on: said, and nothing starts.
    h.state_mut().apply(Command::StartTraining);
    h.run_steps(2);
    assert!(!h.state().state.is_training());
    h.get_by_label_contains("no labels to train on");

    // Artists are not genres, but the scan can be told otherwise, and back.
    h.get_by_label("Read its folders as genres").click();
    run_until(&mut h, 240, "the artists as genres", |a| {
        settled(a) && a.state.dataset().is_some_and(|d| !d.is_library())
    });
    let ds = h.state().state.dataset().expect("data");
    assert_eq!(ds.genres, ["Artist 0", "Artist 1", "Artist 2", "Artist 3"]);
    assert_eq!(ds.tracks.len(), tracks.len());
    h.run_steps(2);
    h.get_by_label("Read as a library").click();
    ready(&mut h, "the library again");
    assert_eq!(
        h.state().state.dataset().expect("data").tracks.len(),
        tracks.len()
    );

    // A flat folder opens the same way, with the model kept.
    let flat = dir.path().join("flat");
    std::fs::create_dir_all(&flat).expect("mkdir");
    for (k, (path, _)) in tracks.iter().enumerate().step_by(2) {
        std::fs::copy(path, flat.join(format!("track {k}.wav"))).expect("copy");
    }
    // And a three-hour recording (8-bit at the model's own 22,050 Hz: 238 MB, written as raw
    // bytes for speed): it costs what any track costs, 64 segments spread over it, and the
    // window says it was sampled.
    let long = flat.join("three hours.wav");
    write_long_wav(&long, 3 * 3600);
    h.state_mut()
        .apply(Command::LoadData(genrescope::dataset::DataSource::Folder(
            flat.clone(),
        )));
    ready(&mut h, "the flat library");
    let state = &h.state().state;
    let ds = state.dataset().expect("data");
    assert_eq!(ds.source.folder(), Some(flat.as_path()));
    assert_eq!(ds.tracks.len(), 5);
    let three = ds
        .tracks
        .iter()
        .find(|t| t.path == long)
        .expect("the three-hour track");
    assert_eq!(
        (three.n_segments, three.segments_in_track),
        (64, 3 * 3600 * 22_050 / 20_000)
    );
    assert!(
        h.state().state.notices.shown().iter().any(|n| n
            .text
            .contains("1 long track(s) are sampled: 64 segments of each")),
        "the sampling is said"
    );
    assert!(
        ds.layout.why.contains("all in one folder"),
        "{}",
        ds.layout.why
    );
    assert_eq!(
        state.model().and_then(|m| m.shipped),
        Some(Shipped::GtzanLogmel)
    );
    let errors: Vec<&str> = h
        .state()
        .state
        .notices
        .shown()
        .iter()
        .filter(|n| n.is_error() && !n.text.contains("no labels to train on"))
        .map(|n| n.text.as_str())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
