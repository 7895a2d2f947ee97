//! What `interpolate` and `steer` print about the steps they decoded: a table of each step's
//! parameter (t or α) and genre probabilities, or the same as JSON.

use std::path::PathBuf;

use clap::Args;

use crate::latent::interpolate::PathStep;

/// The level decoded audio is written at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    /// Each step brought to the loudness of the music it stands for (as the window plays it)
    Matched,
    /// The decoder's output as it is (decoded audio is much quieter than music)
    Raw,
}

/// Where and how a decoded path is written.
#[derive(Debug, Args)]
pub struct PathOutput {
    /// The WAV to write (a .steps.csv with each step's parameter and genre probabilities goes
    /// beside it)
    #[arg(long)]
    pub out: PathBuf,
    /// Loudness of the decoded steps
    #[arg(long, value_enum, default_value_t = Level::Matched)]
    pub level: Level,
    /// Print the steps as JSON
    #[arg(long)]
    pub json: bool,
}

/// Prints `steps` under `title`, their parameter named `parameter` (a JSON key too).
pub fn print_steps(
    steps: &[PathStep],
    genres: &[String],
    parameter: &str,
    title: &str,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        let rows: Vec<serde_json::Value> = steps
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let probabilities = s.probabilities.as_ref().map(|p| {
                    genres
                        .iter()
                        .zip(p)
                        .map(|(g, v)| serde_json::json!([g, v]))
                        .collect::<Vec<_>>()
                });
                let mut row = serde_json::Map::new();
                row.insert("step".into(), k.into());
                row.insert(parameter.into(), s.t.into());
                row.insert("probabilities".into(), serde_json::json!(probabilities));
                serde_json::Value::Object(row)
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!("{title}");
    let mut header = format!("{:>4} {:>6}", "step", parameter);
    for g in genres {
        header += &format!(" {g:>10}");
    }
    println!("{header}");
    for (k, s) in steps.iter().enumerate() {
        let mut line = format!("{k:>4} {:>6.3}", s.t);
        for p in s.probabilities.iter().flatten() {
            line += &format!(" {:>9.1}%", 100.0 * p);
        }
        println!("{line}");
    }
    Ok(())
}
