//! The real window under Xvfb: `--screenshot` renders it after loading (and projecting) and the
//! image shows drawn maps. Also: without a display the binary says so in one line.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn xvfb_available() -> bool {
    let found = Command::new("xvfb-run").arg("--help").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "xvfb-run is missing under CI; scripts/setup-system test installs it"
        );
        eprintln!("note: xvfb-run not installed; skipping the real-window test");
    }
    found
}

fn screenshot(args: &[&str], out: &Path) {
    let status = Command::new("xvfb-run")
        .args([
            "-a",
            "-s",
            "-screen 0 1600x1000x24",
            env!("CARGO_BIN_EXE_genrescope"),
            "--no-audio",
            "--screenshot",
        ])
        .arg(out)
        .args(args)
        .output()
        .expect("run xvfb-run");
    assert!(
        status.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// Saturated (genre-coloured) pixels in each third of the map area.
fn coloured_pixels_per_map(path: &Path) -> [usize; 3] {
    let img = image::open(path).unwrap().to_rgb8();
    let (w, h) = img.dimensions();
    assert!(w >= 900 && h >= 800, "{w}x{h}");
    // The maps fill the area right of the side panel (about 320 px) and above the details row
    // and the panel under them (about 360 px with the status bar).
    let (x0, x1, y0, y1) = (340, w - 10, 90, h - 370);
    let mut counts = [0; 3];
    for y in y0..y1 {
        for x in x0..x1 {
            let p = img.get_pixel(x, y).0;
            let (max, min) = (*p.iter().max().unwrap(), *p.iter().min().unwrap());
            if max - min > 60 {
                let third = ((x - x0) * 3 / (x1 - x0)) as usize;
                counts[third.min(2)] += 1;
            }
        }
    }
    counts
}

#[test]
fn the_window_on_gtzan_mini_draws_all_three_maps_with_a_model() {
    let Some(dir) = gtzan_dir() else { return };
    if !xvfb_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m.safetensors");
    let train = Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .args([
            "train",
            dir.to_str().unwrap(),
            "--epochs",
            "30",
            "--lr",
            "1e-3",
            "--out",
        ])
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        train.status.success(),
        "{}",
        String::from_utf8_lossy(&train.stderr)
    );

    let with_model = tmp.path().join("with-model.png");
    screenshot(
        &["--model", model.to_str().unwrap(), dir.to_str().unwrap()],
        &with_model,
    );
    let counts = coloured_pixels_per_map(&with_model);
    assert!(
        counts.iter().all(|&c| c > 300),
        "every map has points: {counts:?}"
    );

    // Without a model only the raw map has points; the others explain why they are empty.
    let data_only = tmp.path().join("data-only.png");
    screenshot(&[dir.to_str().unwrap()], &data_only);
    let counts = coloured_pixels_per_map(&data_only);
    assert!(counts[0] > 300, "the raw map is drawn: {counts:?}");
    assert!(
        counts[1] < 50 && counts[2] < 50,
        "no model maps yet: {counts:?}"
    );
}

#[test]
fn the_default_start_draws_the_demo_maps() {
    if !xvfb_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let shot = tmp.path().join("default.png");
    screenshot(&[], &shot);
    let counts = coloured_pixels_per_map(&shot);
    assert!(
        counts.iter().all(|&c| c > 300),
        "the demo's three maps are drawn: {counts:?}"
    );
}

#[test]
fn without_a_display_the_binary_says_so_in_one_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_genrescope"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("no display") && err.contains("genrescope scan"),
        "{err}"
    );
}
