//! Files in and out, safely. Every file genrescope writes goes through [`write_atomic`]: it is
//! written to a temporary file beside its destination, flushed to disk and renamed over it only
//! when complete, so a crash, a kill or a full disk never leaves a truncated file where a good
//! one was. Temporary files carry the writer's process id, so ones left by a killed process are
//! recognised and swept by the next write to that folder. Inputs are read only when they are
//! regular files of a bounded size (a FIFO would hang a reader, /dev/zero would never end).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Temporary files are named `.<destination name>.genrescope-<pid>-<random>.tmp`.
const TMP_MARK: &str = ".genrescope-";
const TMP_SUFFIX: &str = ".tmp";

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot write {}: {cause}", path.display())]
    Write { path: PathBuf, cause: String },
    #[error(
        "cannot write to {}: {cause}; choose a folder that exists and that you can write to",
        path.display()
    )]
    Destination { path: PathBuf, cause: String },
    #[error("cannot read {}: {cause}", path.display())]
    Read { path: PathBuf, cause: String },
    #[error("{} is not a regular file ({kind}); give the path of a file", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(
        "{} is {size_bytes} bytes, more than the {max_bytes} bytes a {what} can be; is it the \
        right file?",
        path.display()
    )]
    TooLarge {
        path: PathBuf,
        size_bytes: u64,
        max_bytes: u64,
        what: &'static str,
    },
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `path` atomically: `write` fills a buffered temporary file in the same folder, which
/// is synced and renamed over `path` once `write` succeeds; on any error it is removed and
/// `path` is untouched. The error names `path`.
pub fn write_atomic<E: std::fmt::Display>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), E>,
) -> Result<(), FileError> {
    let fail = |cause: String| FileError::Write {
        path: path.to_path_buf(),
        cause,
    };
    if path.is_dir() {
        return Err(fail("it is a folder".into()));
    }
    let dir = folder_of(path);
    sweep_stale(dir);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{name}{TMP_MARK}{}-", std::process::id());
    builder.prefix(&prefix).suffix(TMP_SUFFIX);
    // tempfile makes private (0600) files and the rename keeps that: give the file the
    // permissions of any other file the user writes (the umask still applies).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let tmp = builder.tempfile_in(dir).map_err(|e| fail(e.to_string()))?;
    let (file, tmp_path) = tmp.into_parts();
    let mut writer = BufWriter::new(file);
    let written = write(&mut writer)
        .map_err(|e| e.to_string())
        .and_then(|()| writer.flush().map_err(|e| e.to_string()))
        .and_then(|()| writer.get_ref().sync_all().map_err(|e| e.to_string()));
    // Dropping `tmp_path` removes the file unless it was persisted.
    match written {
        Ok(()) => tmp_path
            .persist(path)
            .map_err(|e| fail(e.error.to_string())),
        Err(cause) => Err(fail(cause)),
    }
}

/// Checks, before any long work, that `path` can be written: its folder exists and takes a
/// new file, and it is not itself a folder.
pub fn check_destination(path: &Path) -> Result<(), FileError> {
    let dir = folder_of(path);
    let fail = |cause: String| FileError::Destination {
        path: path.to_path_buf(),
        cause,
    };
    if path.is_dir() {
        return Err(fail("that is a folder, not a file name".into()));
    }
    if !dir.is_dir() {
        return Err(fail(format!("the folder {} does not exist", dir.display())));
    }
    tempfile::Builder::new()
        .prefix(&format!(".probe{TMP_MARK}{}-", std::process::id()))
        .suffix(TMP_SUFFIX)
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| fail(e.to_string()))
}

/// Checks that `dir` exists (creating it if needed) and takes new files.
pub fn check_folder(dir: &Path) -> Result<(), FileError> {
    std::fs::create_dir_all(dir).map_err(|e| FileError::Destination {
        path: dir.to_path_buf(),
        cause: e.to_string(),
    })?;
    check_destination(&dir.join("probe"))
}

/// Removes temporary files of this kind left in `dir` by processes that no longer run.
fn sweep_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(pid) = tmp_owner(name) else { continue };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The process id in a temporary file's name, if it is one of ours.
fn tmp_owner(name: &str) -> Option<u32> {
    if !name.starts_with('.') || !name.ends_with(TMP_SUFFIX) {
        return None;
    }
    let after = &name[name.rfind(TMP_MARK)? + TMP_MARK.len()..];
    after.split('-').next()?.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        // Without /proc, keep them: a stale file is better than a live writer's lost one.
        true
    }
}

/// Reads a whole file that must be a regular file of at most `max_bytes` (`what` names it in
/// the error: "model file").
pub fn read_regular_file(
    path: &Path,
    max_bytes: u64,
    what: &'static str,
) -> Result<Vec<u8>, FileError> {
    let read_err = |cause: String| FileError::Read {
        path: path.to_path_buf(),
        cause,
    };
    // `metadata` does not open the file: a FIFO is recognised without blocking on it.
    let meta = std::fs::metadata(path).map_err(|e| read_err(e.to_string()))?;
    if !meta.is_file() {
        return Err(FileError::NotAFile {
            path: path.to_path_buf(),
            kind: kind_of(&meta),
        });
    }
    if meta.len() > max_bytes {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            size_bytes: meta.len(),
            max_bytes,
            what,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    File::open(path)
        .and_then(|f| f.take(max_bytes + 1).read_to_end(&mut bytes))
        .map_err(|e| read_err(e.to_string()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            size_bytes: bytes.len() as u64,
            max_bytes,
            what,
        });
    }
    Ok(bytes)
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_carry_their_owner() {
        assert_eq!(
            tmp_owner(".m.safetensors.genrescope-4242-aB3xZ9.tmp"),
            Some(4242)
        );
        assert_eq!(tmp_owner("m.safetensors"), None);
        assert_eq!(tmp_owner(".x.tmp"), None);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "good").unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"half").map_err(|e| e.to_string())?;
            Err::<(), _>("the disk is full".to_string())
        })
        .unwrap_err();
        assert!(err.to_string().contains("out.csv") && err.to_string().contains("disk is full"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "good");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomic(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        // Process ids are below 2^22 on Linux: this one cannot be running.
        let stale = dir.path().join(".x.csv.genrescope-99999999-abc.tmp");
        std::fs::write(&stale, "left by a killed run").unwrap();
        let live = dir
            .path()
            .join(format!(".y.csv.genrescope-{}-abc.tmp", std::process::id()));
        std::fs::write(&live, "ours").unwrap();
        write_atomic(&dir.path().join("x.csv"), |w| w.write_all(b"x")).unwrap();
        assert!(!stale.exists());
        assert!(live.exists());
    }
}
