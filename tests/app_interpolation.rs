//! Picking A and B and moving the slider: the decoded point, the genre bars and the path follow.

mod common;

use common::ui::*;
use common::*;
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use genrescope::app::events::Command;
use genrescope::app::state::ColorBy;

#[test]
fn picking_a_and_b_and_moving_t_moves_the_decoded_point_and_the_bars() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "mid", "high"], 3, 3.0);
    let model = tmp.path().join("m.safetensors");
    train_small_model(&data, &model, 60);

    let mut h = window_with(data, model, false);
    h.get_by_label_contains("Click a point to hear it");

    // Click = A, shift-click = B, on the bottleneck map (B from another genre).
    let (a, pos_a) = visible_point(&h, "map-code", 0..9);
    click_at(&mut h, pos_a);
    assert_eq!(h.state().state.clip_a(), Some(a));
    h.get_by_label_contains("Pick A (click) and B (shift-click)");
    h.run_steps(2); // picking A grows the panel below the maps: let the layout settle
    let (b, pos_b) = visible_point(&h, "map-code", 18..27);
    h.hover_at(pos_b);
    h.step();
    for pressed in [true, false] {
        h.event_modifiers(
            egui::Event::PointerButton {
                pos: pos_b,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::SHIFT,
            },
            egui::Modifiers::SHIFT,
        );
    }
    h.step();
    assert_eq!(
        h.state().state.picks().b,
        Some(b),
        "selected {:?}, hovered {:?}",
        h.state().state.clip_a(),
        h.state().state.hovered()
    );
    run_until(&mut h, 30, "the path", |a| {
        !a.state.trace().unwrap().path.is_empty() && a.state.decoder.request.is_none()
    });
    let trace = &h.state().state.trace().unwrap();
    assert_eq!(trace.path.len(), 8);
    assert_eq!(
        trace.path_code_xy.len(),
        8,
        "the path is drawn on the bottleneck map"
    );
    assert_eq!(trace.path_logits_xy.len(), 8, "and on the logits map");
    h.get_by_label("▶ Play path");

    // t = 0 decodes A's code exactly; t = 1 decodes B's.
    let maps = model_maps(&h);
    let code = |i: usize| maps.inference.code[i * 64..(i + 1) * 64].to_vec();
    // The maps keep no reconstructions: the batched pass is run here to compare with.
    let full = {
        let state = &h.state().state;
        let vectors = &state.dataset().expect("data").vectors;
        state
            .model()
            .expect("a model")
            .saved
            .model
            .infer(vectors)
            .unwrap()
    };
    let recon = |i: usize| full.reconstruction.as_ref().unwrap()[i * 500..(i + 1) * 500].to_vec();
    let mut seen = Vec::new();
    for t in [0.0f32, 1.0, 0.5] {
        h.state_mut().apply(Command::SetT { t, held: false });
        run_until(&mut h, 30, "the decoded point", |a| {
            a.state.decoder.request.is_none()
        });
        let current = h.state().state.trace().unwrap().current.clone().unwrap();
        assert_eq!(current.t, t);
        let bars: Vec<String> = h
            .get_all_by_role(Role::ProgressIndicator)
            .filter_map(|n| n.accesskit_node().label())
            .collect();
        assert_eq!(bars.len(), 3, "{bars:?}");
        seen.push((
            current,
            h.state().state.trace().unwrap().current_code_xy.unwrap(),
            bars,
        ));
    }
    let close = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(p, q)| (p - q).abs() < 1e-5);
    let shown = h
        .state()
        .state
        .reconstruction(a)
        .expect("A's reconstruction");
    assert!(
        close(&shown, &recon(a)),
        "A's reconstruction is its code decoded"
    );
    assert!(close(&seen[0].0.code, &code(a)) && close(&seen[0].0.decoded, &recon(a)));
    assert!(close(&seen[1].0.code, &code(b)) && close(&seen[1].0.decoded, &recon(b)));
    assert_ne!(seen[0].1, seen[2].1, "the point moves on the map");
    assert_ne!(
        seen[0].0.probabilities, seen[1].0.probabilities,
        "the probabilities change"
    );
    assert_ne!(
        seen[0].2, seen[1].2,
        "and so do the bars: {:?} vs {:?}",
        seen[0].2, seen[1].2
    );

    // The slider itself drives the same path.
    let slider = h.get_by_role_and_label(Role::Slider, "t");
    slider.set_value_accesskit(0.25);
    run_until(&mut h, 30, "the slider's point", |a| {
        a.state.decoder.request.is_none() && a.state.picks().t == 0.25
    });

    // Colouring by reconstruction error is offered for a model with a decoder.
    choose_colour(&mut h, "reconstruction error");
    assert_eq!(h.state().state.view.color_by, ColorBy::ReconstructionError);
}
