//! Log-mel vectors drawn as what they are, an image (time across, mel band up, a dB colour
//! scale with its legend), instead of a line of 2,432 values: A's input and its
//! reconstruction, B, the current step of a path. The image and its scale are plain data,
//! tested without a window; the widgets only show them.

use egui::{Color32, ColorImage, RichText, TextureHandle, TextureOptions, Ui};

/// A log-mel patch: `frames` frames of `n_mels` values each, in dB (the vector's own layout).
#[derive(Debug, Clone, Copy)]
pub struct Patch<'a> {
    pub db: &'a [f32],
    pub n_mels: usize,
}

impl<'a> Patch<'a> {
    /// `None` when `db` is not whole frames of `n_mels`.
    pub fn new(db: &'a [f32], n_mels: usize) -> Option<Self> {
        (n_mels > 0 && !db.is_empty() && db.len().is_multiple_of(n_mels))
            .then_some(Self { db, n_mels })
    }

    pub fn frames(&self) -> usize {
        self.db.len() / self.n_mels
    }
}

/// The dB range the colours span, shared by the images shown together so they compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbScale {
    pub low_db: f32,
    pub high_db: f32,
}

impl DbScale {
    /// From the loudest value of the patches down 80 dB (or to their quietest, if nearer).
    pub fn of(patches: &[Patch]) -> Self {
        let values = patches
            .iter()
            .flat_map(|p| p.db.iter().copied())
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
        if !(lo.is_finite() && hi.is_finite()) {
            return Self {
                low_db: -80.0,
                high_db: 0.0,
            };
        }
        let low = lo.max(hi - 80.0);
        Self {
            low_db: low,
            high_db: hi.max(low + 1.0),
        }
    }

    /// A value's colour: magma, dark for quiet, pale for loud.
    pub fn colour(&self, db: f32) -> Color32 {
        let t = if db.is_finite() {
            f64::from((db - self.low_db) / (self.high_db - self.low_db)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let c = colorous::MAGMA.eval_continuous(t);
        Color32::from_rgb(c.r, c.g, c.b)
    }
}

/// The patch as an image: one column per frame, one row per band, the lowest band at the bottom.
pub fn image(patch: Patch, scale: DbScale) -> ColorImage {
    let (width, height) = (patch.frames(), patch.n_mels);
    let mut pixels = Vec::with_capacity(width * height);
    for row in 0..height {
        let band = height - 1 - row;
        for frame in 0..width {
            pixels.push(scale.colour(patch.db[frame * patch.n_mels + band]));
        }
    }
    ColorImage::new([width, height], pixels)
}

/// The image as an RGB PNG's pixels, each frame and band `zoom` pixels wide.
pub fn png_pixels(patch: Patch, scale: DbScale, zoom: u32) -> image::RgbImage {
    let img = image(patch, scale);
    let [w, h] = img.size;
    image::RgbImage::from_fn(w as u32 * zoom, h as u32 * zoom, |x, y| {
        let c = img.pixels[(y / zoom) as usize * w + (x / zoom) as usize];
        image::Rgb([c.r(), c.g(), c.b()])
    })
}

/// Draws `patch` with its title at `size`, from a texture kept in the window's memory in
/// `slot` (one per place a spectrogram is drawn) with the content it shows: made again only
/// when the values change, and the old one let go (a slider's steps do not pile up textures).
pub fn show(ui: &mut Ui, slot: &str, title: &str, patch: Patch, scale: DbScale, size: egui::Vec2) {
    let content = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        patch.n_mels.hash(&mut h);
        for v in patch.db {
            v.to_bits().hash(&mut h);
        }
        scale.low_db.to_bits().hash(&mut h);
        scale.high_db.to_bits().hash(&mut h);
        h.finish()
    };
    let key = egui::Id::unique(("spectrogram", slot));
    let kept = ui
        .ctx()
        .memory_mut(|m| m.data.get_temp::<(u64, TextureHandle)>(key))
        .filter(|(c, _)| *c == content);
    let texture: TextureHandle = match kept {
        Some((_, t)) => t,
        None => {
            let t = ui.ctx().load_texture(
                format!("spectrogram-{slot}"),
                image(patch, scale),
                TextureOptions::NEAREST,
            );
            ui.ctx()
                .memory_mut(|m| m.data.insert_temp(key, (content, t.clone())));
            t
        }
    };
    ui.vertical(|ui| {
        ui.label(RichText::new(title).small());
        ui.add(egui::Image::new((texture.id(), size)))
            .on_hover_text(format!(
                "{title}: {} frames × {} mel bands; time →, pitch ↑",
                patch.frames(),
                patch.n_mels
            ));
    });
}

/// The colour scale's legend: a bar from quiet to loud with its ends in dB.
pub fn legend(ui: &mut Ui, scale: DbScale) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("{:.0} dB", scale.low_db)).small());
        let (rect, _) = ui.allocate_exact_size(egui::vec2(90.0, 10.0), egui::Sense::hover());
        let steps = 30;
        for k in 0..steps {
            let x0 = rect.left() + rect.width() * k as f32 / steps as f32;
            let x1 = rect.left() + rect.width() * (k + 1) as f32 / steps as f32;
            let db =
                scale.low_db + (scale.high_db - scale.low_db) * (k as f32 + 0.5) / steps as f32;
            ui.painter().rect_filled(
                egui::Rect::from_x_y_ranges(x0..=x1, rect.y_range()),
                0.0,
                scale.colour(db),
            );
        }
        ui.label(RichText::new(format!("{:.0} dB", scale.high_db)).small());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_runs_across_and_the_lowest_band_sits_at_the_bottom() {
        // 3 frames of 2 bands: band 0 loud only in frame 2.
        let db = [-80.0, -80.0, -80.0, -80.0, 0.0, -80.0];
        let patch = Patch::new(&db, 2).unwrap();
        let scale = DbScale::of(&[patch]);
        assert_eq!((scale.low_db, scale.high_db), (-80.0, 0.0));
        let img = image(patch, scale);
        assert_eq!(img.size, [3, 2]);
        let loud = scale.colour(0.0);
        // Bottom row (band 0), last column (frame 2).
        assert_eq!(img.pixels[3 + 2], loud);
        assert!(img.pixels.iter().filter(|&&c| c == loud).count() == 1);
        assert!(Patch::new(&db[..5], 2).is_none());
        let png = png_pixels(patch, scale, 4);
        assert_eq!(png.dimensions(), (12, 8));
    }

    #[test]
    fn the_scale_spans_80_db_below_the_loudest_and_is_ordered() {
        let db: Vec<f32> = (0..200).map(|k| -150.0 + k as f32).collect();
        let scale = DbScale::of(&[Patch::new(&db, 10).unwrap()]);
        assert_eq!((scale.low_db, scale.high_db), (-31.0, 49.0));
        let lum = |c: Color32| u32::from(c.r()) + u32::from(c.g()) + u32::from(c.b());
        assert!(lum(scale.colour(-100.0)) < lum(scale.colour(0.0)));
        assert!(lum(scale.colour(0.0)) < lum(scale.colour(49.0)));
        assert_eq!(scale.colour(f32::NAN), scale.colour(-1e9));
    }
}
