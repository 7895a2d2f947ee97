//! What the pointer did on a map: the clip under it (within [`HOVER_RADIUS`]), a click (with
//! shift or not), and a press or drag when dragging probes or outlines instead of panning.

use egui::Ui;
use egui_plot::{PlotPoint, PlotResponse};

use super::{DragUse, MapDrag, MapInput, MapScene};

/// Pointer distance (in points) within which a marker counts as hovered.
const HOVER_RADIUS: f32 = 8.0;

/// The pointer's doings on the plot just drawn; `visible` says which clips are shown.
pub(super) fn pointer_input(
    ui: &Ui,
    scene: &MapScene,
    response: &PlotResponse<()>,
    visible: &dyn Fn(usize) -> bool,
) -> MapInput {
    let points = &scene.layer.projection.points;
    let transform = &response.transform;
    let drag = drag_of(&response.response, transform, scene.drag);

    let Some(pointer) = response.response.hover_pos() else {
        return MapInput {
            drag,
            ..MapInput::default()
        };
    };
    let hovered = points
        .iter()
        .enumerate()
        .filter(|&(i, _)| visible(i))
        .map(|(i, p)| {
            let at = transform.position_from_point(&PlotPoint::new(p[0], p[1]));
            (i, at.distance(pointer))
        })
        .filter(|&(_, d)| d <= HOVER_RADIUS)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    let picks = scene.drag != DragUse::Probe;
    let clicked = hovered
        .filter(|_| picks && response.response.clicked())
        .map(|i| {
            // The release event carries the modifiers of the click itself.
            let shift = ui.input(|input| {
                let released_with_shift = |e: &egui::Event| match e {
                    egui::Event::PointerButton {
                        pressed: false,
                        modifiers,
                        ..
                    } => modifiers.shift,
                    _ => false,
                };
                input.modifiers.shift || input.events.iter().any(released_with_shift)
            });
            (i, shift)
        });
    if let (Some(i), Some(tooltip)) = (hovered, scene.tooltip) {
        response
            .response
            .clone()
            .on_hover_ui_at_pointer(|ui| tooltip(ui, i));
    }
    MapInput {
        over: true,
        hovered,
        clicked,
        drag,
    }
}

/// A press, a move while pressed, or the release, when dragging probes or outlines. For the
/// probe a press that does not move (a click) counts as a press and its release.
fn drag_of(
    response: &egui::Response,
    transform: &egui_plot::PlotTransform,
    use_: DragUse,
) -> Option<MapDrag> {
    if use_ == DragUse::Pan {
        return None;
    }
    let at = |pos: egui::Pos2| {
        let p = transform.value_from_position(pos);
        [p.x, p.y]
    };
    let pos = response.interact_pointer_pos().or(response.hover_pos())?;
    // A click probes where it lands; with a box or lasso it picks a clip as in pan mode.
    if response.clicked() {
        return (use_ == DragUse::Probe).then(|| MapDrag {
            xy: at(pos),
            start: true,
            done: true,
        });
    }
    let start = response.drag_started();
    let done = response.drag_stopped();
    let moved = response.dragged() && response.drag_delta() != egui::Vec2::ZERO;
    // A drag is recognised only once the pointer has moved a little: it starts where the
    // button went down.
    let pos = match start {
        true => response
            .ctx
            .input(|i| i.pointer.press_origin())
            .unwrap_or(pos),
        false => pos,
    };
    (start || done || moved).then(|| MapDrag {
        xy: at(pos),
        start,
        done,
    })
}
