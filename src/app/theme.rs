//! Genre colours and split marker shapes, shared by every map and table.

use egui::Color32;
use egui_plot::MarkerShape;

use crate::dataset::Split;

/// Tableau 10: distinct for all ten GTZAN genres, and readable on the dark theme.
const PALETTE: [Color32; 10] = [
    Color32::from_rgb(78, 121, 167),
    Color32::from_rgb(242, 142, 43),
    Color32::from_rgb(225, 87, 89),
    Color32::from_rgb(118, 183, 178),
    Color32::from_rgb(89, 161, 79),
    Color32::from_rgb(237, 201, 72),
    Color32::from_rgb(176, 122, 161),
    Color32::from_rgb(255, 157, 167),
    Color32::from_rgb(156, 117, 95),
    Color32::from_rgb(186, 176, 172),
];

pub fn genre_color(genre: usize) -> Color32 {
    PALETTE[genre % PALETTE.len()]
}

pub fn split_shape(split: Option<Split>) -> MarkerShape {
    match split {
        None | Some(Split::Train) => MarkerShape::Circle,
        Some(Split::Dev) => MarkerShape::Square,
        Some(Split::Test) => MarkerShape::Diamond,
        Some(Split::Excluded) => MarkerShape::Cross,
    }
}

/// How a split's marker looks, for the legend.
pub fn split_symbol(split: Split) -> &'static str {
    match split {
        Split::Train => "●",
        Split::Dev => "■",
        Split::Test => "◆",
        Split::Excluded => "✕",
    }
}

pub const HIGHLIGHT: Color32 = Color32::from_rgb(255, 255, 255);

/// Adds the bundled Hack font as a fallback for proportional text: it draws the geometric
/// symbols (● ■ ◆ ○ →) the legend and markers use, which Ubuntu-Light lacks.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional) {
        family.push("Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}
