//! The latent instruments driven through the window as a user does: tabs, sliders, drags on the
//! maps, a dropped file. Each check compares with what the library computes on its own.

mod common;

use common::ui::*;
use common::*;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use genrescope::app::events::{Command, FileTarget};
use genrescope::app::state::{Instrument, MapId, Tool};
use genrescope::latent::{centroids, inside};

/// Presses at `from`, moves in `steps` steps to `to`, lets go (with `modifiers` held).
fn drag(h: &mut App, points: &[egui::Pos2], modifiers: egui::Modifiers) {
    h.event(egui::Event::ModifiersChanged(modifiers));
    h.hover_at(points[0]);
    h.step();
    h.event(egui::Event::PointerButton {
        pos: points[0],
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers,
    });
    h.step();
    for &p in &points[1..] {
        h.hover_at(p);
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: *points.last().unwrap(),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers,
    });
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    h.step();
    h.step();
}

/// `n` points from `a` to `b`.
fn line(a: egui::Pos2, b: egui::Pos2, n: usize) -> Vec<egui::Pos2> {
    (0..n)
        .map(|k| a + (b - a) * (k as f32 / (n - 1) as f32))
        .collect()
}

fn to_map(h: &App, map: &str, p: egui::Pos2) -> [f64; 2] {
    let v = plot_memory(h, map).transform().value_from_position(p);
    [v.x, v.y]
}

fn decoded(app: &genrescope::app::GenrescopeApp, instrument: Instrument) -> bool {
    let s = &app.state;
    s.decoder.request.is_none()
        && s.trace()
            .is_some_and(|t| t.instrument == instrument && t.current.is_some())
}

fn close(x: f64, y: f64, scale: f64) -> bool {
    (x - y).abs() <= 1e-3 * scale.max(1.0)
}

#[test]
fn every_instrument_works_through_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "mid", "high"], 3, 3.0);
    let model = tmp.path().join("m.safetensors");
    train_small_model(&data, &model, 60);
    let mut h = window_with(data, model, false);
    let (a, pos_a) = visible_point(&h, "map-code", 0..9);
    click_at(&mut h, pos_a);
    assert_eq!(h.state().state.clip_a(), Some(a));
    h.run_steps(2);
    let maps = model_maps(&h);
    let dim = maps.inference.code_dim;
    let code = |i: usize| maps.inference.code[i * dim..(i + 1) * dim].to_vec();
    let code_map = |h: &App| {
        h.state()
            .state
            .layer(MapId::Code)
            .unwrap()
            .projection
            .clone()
    };

    // Components: PC1 at +2σ moves A's point on the bottleneck map by exactly 2σ along x.
    h.get_by_label("Components").click();
    h.run_steps(2);
    let slider = h.get_by_role_and_label(Role::Slider, "PC1 σ");
    slider.set_value_accesskit(2.0);
    run_until(&mut h, 30, "the walked point", |app| {
        app.state.trace().unwrap().instrument == Instrument::Components
            && app.state.decoder.request.is_none()
            && app
                .state
                .trace()
                .unwrap()
                .current
                .as_ref()
                .is_some_and(|c| c.t == 2.0)
    });
    let projection = code_map(&h);
    let xy_a = projection.points[a];
    let trace = &h.state().state.trace().unwrap();
    let walked = trace.current_code_xy.unwrap();
    let sigma = projection.std[0];
    assert!(
        close(walked[0], xy_a[0] + 2.0 * sigma, sigma) && close(walked[1], xy_a[1], sigma),
        "A at {xy_a:?}, σ {sigma}: walked to {walked:?}"
    );
    let params: Vec<f32> = trace.path.iter().map(|s| s.t).collect();
    assert_eq!(params, vec![-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]);
    assert_eq!(trace.path_code_xy.len(), 7, "the walk is drawn on the map");

    // Toward a genre: at α = 1 the code is A's plus the step between the genres' centroids.
    h.get_by_label("Toward a genre").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Slider, "α")
        .set_value_accesskit(1.0);
    run_until(&mut h, 30, "the steered point", |app| {
        app.state.trace().unwrap().instrument == Instrument::Steer
            && app.state.decoder.request.is_none()
            && app
                .state
                .trace()
                .unwrap()
                .current
                .as_ref()
                .is_some_and(|c| c.t == 1.0)
    });
    let state = &h.state().state;
    let ds = state.dataset().unwrap().clone();
    let genres = state.model().unwrap().saved.meta.genres.clone();
    let labels: Vec<usize> = (0..ds.len())
        .map(|i| {
            genres
                .iter()
                .position(|g| *g == ds.genres[ds.label(i)])
                .unwrap()
        })
        .collect();
    let toward = (0..genres.len()).find(|&g| g != labels[a]).unwrap();
    let centres = centroids(&maps.inference.code, dim, &labels, genres.len());
    let (from, to) = (
        centres[labels[a]].clone().unwrap(),
        centres[toward].clone().unwrap(),
    );
    let current = state.trace().unwrap().current.clone().unwrap();
    let expected: Vec<f32> = code(a)
        .iter()
        .zip(from.iter().zip(&to))
        .map(|(c, (f, t))| c + t - f)
        .collect();
    for (got, want) in current.code.iter().zip(&expected) {
        assert!((got - want).abs() < 1e-4, "{got} vs {want}");
    }
    let at_a = state.trace().unwrap().path[0]
        .probabilities
        .clone()
        .unwrap();
    let moved = current.probabilities.clone().unwrap();
    assert!(
        moved[toward] > at_a[toward],
        "moving toward {} raises its probability: {} -> {}",
        genres[toward],
        at_a[toward],
        moved[toward]
    );

    // The probe: with the probe tool a drag on the bottleneck map plays what lies under the
    // pointer, and the view does not pan.
    h.get_by_label("Probe").click();
    h.run_steps(2);
    assert_eq!(
        h.state().state.instruments.tool,
        Tool::Probe,
        "the probe's tab arms the probe"
    );
    let frame = plot_memory(&h, "map-code").transform().frame().shrink(30.0);
    let bounds_before = *plot_memory(&h, "map-code").bounds();
    let stroke = line(frame.left_center(), frame.center_top(), 6);
    drag(&mut h, &stroke, egui::Modifiers::NONE);
    run_until(&mut h, 30, "the probe's sound", |app| {
        decoded(app, Instrument::Probe)
    });
    let state = &h.state().state;
    assert_eq!(
        *plot_memory(&h, "map-code").bounds(),
        bounds_before,
        "the view stayed"
    );
    assert!(
        state.results().unwrap().stroke.codes.len() >= 5,
        "{} stroke points",
        state.results().unwrap().stroke.codes.len()
    );
    let end = to_map(&h, "map-code", *stroke.last().unwrap());
    let last = *state.results().unwrap().stroke.xy.last().unwrap();
    assert!(close(last[0], end[0], 1.0) && close(last[1], end[1], 1.0));
    // On the map's plane, the decoded code projects back to the point under the pointer.
    let current = state.trace().unwrap().current.clone().unwrap();
    let back = projection.project(&current.code).unwrap()[0];
    assert!(
        close(back[0], last[0], 1.0) && close(back[1], last[1], 1.0),
        "{back:?} vs {last:?}"
    );
    // Without the tool, Ctrl+drag probes as well.
    h.get_by_label("🔊 probe tool").click();
    h.run_steps(2);
    assert_eq!(h.state().state.instruments.tool, Tool::Pan);
    let second = line(frame.center(), frame.right_center(), 4);
    drag(&mut h, &second, egui::Modifiers::CTRL);
    run_until(&mut h, 30, "the Ctrl probe", |app| {
        app.state.decoder.request.is_none() && app.state.results().unwrap().stroke.codes.len() == 4
    });
    assert_eq!(*plot_memory(&h, "map-code").bounds(), bounds_before);

    // Sounds like A: the k nearest codes, nearest first, as found by brute force.
    h.get_by_label("Sounds like").click();
    h.run_steps(2);
    assert_eq!(
        h.state()
            .state
            .results()
            .and_then(|r| r.neighbours.as_ref())
            .map(|n| n.of),
        Some(a),
        "opening the tab finds A's neighbours at once"
    );
    h.get_by_label("Find").click();
    h.run_steps(2);
    let found = h
        .state()
        .state
        .results()
        .and_then(|r| r.neighbours.as_ref())
        .map(|n| n.found.clone())
        .unwrap_or_default();
    assert_eq!(found.len(), 10);
    let n = maps.inference.code.len() / dim;
    let mut brute: Vec<(usize, f32)> = (0..n)
        .filter(|&i| i != a)
        .map(|i| {
            let d = code(i)
                .iter()
                .zip(code(a))
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f32>()
                .sqrt();
            (i, d)
        })
        .collect();
    brute.sort_by(|x, y| x.1.total_cmp(&y.1));
    for ((i, d), (j, e)) in found.iter().zip(&brute) {
        assert!((d - e).abs() < 1e-4, "{i}: {d} vs {j}: {e}");
    }
    h.get_by_label_contains("play the 10 one after another");

    // Box selection on the raw map: exactly the clips inside the box.
    h.get_by_label("Selection").click();
    h.run_steps(2);
    h.get_by_label("▭ box").click();
    h.run_steps(2);
    let frame = plot_memory(&h, "map-raw").transform().frame().shrink(20.0);
    drag(
        &mut h,
        &line(frame.left_top(), frame.center(), 5),
        egui::Modifiers::NONE,
    );
    let (p, q) = (
        to_map(&h, "map-raw", frame.left_top()),
        to_map(&h, "map-raw", frame.center()),
    );
    let raw = h
        .state()
        .state
        .layer(MapId::Raw)
        .unwrap()
        .projection
        .points
        .clone();
    let (x0, x1) = (p[0].min(q[0]), p[0].max(q[0]));
    let (y0, y1) = (p[1].min(q[1]), p[1].max(q[1]));
    let expected: Vec<usize> = (0..raw.len())
        .filter(|&i| (x0..=x1).contains(&raw[i][0]) && (y0..=y1).contains(&raw[i][1]))
        .collect();
    let mut got = h.state().state.selected().to_vec();
    got.sort_unstable();
    assert_eq!(got, expected);
    // A lasso around the whole view takes every clip drawn in it.
    h.get_by_label("◯ lasso").click();
    h.run_steps(2);
    let frame = plot_memory(&h, "map-raw").transform().frame().shrink(4.0);
    let ring = vec![
        frame.left_top(),
        frame.center_top(),
        frame.right_top(),
        frame.right_bottom(),
        frame.left_bottom(),
        frame.left_center(),
    ];
    drag(&mut h, &ring, egui::Modifiers::NONE);
    let outline: Vec<[f64; 2]> = ring.iter().map(|&p| to_map(&h, "map-raw", p)).collect();
    let mut got = h.state().state.selected().to_vec();
    got.sort_unstable();
    assert_eq!(got, inside(&raw, &outline));
    assert!(!got.is_empty());
    let said = format!("{} clip(s) selected on the raw input map", got.len());
    assert!(h.get_all_by_label_contains(&said).count() >= 1, "{said}");
    // With the lasso still in hand, a click picks a clip and keeps the selection.
    let (c, pos_c) = visible_point(&h, "map-code", 9..27);
    click_at(&mut h, pos_c);
    assert_eq!(h.state().state.clip_a(), Some(c));
    let mut kept = h.state().state.selected().to_vec();
    kept.sort_unstable();
    assert_eq!(kept, got, "a click does not replace the selection");

    // The selection exported: one CSV row per clip, its tracks in a playlist, their audio.
    let out = tmp.path().join("selection");
    h.state_mut().apply(Command::UsePath {
        target: FileTarget::SelectionFolder,
        path: out.clone(),
    });
    run_until(&mut h, 30, "the selection files", |app| app.state.is_idle());
    let csv = std::fs::read_to_string(out.join("selection.csv")).unwrap();
    assert_eq!(csv.lines().count(), got.len() + 1, "{csv}");
    assert!(out.join("selection.m3u8").is_file() && out.join("selection.wav").is_file());

    // A song dropped on the window lands on the maps, beside the clips it sounds like.
    let song = tmp.path().join("song.wav");
    write_wav(&song, &signal(227.0, 5.0, 22_050), 22_050, 1);
    drop_on(&mut h, song);
    run_until(&mut h, 30, "the placed song", |app| {
        app.state.results().is_some_and(|r| r.placed.is_some())
    });
    let state = &h.state().state;
    let placed = state.results().unwrap().placed.clone().unwrap();
    assert_eq!(state.instruments.shown, Instrument::Place);
    assert_eq!(placed.segments.len(), 5, "5 s cut into 0.907 s segments");
    assert!(placed.segments.iter().all(|s| s.code_xy.is_some()));
    let mid = genres.iter().position(|g| g == "mid").unwrap();
    assert_eq!(placed.verdict, Some(mid), "a 227 Hz tone is 'mid' (220 Hz)");
    let nearest_genre = ds.genres[ds.label(placed.nearest[0].0)].clone();
    assert_eq!(nearest_genre, "mid");
    h.get_by_label_contains("song.wav: 5 segment(s)");

    // Another folder: nothing found or drawn through the old maps stays on the new ones.
    h.state_mut()
        .apply(Command::LoadData(genrescope::dataset::DataSource::Demo));
    run_until(&mut h, 60, "the demo", |app| {
        app.state.dataset().is_some_and(|d| d.source.is_demo()) && app.state.is_idle()
    });
    let state = &h.state().state;
    let results = state.results().unwrap();
    assert!(results.placed.is_none() && results.neighbours.is_none());
    assert!(results.trace.path.is_empty() && results.stroke.xy.is_empty());
}
