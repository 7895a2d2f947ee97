//! Choosing paths (a native dialog, or the path field when none can open) and what is written
//! there: models, embeddings, the maps as PNGs, a path or a probe's stroke as WAV, the
//! selection; and the song to place on the maps. Every destination is checked before the work
//! starts.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::events::FileTarget;
use crate::app::jobs::{work, JobError};
use crate::app::notices::Topic;
use crate::app::registry::{JobKind, Stamp};
use crate::app::state::{Loudness, MapId, PathPrompt, Tab};
use crate::app::GenrescopeApp;
use crate::dataset::DataSource;
use crate::files::{check_destination, check_folder};
use crate::latent::audible::Voice;

/// rfd answers `None` both when the user cancels and when no dialog can be shown, so look for
/// what it needs first: a session bus (for the portal) or zenity.
pub(super) fn dialogs_available() -> bool {
    if std::env::var_os("GENRESCOPE_NO_DIALOGS").is_some() {
        return false;
    }
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join("zenity").is_file()));
    bus || zenity
}

impl GenrescopeApp {
    /// A sensible place for `target` in the working folder, named after what is there.
    fn default_path(&self, target: FileTarget) -> PathBuf {
        let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let name = match target {
            FileTarget::SaveModel => {
                let model = self.state.model().map(|m| &m.saved.meta);
                let input = model.map_or("waveform", |m| m.features.input.kind().name());
                let kind = model.map_or("model", |m| m.model.kind.name());
                format!("genrescope-{input}-{kind}.safetensors")
            }
            FileTarget::OpenModel | FileTarget::CompareModel => "model.safetensors".into(),
            FileTarget::PathWav => "interpolation.wav".into(),
            FileTarget::StrokeWav => "probe-stroke.wav".into(),
            FileTarget::SelectionFolder => "genrescope-selection".into(),
            FileTarget::PlaceFile => String::new(),
            FileTarget::EmbeddingsFolder => "genrescope-embeddings".into(),
            FileTarget::MapsFolder => "genrescope-maps".into(),
            FileTarget::DataFolder => String::new(),
            FileTarget::AuditCsv => "genrescope-audit.csv".into(),
        };
        dir.join(name)
    }

    /// Asks where: the native dialog when one can open, else the path field.
    pub(super) fn ask_path(&mut self, target: FileTarget) {
        if target == FileTarget::DataFolder {
            return self.open_folder_dialog();
        }
        let needs_model = matches!(
            target,
            FileTarget::SaveModel
                | FileTarget::EmbeddingsFolder
                | FileTarget::PlaceFile
                | FileTarget::StrokeWav
        );
        if needs_model && self.state.model().is_none() {
            self.state.notices.error(
                Topic::Export,
                "There is no model yet: train one or open one first.",
            );
            return;
        }
        if dialogs_available() {
            self.start_job(
                JobKind::Dialog { target },
                Stamp::default(),
                move |_, _, _| work::pick(target),
            );
        } else {
            self.state.path_prompt = Some(PathPrompt {
                target,
                path: self.default_path(target).display().to_string(),
            });
        }
    }

    pub(super) fn edit_path_field(&mut self, text: String) {
        if let Some(prompt) = self.state.path_prompt.as_mut() {
            prompt.path = text;
        }
    }

    pub(super) fn confirm_path_field(&mut self) {
        let Some(prompt) = self.state.path_prompt.clone() else {
            return;
        };
        let path = PathBuf::from(prompt.path.trim());
        if prompt.path.trim().is_empty() {
            return;
        }
        // The field stays open when the path is refused, so it can be corrected.
        if self.use_path(prompt.target, path) {
            self.state.path_prompt = None;
        }
    }

    pub(super) fn picked(&mut self, target: FileTarget, path: Option<PathBuf>) {
        if let Some(path) = path {
            self.use_path(target, path);
        }
    }

    /// Does what `target` was asked for with `path`; false when the path is refused.
    pub(super) fn use_path(&mut self, target: FileTarget, path: PathBuf) -> bool {
        let checked = match target {
            FileTarget::DataFolder
            | FileTarget::OpenModel
            | FileTarget::CompareModel
            | FileTarget::PlaceFile => Ok(()),
            FileTarget::SaveModel
            | FileTarget::PathWav
            | FileTarget::StrokeWav
            | FileTarget::AuditCsv => check_destination(&path),
            FileTarget::EmbeddingsFolder | FileTarget::MapsFolder | FileTarget::SelectionFolder => {
                check_folder(&path)
            }
        };
        if let Err(e) = checked {
            self.state.notices.error(Topic::Export, e.to_string());
            return false;
        }
        match target {
            FileTarget::DataFolder => self.load_data(DataSource::Folder(path)),
            FileTarget::OpenModel => self.load_model(path),
            FileTarget::CompareModel => {
                self.compare_with(crate::app::jobs::work::CompareSource::File(path))
            }
            FileTarget::SaveModel => self.save_model(path),
            FileTarget::PathWav => self.export_path(path),
            FileTarget::EmbeddingsFolder => self.export_embeddings(path),
            FileTarget::MapsFolder => self.export_maps(path),
            FileTarget::PlaceFile => self.place_file(path),
            FileTarget::StrokeWav => self.export_stroke(path),
            FileTarget::SelectionFolder => self.export_selection(path),
            FileTarget::AuditCsv => self.export_audit(path),
        }
        true
    }

    fn save_model(&mut self, path: PathBuf) {
        let Some(model) = self.state.model() else {
            return;
        };
        let saved = Arc::clone(&model.saved);
        let kind = JobKind::SaveModel { path: path.clone() };
        self.start_job(kind, Stamp::default(), move |_, _, _| {
            work::save_model(path, saved)
        });
    }

    fn export_path(&mut self, path: PathBuf) {
        let (Some(model), Some(ds)) = (self.state.model(), self.state.dataset()) else {
            return;
        };
        let trace = &model.results.trace;
        if trace.path.is_empty() {
            self.state.notices.error(
                Topic::Export,
                "Pick A (click) and B (shift-click) on a map first: there is no path to export.",
            );
            return;
        }
        let steps = trace.path.clone();
        let saved = Arc::clone(&model.saved);
        let voice: Arc<Voice> = Arc::clone(&model.voice);
        // The file sounds as the window plays it: loudness-matched unless asked otherwise.
        let picks = self.state.picks();
        let levels = match self.state.loudness {
            Loudness::Matched => picks
                .a
                .zip(picks.b)
                .map(|(a, b)| voice.path_levels(ds.vector(a), ds.vector(b))),
            Loudness::Raw => None,
        };
        let what = format!("interpolation WAV {}", path.display());
        self.start_job(JobKind::Write { what }, Stamp::default(), move |_, _, _| {
            let target = levels.map(|l| move |t| l.at(t));
            let level = target.as_ref().map(|f| f as &dyn Fn(f32) -> f32);
            crate::export::write_path_wav(&path, &steps, &saved.meta, &voice, level)
                .map(|table| {
                    crate::app::events::Output::Written(format!(
                        "Wrote {} and {}.",
                        path.display(),
                        table.display()
                    ))
                })
                .map_err(JobError::failed)
        });
    }

    fn export_embeddings(&mut self, dir: PathBuf) {
        let (Some(ds), Some(model)) = (self.state.dataset().cloned(), self.state.model()) else {
            self.state.notices.error(
                Topic::Export,
                "Open a folder and a model first: there are no embeddings yet.",
            );
            return;
        };
        let Some(maps) = model.view.ready().map(|v| Arc::clone(&v.maps)) else {
            self.state.notices.error(
                Topic::Export,
                "The model is still encoding the clips; export again in a moment.",
            );
            return;
        };
        let saved = Arc::clone(&model.saved);
        let splits = model.splits.clone();
        let raw = self
            .state
            .layer(crate::app::state::MapId::Raw)
            .map(|l| l.projection.points.clone());
        // The maps as shown, each by its own method, for maps.csv.
        let shown: Vec<(MapId, crate::maps::method::MapMethod, usize, Vec<[f64; 2]>)> = MapId::ALL
            .into_iter()
            .filter_map(|map| {
                let layer = self.state.shown_layer(map)?;
                Some((
                    map,
                    layer.method,
                    layer.projection.dim,
                    layer.projection.points.clone(),
                ))
            })
            .collect();
        let source = serde_json::json!({
            "model": model.source.clone(),
            "folder": ds.source.label(),
        });
        let what = format!("embeddings in {}", dir.display());
        self.start_job(JobKind::Write { what }, Stamp::default(), move |_, _, _| {
            let e = crate::export::Embeddings::new(
                &ds,
                &saved.meta,
                &maps,
                splits.as_deref(),
                raw.as_deref(),
            );
            let exported: Vec<crate::export::ExportedMap> = shown
                .iter()
                .map(|(map, method, dim, points)| crate::export::ExportedMap {
                    name: map.short_name(),
                    method: *method,
                    dim: *dim,
                    points,
                    trustworthiness: None,
                    pca_trustworthiness: None,
                })
                .collect();
            e.write_csv(&dir.join("embeddings.csv"))
                .and_then(|()| e.write_projector(&dir))
                .and_then(|_| {
                    crate::export::write_maps(&dir, &ds, splits.as_deref(), &exported, &source)
                })
                .map(|_| {
                    crate::app::events::Output::Written(format!(
                        "Wrote embeddings.csv, vectors.tsv, metadata.tsv, maps.csv and maps.json \
                         to {}.",
                        dir.display()
                    ))
                })
                .map_err(JobError::failed)
        });
    }

    fn export_maps(&mut self, dir: PathBuf) {
        if self.state.data.is_none() {
            self.state
                .notices
                .error(Topic::Export, "Open a folder first: there are no maps yet.");
            return;
        }
        self.state.view.tab = Tab::Maps;
        let kind = JobKind::Write {
            what: format!("maps in {}", dir.display()),
        };
        let (job, _) = self.state.jobs.start(kind, Stamp::default());
        self.capture.request_maps(job, dir.clone());
        self.export_spectrograms(dir);
    }

    /// With log-mel data, the spectrograms the window shows (A's input and reconstruction, B's
    /// input, the path's current step) as PNGs beside the maps, on one dB scale, each frame and
    /// band 4 pixels.
    fn export_spectrograms(&mut self, dir: PathBuf) {
        let Some(input) = self.state.dataset().map(|d| d.features.input) else {
            return;
        };
        let picks = self.state.picks();
        let crate::dataset::Representation::LogMel(mel) = input else {
            // Other inputs: the spectrogram of A's original audio, when it has been made.
            let original = self
                .state
                .data
                .as_ref()
                .and_then(|d| d.original_spectrogram.as_ref())
                .filter(|(clip, _)| Some(*clip) == picks.a)
                .and_then(|(_, s)| s.ready().cloned());
            if let Some(db) = original {
                self.write_spectrograms(
                    dir,
                    crate::dataset::MelParams::default().n_mels,
                    vec![("spectrogram-a-original", db)],
                );
            }
            return;
        };
        let vector = |i: usize| self.state.dataset().map(|d| d.vector(i).to_vec());
        let mut shown: Vec<(&'static str, Vec<f32>)> = Vec::new();
        if let Some(a) = picks.a {
            shown.extend(vector(a).map(|v| ("spectrogram-a-input", v)));
            shown.extend(
                self.state
                    .reconstruction(a)
                    .map(|r| ("spectrogram-a-reconstruction", r.to_vec())),
            );
        }
        if let Some(b) = picks.b {
            shown.extend(vector(b).map(|v| ("spectrogram-b-input", v)));
        }
        if let Some(current) = self.state.trace().and_then(|t| t.current.as_ref()) {
            shown.push(("spectrogram-path-step", current.decoded.clone()));
        }
        self.write_spectrograms(dir, mel.n_mels, shown);
    }

    /// Writes each named patch as `<name>.png` in `dir`, all on one dB scale.
    fn write_spectrograms(
        &mut self,
        dir: PathBuf,
        n_mels: usize,
        shown: Vec<(&'static str, Vec<f32>)>,
    ) {
        use crate::app::spectrogram::{png_pixels, DbScale, Patch};
        if shown.is_empty() {
            return;
        }
        let what = format!("spectrograms in {}", dir.display());
        self.start_job(JobKind::Write { what }, Stamp::default(), move |_, _, _| {
            let patches: Vec<(&str, Patch)> = shown
                .iter()
                .filter_map(|(name, v)| Some((*name, Patch::new(v, n_mels)?)))
                .collect();
            let scale = DbScale::of(&patches.iter().map(|p| p.1).collect::<Vec<_>>());
            for (name, patch) in &patches {
                let path = dir.join(format!("{name}.png"));
                let pixels = png_pixels(*patch, scale, 4);
                crate::files::write_atomic(&path, |w| pixels.write_to(w, image::ImageFormat::Png))
                    .map_err(JobError::failed)?;
            }
            Ok(crate::app::events::Output::Written(format!(
                "Saved {} spectrogram(s) as PNG in {} ({:.0} to {:.0} dB).",
                patches.len(),
                dir.display(),
                scale.low_db,
                scale.high_db
            )))
        });
    }
}
