//! What a file dialog (or the path field standing in for it) is asked for.

/// What a path is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileTarget {
    DataFolder,
    /// An audio file to place on the maps.
    PlaceFile,
    OpenModel,
    /// A second model to compare the one in use with.
    CompareModel,
    SaveModel,
    PathWav,
    /// The probe's stroke as a WAV.
    StrokeWav,
    EmbeddingsFolder,
    MapsFolder,
    /// A folder for the selection's CSV, playlist and WAV.
    SelectionFolder,
    /// The audit's findings as CSV.
    AuditCsv,
}

impl FileTarget {
    /// What the path field asks for.
    pub fn prompt(self) -> &'static str {
        match self {
            Self::DataFolder => "Dataset folder to open",
            Self::PlaceFile => "Audio file to place on the maps",
            Self::OpenModel => "Model file to open",
            Self::CompareModel => "Model file to compare with",
            Self::SaveModel => "Save the model as",
            Self::PathWav => "Save the path as",
            Self::StrokeWav => "Save the stroke as",
            Self::EmbeddingsFolder => {
                "Folder for embeddings.csv, vectors.tsv, metadata.tsv, maps.csv and maps.json"
            }
            Self::MapsFolder => "Folder for the map PNGs",
            Self::SelectionFolder => "Folder for selection.csv, selection.m3u8 and selection.wav",
            Self::AuditCsv => "Save the audit as",
        }
    }

    /// The button that confirms the path field.
    pub fn verb(self) -> &'static str {
        match self {
            Self::DataFolder | Self::OpenModel => "Open",
            Self::CompareModel => "Compare",
            Self::PlaceFile => "Place",
            Self::SaveModel | Self::PathWav | Self::StrokeWav | Self::AuditCsv => "Save",
            Self::EmbeddingsFolder | Self::MapsFolder | Self::SelectionFolder => "Export",
        }
    }
}
