//! The maps' frame time for `bench`: three maps drawn through the maps panel's public scene,
//! without a window.

use std::collections::BTreeSet;
use std::time::Instant;

use super::bench_data::{median, synthetic};
use crate::app::map_plot::{draw_map, DragUse, MapScene, Marks};
use crate::app::state::MapLayer;
use crate::maps::projection::Projection;

/// CPU time of one frame of `rows` rows of three maps (two in compare mode) with `n` points
/// each: layout plus tessellation, drawn through the maps panel's public scene. With `moving`,
/// every frame shows a new view (as while panning or zooming), so nothing drawn before can be
/// reused.
pub fn maps_frame_secs(n: usize, moving: bool, rows: usize) -> anyhow::Result<f64> {
    let (logits, labels) = synthetic(n, 4, 4, 7);
    let layer = MapLayer::new(Projection::fit(&logits, 4)?);
    let genres: Vec<String> = ["classical", "jazz", "metal", "pop"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let hidden = BTreeSet::new();
    let ctx = egui::Context::default();
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1500.0, 900.0),
        )),
        ..Default::default()
    };
    let mut frames = Vec::new();
    for frame in 0..12 {
        let start = Instant::now();
        let output = ctx.run_ui(input(), |ui| {
            for row in 0..rows {
                ui.columns(3, |columns| {
                    for (k, ui) in columns.iter_mut().enumerate() {
                        let scene = MapScene {
                            id: egui::Id::unique(("bench-map", row, k, moving.then_some(frame))),
                            layer: &layer,
                            genres: &genres,
                            labels: &labels,
                            shades: None,
                            splits: None,
                            levels: None,
                            hidden: &hidden,
                            marks: Marks::default(),
                            drag: DragUse::Pan,
                            tooltip: None,
                            underlay: None,
                        };
                        draw_map(ui, &scene, 700.0 / rows as f32);
                    }
                });
            }
        });
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        frames.push(start.elapsed().as_secs_f64());
    }
    Ok(median(frames[2..].to_vec()))
}
