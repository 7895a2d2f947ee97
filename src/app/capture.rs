//! Pictures of the window: `--screenshot` (once everything is loaded and drawn, then close), the
//! maps as PNGs (cropped from a screenshot), and the start-up timing printed with
//! GENRESCOPE_TIMING. It reads the state and asks for commands; it changes nothing itself.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::events::{Command, FileTarget, Output};
use super::jobs::{JobError, Spawner};
use super::registry::{JobId, JobKind};
use super::state::{AppState, Derived, MapId};
use crate::files::write_atomic;

/// Set by `--screenshot` runs: how the capture went.
pub type ScreenshotOutcome = Arc<Mutex<Option<Result<PathBuf, String>>>>;

/// Waits this long for loading and projecting before capturing anyway (a first open of a
/// 10,000-track library takes about three minutes here).
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(600);
/// Frames to let the layout settle once everything is loaded.
const SETTLE_FRAMES: u32 = 5;

type Shot = Arc<Mutex<Option<Arc<egui::ColorImage>>>>;

struct Screenshot {
    path: PathBuf,
    started: Instant,
    idle_frames: u32,
    requested: bool,
    image: Shot,
    /// Save the maps as PNGs here first.
    export_maps: Option<PathBuf>,
    outcome: ScreenshotOutcome,
}

struct MapsRequest {
    job: JobId,
    dir: PathBuf,
    rects: Vec<(&'static str, egui::Rect)>,
    image: Shot,
    requested: bool,
}

/// Start-up milestones still to report.
struct Timing {
    from: Instant,
    first_frame: bool,
    maps: bool,
    /// When the first model's maps were drawn, until a second model's are (compare mode).
    second_from: Option<Instant>,
}

#[derive(Default)]
pub struct Capture {
    screenshot: Option<Screenshot>,
    maps: Option<MapsRequest>,
    timing: Option<Timing>,
}

impl Capture {
    pub fn new(
        screenshot: Option<PathBuf>,
        export_maps: Option<PathBuf>,
        outcome: ScreenshotOutcome,
        timing_from: Option<Instant>,
    ) -> Self {
        Self {
            screenshot: screenshot.map(|path| Screenshot {
                path,
                started: Instant::now(),
                idle_frames: 0,
                requested: false,
                image: Arc::default(),
                export_maps,
                outcome,
            }),
            maps: None,
            timing: timing_from.map(|from| Timing {
                from,
                first_frame: false,
                maps: false,
                second_from: None,
            }),
        }
    }

    /// Saves the maps as PNGs into `dir` from the next frame; `job` is the registered write.
    pub fn request_maps(&mut self, job: JobId, dir: PathBuf) {
        self.maps = Some(MapsRequest {
            job,
            dir,
            rects: Vec::new(),
            image: Arc::default(),
            requested: false,
        });
    }

    /// Called every frame after drawing: takes the screenshots asked for and hands their
    /// writing to workers. Returns commands for the apply step.
    pub fn tick(
        &mut self,
        ctx: &egui::Context,
        state: &AppState,
        spawner: &Spawner,
    ) -> Vec<Command> {
        self.tick_maps(ctx, state, spawner);
        self.tick_screenshot(ctx, state)
    }

    fn tick_maps(&mut self, ctx: &egui::Context, state: &AppState, spawner: &Spawner) {
        let Some(request) = self.maps.as_mut() else {
            return;
        };
        if !request.requested {
            request.requested = true;
            request.rects = MapId::ALL
                .into_iter()
                .filter_map(|map| {
                    egui_plot::PlotMemory::load(ctx, state.map_plot_id(map)).map(|m| {
                        // From the map's title down: its method and parameters are in the image.
                        let mut rect = *m.transform().frame();
                        let corner = ctx.data(|d| {
                            d.get_temp::<egui::Pos2>(crate::app::maps_panel::map_top_id(map))
                        });
                        if let Some(corner) = corner {
                            rect.min = rect.min.min(corner);
                        }
                        (map.name(), rect)
                    })
                })
                .collect();
            let slot = Arc::clone(&request.image);
            let waker = ctx.clone();
            ctx.request_screenshot(move |image| {
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(image);
                }
                waker.request_repaint();
            });
            return;
        }
        let image = request.image.lock().ok().and_then(|mut i| i.take());
        let Some(image) = image else { return };
        let Some(request) = self.maps.take() else {
            return;
        };
        let Some(cancel) = state.jobs.get(request.job).map(|j| Arc::clone(&j.cancel)) else {
            return;
        };
        let scale = ctx.pixels_per_point();
        let kind = JobKind::Write {
            what: "maps".into(),
        };
        spawner.spawn(request.job, &kind, cancel, move |_| {
            save_map_pngs(&image, &request.rects, scale, &request.dir)
                .map(Output::Written)
                .map_err(JobError::Failed)
        });
    }

    fn tick_screenshot(&mut self, ctx: &egui::Context, state: &AppState) -> Vec<Command> {
        let ready = state.is_idle()
            && self.maps.is_none()
            && state
                .data
                .as_ref()
                .is_none_or(|d| !matches!(d.raw_map, Derived::Computing))
            && state
                .model()
                .is_none_or(|m| !matches!(m.view, Derived::Computing));
        let Some(shot) = self.screenshot.as_mut() else {
            return Vec::new();
        };
        if shot.requested {
            let image = shot.image.lock().ok().and_then(|mut i| i.take());
            if let Some(image) = image {
                let result = save_png(&shot.path, &image).map(|()| shot.path.clone());
                if let Ok(mut outcome) = shot.outcome.lock() {
                    *outcome = Some(result);
                }
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            ctx.request_repaint();
            return Vec::new();
        }
        if ready || shot.started.elapsed() > SCREENSHOT_TIMEOUT {
            shot.idle_frames += 1;
            ctx.request_repaint();
        } else {
            // Look again soon, not at once: a frame drawn back to back while a large folder
            // loads (on Xvfb's software renderer) took a core from the decoding.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
        if shot.idle_frames <= SETTLE_FRAMES {
            return Vec::new();
        }
        if let Some(dir) = shot.export_maps.take() {
            // The maps export is a write: the window is not idle again until it is done.
            shot.idle_frames = 0;
            return vec![Command::UsePath {
                target: FileTarget::MapsFolder,
                path: dir,
            }];
        }
        shot.requested = true;
        let slot = Arc::clone(&shot.image);
        let waker = ctx.clone();
        ctx.request_screenshot(move |image| {
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(image);
            }
            waker.request_repaint();
        });
        Vec::new()
    }

    /// Reports start-up milestones once each: this frame is drawn, and (once) it has all maps.
    pub fn report_timing(&mut self, state: &AppState) {
        let maps_ready = state.layer(MapId::Raw).is_some() && state.model_view().is_some();
        let Some(t) = self.timing.as_mut() else {
            return;
        };
        let ms = t.from.elapsed().as_secs_f64() * 1e3;
        if !t.first_frame {
            t.first_frame = true;
            eprintln!("timing: first frame drawn after {ms:.0} ms");
        }
        if maps_ready && !t.maps {
            t.maps = true;
            t.second_from = Some(Instant::now());
            eprintln!("timing: all three maps drawn after {ms:.0} ms");
        }
        let compared = state
            .model()
            .and_then(|m| m.compare.as_ref())
            .is_some_and(|c| c.ready().is_some());
        if let (true, Some(since)) = (compared, t.second_from) {
            t.second_from = None;
            eprintln!(
                "timing: the second model's maps and the comparison drawn after {ms:.0} ms \
                 ({:.0} ms after the first model's)",
                since.elapsed().as_secs_f64() * 1e3
            );
        }
    }
}

/// Crops each map's frame out of a screenshot and writes `<name>.png` into `dir`.
fn save_map_pngs(
    image: &egui::ColorImage,
    rects: &[(&str, egui::Rect)],
    scale: f32,
    dir: &Path,
) -> Result<String, String> {
    if rects.is_empty() {
        return Err("No map is on screen to save; show the Maps tab first.".into());
    }
    let [w, h] = image.size;
    for (name, rect) in rects {
        let x0 = ((rect.min.x * scale).max(0.0) as usize).min(w);
        let y0 = ((rect.min.y * scale).max(0.0) as usize).min(h);
        let x1 = ((rect.max.x * scale) as usize).clamp(x0, w);
        let y1 = ((rect.max.y * scale) as usize).clamp(y0, h);
        let mut crop = egui::ColorImage::filled([x1 - x0, y1 - y0], egui::Color32::BLACK);
        for y in y0..y1 {
            let row = &image.pixels[y * w + x0..y * w + x1];
            crop.pixels[(y - y0) * (x1 - x0)..(y - y0 + 1) * (x1 - x0)].copy_from_slice(row);
        }
        save_png(&dir.join(format!("{name}.png")), &crop)?;
    }
    Ok(format!(
        "Saved {} map(s) as PNG in {}.",
        rects.len(),
        dir.display()
    ))
}

fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or_else(|| "the screenshot has an inconsistent size".to_string())?;
    write_atomic(path, |w| buffer.write_to(w, image::ImageFormat::Png)).map_err(|e| e.to_string())
}
