//! Every kind of bad file is skipped with a reason that names it; the rest of the folder loads.

use crate::common;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use common::*;
use genrescope::audio::DecodeError;
use genrescope::dataset::features::{extract_track, FeatureConfig};
use genrescope::dataset::{load_dataset, load_folder, scan_folder, LoadError, ScanError};

fn decode(path: &Path) -> Result<usize, DecodeError> {
    extract_track(path, &FeatureConfig::default(), &AtomicBool::new(false)).map(|f| f.n_segments)
}

fn wav_bytes(secs: f32) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.wav");
    write_wav(&p, &signal(200.0, secs, 22_050), 22_050, 1);
    std::fs::read(p).unwrap()
}

fn au_header(offset: u32, data_size: u32, encoding: u32, rate: u32, channels: u32) -> Vec<u8> {
    [
        *b".snd",
        offset.to_be_bytes(),
        data_size.to_be_bytes(),
        encoding.to_be_bytes(),
        rate.to_be_bytes(),
        channels.to_be_bytes(),
    ]
    .concat()
}

/// The message names the file and says what to do.
fn assert_actionable(err: &DecodeError, path: &Path, needle: &str) {
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "no path in: {msg}"
    );
    assert!(msg.contains(needle), "expected '{needle}' in: {msg}");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.wav");
    std::fs::write(&p, b"").unwrap();
    let err = decode(&p).unwrap_err();
    assert!(matches!(err, DecodeError::Empty { .. }), "{err}");
    assert_actionable(&err, &p, "copy it again");
}

#[test]
fn truncated_wav_is_reported_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.wav");
    let bytes = wav_bytes(3.0);
    std::fs::write(&p, &bytes[..bytes.len() / 3]).unwrap();
    let err = decode(&p).unwrap_err();
    assert!(matches!(err, DecodeError::Truncated { .. }), "{err}");
    assert_actionable(&err, &p, "header promises 3.00 s");
}

#[test]
fn truncated_au_is_reported_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.au");
    write_au(&p, &signal(200.0, 3.0, 22_050), 22_050);
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let err = decode(&p).unwrap_err();
    assert!(matches!(err, DecodeError::Truncated { .. }), "{err}");
}

#[test]
fn random_bytes_with_an_audio_extension() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("noise.wav");
    let bytes: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&p, bytes).unwrap();
    let err = decode(&p).unwrap_err();
    assert!(matches!(err, DecodeError::NotAudio { .. }), "{err}");
    assert_actionable(&err, &p, "convert it");
}

#[test]
fn text_file_named_mp3() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.mp3");
    std::fs::write(&p, "these are my notes, not music\n".repeat(200)).unwrap();
    let err = decode(&p).unwrap_err();
    assert!(matches!(err, DecodeError::NotAudio { .. }), "{err}");
}

#[test]
fn corrupt_riff_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad_fmt.wav");
    let mut bytes = wav_bytes(2.0);
    // Zero the fmt chunk's channel count and sample rate.
    bytes[22..28].fill(0);
    std::fs::write(&p, bytes).unwrap();
    let err = decode(&p).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::NotAudio { .. } | DecodeError::Corrupt { .. }
        ),
        "{err}"
    );
    assert_actionable(&err, &p, "");
}

#[test]
fn shorter_than_one_segment() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("short.wav");
    write_wav(&p, &signal(200.0, 0.5, 22_050), 22_050, 1);
    let err = decode(&p).unwrap_err();
    assert!(matches!(err, DecodeError::TooShort { .. }), "{err}");
    assert_actionable(&err, &p, "shorter than one segment (0.91 s)");
}

#[test]
fn au_with_an_unsupported_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("adpcm.au");
    let mut bytes = au_header(24, 1000, 23, 22_050, 1);
    bytes.extend(vec![0u8; 1000]);
    std::fs::write(&p, bytes).unwrap();
    let err = decode(&p).unwrap_err();
    assert!(
        matches!(err, DecodeError::UnsupportedAuEncoding { code: 23, .. }),
        "{err}"
    );
    assert_actionable(&err, &p, "G.721 ADPCM");
    assert_actionable(&err, &p, "sox");
}

#[test]
fn au_mu_law_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ulaw.au");
    let n = 22_050;
    let mut bytes = au_header(24, n as u32, 1, 22_050, 1);
    // 0xFF is mu-law silence; alternate with a loud code so the pooled values are not all zero.
    bytes.extend((0..n).map(|i| if (i / 50) % 2 == 0 { 0x80u8 } else { 0xFF }));
    std::fs::write(&p, bytes).unwrap();
    let clip = genrescope::audio::read_clip(&p, 22_050, 0, n).unwrap();
    assert_eq!(clip.len(), n);
    assert!(clip.iter().any(|v| v.abs() > 0.9));
}

#[test]
fn au_header_with_absurd_offset() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("offset.au");
    let mut bytes = au_header(0x7FFF_FFF0, 0xFFFF_FFFF, 3, 22_050, 1);
    bytes.extend(vec![0u8; 4000]);
    std::fs::write(&p, bytes).unwrap();
    let err = decode(&p).unwrap_err();
    assert!(matches!(err, DecodeError::Corrupt { .. }), "{err}");
    assert_actionable(&err, &p, "audio starts at byte 2147483632");
}

#[test]
fn headers_with_absurd_rates_or_channels() {
    let dir = tempfile::tempdir().unwrap();
    for (name, rate, channels) in [
        ("rate0.au", 0, 1),
        ("rate.au", 4_000_000_000, 1),
        ("ch.au", 22_050, 100_000),
    ] {
        let p = dir.path().join(name);
        let mut bytes = au_header(24, 4000, 3, rate, channels);
        bytes.extend(vec![0u8; 4000]);
        std::fs::write(&p, bytes).unwrap();
        let err = decode(&p).unwrap_err();
        assert!(matches!(err, DecodeError::Corrupt { .. }), "{name}: {err}");
    }
}

#[test]
fn a_file_that_disappears_after_the_scan_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = make_dataset(dir.path(), None, &["a", "b"], 2, 1.0);
    let scan = scan_folder(&root, None).unwrap();
    let gone = root.join("a").join("a.00001.wav");
    std::fs::remove_file(&gone).unwrap();
    let ds = load_dataset(
        scan,
        &FeatureConfig::default(),
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap();
    assert_eq!(ds.tracks.len(), 3);
    assert_eq!(ds.skipped.len(), 1);
    assert!(ds.skipped[0].reason.contains("a.00001.wav"));
    assert!(ds.skipped[0].reason.contains("cannot read the file"));
}

#[cfg(unix)]
#[test]
fn unreadable_file_when_permissions_apply() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("locked.wav");
    write_wav(&p, &signal(200.0, 1.0, 22_050), 22_050, 1);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&p).is_ok() {
        // Running as root: permissions do not stop reads; the disappearing-file test covers
        // the same error path.
        return;
    }
    let err = decode(&p).unwrap_err();
    assert!(matches!(err, DecodeError::Io { .. }), "{err}");
}

/// A folder mixing every kind of bad file with good ones: the good ones load, each bad one is
/// listed once with a reason naming it, nothing panics.
#[test]
fn mixed_folder_loads_the_good_and_lists_the_bad() {
    let dir = tempfile::tempdir().unwrap();
    let root = make_dataset(dir.path(), None, &["jazz", "metal"], 3, 1.0);
    let jazz = root.join("jazz");
    std::fs::write(jazz.join("empty.wav"), b"").unwrap();
    std::fs::write(jazz.join("text.mp3"), "hello").unwrap();
    write_wav(
        &jazz.join("short.wav"),
        &signal(100.0, 0.2, 22_050),
        22_050,
        1,
    );
    let bytes = wav_bytes(2.0);
    std::fs::write(
        root.join("metal").join("cut.wav"),
        &bytes[..bytes.len() / 4],
    )
    .unwrap();
    std::fs::write(jazz.join("readme.txt"), "not audio, ignored").unwrap();
    write_wav(
        &root.join("loose.wav"),
        &signal(100.0, 1.0, 22_050),
        22_050,
        1,
    );

    let ds = load_folder(
        &root,
        None,
        &FeatureConfig::default(),
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap();
    assert_eq!(ds.genres, ["jazz", "metal"]);
    assert_eq!(ds.tracks.len(), 6);
    assert_eq!(ds.len(), 6);
    let reasons: Vec<&str> = ds.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons.len(), 5, "{reasons:#?}");
    for name in ["empty.wav", "text.mp3", "short.wav", "cut.wav"] {
        assert_eq!(
            reasons.iter().filter(|r| r.contains(name)).count(),
            1,
            "{name}: {reasons:#?}"
        );
    }
    assert!(reasons.iter().any(|r| r.contains("have no genre")));
    assert!(!reasons.iter().any(|r| r.contains("readme.txt")));
}

#[test]
fn folders_without_genres_say_what_layout_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let err = scan_folder(dir.path(), None).unwrap_err();
    assert!(matches!(err, ScanError::NoGenres { .. }));
    assert!(err.to_string().contains("<genre>"), "{err}");
    let missing = dir.path().join("nope");
    let err = scan_folder(&missing, None).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
    let file = dir.path().join("f.wav");
    std::fs::write(&file, b"x").unwrap();
    assert!(matches!(
        scan_folder(&file, None).unwrap_err(),
        ScanError::NotAFolder { .. }
    ));
}

#[test]
fn a_folder_of_only_bad_files_is_an_error_with_the_first_reason() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("pop");
    std::fs::create_dir_all(&g).unwrap();
    std::fs::write(g.join("a.wav"), b"").unwrap();
    let err = load_folder(
        dir.path(),
        None,
        &FeatureConfig::default(),
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap_err();
    assert!(
        matches!(err, LoadError::NothingUsable { tried: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("a.wav"));
}
