//! `genrescope demo --out DIR`: the built-in demo set as WAV files, in the usual layout.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::dataset::FeatureConfig;
use crate::demo::{render_track, RATE_HZ, SEGMENTS_PER_TRACK, STYLES, TRACKS_PER_STYLE};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write <style>/<style>.0000N.wav into (created if needed)
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let len = SEGMENTS_PER_TRACK * FeatureConfig::default().segment_samples;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE_HZ,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    for (s, style) in STYLES.iter().enumerate() {
        let dir = args.out.join(style);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for t in 0..TRACKS_PER_STYLE {
            let path = dir.join(format!("{style}.{t:05}.wav"));
            let mut w = hound::WavWriter::create(&path, spec)
                .with_context(|| format!("cannot write {}", path.display()))?;
            for v in render_track(s, t, len) {
                w.write_sample((v * 32767.0).round() as i16)?;
            }
            w.finalize()?;
        }
    }
    eprintln!(
        "wrote {} tracks of the synthetic demo set to {}",
        STYLES.len() * TRACKS_PER_STYLE,
        args.out.display()
    );
    Ok(())
}
