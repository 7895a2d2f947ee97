//! The marks drawn over a map's points: the selection and neighbour rings, a placed song, the
//! probe's stroke, an outline being drawn, the decoder's path, A and B, the current point and
//! the hovered clip.

use egui::{Color32, RichText};
use egui_plot::{PlotPoint, PlotUi, Points};

use super::MapScene;
use crate::app::theme::HIGHLIGHT;

/// Colour of the interpolation path, its ends and its current point.
pub const PATH_COLOR: Color32 = Color32::from_rgb(255, 230, 90);
/// Ring around the clips that sound like A.
const NEIGHBOUR_COLOR: Color32 = Color32::from_rgb(120, 220, 255);
/// A direction of the space that a descriptor follows.
pub const DIRECTION_COLOR: Color32 = Color32::from_rgb(255, 140, 220);
/// Markers of a placed song's segments.
const PLACED_COLOR: Color32 = Color32::WHITE;

/// Draws the scene's marks; `selected`, `neighbours` and `focus` are their clips' points.
pub(super) fn draw_marks(
    plot_ui: &mut PlotUi,
    scene: &MapScene,
    points: &[[f64; 2]],
    selected: Vec<[f64; 2]>,
    neighbours: Vec<[f64; 2]>,
    focus: Vec<[f64; 2]>,
) {
    if !selected.is_empty() {
        plot_ui.points(
            Points::new("selection", selected)
                .color(HIGHLIGHT)
                .filled(false)
                .radius(5.0)
                .allow_hover(false),
        );
    }
    if !neighbours.is_empty() {
        plot_ui.points(
            Points::new("sounds like A", neighbours)
                .color(NEIGHBOUR_COLOR)
                .filled(false)
                .radius(6.0)
                .allow_hover(false),
        );
    }
    if !scene.marks.placed.is_empty() {
        if scene.marks.placed.len() >= 2 {
            plot_ui.line(
                egui_plot::Line::new(
                    "placed song",
                    egui_plot::PlotPoints::from(scene.marks.placed.clone()),
                )
                .color(PLACED_COLOR.gamma_multiply(0.35))
                .width(1.0)
                .allow_hover(false),
            );
        }
        plot_ui.points(
            Points::new("placed song", scene.marks.placed.clone())
                .color(PLACED_COLOR)
                .shape(egui_plot::MarkerShape::Asterisk)
                .radius(6.0)
                .allow_hover(false),
        );
    }
    if scene.marks.stroke.len() >= 2 {
        plot_ui.line(
            egui_plot::Line::new(
                "probe stroke",
                egui_plot::PlotPoints::from(scene.marks.stroke.to_vec()),
            )
            .color(PATH_COLOR.gamma_multiply(0.6))
            .width(1.5)
            .allow_hover(false),
        );
    }
    if let Some(outline) = scene.marks.outline.filter(|o| o.len() >= 2) {
        let mut closed = outline.to_vec();
        closed.push(outline[0]);
        plot_ui.line(
            egui_plot::Line::new("outline", egui_plot::PlotPoints::from(closed))
                .color(HIGHLIGHT)
                .width(1.5)
                .style(egui_plot::LineStyle::dashed_loose())
                .allow_hover(false),
        );
    }
    if let Some((tip, name)) = &scene.marks.direction {
        plot_ui.arrows(
            egui_plot::Arrows::new(name.clone(), vec![[0.0, 0.0]], vec![*tip])
                .color(DIRECTION_COLOR)
                .tip_length(14.0)
                .allow_hover(false),
        );
        plot_ui.text(
            egui_plot::Text::new(
                "direction",
                PlotPoint::new(tip[0], tip[1]),
                RichText::new(name).strong().color(DIRECTION_COLOR),
            )
            .anchor(egui::Align2::LEFT_BOTTOM)
            .allow_hover(false),
        );
    }
    if scene.marks.path.len() >= 2 {
        plot_ui.line(
            egui_plot::Line::new(
                "path",
                egui_plot::PlotPoints::from(scene.marks.path.to_vec()),
            )
            .color(PATH_COLOR)
            .width(2.0)
            .allow_hover(false),
        );
    }
    for (label, index) in [("A", scene.marks.a), ("B", scene.marks.b)] {
        let Some(p) = index.and_then(|i| points.get(i)) else {
            continue;
        };
        plot_ui.points(
            Points::new(label, vec![*p])
                .color(PATH_COLOR)
                .filled(false)
                .radius(9.0)
                .allow_hover(false),
        );
        plot_ui.text(
            egui_plot::Text::new(
                label,
                PlotPoint::new(p[0], p[1]),
                RichText::new(label).strong().size(15.0).color(PATH_COLOR),
            )
            .color(PATH_COLOR)
            .anchor(egui::Align2::LEFT_BOTTOM)
            .allow_hover(false),
        );
    }
    if let Some(p) = scene.marks.current {
        plot_ui.points(
            Points::new("t", vec![p])
                .color(PATH_COLOR)
                .shape(egui_plot::MarkerShape::Asterisk)
                .radius(9.0)
                .allow_hover(false),
        );
    }
    if !focus.is_empty() {
        plot_ui.points(
            Points::new("focus", focus)
                .color(HIGHLIGHT)
                .filled(false)
                .radius(7.0)
                .allow_hover(false),
        );
    }
}
