//! Process-wide settings for the numerical work, applied once at start-up (by the binary and by
//! the window) before any tensor is made.
//!
//! candle runs element-wise ops on its own spinning "barrier pool" beside rayon's workers, which
//! run the matrix products: on a 2-core machine the two pools fight over the cores and a profile
//! of training shows a third of the time spinning. One candle thread (rayon still parallelises
//! decoding and large products) trains 1.8x faster here. And every tensor op allocates a fresh
//! buffer: above glibc's 128 KB mmap threshold each is an mmap, a round of page faults and an
//! munmap; a higher threshold lets the allocator reuse its heap.

use std::sync::Once;

/// Applies the settings once; later calls do nothing. An explicit CANDLE_NUM_THREADS wins.
pub fn tune() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
            std::env::set_var("CANDLE_NUM_THREADS", "1");
        }
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only adjusts allocator thresholds; it is called before the numerical
        // work starts and changes no memory that is in use.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
        }
    });
}
