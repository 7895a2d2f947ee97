//! WAV files whose size fields do not describe the file, which symphonia refuses: a writer that
//! could not seek back left them at 0 or 0xFFFFFFFF (streaming), or the file was cut short and
//! its header still promises the whole. The file is read through a view with those fields set
//! to what it really holds, and the promise is kept so a cut file can still be called truncated.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

/// A file read with some 4-byte fields replaced.
pub struct PatchedFile {
    file: File,
    len: u64,
    position: u64,
    patches: Vec<(u64, [u8; 4])>,
}

/// What the repair found in the header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Repair {
    /// Frames the header promised, when it named a size (not a streaming placeholder).
    pub declared_frames: Option<u64>,
}

/// Opens `file` as a repaired WAV when it is RIFF/WAVE and its RIFF or data size does not match
/// its length; `None` when it is not a WAV or needs no repair.
pub fn repair(mut file: File) -> Option<(PatchedFile, Repair)> {
    let len = file.metadata().ok()?.len();
    let mut header = [0u8; 12];
    file.read_exact(&mut header).ok()?;
    if &header[..4] != b"RIFF" || &header[8..] != b"WAVE" {
        return None;
    }
    let riff_size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    // Walk the chunks to the data chunk, remembering the frame size from "fmt ".
    let mut at = 12u64;
    let mut block_align = 0u64;
    loop {
        if at + 8 > len {
            return None;
        }
        let mut chunk = [0u8; 8];
        file.seek(SeekFrom::Start(at)).ok()?;
        file.read_exact(&mut chunk).ok()?;
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        if &chunk[..4] == b"fmt " {
            let mut fmt = [0u8; 14];
            file.read_exact(&mut fmt).ok()?;
            block_align = u64::from(u16::from_le_bytes([fmt[12], fmt[13]]));
        }
        if &chunk[..4] == b"data" {
            let data_start = at + 8;
            let available = len - data_start;
            let riff_wrong = u64::from(riff_size) != len - 8;
            if size == available && !riff_wrong {
                return None;
            }
            let placeholder = size == 0 || size >= u64::from(u32::MAX) - 1;
            let declared_frames = (!placeholder && block_align > 0)
                .then(|| size.min(u64::from(u32::MAX)) / block_align);
            let fit = |v: u64| (v.min(u64::from(u32::MAX)) as u32).to_le_bytes();
            let patched = PatchedFile {
                file,
                len,
                position: 0,
                patches: vec![(4, fit(len - 8)), (at + 4, fit(available))],
            };
            return Some((patched, Repair { declared_frames }));
        }
        // Chunks are padded to even sizes.
        at = data_start_of_next(at, size)?;
    }
}

fn data_start_of_next(at: u64, size: u64) -> Option<u64> {
    at.checked_add(8)?.checked_add(size + (size & 1))
}

impl Read for PatchedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        for (offset, bytes) in &self.patches {
            for (k, b) in bytes.iter().enumerate() {
                let at = offset + k as u64;
                if at >= self.position && at < self.position + n as u64 {
                    buf[(at - self.position) as usize] = *b;
                }
            }
        }
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for PatchedFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.position = self.file.seek(to)?;
        Ok(self.position)
    }
}

impl MediaSource for PatchedFile {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}
