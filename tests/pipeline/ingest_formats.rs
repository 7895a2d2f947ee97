//! Every supported format decodes to the right samples, and pooling is the paper's boxcar mean.

use crate::common;

use std::sync::atomic::AtomicBool;

use common::*;
use genrescope::audio::{open_mono, read_clip};
use genrescope::dataset::features::{extract_track, FeatureConfig};

fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

#[test]
fn wav_segments_pool_to_the_boxcar_mean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.wav");
    let signal = signal(330.0, 3.0, 22_050); // 66,150 samples: 3 whole segments
    write_wav(&path, &signal, 22_050, 1);

    let cfg = FeatureConfig::default();
    let features = extract_track(&path, &cfg, &no_cancel()).unwrap();
    assert_eq!(features.n_segments, 3);
    assert_eq!(features.vectors.len(), 3 * 500);
    let expected = reference_pool(&quantise(&signal)[..60_000], 40);
    for (got, want) in features.vectors.iter().zip(&expected) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    assert_eq!(features.source.sample_rate_hz, 22_050);
    assert_eq!(features.source.channels, 1);
}

#[test]
fn segment_limit_and_pool_size_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.wav");
    write_wav(&path, &signal(200.0, 5.0, 22_050), 22_050, 1);
    let two = FeatureConfig {
        max_segments_per_track: Some(2),
        ..FeatureConfig::default()
    };
    assert_eq!(
        extract_track(&path, &two, &no_cancel()).unwrap().n_segments,
        2
    );
    let all_pool_10 = FeatureConfig {
        max_segments_per_track: None,
        pool: 10,
        ..FeatureConfig::default()
    };
    let f = extract_track(&path, &all_pool_10, &no_cancel()).unwrap();
    assert_eq!(f.n_segments, 5); // 110,250 samples / 20,000
    assert_eq!(f.vectors.len(), 5 * 2_000);
}

#[test]
fn au_and_wav_copies_give_identical_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let signal = signal(440.0, 2.0, 22_050);
    write_wav(&dir.path().join("t.wav"), &signal, 22_050, 1);
    write_au(&dir.path().join("t.au"), &signal, 22_050);
    let cfg = FeatureConfig::default();
    let wav = extract_track(&dir.path().join("t.wav"), &cfg, &no_cancel()).unwrap();
    let au = extract_track(&dir.path().join("t.au"), &cfg, &no_cancel()).unwrap();
    assert_eq!(wav.n_segments, 2);
    assert_eq!(wav.vectors, au.vectors);
    assert_eq!(au.source.codec, ".au 16-bit linear");
}

/// A stereo file at another rate comes out mono at 22,050 Hz, sample-aligned with the signal.
fn check_resampled(rate_hz: u32, channels: u16) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hi.wav");
    write_wav(&path, &signal(220.0, 2.0, rate_hz), rate_hz, channels);
    let source = open_mono(&path).unwrap();
    assert_eq!(source.info().sample_rate_hz, rate_hz);
    assert_eq!(source.info().channels, usize::from(channels));

    let clip = read_clip(&path, 22_050, 0, 1_000_000).unwrap();
    assert_eq!(clip.len(), 44_100, "2 s at 22,050 Hz");
    let expected = signal(220.0, 2.0, 22_050);
    // Skip the edges, where the resampler's filter sees the zero padding.
    let corr = correlation(&clip[500..43_500], &expected[500..43_500]);
    assert!(corr > 0.999, "correlation {corr} at {rate_hz} Hz");
    let cfg = FeatureConfig::default();
    assert_eq!(
        extract_track(&path, &cfg, &no_cancel()).unwrap().n_segments,
        2
    );
}

#[test]
fn stereo_44k_is_downmixed_and_resampled() {
    check_resampled(44_100, 2);
}

#[test]
fn mono_48k_is_resampled() {
    check_resampled(48_000, 1);
}

#[test]
fn stereo_channels_are_averaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lr.wav");
    // Left carries the signal, right its negation: the mono mix is silence.
    let s = signal(300.0, 1.0, 22_050);
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 22_050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for &v in &s {
        let q = (v * 32767.0).round() as i16;
        w.write_sample(q).unwrap();
        w.write_sample(-q).unwrap();
    }
    w.finalize().unwrap();
    let clip = read_clip(&path, 22_050, 0, 22_050).unwrap();
    assert_eq!(clip.len(), 22_050);
    assert!(clip.iter().all(|v| v.abs() < 1e-4));
}

#[test]
fn read_clip_returns_the_segment_at_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.wav");
    let s = signal(250.0, 3.0, 22_050);
    write_wav(&path, &s, 22_050, 1);
    let clip = read_clip(&path, 22_050, 20_000, 20_000).unwrap();
    assert_eq!(clip, quantise(&s)[20_000..40_000]);
    let tail = read_clip(&path, 22_050, 60_000, 20_000).unwrap();
    assert_eq!(tail.len(), 6_150, "clipped at the end of the file");
}

/// FLAC, MP3, Ogg Vorbis and AIFF (made by sox from a WAV) decode to the same music.
#[test]
fn compressed_and_other_containers_decode() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("src.wav");
    let s = signal(261.6, 3.0, 22_050);
    write_wav(&wav, &s, 22_050, 1);
    let expected = quantise(&s);
    for (ext, min_corr) in [
        ("flac", 0.9999),
        ("aiff", 0.9999),
        ("ogg", 0.98),
        ("mp3", 0.98),
    ] {
        let out = dir.path().join(format!("t.{ext}"));
        if sox(&[wav.to_str().unwrap(), out.to_str().unwrap()]).is_none() {
            return;
        }
        let clip = read_clip(&out, 22_050, 0, 1_000_000)
            .unwrap_or_else(|e| panic!("{ext} did not decode: {e}"));
        assert!(
            clip.len() >= 60_000 && clip.len() <= 70_000,
            "{ext}: {} samples",
            clip.len()
        );
        // MP3 adds encoder and decoder delay (a few hundred to ~1,100 samples): align first.
        let (lag, corr) = (0..2_500)
            .map(|lag| {
                (
                    lag,
                    correlation(&clip[2_000 + lag..60_000], &expected[2_000..60_000 - lag]),
                )
            })
            .fold((0, f64::MIN), |best, x| if x.1 > best.1 { x } else { best });
        assert!(corr > min_corr, "{ext}: correlation {corr} at lag {lag}");
        if ext != "mp3" {
            assert_eq!(lag, 0, "{ext} decodes without delay");
        }
        let f = extract_track(&out, &FeatureConfig::default(), &no_cancel()).unwrap();
        assert_eq!(f.n_segments, 3, "{ext}");
    }
}

#[test]
fn cancelling_stops_extraction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.wav");
    write_wav(&path, &signal(200.0, 2.0, 22_050), 22_050, 1);
    let cancel = AtomicBool::new(true);
    let err = extract_track(&path, &FeatureConfig::default(), &cancel).unwrap_err();
    assert!(matches!(err, genrescope::audio::DecodeError::Cancelled));
}
