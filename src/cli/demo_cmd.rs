//! `genrescope demo --out DIR`: the built-in demo set as WAV files, in the usual layout.

use std::path::PathBuf;

use clap::Args;

use crate::dataset::demo::{render_track, RATE_HZ, SEGMENTS_PER_TRACK, STYLES, TRACKS_PER_STYLE};
use crate::dataset::FeatureConfig;
use crate::export::write_wav;
use crate::files::check_folder;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write <style>/<style>.0000N.wav into (created if needed)
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let len = SEGMENTS_PER_TRACK * FeatureConfig::default().segment_samples;
    for (s, style) in STYLES.iter().enumerate() {
        let dir = args.out.join(style);
        check_folder(&dir)?;
        for t in 0..TRACKS_PER_STYLE {
            let path = dir.join(format!("{style}.{t:05}.wav"));
            write_wav(&path, &render_track(s, t, len), RATE_HZ)?;
        }
    }
    eprintln!(
        "wrote {} tracks of the synthetic demo set to {}",
        STYLES.len() * TRACKS_PER_STYLE,
        args.out.display()
    );
    Ok(())
}
