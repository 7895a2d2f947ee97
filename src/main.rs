use std::process::ExitCode;

use clap::Parser;
use genrescope::cli::{run, Cli};

#[cfg(feature = "window")]
mod window {
    use genrescope::app::state::Tab;
    use genrescope::app::{run as run_window, AppOptions};
    use genrescope::cli::{Cli, StartTab};
    use genrescope::dataset::DataSource;

    const NO_DISPLAY: &str = "genrescope: no display to open the window on (DISPLAY and \
        WAYLAND_DISPLAY are unset); the headless commands work without one: genrescope \
        scan|features|train|eval DIR (see --help)";

    fn has_display() -> bool {
        let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
        !cfg!(target_os = "linux") || set("DISPLAY") || set("WAYLAND_DISPLAY")
    }

    pub fn window(cli: &Cli, started: std::time::Instant) -> anyhow::Result<()> {
        if !has_display() {
            anyhow::bail!(NO_DISPLAY);
        }
        let options = AppOptions {
            data: cli.path.as_deref().map(DataSource::from_arg),
            model: cli.model.clone(),
            screenshot: cli.screenshot.clone(),
            audio: !cli.no_audio,
            export_maps: cli.export_maps.clone(),
            pick_a: cli.a.clone(),
            pick_b: cli.b.clone(),
            instrument: cli.show,
            place: cli.place.clone(),
            underneath: cli.underneath,
            compare: cli.compare.clone(),
            map_method: cli
                .map_method
                .as_deref()
                .and_then(genrescope::maps::method::MapMethod::by_name),
            timing_from: std::env::var_os("GENRESCOPE_TIMING").map(|_| started),
            tab: match cli.tab {
                StartTab::Maps => Tab::Maps,
                StartTab::Metrics => Tab::Metrics,
                StartTab::Explain => Tab::Explain,
            },
        };
        let outcome = run_window(options).map_err(|e| {
            anyhow::anyhow!(
                "genrescope: cannot open the window ({e}); the headless commands work without \
                 one (see --help)"
            )
        })?;
        if cli.screenshot.is_some() {
            let result = outcome.lock().ok().and_then(|mut o| o.take());
            match result {
                Some(Ok(path)) => eprintln!("screenshot: {}", path.display()),
                Some(Err(e)) => anyhow::bail!("screenshot failed: {e}"),
                None => anyhow::bail!("the window closed before the screenshot was taken"),
            }
        }
        Ok(())
    }
}

#[cfg(not(feature = "window"))]
mod window {
    pub fn window(_: &genrescope::cli::Cli, _: std::time::Instant) -> anyhow::Result<()> {
        anyhow::bail!(
            "genrescope: this build has no window (built without the `window` feature); the \
             headless commands work (see --help)"
        )
    }
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    genrescope::runtime::tune();
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(command) => run(command),
        None => window::window(&cli, started),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let text = format!("{err:#}");
            if text.starts_with("genrescope:") {
                eprintln!("{text}");
            } else {
                eprintln!("error: {text}");
            }
            ExitCode::FAILURE
        }
    }
}
