//! Large maps drawn as density images: when more points lie in view than markers can be drawn in
//! a frame, the view is binned into an image, each bin the count-weighted mix of its points'
//! colours, more opaque where more points fall. The image is made again only when the view, the
//! data or what is shown changes; hover and click still use the exact points.

use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::PlotBounds;
use rayon::prelude::*;

/// Above this many points in view a map is drawn as a density image.
pub const DENSITY_ABOVE: usize = 20_000;

/// What a density image is made of: the points, each one's colour (None: hidden), the view.
pub struct DensityInput<'a> {
    pub points: &'a [[f64; 2]],
    pub color_of: &'a (dyn Fn(usize) -> Option<Color32> + Sync),
    pub bounds: PlotBounds,
    /// Bins across and down.
    pub size: [usize; 2],
}

/// Bins the points in view into an image of `size` bins.
pub fn density_image(input: &DensityInput) -> ColorImage {
    let [w, h] = input.size;
    let (min, max) = (input.bounds.min(), input.bounds.max());
    let (sx, sy) = (
        w as f64 / (max[0] - min[0]).max(1e-12),
        h as f64 / (max[1] - min[1]).max(1e-12),
    );
    // Per bin: how many points, and the sum of their colours; chunks of points in parallel.
    let bin_chunk = |(start, chunk): (usize, &[[f64; 2]])| {
        let mut count = vec![0u32; w * h];
        let mut rgb = vec![[0u32; 3]; w * h];
        for (k, p) in chunk.iter().enumerate() {
            let (x, y) = ((p[0] - min[0]) * sx, (max[1] - p[1]) * sy);
            if !(x >= 0.0 && y >= 0.0 && x < w as f64 && y < h as f64) {
                continue;
            }
            let Some(color) = (input.color_of)(start + k) else {
                continue;
            };
            let bin = y as usize * w + x as usize;
            count[bin] += 1;
            for (acc, c) in rgb[bin].iter_mut().zip([color.r(), color.g(), color.b()]) {
                *acc += u32::from(c);
            }
        }
        (count, rgb)
    };
    const CHUNK: usize = 1 << 18;
    let (count, rgb) = input
        .points
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(k, chunk)| (k * CHUNK, chunk))
        .map(bin_chunk)
        .reduce(
            || (vec![0u32; w * h], vec![[0u32; 3]; w * h]),
            |(mut count, mut rgb), (c2, r2)| {
                for (a, b) in count.iter_mut().zip(c2) {
                    *a += b;
                }
                for (a, b) in rgb.iter_mut().zip(r2) {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                }
                (count, rgb)
            },
        );
    let densest = count.iter().copied().max().unwrap_or(0).max(1);
    let scale = (1.0 + f64::from(densest)).ln();
    let pixels = count
        .iter()
        .zip(&rgb)
        .map(|(&n, sum)| {
            if n == 0 {
                return Color32::TRANSPARENT;
            }
            let alpha = 0.35 + 0.65 * (1.0 + f64::from(n)).ln() / scale;
            let [r, g, b] = sum.map(|c| (c / n) as u8);
            Color32::from_rgba_unmultiplied(r, g, b, (alpha * 255.0) as u8)
        })
        .collect();
    ColorImage::new([w, h], pixels)
}

/// The density texture for a map, made again only when `key` (view, data, what is shown)
/// changes.
pub fn density_texture(
    ctx: &egui::Context,
    id: egui::Id,
    key: u64,
    make: impl FnOnce() -> ColorImage,
) -> TextureHandle {
    let cached: Option<(u64, TextureHandle)> = ctx.data(|d| d.get_temp(id));
    if let Some((_, texture)) = cached.filter(|(k, _)| *k == key) {
        return texture;
    }
    let texture = ctx.load_texture("map-density", make(), TextureOptions::NEAREST);
    ctx.data_mut(|d| d.insert_temp(id, (key, texture.clone())));
    texture
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_mix_the_colours_of_their_points_and_skip_the_hidden() {
        let points = [[0.1, 0.9], [0.1, 0.9], [0.1, 0.9], [0.9, 0.1], [0.5, 0.5]];
        let colors = [
            Color32::RED,
            Color32::RED,
            Color32::BLUE,
            Color32::GREEN,
            Color32::WHITE,
        ];
        let color_of = |i: usize| (i != 4).then_some(colors[i]);
        let image = density_image(&DensityInput {
            points: &points,
            color_of: &color_of,
            bounds: PlotBounds::from_min_max([0.0, 0.0], [1.0, 1.0]),
            size: [2, 2],
        });
        // Top-left holds two red and one blue point; bottom-right one green; the hidden white
        // point leaves the others alone.
        let top_left = image.pixels[0].to_srgba_unmultiplied();
        assert_eq!(&top_left[..3], &[170, 0, 85]);
        assert_eq!(top_left[3], 255, "the densest bin is opaque");
        let bottom_right = image.pixels[3].to_srgba_unmultiplied();
        assert_eq!(&bottom_right[..3], &[0, 255, 0]);
        assert!(bottom_right[3] < 255);
        assert_eq!(image.pixels[1], Color32::TRANSPARENT);
    }
}
