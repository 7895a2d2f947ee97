//! A map's clips gathered into one point per track, for the maps' *tracks* view: each track sits
//! at the mean of its clips' positions. The maps are linear projections, so that is exactly
//! where the mean of the track's codes lands: no second fit, and the axes stay the clips' own.

use crate::dataset::Dataset;

use super::layers::MapLayer;
use super::model::confidence_shade;

/// One map's tracks, with what drawing and picking them needs.
pub struct TrackPoints {
    pub layer: MapLayer,
    /// Each track's genre: the one most of its clips have (their label, or a library's
    /// predicted genre).
    pub labels: Vec<u32>,
    /// How many of its clips agree on that genre, as a shade.
    pub shades: Vec<u8>,
    /// Each track's middle clip: what hovering or clicking the track stands for.
    pub middle: Vec<usize>,
    /// Where each of the dataset's tracks is among the gathered points.
    of_track: Vec<Option<usize>>,
}

impl TrackPoints {
    /// Gathers `layer`'s points (one per clip of `ds`) by track; `labels` is each clip's genre
    /// among `genres` genres. Tracks without a clip on the map are left out.
    pub fn gather(layer: &MapLayer, ds: &Dataset, labels: &[u32], genres: usize) -> Self {
        let clips = &layer.projection.points;
        let mut points = Vec::with_capacity(ds.tracks.len());
        let mut track_labels = Vec::with_capacity(ds.tracks.len());
        let mut shades = Vec::with_capacity(ds.tracks.len());
        let mut middle = Vec::with_capacity(ds.tracks.len());
        let mut votes = vec![0usize; genres.max(1)];
        let mut of_track = vec![None; ds.tracks.len()];
        for (t, at) in of_track.iter_mut().enumerate() {
            let range = ds.track_segments(t);
            let range = range.start.min(clips.len())..range.end.min(clips.len());
            if range.is_empty() {
                continue;
            }
            let n = range.len() as f64;
            let (mut x, mut y) = (0.0, 0.0);
            votes.iter_mut().for_each(|v| *v = 0);
            for i in range.clone() {
                x += clips[i][0];
                y += clips[i][1];
                if let Some(v) = labels.get(i).and_then(|&g| votes.get_mut(g as usize)) {
                    *v += 1;
                }
            }
            let (genre, count) = votes
                .iter()
                .enumerate()
                .max_by_key(|&(g, &c)| (c, std::cmp::Reverse(g)))
                .map_or((0, 0), |(g, &c)| (g, c));
            *at = Some(points.len());
            points.push([x / n, y / n]);
            track_labels.push(genre as u32);
            shades.push(confidence_shade(count as f32 / n as f32));
            middle.push(range.start + range.len() / 2);
        }
        let mut projection = layer.projection.clone();
        projection.points = points;
        Self {
            // The clips' view: switching between clips and tracks does not move the map.
            layer: MapLayer {
                projection,
                bounds: layer.bounds,
                method: layer.method,
            },
            labels: track_labels,
            shades,
            middle,
            of_track,
        }
    }

    /// The gathered point that clip `i` of `ds` belongs to.
    pub fn point_of_clip(&self, ds: &Dataset, i: usize) -> Option<usize> {
        *self.of_track.get(ds.segments.get(i)?.track)?
    }
}
