//! A soak: a few hundred random commands a user could give (open folders and the demo, train a
//! few epochs, cancel, pick, interpolate, export, open models, toggle, switch views), in
//! rounds. Nothing panics, every job ends, and threads and memory come back to where they were
//! after the first round.

mod common;

use std::path::Path;

use common::ui::*;
use common::*;
use genrescope::app::events::{ClipVersion, Command, FileTarget};
use genrescope::app::state::{ColorBy, Tab};
use genrescope::app::AppOptions;
use genrescope::dataset::DataSource;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ROUNDS: usize = 4;
const COMMANDS_PER_ROUND: usize = 80;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
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
) -> Command {
    let n = h.state().state.dataset().map_or(1, |d| d.len()).max(1);
    let clip = rng.random_range(0..n);
    match rng.random_range(0..22) {
        0 => Command::LoadData(DataSource::Folder(folder.to_path_buf())),
        1 => Command::LoadData(DataSource::Demo),
        2 | 3 => Command::StartTraining,
        4 => Command::CancelTraining,
        5 => Command::CancelLoad,
        6 | 7 => Command::Select(clip),
        8 => Command::SelectB(clip),
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

    let mut h = app(AppOptions::default());
    h.state_mut().state.settings.epochs = 3;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut after_first = None;
    for round in 0..ROUNDS {
        for _ in 0..COMMANDS_PER_ROUND {
            let command = random_command(&mut rng, &h, &folder, &out, &model);
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
        let now = (threads(), rss_mb());
        eprintln!("after round {round}: {} threads, {:.0} MB", now.0, now.1);
        match after_first {
            None => after_first = Some(now),
            Some((threads0, rss0)) => {
                assert!(
                    now.0 <= threads0 + 2,
                    "threads grew: {threads0} -> {}",
                    now.0
                );
                assert!(
                    now.1 <= rss0 * 1.5 + 64.0,
                    "memory grew: {rss0:.0} -> {:.0} MB",
                    now.1
                );
            }
        }
    }
}
