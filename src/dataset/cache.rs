//! A cache of features on disk, so a folder opened again is read, not decoded again. One file
//! per folder and feature settings (safetensors: the vectors as one tensor, the track table in
//! its metadata), in the user's cache folder. A track is taken from the cache only when its
//! path, size and modification time are what they were; any other track is decoded again and
//! the cache rewritten. Every entry carries a checksum of its key (the file's stamp, what it
//! decoded to, where its values sit) and of its values: an entry that fails it is decoded
//! again, counted, and rewritten, so a flipped byte on disk never reaches a map. Writes are
//! atomic; a cache file that cannot be read at all is ignored and replaced.
//!
//! Location: `$GENRESCOPE_CACHE_DIR`, else `$XDG_CACHE_HOME/genrescope`, else
//! `~/.cache/genrescope`; `GENRESCOPE_CACHE_DIR=off` turns it off. `genrescope cache --clear`
//! empties it.

use std::collections::HashMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use super::features::{ContentHash, FeatureConfig, TrackFeatures};
use super::whole_track::SpreadMeta;
use super::Dataset;
use crate::audio::SourceInfo;
use crate::dsp::descriptors::Descriptors;
use crate::dsp::fingerprint::Fingerprint;
use crate::files::{read_regular_file, FileError};

const FORMAT: &str = "genrescope-features/5";
/// Numbers a segment's descriptors take in the cache (`Descriptors::to_row`).
const DESCRIPTOR_ROW: usize = 8;
/// A cache file larger than this is not read (it would be a folder of ~100,000 tracks).
const MAX_CACHE_BYTES: u64 = 4 << 30;

/// Which segments of each track a cache file holds: the first ones (a labelled folder, as a
/// model's cut takes them) or at most `limit` spread over the whole track (a library). A folder
/// read both ways has one file for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cut {
    Lead,
    Spread { limit: usize },
}

/// What identifies a track's file on disk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileStamp {
    pub path: PathBuf,
    pub size_bytes: u64,
    pub modified_ns: u128,
}

impl FileStamp {
    pub fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        let modified_ns = meta
            .modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(Self {
            path: path.to_path_buf(),
            size_bytes: meta.len(),
            modified_ns,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    stamp: FileStamp,
    source: SourceInfo,
    n_segments: usize,
    /// First value of this track's vectors in the cached tensor.
    offset: usize,
    /// First row of this track's segments in the cached descriptors.
    first_segment: usize,
    /// What its samples hash to (`features::ContentHash`).
    content: u64,
    /// Where its fingerprint's words start in the cached fingerprints, and how many.
    first_word: usize,
    words: usize,
    /// Where its segments lie in the track (spread cuts only).
    #[serde(default)]
    spread: Option<SpreadMeta>,
    /// [`entry_checksum`] of everything above and of the entry's values and descriptors.
    checksum: String,
}

impl Entry {
    fn checksum(&self, parts: [&[u8]; 3]) -> String {
        let key = (
            &self.stamp,
            &self.source,
            self.n_segments,
            (self.offset, self.first_segment, self.first_word, self.words),
            self.content,
            &self.spread,
        );
        entry_checksum(&key, parts)
    }
}

/// CRC-32 of an entry's key (its fields but the checksum, as JSON) and of its bytes. Not a
/// defence against tampering, only against damage: any one flipped bit changes it. (crc32fast
/// runs at memory speed; FNV took 0.4 s over a 40,000-clip library's 390 MB.)
fn entry_checksum(key: &impl Serialize, parts: [&[u8]; 3]) -> String {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(serde_json::to_string(key).unwrap_or_default().as_bytes());
    for part in parts {
        hasher.update(&[0]);
        hasher.update(part);
    }
    format!("crc32:{:08x}", hasher.finalize())
}

/// `values` as little-endian bytes: borrowed on a little-endian machine (every one genrescope
/// is built for), copied elsewhere.
fn le_bytes(values: &[f32]) -> std::borrow::Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        std::borrow::Cow::Borrowed(bytemuck::cast_slice(values))
    } else {
        std::borrow::Cow::Owned(values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }
}

/// One track's cached features, and for a spread cut where its segments lie.
#[derive(Debug)]
pub struct CachedTrack {
    pub features: TrackFeatures,
    pub spread: Option<SpreadMeta>,
}

/// What the cache holds for a folder: the tracks whose files are unchanged and whose entries
/// are whole, and how many entries were damaged (those tracks are decoded again).
#[derive(Debug, Default)]
pub struct CacheRead {
    pub tracks: HashMap<PathBuf, CachedTrack>,
    pub damaged: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    features: FeatureConfig,
    cut: Cut,
    entries: Vec<Entry>,
}

/// Where cache files go.
#[derive(Debug, Clone)]
pub struct FeatureCache {
    dir: PathBuf,
}

impl FeatureCache {
    /// The user's cache folder, unless turned off.
    pub fn default_location() -> Option<Self> {
        let dir = match std::env::var_os("GENRESCOPE_CACHE_DIR") {
            Some(dir) if dir == "off" => return None,
            Some(dir) => PathBuf::from(dir),
            None => std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?
                .join("genrescope"),
        };
        Some(Self {
            dir: dir.join("features"),
        })
    }

    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache file of a folder cut as `features` and `cut`.
    fn file_for(&self, root: &Path, features: &FeatureConfig, cut: Cut) -> PathBuf {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let mut hasher = fnv::FnvHasher::default();
        hasher.write(root.to_string_lossy().as_bytes());
        hasher.write(
            serde_json::to_string(features)
                .unwrap_or_default()
                .as_bytes(),
        );
        if cut != Cut::Lead {
            hasher.write(serde_json::to_string(&cut).unwrap_or_default().as_bytes());
        }
        self.dir
            .join(format!("{:016x}.safetensors", hasher.finish()))
    }

    /// The cached features of the tracks whose files are unchanged and whose entries pass
    /// their checksum, by path.
    pub fn read(&self, root: &Path, features: &FeatureConfig, cut: Cut) -> CacheRead {
        let path = self.file_for(root, features, cut);
        let Ok(bytes) = read_regular_file(&path, MAX_CACHE_BYTES, "feature cache") else {
            return CacheRead::default();
        };
        parse(&bytes, features, cut).unwrap_or_default()
    }

    /// Writes a loaded dataset's tracks as its folder's cache (`spread`: each track's
    /// [`SpreadMeta`], for a library). Written straight from the dataset's own arrays, so the
    /// cache costs no second copy of every vector in memory.
    pub fn write(
        &self,
        root: &Path,
        cut: Cut,
        ds: &Dataset,
        spread: Option<&[SpreadMeta]>,
    ) -> Result<(), FileError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| FileError::Write {
            path: self.dir.clone(),
            cause: e.to_string(),
        })?;
        let dim = ds.dim();
        let values = le_bytes(&ds.vectors);
        let descriptors: Vec<u8> = ds
            .descriptors
            .iter()
            .flat_map(|d| d.to_row())
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let mut prints: Vec<u8> = Vec::new();
        let mut entries = Vec::with_capacity(ds.tracks.len());
        let mut first_segment = 0;
        for (t, track) in ds.tracks.iter().enumerate() {
            let n = track.n_segments;
            let word = prints.len();
            if let Some(print) = ds.fingerprints.get(t) {
                prints.extend(print.to_words().iter().flat_map(|w| w.to_le_bytes()));
            }
            let end_segment = first_segment + n;
            // A track whose file changed since it was read is left out: read again next time.
            if let Some(stamp) =
                FileStamp::of(&track.path).filter(|s| s.size_bytes == track.size_bytes)
            {
                let mut entry = Entry {
                    stamp,
                    source: track.source.clone(),
                    n_segments: n,
                    offset: first_segment * dim,
                    first_segment,
                    content: track.content,
                    first_word: word / 4,
                    words: (prints.len() - word) / 4,
                    spread: spread.and_then(|s| s.get(t)).cloned(),
                    checksum: String::new(),
                };
                entry.checksum = entry.checksum([
                    &values[first_segment * dim * 4..end_segment * dim * 4],
                    &descriptors
                        [first_segment * DESCRIPTOR_ROW * 4..end_segment * DESCRIPTOR_ROW * 4],
                    &prints[word..],
                ]);
                entries.push(entry);
            }
            first_segment = end_segment;
        }
        let header = Header {
            format: FORMAT.into(),
            features: ds.features,
            cut,
            entries,
        };
        let path = self.file_for(root, &ds.features, cut);
        let fail = |cause: String| FileError::Write {
            path: path.clone(),
            cause,
        };
        let meta = serde_json::to_string(&header).map_err(|e| fail(e.to_string()))?;
        let view = TensorView::new(Dtype::F32, vec![values.len() / 4], &values)
            .map_err(|e| fail(e.to_string()))?;
        let described = TensorView::new(Dtype::F32, vec![descriptors.len() / 4], &descriptors)
            .map_err(|e| fail(e.to_string()))?;
        let printed = TensorView::new(Dtype::U32, vec![prints.len() / 4], &prints)
            .map_err(|e| fail(e.to_string()))?;
        // Streams each tensor to a temporary file beside the cache, then renames it over: no
        // copy of the whole file in memory, and a reader never sees half of one.
        safetensors::tensor::serialize_to_file(
            [
                ("vectors", view),
                ("descriptors", described),
                ("fingerprints", printed),
            ],
            Some(HashMap::from([("genrescope.cache".to_string(), meta)])),
            &path,
        )
        .map_err(|e| fail(e.to_string()))
    }

    /// Removes every cache file; returns how many bytes were freed.
    pub fn clear(&self) -> Result<u64, FileError> {
        let mut freed = 0;
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "safetensors") {
                freed += entry.metadata().map_or(0, |m| m.len());
                std::fs::remove_file(&path).map_err(|e| FileError::Write {
                    path: path.clone(),
                    cause: e.to_string(),
                })?;
            }
        }
        Ok(freed)
    }
}

/// `count` rows of `width` f32 values from row `first` of `data`, if they are there.
fn bytes_of(data: &[u8], first: usize, count: usize, width: usize) -> Option<&[u8]> {
    let start = first.checked_mul(width)?.checked_mul(4)?;
    let len = count.checked_mul(width)?.checked_mul(4)?;
    data.get(start..start.checked_add(len)?)
}

/// One entry's track from the cached tensors (`[vectors, descriptors, fingerprints]`), if its
/// values are all there and pass its checksum.
fn decode_entry(entry: &Entry, tensors: [&[u8]; 3], dim: usize) -> Option<CachedTrack> {
    let [data, described, printed] = tensors;
    let values = bytes_of(data, entry.offset, entry.n_segments.saturating_mul(dim), 1)?;
    let rows = bytes_of(
        described,
        entry.first_segment,
        entry.n_segments,
        DESCRIPTOR_ROW,
    )?;
    let words = bytes_of(printed, entry.first_word, entry.words, 1)?;
    (entry.checksum([values, rows, words]) == entry.checksum).then_some(())?;
    let floats = |b: &[u8]| -> Vec<f32> {
        b.chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };
    let descriptors = floats(rows)
        .chunks_exact(DESCRIPTOR_ROW)
        .map(Descriptors::from_row)
        .collect::<Option<Vec<_>>>()?;
    let words: Vec<u32> = words
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let features = TrackFeatures::finished(
        floats(values),
        descriptors,
        entry.n_segments,
        entry.source.clone(),
        ContentHash::from_state(entry.content),
        Fingerprint::from_words(&words)?,
    );
    Some(CachedTrack {
        features,
        spread: entry.spread.clone(),
    })
}

fn parse(bytes: &[u8], features: &FeatureConfig, cut: Cut) -> Option<CacheRead> {
    let (_, metadata) = SafeTensors::read_metadata(bytes).ok()?;
    let header: Header =
        serde_json::from_str(metadata.metadata().as_ref()?.get("genrescope.cache")?).ok()?;
    if header.format != FORMAT || header.features != *features || header.cut != cut {
        return None;
    }
    let tensors = SafeTensors::deserialize(bytes).ok()?;
    let data = tensors.tensor("vectors").ok()?;
    let described = tensors.tensor("descriptors").ok()?;
    let printed = tensors.tensor("fingerprints").ok()?;
    let (data, described, printed) = (data.data(), described.data(), printed.data());
    let dim = features.dim();
    // Entries are independent: checked and decoded on rayon's pool (a 10,000-track library's
    // entries take 1.5 s on one core).
    let decoded: Vec<Option<(PathBuf, Option<CachedTrack>)>> = header
        .entries
        .into_par_iter()
        .map(|entry| {
            // Only unchanged files: same size and modification time as when they were cached.
            if FileStamp::of(&entry.stamp.path).as_ref() != Some(&entry.stamp) {
                return None;
            }
            let track = decode_entry(&entry, [data, described, printed], dim);
            Some((entry.stamp.path, track))
        })
        .collect();
    let mut read = CacheRead {
        tracks: HashMap::with_capacity(decoded.len()),
        damaged: 0,
    };
    for (path, track) in decoded.into_iter().flatten() {
        match track {
            Some(track) => {
                read.tracks.insert(path, track);
            }
            None => read.damaged += 1,
        }
    }
    Some(read)
}
