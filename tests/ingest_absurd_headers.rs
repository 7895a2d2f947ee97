//! A header that claims gigabytes must not make the decoder allocate them. This binary counts
//! the largest single allocation made while decoding such files.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::*;
use genrescope::audio::DecodeError;
use genrescope::dataset::features::{extract_track, FeatureConfig};

struct Tracking;
static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

const LIMIT_BYTES: usize = 16 << 20;

#[test]
fn absurd_lengths_are_not_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let s = signal(200.0, 2.0, 22_050);

    // WAV whose RIFF and data sizes claim ~4 GiB over 2 s of audio.
    let wav = dir.path().join("huge.wav");
    write_wav(&wav, &s, 22_050, 1);
    let mut bytes = std::fs::read(&wav).unwrap();
    bytes[4..8].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let data = bytes.windows(4).position(|w| w == b"data").unwrap();
    bytes[data + 4..data + 8].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
    std::fs::write(&wav, bytes).unwrap();

    // .au whose data size claims 4 GiB over 2 s of audio.
    let au = dir.path().join("huge.au");
    write_au(&au, &s, 22_050);
    let mut bytes = std::fs::read(&au).unwrap();
    bytes[8..12].copy_from_slice(&0xFFFF_FF00u32.to_be_bytes());
    std::fs::write(&au, bytes).unwrap();

    let cfg = FeatureConfig::default();
    for path in [&wav, &au] {
        LARGEST.store(0, Ordering::Relaxed);
        let result = extract_track(path, &cfg, &AtomicBool::new(false));
        let largest = LARGEST.load(Ordering::Relaxed);
        assert!(
            largest < LIMIT_BYTES,
            "{}: an allocation of {largest} bytes",
            path.display()
        );
        // The header promises more than the file holds: a truncated file, named in the error.
        match result {
            Err(err @ DecodeError::Truncated { .. }) => {
                assert!(err.to_string().contains("huge"), "{err}")
            }
            other => panic!("{}: expected Truncated, got {other:?}", path.display()),
        }
    }
}
