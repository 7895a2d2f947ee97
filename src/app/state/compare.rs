//! A second model beside the one in use, on the same folder: its own reading of the folder
//! (another input reads it again, from the feature cache when it can), its maps, and the
//! comparison of the two on the clips both read, with each side's clip for the other's.

use std::sync::Arc;

use crate::analysis::compare::Comparison;
use crate::dataset::Dataset;
use crate::latent::audible::Voice;
use crate::maps::ModelMaps;
use crate::model::SavedModel;

use super::layers::{MapId, MapLayer};
use crate::model::shipped::Shipped;
use std::path::PathBuf;

/// Where the second model of a comparison comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum CompareSource {
    File(PathBuf),
    Shipped(Shipped),
}

impl CompareSource {
    pub fn label(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Shipped(s) => s.label(),
        }
    }
}

pub struct CompareView {
    /// Where the second model came from, as the window says it.
    pub source: String,
    pub saved: Arc<SavedModel>,
    pub voice: Arc<Voice>,
    /// Its reading of the folder.
    pub dataset: Arc<Dataset>,
    pub maps: Arc<ModelMaps>,
    /// Its raw input, bottleneck and logits maps (PCA).
    pub layers: [Option<MapLayer>; 3],
    /// The genres its points are coloured by, and each of its clips' one (index into them):
    /// the folder's labels, or in a library (which has none) what the second model predicts.
    pub genres: Vec<String>,
    pub labels: Vec<u32>,
    pub comparison: Comparison,
    /// The first model's clip `i` is the second's `to_second[i]`, and back.
    pub to_second: Vec<Option<u32>>,
    pub to_first: Vec<Option<u32>>,
    /// What the two share and what not, in one sentence.
    pub shared: String,
}

impl CompareView {
    /// The pair lookups both ways from the comparison's pairs.
    pub fn lookups(pairs: &[(usize, usize)], first: usize, second: usize) -> [Vec<Option<u32>>; 2] {
        let mut to_second = vec![None; first];
        let mut to_first = vec![None; second];
        for &(i, j) in pairs {
            if let (Some(a), Some(b)) = (to_second.get_mut(i), to_first.get_mut(j)) {
                *a = Some(j as u32);
                *b = Some(i as u32);
            }
        }
        [to_second, to_first]
    }

    pub fn layer(&self, map: MapId) -> Option<&MapLayer> {
        self.layers[map as usize].as_ref()
    }

    /// The second model's clip for the first's `i`.
    pub fn second_of(&self, i: usize) -> Option<usize> {
        self.to_second.get(i).copied().flatten().map(|j| j as usize)
    }

    /// The first model's clip for the second's `j`.
    pub fn first_of(&self, j: usize) -> Option<usize> {
        self.to_first.get(j).copied().flatten().map(|i| i as usize)
    }

    /// The second model's code of its clip `j`.
    pub fn code(&self, j: usize) -> Option<&[f32]> {
        let dim = self.maps.inference.code_dim;
        self.maps.inference.code.get(j * dim..(j + 1) * dim)
    }
}

/// The genres hidden on the first row (indices into `first_genres`) as indices into the second
/// model's `second_genres`, matched by name: the two may list them in another order, or not
/// share some.
pub fn hidden_by_name(
    first_genres: &[String],
    hidden: &std::collections::BTreeSet<usize>,
    second_genres: &[String],
) -> std::collections::BTreeSet<usize> {
    hidden
        .iter()
        .filter_map(|&g| first_genres.get(g))
        .filter_map(|name| second_genres.iter().position(|n| n == name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_genres_are_matched_by_name() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let first = names(&["blues", "jazz", "metal"]);
        let second = names(&["metal", "pop", "blues"]);
        let hidden = [0, 1, 2, 7].into_iter().collect();
        // blues and metal are found in the second list; jazz is not there, 7 is no genre.
        let expected: std::collections::BTreeSet<usize> = [0, 2].into_iter().collect();
        assert_eq!(hidden_by_name(&first, &hidden, &second), expected);
    }

    #[test]
    fn pairs_are_looked_up_both_ways_and_unpaired_clips_have_none() {
        let [to_second, to_first] = CompareView::lookups(&[(0, 2), (2, 0)], 3, 4);
        assert_eq!(to_second, vec![Some(2), None, Some(0)]);
        assert_eq!(to_first, vec![Some(2), None, Some(0), None]);
    }
}
