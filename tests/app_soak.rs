//! A soak: a few hundred random commands a user could give (open folders and the demo, train a
//! few epochs, cancel, pick, interpolate, the latent instruments, place a song, select and
//! export, open models, toggle, switch views), in rounds. Nothing panics, every job ends, and
//! threads and memory come back to where they were
//! after the first round.

mod common;

use std::path::Path;

use common::ui::*;
use common::*;
use genrescope::app::events::{ClipVersion, Command, FileTarget};
use genrescope::app::state::{ColorBy, Instrument, MapId, Tab, Tool};
use genrescope::app::AppOptions;
use genrescope::dataset::DataSource;
use genrescope::latent::Space;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Rounds of commands; GENRESCOPE_SOAK_ROUNDS runs a longer soak by hand.
fn rounds() -> usize {
    std::env::var("GENRESCOPE_SOAK_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}
const COMMANDS_PER_ROUND: usize = 80;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

/// Bytes the allocator has handed out and not had back, in MB: what a leak grows. (The
/// process's resident size also holds freed memory the allocator keeps for reuse, which
/// depends on how threads' allocations interleave; it is printed, not asserted.)
fn heap_in_use_mb() -> f64 {
    // SAFETY: mallinfo2 only reads the allocator's counters.
    let info = unsafe { libc::mallinfo2() };
    (info.uordblks + info.hblkhd) as f64 / (1024.0 * 1024.0)
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn random_command(
    rng: &mut ChaCha8Rng,
    h: &App,
    folder: &Path,
    out: &Path,
    model: &Path,
    song: &Path,
) -> Command {
    let n = h.state().state.dataset().map_or(1, |d| d.len()).max(1);
    let clip = rng.random_range(0..n);
    let xy = [rng.random_range(-5.0..5.0), rng.random_range(-5.0..5.0)];
    let map = [MapId::Raw, MapId::Code, MapId::Logits][rng.random_range(0..3)];
    match rng.random_range(0..34) {
        0 => Command::LoadData(DataSource::Folder(folder.to_path_buf())),
        1 => Command::LoadData(DataSource::Demo),
        2 | 3 => Command::StartTraining,
        4 => Command::CancelTraining,
        5 => Command::CancelLoad,
        6 | 7 => Command::PickA(clip),
        8 => Command::PickB(clip),
        9 | 10 => Command::SetT {
            t: rng.random::<f32>(),
            held: rng.random(),
        },
        11 => Command::PlayPath,
        12 => Command::PlayVersion {
            segment: clip,
            version: ClipVersion::All,
        },
        13 => Command::UsePath {
            target: FileTarget::EmbeddingsFolder,
            path: out.join("embeddings"),
        },
        14 => Command::UsePath {
            target: FileTarget::PathWav,
            path: out.join("path.wav"),
        },
        15 => Command::LoadModel(model.to_path_buf()),
        16 => Command::ToggleGenre(rng.random_range(0..4)),
        17 => Command::SetColorBy(if rng.random() {
            ColorBy::Genre
        } else {
            ColorBy::ReconstructionError
        }),
        18 => Command::SetTab(if rng.random() {
            Tab::Maps
        } else {
            Tab::Metrics
        }),
        19 => Command::SelectCell {
            truth: rng.random_range(0..2),
            predicted: rng.random_range(0..2),
        },
        20 => Command::ClearSelection,
        21 => Command::ShowInstrument(Instrument::ALL[rng.random_range(0..7)]),
        22 => Command::SetWalk {
            component: rng.random_range(0..3),
            sigma: rng.random_range(-3.0..3.0),
            held: rng.random(),
        },
        23 => Command::SetSteer {
            toward: rng.random_range(0..2),
            alpha: rng.random_range(0.0..1.5),
            held: rng.random(),
        },
        24 | 25 => Command::ProbeAt {
            xy,
            start: rng.random(),
        },
        26 => Command::FindNeighbours {
            whole_tracks: rng.random_bool(0.5),
            space: [Space::Raw, Space::Bottleneck, Space::Logits][rng.random_range(0..3)],
            k: rng.random_range(1..8),
        },
        27 => Command::PlayQueue(
            (0..rng.random_range(1..5))
                .map(|k| (clip + k) % n)
                .collect(),
        ),
        28 => Command::PlaceFile(song.to_path_buf()),
        29 => Command::Outline {
            map,
            xy,
            start: rng.random(),
            done: rng.random(),
        },
        30 => Command::SetTool(
            [Tool::Pan, Tool::Probe, Tool::BoxSelect, Tool::LassoSelect][rng.random_range(0..4)],
        ),
        31 => Command::UsePath {
            target: FileTarget::StrokeWav,
            path: out.join("stroke.wav"),
        },
        32 => Command::UsePath {
            target: FileTarget::SelectionFolder,
            path: out.join("selection"),
        },
        _ => Command::StopAudio,
    }
}

#[test]
fn hundreds_of_random_commands_leave_nothing_running_and_nothing_growing() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("data");
    make_dataset(&folder, None, &["low", "high"], 3, 2.0);
    let model = tmp.path().join("m.safetensors");
    train_small_model(&folder, &model, 5);
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let song = tmp.path().join("song.wav");
    write_wav(&song, &signal(300.0, 4.0, 22_050), 22_050, 1);

    let mut h = app(AppOptions::default());
    edit_settings(&mut h, |s| s.knobs.epochs = 3);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut after_first = None;
    for round in 0..rounds() {
        for _ in 0..COMMANDS_PER_ROUND {
            let command = random_command(&mut rng, &h, &folder, &out, &model, &song);
            h.state_mut().apply(command);
            for _ in 0..rng.random_range(1..4) {
                h.step();
            }
        }
        run_until(&mut h, 120, "every job to end", |a| a.state.is_idle());
        // Threads end a moment after their last event.
        std::thread::sleep(std::time::Duration::from_millis(300));
        h.run_steps(2);
        assert!(
            h.state().state.is_idle(),
            "round {round}: jobs still registered"
        );
        let now = (threads(), heap_in_use_mb());
        eprintln!(
            "after round {round}: {} threads, {:.1} MB in use on the heap, {:.0} MB resident",
            now.0,
            now.1,
            rss_mb()
        );
        match after_first {
            None => after_first = Some(now),
            Some((threads0, heap0)) => {
                assert!(
                    now.0 <= threads0 + 2,
                    "threads grew: {threads0} -> {}",
                    now.0
                );
                assert!(
                    now.1 <= heap0 * 1.25 + 8.0,
                    "memory grew: {heap0:.1} -> {:.1} MB in use",
                    now.1
                );
            }
        }
    }
}
