//! Nothing breaks it and nothing is lost: values that are not audio, model files that are not
//! usable models, sizes beyond stated limits, things that are not regular files, and writes that
//! are killed or run out of room. Each through the binary, as a user meets it.

use crate::common;

use common::cli::*;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;

fn write_float_wav(path: &Path, samples: &[f32]) {
    write_float_wav_at(path, samples, 22_050);
}

fn write_float_wav_at(path: &Path, samples: &[f32], rate_hz: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate_hz,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

#[test]
fn audio_holding_non_finite_or_absurd_values_is_skipped_with_its_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    make_dataset(&root, None, &["low", "high"], 3, 2.0);
    let mut tone = signal(220.0, 2.0, 22_050);
    for (name, value) in [("nan", f32::NAN), ("inf", f32::INFINITY), ("huge", 3e38)] {
        tone[30_000] = value;
        write_float_wav(&root.join(format!("low/{name}.wav")), &tone);
    }
    // At another rate the resampler would meet them first (the fuzzer found that panic).
    let mut tone_16k = signal(220.0, 2.0, 16_000);
    tone_16k[21_760] = f32::NAN;
    write_float_wav_at(&root.join("high/nan-16k.wav"), &tone_16k, 16_000);
    let out = genrescope(&["scan", root.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    for s in skipped {
        let reason = s["reason"].as_str().unwrap();
        assert!(reason.contains("which is not audio"), "{reason}");
        assert!(reason.contains("at 1.36 s"), "where: {reason}");
    }
    // Nothing non-finite reaches the maps or training: both finish.
    let model = tmp.path().join("m.safetensors");
    let out = genrescope(&[
        "train",
        root.to_str().unwrap(),
        "--epochs",
        "2",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = genrescope(&[
        "export",
        model.to_str().unwrap(),
        root.to_str().unwrap(),
        "--out",
        tmp.path().join("export").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A copy of `good` with the f32 at `offset` bytes into tensor `name` set to `value`.
fn with_value(good: &Path, dir: &Path, name: &str, value: f32) -> PathBuf {
    let bytes = std::fs::read(good).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let start = header[name]["data_offsets"][0].as_u64().unwrap() as usize;
    let mut bytes = bytes.clone();
    let at = 8 + header_len + start;
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    let path = dir.join(format!("{name}-{value}.safetensors"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A copy of `good` whose metadata JSON is rewritten by `edit` (and which has no checksum).
fn with_meta(
    good: &Path,
    dir: &Path,
    file: &str,
    edit: impl Fn(&mut serde_json::Value),
) -> PathBuf {
    let bytes = std::fs::read(good).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let meta_text = header["__metadata__"]["genrescope.meta"].as_str().unwrap();
    let mut meta: serde_json::Value = serde_json::from_str(meta_text).unwrap();
    edit(&mut meta);
    header["__metadata__"]["genrescope.meta"] = serde_json::Value::String(meta.to_string());
    if let Some(metadata) = header["__metadata__"].as_object_mut() {
        metadata.remove("genrescope.checksum");
    }
    let mut new_header = serde_json::to_vec(&header).unwrap();
    while !new_header.len().is_multiple_of(8) {
        new_header.push(b' ');
    }
    let mut out = (new_header.len() as u64).to_le_bytes().to_vec();
    out.extend(new_header);
    out.extend(&bytes[8 + header_len..]);
    let path = dir.join(file);
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn model_files_with_unusable_values_or_sizes_are_refused_naming_what() {
    let tmp = tempfile::tempdir().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/demo-dsae.safetensors");
    // Without its checksum (as a file saved before checksums): a changed value is then met by
    // the checks on what the file says, which name what is wrong.
    let good = with_meta(&shipped, tmp.path(), "unchecked.safetensors", |_| {});
    let refused = |path: &Path, needles: &[&str]| {
        let out = genrescope(&["eval", path.to_str().unwrap(), "builtin:demo"]);
        assert!(!out.status.success(), "{} was accepted", path.display());
        let text = stderr(&out);
        assert!(
            text.contains(path.file_name().unwrap().to_str().unwrap()),
            "{text}"
        );
        for needle in needles {
            assert!(text.contains(needle), "{needle:?} not in: {text}");
        }
        assert!(!text.contains("panicked"), "{text}");
    };
    refused(
        &with_value(&good, tmp.path(), "enc2.weight", f32::NAN),
        &["enc2.weight", "NaN"],
    );
    refused(
        &with_value(&good, tmp.path(), "dec4.bias", f32::INFINITY),
        &["dec4.bias", "inf"],
    );
    for scale in [1e-308, 1e308] {
        let name = if scale < 1.0 {
            "tiny-scale"
        } else {
            "huge-scale"
        };
        let path = with_meta(&good, tmp.path(), &format!("{name}.safetensors"), |m| {
            m["model"]["input_scale"] = serde_json::json!(scale);
        });
        refused(&path, &["input scale"]);
    }
    let huge = with_meta(&good, tmp.path(), "huge.safetensors", |m| {
        m["features"]["segment_samples"] = serde_json::json!(50_000_000_000u64);
        m["features"]["pool"] = serde_json::json!(100_000_000u64);
    });
    refused(&huge, &["feature settings", "longer than"]);
    // Not regular files: a device that never ends, a pipe that never opens.
    let out = genrescope(&["eval", "/dev/zero", "builtin:demo"]);
    assert!(
        stderr(&out).contains("not a regular file (a device)"),
        "{}",
        stderr(&out)
    );
    let fifo = tmp.path().join("pipe.safetensors");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .args(["eval", fifo.to_str().unwrap(), "builtin:demo"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "genrescope hangs on a FIFO"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(stderr(&out).contains("a named pipe"), "{}", stderr(&out));
}

#[test]
fn sizes_from_flags_are_checked_before_anything_is_allocated() {
    let out = genrescope(&[
        "scan",
        "builtin:demo",
        "--segment-samples",
        "50000000000",
        "--pool",
        "100000000",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("longer than the 4194304"),
        "{}",
        stderr(&out)
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = genrescope(&[
        "interpolate",
        "models/demo-dsae.safetensors",
        "builtin:demo",
        "--from",
        "house.00000:0",
        "--to",
        "metal.00000:0",
        "--steps",
        "1000000",
        "--out",
        tmp.path().join("p.wav").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--steps must be from 2"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("p.wav").exists());
    // A negative learning rate is a value, not an unknown flag.
    let out = genrescope(&[
        "train",
        "builtin:demo",
        "--lr",
        "-1",
        "--out",
        tmp.path().join("m").to_str().unwrap(),
    ]);
    assert!(
        stderr(&out).contains("learning rate must be positive"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_destination_that_cannot_be_written_fails_before_the_work() {
    for (args, out) in [
        (
            vec!["train", "builtin:demo", "--epochs", "500"],
            "/nonexistent/d/m.safetensors",
        ),
        (vec!["features", "builtin:demo"], "/nonexistent/d/f.csv"),
        (
            vec![
                "interpolate",
                "models/demo-dsae.safetensors",
                "builtin:demo",
                "--from",
                "house.00000:0",
                "--to",
                "metal.00000:0",
            ],
            "/nonexistent/d/p.wav",
        ),
    ] {
        let mut args = args.clone();
        args.extend(["--out", out]);
        let result = genrescope(&args);
        assert!(!result.status.success());
        let text = stderr(&result);
        assert!(
            text.contains("/nonexistent/d") && text.contains("does not exist"),
            "{text}"
        );
        // Failed before loading anything: no progress, no epochs.
        assert!(
            !text.contains("epoch") && !text.contains("decoding"),
            "{text}"
        );
    }
}

#[test]
fn killed_or_out_of_room_writes_leave_the_old_file_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    // 2 genres of 6 tracks, 20 segments each: 240 rows of 500 values, megabytes to write.
    make_dataset(&root, None, &["low", "high"], 6, 30.0);
    let csv = tmp.path().join("f.csv");
    std::fs::write(&csv, "the good file\n").unwrap();
    // Killed while the new file is being written (its temporary is there and growing): the CSV
    // is still the old one, and the half-written temporary is what the kill left.
    let mut child = Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .args([
            "features",
            root.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let temporary = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .filter(|e| e.metadata().is_ok_and(|m| m.len() > 0))
            .map(|e| e.path())
    };
    let started = std::time::Instant::now();
    let caught = loop {
        if let Some(path) = temporary() {
            child.kill().unwrap();
            break Some(path);
        }
        if child.try_wait().unwrap().is_some() || started.elapsed() > Duration::from_secs(60) {
            break None;
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    let _ = child.wait();
    let partial = caught.expect("the kill landed while the new file was being written");
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "the good file\n");
    assert!(partial.exists(), "the kill left the half-written temporary");
    // A run to the end sweeps what killed runs left behind.
    let out = genrescope(&[
        "features",
        root.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Out of room (a file-size limit makes every write past 64 KB fail with EFBIG): the error
    // names the file, the old one stays, no temporary is left.
    std::fs::write(&csv, "the good file\n").unwrap();
    let out = Command::new("bash")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 128; exec \"$0\" features \"$1\" --out \"$2\"",
            env!("CARGO_BIN_EXE_genrescope"),
            root.to_str().unwrap(),
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(
        text.contains("cannot write") && text.contains("f.csv"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "the good file\n");
    assert!(std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp")));
}

#[test]
fn what_cannot_be_a_track_is_listed_and_sub_folders_are_read() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    make_dataset(&root, None, &["low", "high"], 3, 2.0);
    // A genre whose tracks are all in album folders.
    let album = root.join("mid/album one");
    std::fs::create_dir_all(&album).unwrap();
    for t in 0..3 {
        write_wav(
            &album.join(format!("mid.{t}.wav")),
            &signal(300.0, 2.0, 22_050),
            22_050,
            1,
        );
    }
    assert!(Command::new("mkfifo")
        .arg(root.join("low/pipe.wav"))
        .status()
        .unwrap()
        .success());
    std::fs::create_dir_all(root.join("low/folder.wav")).unwrap();
    symlink(root.join("low/gone.wav"), root.join("low/broken.wav")).unwrap();
    symlink(root.join("low/loop.wav"), root.join("low/loop.wav")).unwrap();
    std::fs::write(root.join("high/.wav"), b"RIFF").unwrap();
    symlink(&root, root.join("high/up")).unwrap();

    let out = genrescope(&["scan", root.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let genres: Vec<&str> = summary["genres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["genre"].as_str().unwrap())
        .collect();
    assert_eq!(
        genres,
        ["high", "low", "mid"],
        "the album folder's genre is there"
    );
    let reasons: Vec<String> = summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap().to_string())
        .collect();
    let has = |file: &str, why: &str| {
        assert!(
            reasons.iter().any(|r| r.contains(file) && r.contains(why)),
            "{file}: {why} not in {reasons:#?}"
        )
    };
    has("pipe.wav", "not a regular file");
    has("broken.wav", "a link whose target cannot be read");
    has("loop.wav", "a link whose target cannot be read");
    has("high/.wav", "has no name before its extension");
    has("high/up", "links back to one already read");
}

#[test]
fn messages_say_what_is_wrong_once() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    make_dataset(&root, None, &["low", "high"], 3, 2.0);
    // A WAV whose header claims 4 GB of data but holds 2 s: truncated, not "convert to WAV".
    let good = root.join("low/low.00000.wav");
    let mut bytes = std::fs::read(&good).unwrap();
    let data_at = bytes.windows(4).position(|w| w == b"data").unwrap() + 4;
    bytes[data_at..data_at + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    std::fs::write(root.join("low/huge-header.wav"), &bytes).unwrap();
    // A streaming WAV: sizes left at 0 by a writer that could not seek back. Read to the end.
    let mut streaming = std::fs::read(&good).unwrap();
    streaming[4..8].copy_from_slice(&0u32.to_le_bytes());
    streaming[data_at..data_at + 4].copy_from_slice(&0u32.to_le_bytes());
    std::fs::write(root.join("low/streaming.wav"), &streaming).unwrap();
    // Unreadable (when permissions apply: not as root).
    let locked = root.join("high/locked.wav");
    std::fs::copy(&good, &locked).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let as_root = std::fs::read(&locked).is_ok();

    let out = genrescope(&["scan", root.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons: Vec<String> = summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap().to_string())
        .collect();
    let huge = reasons
        .iter()
        .find(|r| r.contains("huge-header.wav"))
        .expect("listed");
    assert!(
        huge.contains("truncated") && !huge.contains("convert it to WAV"),
        "{huge}"
    );
    assert!(
        !reasons.iter().any(|r| r.contains("streaming.wav")),
        "a streaming WAV is read to its end: {reasons:?}"
    );
    if !as_root {
        let locked = reasons
            .iter()
            .find(|r| r.contains("locked.wav"))
            .expect("listed");
        assert_eq!(locked.matches("Permission denied").count(), 1, "{locked}");
    }
    let tracks = summary["tracks"].as_u64().unwrap();
    assert_eq!(tracks, 6 + 1 + u64::from(as_root), "{reasons:?}");
}
