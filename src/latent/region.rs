//! The clips inside a region drawn on a map.

/// The indices of `points` inside the polygon `outline` (ray casting; a box is a polygon of
/// four corners).
pub fn inside(points: &[[f64; 2]], outline: &[[f64; 2]]) -> Vec<usize> {
    if outline.len() < 3 {
        return Vec::new();
    }
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let mut inside = false;
            let mut j = outline.len() - 1;
            for i in 0..outline.len() {
                let (a, b) = (outline[i], outline[j]);
                if (a[1] > p[1]) != (b[1] > p[1])
                    && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
                {
                    inside = !inside;
                }
                j = i;
            }
            inside
        })
        .map(|(i, _)| i)
        .collect()
}
