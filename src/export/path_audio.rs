//! A decoded path as sound: every step one after another in a WAV, with a CSV of each step's
//! parameter, place in the file and genre probabilities.

use std::path::{Path, PathBuf};

use super::{write_csv_rows, write_wav, ExportError, MAX_WAV_SAMPLES};
use crate::dsp::descriptors::{Descriptor, DescriptorAnalysis};
use crate::latent::audible::Voice;
use crate::latent::interpolate::PathStep;
use crate::model::ModelMeta;

/// Writes the decoded steps one after another as a 16-bit WAV at the data's sample rate, and
/// `<stem>.steps.csv` beside it with each step's t, where it starts and ends, its genre
/// probabilities and the descriptors of its decoded audio (at the decoder's own level). `target_rms`, when given, maps a step's t to the level its audio is brought to
/// (loudness matching, as the window plays it). Returns the CSV's path.
pub fn write_path_wav(
    path: &Path,
    steps: &[PathStep],
    meta: &ModelMeta,
    voice: &Voice,
    target_rms: Option<&dyn Fn(f32) -> f32>,
) -> Result<PathBuf, ExportError> {
    let audio_err = |cause| ExportError::Audio {
        path: path.to_path_buf(),
        cause,
    };
    let mut audio = Vec::new();
    let mut bounds = Vec::with_capacity(steps.len());
    let analysis = DescriptorAnalysis::new(voice.sample_rate_hz());
    let mut described = Vec::with_capacity(steps.len());
    for step in steps {
        let mut part = voice.render(&step.decoded).map_err(audio_err)?;
        // The decoder's own sound, before loudness matching sets its level.
        described.push(analysis.describe(&part));
        if let Some(target) = target_rms {
            crate::dsp::loudness::match_rms(&mut part, target(step.t));
        }
        if audio.len() + part.len() > MAX_WAV_SAMPLES {
            return Err(ExportError::WavTooLong {
                path: path.to_path_buf(),
                samples: audio.len() + part.len(),
            });
        }
        bounds.push((audio.len(), audio.len() + part.len()));
        audio.extend(part);
    }
    write_wav(path, &audio, voice.sample_rate_hz())?;
    let table_path = path.with_extension("steps.csv");
    write_csv_rows(&table_path, |w| {
        let mut header = vec![
            "step".to_string(),
            "t".into(),
            "start_sample".into(),
            "end_sample".into(),
        ];
        if steps.first().is_some_and(|s| s.probabilities.is_some()) {
            header.extend(meta.genres.iter().map(|g| format!("p_{g}")));
        }
        header.extend(Descriptor::ALL.iter().map(|d| d.column().to_string()));
        w.write_record(&header)?;
        for (k, ((step, (start, end)), d)) in steps.iter().zip(&bounds).zip(&described).enumerate()
        {
            let mut row = vec![
                k.to_string(),
                format!("{:.4}", step.t),
                start.to_string(),
                end.to_string(),
            ];
            if let Some(p) = &step.probabilities {
                row.extend(p.iter().map(|v| format!("{v:.4}")));
            }
            row.extend(
                Descriptor::ALL
                    .iter()
                    .map(|&x| d.get(x).map_or_else(String::new, |v| v.to_string())),
            );
            w.write_record(&row)?;
        }
        Ok(())
    })?;
    Ok(table_path)
}
