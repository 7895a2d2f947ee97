//! Why a clip lands where it does, in the window: the maps coloured by an audio descriptor with
//! its scale, the descriptors on the hover card, the Explain tab's heatmap whose cell colours
//! the maps and draws its direction, and the descriptors of the decoded audio along a path.

mod common;

use common::ui::*;
use common::*;
use egui_kittest::kittest::Queryable;
use genrescope::analysis::explain::Axis;
use genrescope::app::events::Command;
use genrescope::app::state::{ColorBy, Derived, Tab};
use genrescope::dataset::Descriptor;

#[test]
fn descriptors_colour_the_maps_explain_the_directions_and_follow_a_path() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    make_dataset(&data, None, &["low", "mid", "high"], 3, 3.0);
    let model = tmp.path().join("m.safetensors");
    train_small_model(&data, &model, 40);
    let mut h = window_with(data, model, false);

    // Colour by brightness: the legend's scale says where it goes, in hertz.
    choose_colour(&mut h, "brightness (centroid)");
    assert_eq!(
        h.state().state.view.color_by,
        ColorBy::Descriptor(Descriptor::CentroidHz)
    );
    let scale = h
        .state()
        .state
        .data
        .as_ref()
        .unwrap()
        .descriptor_scale(Descriptor::CentroidHz)
        .cloned()
        .unwrap();
    // The clips are tones from 110 to 330 Hz (and their harmonics): so is the scale.
    assert!(
        scale.low > 100.0 && scale.high < 1_500.0,
        "{} - {} Hz",
        scale.low,
        scale.high
    );
    h.get_by_label(&Descriptor::CentroidHz.format(scale.low));
    // The hover card names the clip's descriptors.
    let (_, pos) = visible_point(&h, "map-raw", 0..27);
    h.hover_at(pos);
    h.run_steps(3);
    assert!(h
        .query_by_label_contains("brightness (centroid) ")
        .is_some());

    // The Explain tab measures the spaces on a worker, then shows them.
    h.get_by_label("Explain").click();
    h.run_steps(2);
    run_until(&mut h, 120, "the spaces measured", |a| {
        a.state
            .model()
            .is_some_and(|m| matches!(m.explanation, Some(Derived::Ready(_))))
    });
    h.get_by_label("Each space on an extrinsic task");
    h.get_by_label("What each direction follows");
    let rho = match &h.state().state.model().unwrap().explanation {
        Some(Derived::Ready(e)) => e.correlation(Axis::Pc(0), Descriptor::RmsDbfs).unwrap(),
        _ => unreachable!(),
    };
    // A cell colours the maps by its descriptor and draws its direction on the bottleneck map.
    h.get_by_label("pc1 × rms_dbfs").click();
    h.run_steps(3);
    let state = &h.state().state;
    assert_eq!(state.view.tab, Tab::Maps);
    assert_eq!(
        state.view.color_by,
        ColorBy::Descriptor(Descriptor::RmsDbfs)
    );
    assert_eq!(state.results().unwrap().direction, Some((Axis::Pc(0), rho)));
    h.get_by_label(&format!("→ pc1 follows level (ρ = {rho:+.2})"));

    // Along a path, the decoded audio's descriptors, in words and in a plot.
    pick_quietly(&mut h, 0, Some(26));
    h.state_mut().apply(Command::SetT {
        t: 0.5,
        held: false,
    });
    run_until(&mut h, 60, "the path decoded and described", |a| {
        a.state.decoder.request.is_none()
            && a.state.trace().is_some_and(|t| {
                !t.path.is_empty() && t.path.iter().all(|s| s.descriptors.is_some())
            })
    });
    let trace = h.state().state.trace().unwrap().clone();
    let first = trace.path[0].descriptors.unwrap().centroid_hz;
    let last = trace.path.last().unwrap().descriptors.unwrap().centroid_hz;
    let verb = if (last - first).abs() <= 0.05 * (last - first).abs().max(f32::EPSILON) {
        "stays about"
    } else if last > first {
        "rises"
    } else {
        "falls"
    };
    h.get_by_label_contains(&format!("brightness (centroid) {verb}"));
    h.get_by_label_contains("as t goes from 0.00 to 1.00");
    // Another descriptor through its menu.
    h.get_by_label("decoded audio's").click();
    h.run_steps(2);
    h.get_by_label("zero-crossing rate").click();
    h.run_steps(2);
    assert_eq!(h.state().state.instruments.path_descriptor, Descriptor::Zcr);
    h.get_by_label_contains("zero-crossing rate ");
}
