//! An audit as one CSV: every finding a row (an exact or near repeat, a suspected mislabel, a
//! published repeat), with the tracks it names and its numbers.

use std::path::Path;

use super::{write_csv_rows, ExportError};
use crate::analysis::audit::{Audit, RepeatKind};

/// Writes `audit` to `path`: columns kind, a, b, score, offset_secs, label, predicted,
/// neighbours, found.
pub fn write_audit_csv(path: &Path, audit: &Audit) -> Result<(), ExportError> {
    write_csv_rows(path, |w| {
        w.write_record([
            "kind",
            "a",
            "b",
            "score",
            "offset_secs",
            "label",
            "predicted",
            "neighbours",
            "found",
        ])?;
        for d in &audit.duplicates {
            let kind = match d.kind {
                RepeatKind::Exact => "exact repeat",
                RepeatKind::Near => "near repeat",
            };
            let (score, offset) = (format!("{:.4}", d.score), format!("{:.3}", d.offset_secs));
            w.write_record([kind, &d.a, &d.b, &score, &offset, "", "", "", ""])?;
        }
        for m in &audit.suspected_mislabels {
            w.write_record([
                "suspected mislabel",
                &m.path,
                "",
                "",
                "",
                &m.label,
                &m.predicted,
                &m.neighbours,
                "",
            ])?;
        }
        for p in &audit.published_repeats {
            let found = if p.found { "yes" } else { "no" };
            w.write_record(["published repeat", &p.a, &p.b, "", "", "", "", "", found])?;
        }
        Ok(())
    })?;
    Ok(())
}
