//! `genrescope cache [--clear]`: where the feature cache is, how big it is, and emptying it.

use clap::Args;

use crate::dataset::cache::FeatureCache;

#[derive(Debug, Args)]
pub struct CacheArgs {
    /// Remove every cached feature file
    #[arg(long)]
    pub clear: bool,
}

pub fn run(args: &CacheArgs) -> anyhow::Result<()> {
    let Some(cache) = FeatureCache::default_location() else {
        println!("the feature cache is off (GENRESCOPE_CACHE_DIR=off)");
        return Ok(());
    };
    if args.clear {
        let freed = cache.clear()?;
        println!(
            "cleared the feature cache in {} ({:.1} MB freed)",
            cache.dir().display(),
            freed as f64 / 1e6
        );
        return Ok(());
    }
    let (files, bytes) = std::fs::read_dir(cache.dir()).map_or((0, 0), |entries| {
        entries
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .fold((0, 0u64), |(n, b), m| (n + 1, b + m.len()))
    });
    println!(
        "feature cache: {} ({files} folder(s), {:.1} MB); `genrescope cache --clear` empties it",
        cache.dir().display(),
        bytes as f64 / 1e6
    );
    Ok(())
}
