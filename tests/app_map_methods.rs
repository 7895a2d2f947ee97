//! Each map by PCA, t-SNE or UMAP, chosen from its menu in the window on the real GTZAN tracks:
//! computed on a worker with progress, drawn and clicked like the PCA map, its parameters and
//! what it cannot show said under its title, and stopped by its Cancel.

mod common;

use common::ui::*;
use common::*;
use egui::accesskit::Role;
use egui_kittest::kittest::{By, Queryable};
use genrescope::app::events::{Command, FileTarget};
use genrescope::app::registry::Progress;
use genrescope::app::state::{Derived, MapId, Tool};
use genrescope::maps::method::MapMethod;
use genrescope::maps::trust::trustworthiness;

/// Opens map `nth`'s (raw 0, code 1, logits 2) method menu, showing `current`, and picks
/// `method`.
fn choose_method(h: &mut App, nth: usize, current: &str, method: &str) {
    let menu = h
        .get_all(
            By::new()
                .role(Role::ComboBox)
                .label("How this map is drawn: PCA (the paper's), t-SNE or UMAP"),
        )
        .nth(nth)
        .expect("a method menu over each map");
    assert_eq!(menu.value().as_deref(), Some(current), "map {nth}'s menu");
    menu.click();
    h.run_steps(2);
    h.get_by_label(method).click();
    h.run_steps(2);
}

fn share_reported(h: &App, map: MapId) -> Option<f32> {
    let state = &h.state().state;
    let job = state.embedded(map)?.job?;
    match state.jobs.get(job)?.progress {
        Some(Progress::Share(s)) => Some(s),
        _ => None,
    }
}

#[test]
fn the_bottleneck_by_t_sne_keeps_neighbourhoods_clicks_like_pca_and_a_run_can_be_cancelled() {
    let Some(dir) = gtzan_dir() else { return };
    let model = std::path::PathBuf::from(common::cli::shipped("gtzan-mini-dsae.safetensors"));
    let mut h = window_with(dir.clone(), model, false);
    h.get_by_label("Bottleneck (64-d)");
    let pca_points = h
        .state()
        .state
        .layer(MapId::Code)
        .unwrap()
        .projection
        .points
        .clone();

    // A box begun on the PCA map...
    h.state_mut().apply(Command::SetTool(Tool::BoxSelect));
    h.state_mut().apply(Command::Outline {
        map: MapId::Code,
        xy: [-100.0, -100.0],
        start: true,
        done: false,
    });

    // t-SNE for the bottleneck: the PCA map stays until it is done, with the progress shown.
    choose_method(&mut h, 1, "PCA", "t-SNE");
    let chosen = h.state().state.view.map_methods[MapId::Code as usize];
    assert!(matches!(chosen, MapMethod::Tsne(p) if p.perplexity == 30.0 && p.seed == 0));
    run_until(&mut h, 240, "the t-SNE map", |a| {
        a.state
            .embedded(MapId::Code)
            .is_some_and(|e| e.layer.ready().is_some())
    });
    // ...and finished once the t-SNE map has replaced it selects nothing: its corners were in
    // PCA coordinates. The window says to draw it again.
    h.state_mut().apply(Command::Outline {
        map: MapId::Code,
        xy: [100.0, 100.0],
        start: false,
        done: true,
    });
    h.state_mut().apply(Command::SetTool(Tool::Pan));
    assert!(h.state().state.selected().is_empty());
    h.run_steps(2);
    h.get_by_label_contains("redrawn by t-SNE while the outline was drawn");
    let state = &h.state().state;
    let shown = state.shown_layer(MapId::Code).unwrap();
    assert!(!shown.is_linear());
    assert_eq!(shown.projection.points.len(), pca_points.len());
    assert_ne!(shown.projection.points, pca_points);
    // The map keeps more of each clip's neighbourhood than PCA's.
    let maps = model_maps(&h);
    let (code, dim) = (&maps.inference.code, maps.inference.code_dim);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let t = trustworthiness(code, dim, &shown.projection.points, 10, &cancel).unwrap();
    let t_pca = trustworthiness(code, dim, &pca_points, 10, &cancel).unwrap();
    assert!(t > t_pca, "t-SNE {t}, PCA {t_pca}");
    // Its parameters and what it cannot show are said under the title.
    h.get_by_label("t-SNE: perplexity 30 · seed 0");
    h.get_by_label_contains("No inverse: the probe, paths and directions are drawn on PCA maps");

    // A click on the t-SNE map picks the clip drawn there.
    let (i, pos) = visible_point(&h, "map-code", (0..640).step_by(37));
    click_at(&mut h, pos);
    h.run_steps(2);
    assert_eq!(h.state().state.data.as_ref().unwrap().picks.a, Some(i));

    // The parameters and captions above the maps take their room from the plots: A's details
    // line under them stays above the listen panel.
    h.run_steps(3);
    let details = h.get_by_label("▶ Play A").rect();
    let listen_top = h.get_by_label("Listen").rect().top();
    assert!(
        details.bottom() <= listen_top,
        "A's details {details:?} run into the listen panel at {listen_top}"
    );

    // A box drawn on the t-SNE map selects the clips inside it there (not where PCA put them).
    let tsne = h
        .state()
        .state
        .shown_layer(MapId::Code)
        .unwrap()
        .projection
        .points
        .clone();
    let middle = |axis: usize| {
        let mut v: Vec<f64> = tsne.iter().map(|p| p[axis]).collect();
        v.sort_by(f64::total_cmp);
        (v[0] - 1.0, v[v.len() / 2])
    };
    let ((x0, x1), (y0, y1)) = (middle(0), middle(1));
    h.state_mut().apply(Command::SetTool(Tool::BoxSelect));
    for (xy, start, done) in [([x0, y0], true, false), ([x1, y1], false, true)] {
        h.state_mut().apply(Command::Outline {
            map: MapId::Code,
            xy,
            start,
            done,
        });
    }
    h.state_mut().apply(Command::SetTool(Tool::Pan));
    let within = |points: &[[f64; 2]]| -> Vec<usize> {
        (0..points.len())
            .filter(|&k| {
                let [x, y] = points[k];
                x > x0 && x < x1 && y > y0 && y < y1
            })
            .collect()
    };
    let expected = within(&tsne);
    assert!(expected.len() > 20, "{} clips in the box", expected.len());
    assert_ne!(expected, within(&pca_points));
    assert_eq!(h.state().state.selected(), expected.as_slice());

    // A placed song lands on the t-SNE map at the weighted mean of its nearest clips' places.
    let song = gtzan_track(&dir, "jazz", 0);
    h.state_mut().apply(Command::PlaceFile(song));
    run_until(&mut h, 120, "the song placed on the t-SNE map", |a| {
        a.state
            .embedded(MapId::Code)
            .is_some_and(|e| !e.placed.is_empty())
    });
    let state = &h.state().state;
    let codes = &state.results().unwrap().placed.as_ref().unwrap().codes;
    let placed = &state.embedded(MapId::Code).unwrap().placed;
    assert_eq!(placed.len(), codes.len() / dim);
    let expected = genrescope::maps::method::place(codes, code, dim, &tsne).unwrap();
    assert_eq!(placed, &expected);
    let (lo, hi) = (
        middle(0).0,
        tsne.iter().map(|p| p[0]).fold(f64::MIN, f64::max),
    );
    assert!(placed.iter().all(|p| p[0] >= lo && p[0] <= hi));
    h.state_mut().apply(Command::ClearPlaced);
    assert!(h
        .state()
        .state
        .embedded(MapId::Code)
        .unwrap()
        .placed
        .is_empty());

    // Exported as shown: maps.csv names each map's columns by its method, maps.json says how.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("embeddings");
    h.state_mut().apply(Command::UsePath {
        target: FileTarget::EmbeddingsFolder,
        path: out.clone(),
    });
    run_until(&mut h, 60, "the embeddings written", |a| {
        a.state.is_idle() && out.join("maps.json").exists()
    });
    let header = std::fs::read_to_string(out.join("maps.csv")).unwrap();
    let header = header.lines().next().unwrap().to_string();
    for column in ["raw_pc1", "code_tsne1", "code_tsne2", "logits_pc2"] {
        assert!(
            header.split(',').any(|c| c == column),
            "{column} in {header}"
        );
    }
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("maps.json")).unwrap()).unwrap();
    assert_eq!(sidecar["maps"][1]["map"], "code");
    assert_eq!(sidecar["maps"][1]["method"]["method"], "tsne");
    assert_eq!(sidecar["maps"][1]["method"]["perplexity"], 30.0);
    assert_eq!(sidecar["maps"][0]["method"]["method"], "pca");

    // Back to PCA and to t-SNE again: the finished map is kept, not computed again.
    choose_method(&mut h, 1, "t-SNE", "PCA");
    assert!(h
        .state()
        .state
        .shown_layer(MapId::Code)
        .unwrap()
        .is_linear());
    choose_method(&mut h, 1, "PCA", "t-SNE");
    assert!(!h
        .state()
        .state
        .shown_layer(MapId::Code)
        .unwrap()
        .is_linear());
    assert!(h.state().state.embedded(MapId::Code).unwrap().job.is_none());

    // Its perplexity edited under the title: nothing runs until Redraw, which draws it anew.
    let perplexity = By::new().role(Role::SpinButton).label("perplexity");
    assert_eq!(
        h.get_all(perplexity.clone())
            .next()
            .unwrap()
            .value()
            .as_deref(),
        Some("30.0")
    );
    h.get_all(perplexity.clone()).next().unwrap().focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_all(perplexity.clone())
        .next()
        .unwrap()
        .type_text("10");
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    let state = &h.state().state;
    assert!(matches!(
        state.view.map_drafts[MapId::Code as usize],
        Some(MapMethod::Tsne(p)) if p.perplexity == 10.0
    ));
    assert!(state.embedded(MapId::Code).unwrap().job.is_none());
    let perplexity_30 = state
        .shown_layer(MapId::Code)
        .unwrap()
        .projection
        .points
        .clone();
    h.get_by_label("Redraw").click();
    h.run_steps(1);
    run_until(&mut h, 240, "the t-SNE map at perplexity 10", |a| {
        a.state
            .embedded(MapId::Code)
            .is_some_and(|e| e.job.is_none() && e.layer.ready().is_some())
    });
    let state = &h.state().state;
    assert!(matches!(
        state.view.map_methods[MapId::Code as usize],
        MapMethod::Tsne(p) if p.perplexity == 10.0
    ));
    assert!(state.view.map_drafts[MapId::Code as usize].is_none());
    assert_ne!(
        state.shown_layer(MapId::Code).unwrap().projection.points,
        perplexity_30
    );
    h.run_steps(2);
    h.get_by_label("t-SNE: perplexity 10 · seed 0");
    assert!(h.query_by_label("Redraw").is_none());

    // t-SNE of the 500-d raw input takes seconds: its progress shows, and
    // Cancel stops it and puts the map back on PCA.
    choose_method(&mut h, 0, "PCA", "t-SNE");
    run_until(&mut h, 120, "progress of the raw map's t-SNE", |a| {
        a.state.embedded(MapId::Raw).is_some_and(|e| {
            e.job
                .and_then(|j| a.state.jobs.get(j))
                .is_some_and(|j| matches!(j.progress, Some(Progress::Share(s)) if s > 0.0))
        })
    });
    let share = share_reported(&h, MapId::Raw).unwrap();
    assert!(share > 0.0 && share < 1.0, "{share}");
    h.get_by_label("PCA map shown until it is done.");
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    let state = &h.state().state;
    assert_eq!(state.view.map_methods[MapId::Raw as usize], MapMethod::Pca);
    assert!(state.embedded(MapId::Raw).is_none());
    assert!(state.shown_layer(MapId::Raw).unwrap().is_linear());
    run_until(&mut h, 60, "the cancelled run to end", settled);
    assert!(no_errors_shown(&h));
    assert!(matches!(
        h.state().state.embedded(MapId::Code).map(|e| &e.layer),
        Some(Derived::Ready(_))
    ));
}

#[test]
fn log_mel_patches_are_spectrograms_and_export_as_png() {
    let Some(dir) = gtzan_dir() else { return };
    let model =
        std::path::PathBuf::from(common::cli::shipped("gtzan-mini-logmel-dsae.safetensors"));
    let mut h = window_with(dir, model, false);
    pick_quietly(&mut h, 3, Some(200));
    run_until(&mut h, 60, "A, B and the path", |a| {
        a.state.trace().is_some_and(|t| t.current.is_some()) && a.state.is_idle()
    });
    // A's input and its reconstruction side by side, on one dB scale with its legend.
    h.get_by_label("A input");
    h.get_by_label("reconstruction");
    assert!(h.query_all_by_label_contains("decoded, t = ").count() >= 1);

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("maps");
    h.state_mut().apply(Command::UsePath {
        target: FileTarget::MapsFolder,
        path: out.clone(),
    });
    // (The maps' own PNGs are cut from a screenshot, which needs a real window: the
    // screenshot tests do that under Xvfb.)
    run_until(&mut h, 60, "the spectrograms written", |_| {
        out.join("spectrogram-path-step.png").exists()
    });
    // 38 frames by 64 mel bands, each 4 pixels; quiet and loud parts in other colours.
    let a = image::open(out.join("spectrogram-a-input.png"))
        .unwrap()
        .to_rgb8();
    assert_eq!(a.dimensions(), (38 * 4, 64 * 4));
    let colours: std::collections::BTreeSet<[u8; 3]> = a.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 50, "{} colours", colours.len());
    for name in ["spectrogram-a-reconstruction", "spectrogram-b-input"] {
        let img = image::open(out.join(format!("{name}.png"))).unwrap();
        assert_eq!((img.width(), img.height()), (152, 256), "{name}");
    }
}

#[test]
fn a_waveform_clip_shows_its_original_audio_as_a_spectrogram() {
    let Some(dir) = gtzan_dir() else { return };
    let model = std::path::PathBuf::from(common::cli::shipped("gtzan-mini-dsae.safetensors"));
    let mut h = window_with(dir, model, false);
    pick_quietly(&mut h, 3, None);
    run_until(&mut h, 60, "A's spectrogram", |a| {
        a.state
            .data
            .as_ref()
            .and_then(|d| d.original_spectrogram.as_ref())
            .is_some_and(|(clip, s)| *clip == 3 && s.ready().is_some())
    });
    h.get_by_label("A's original audio (log-mel)");
    let db = {
        let data = h.state().state.data.as_ref().unwrap();
        data.original_spectrogram
            .as_ref()
            .unwrap()
            .1
            .ready()
            .unwrap()
            .clone()
    };
    // 38 frames of 64 bands in dB, below full scale, and not one flat colour.
    assert_eq!(db.len(), 64 * 38);
    assert!(db.iter().all(|v| v.is_finite() && *v <= 60.0));
    let (lo, hi) = db
        .iter()
        .fold((f32::MAX, f32::MIN), |(l, h), &v| (l.min(v), h.max(v)));
    assert!(hi - lo > 20.0, "{lo} .. {hi} dB");

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("maps");
    h.state_mut().apply(Command::UsePath {
        target: FileTarget::MapsFolder,
        path: out.clone(),
    });
    run_until(&mut h, 60, "the spectrogram written", |_| {
        out.join("spectrogram-a-original.png").exists()
    });
    let img = image::open(out.join("spectrogram-a-original.png")).unwrap();
    assert_eq!((img.width(), img.height()), (152, 256));
}

#[test]
fn a_raw_map_by_t_sne_still_arrives_when_a_model_is_opened_meanwhile() {
    let Some(dir) = gtzan_dir() else { return };
    let model = std::path::PathBuf::from(common::cli::shipped("gtzan-mini-dsae.safetensors"));
    let mut h = window_with(dir, model.clone(), false);
    let first_model = h.state().state.model().unwrap().id;
    choose_method(&mut h, 0, "PCA", "t-SNE");
    assert!(h.state().state.embedded(MapId::Raw).unwrap().job.is_some());
    // The raw map is the data's alone: a model opened while it runs (the same file again: a
    // new model all the same) does not make its t-SNE stale.
    h.state_mut().apply(Command::LoadModel(model));
    run_until(&mut h, 60, "the new model", |a| {
        a.state.model().is_some_and(|m| m.id != first_model)
    });
    assert!(
        h.state().state.embedded(MapId::Raw).unwrap().job.is_some(),
        "the raw t-SNE is still running when the new model arrives (else this test shows nothing)"
    );
    run_until(
        &mut h,
        240,
        "the new model's maps and the raw t-SNE map",
        |a| {
            projected(a)
                && a.state.model().is_some_and(|m| m.id != first_model)
                && a.state
                    .embedded(MapId::Raw)
                    .is_some_and(|e| e.job.is_none())
        },
    );
    let state = &h.state().state;
    assert!(
        matches!(
            state.embedded(MapId::Raw).map(|e| &e.layer),
            Some(Derived::Ready(_))
        ),
        "the raw t-SNE map is drawn"
    );
    assert!(!state.shown_layer(MapId::Raw).unwrap().is_linear());
    assert_eq!(state.jobs.stale_dropped, 0);
    assert!(no_errors_shown(&h));
}
