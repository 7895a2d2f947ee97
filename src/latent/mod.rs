//! Instruments for the latent space, beyond the paper's interpolation (its future work asks to
//! "interpolate components in our encodings to interpret the latent space" and for "musical
//! style transfer"): the code under any point of the bottleneck map, a code walked along the
//! map's principal components, a code moved toward a genre, the nearest clips in any space, where
//! a new file lands on the maps, and the clips inside a drawn region. Pure: the window and the
//! command line both use these.

pub mod audible;
pub mod interpolate;
pub mod neighbours;
pub mod place;
pub mod region;
pub mod underneath;
pub mod walk;

pub use neighbours::{
    check_neighbour_count, nearest, track_means, Space, TooManyNeighbours, DEFAULT_NEIGHBOURS,
};
pub use place::{place, MapsOfData, PlaceError, PlacedSegment, Placement, MAX_PLACED_SEGMENTS};
pub use region::inside;
pub use underneath::{underneath, Underneath, UnderneathError};
pub use walk::{
    alphas, centroids, genre_centroids, probe_code, steer, steer_path, walk, walk_path,
    GenreCentroids, OffPlane, MAX_ALPHA, MAX_SIGMA, PATH_POINTS,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_is_exact_and_ordered() {
        let rows = [0.0, 0.0, 3.0, 4.0, 1.0, 0.0, 0.0, 2.0];
        assert_eq!(
            nearest(&rows, 2, &[0.0, 0.0], 2, Some(0)),
            vec![(2, 1.0), (3, 2.0)]
        );
        assert_eq!(nearest(&rows, 2, &[0.0, 0.0], 10, None).len(), 4);
    }

    #[test]
    fn polygons_hold_what_is_inside() {
        let square = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        let points = [[1.0, 1.0], [3.0, 1.0], [1.9, 0.1], [-0.1, 1.0]];
        assert_eq!(inside(&points, &square), vec![0, 2]);
    }

    #[test]
    fn steering_and_centroids() {
        let codes = [0.0, 0.0, 2.0, 0.0, 10.0, 10.0];
        let c = centroids(&codes, 2, &[0, 0, 1], 3);
        assert_eq!(c[0].as_deref(), Some(&[1.0, 0.0][..]));
        assert_eq!(c[2], None);
        let moved = steer(
            &[1.0, 1.0],
            c[0].as_ref().unwrap(),
            c[1].as_ref().unwrap(),
            0.5,
        );
        assert_eq!(moved, vec![5.5, 6.0]);
    }
}
