//! Process-wide settings for the numerical work, applied once at start-up (by the binary and by
//! the window) before any tensor is made.
//!
//! candle runs element-wise ops on its own spinning "barrier pool" beside rayon's workers, which
//! run the matrix products: on a 2-core machine the two pools fight over the cores and a profile
//! of training shows a third of the time spinning. One candle thread (rayon still parallelises
//! decoding and large products) trains 1.8x faster here. And every tensor op allocates a fresh
//! buffer: above glibc's 128 KB mmap threshold each is an mmap, a round of page faults and an
//! munmap; a higher threshold lets the allocator reuse its heap. Heaps are limited to one per
//! core, and the window hands free memory back when a big job ends ([`release_memory`]).
//!
//! candle sizes every matrix product's thread count from RAYON_NUM_THREADS, and without it
//! counts the machine's physical cores again on every product by parsing /proc/cpuinfo: 8 % of
//! a training profile, and ~300 of a decoder step's ~350 µs. So the count is set once here.

use std::sync::Once;

/// Gives the heap's free memory back to the system. The thresholds above keep freed memory in
/// the process for reuse while tensors come and go; once a big job is over (a folder loaded, a
/// model trained) that memory is only held, so the window returns it.
pub fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's heaps to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// [`release_memory`] once nothing else runs (`idle`): memory a running job still uses is not
/// free to give back.
pub fn release_memory_when(idle: bool) {
    if idle {
        release_memory();
    }
}

/// Applies the settings once; later calls do nothing. An explicit CANDLE_NUM_THREADS or
/// RAYON_NUM_THREADS wins.
pub fn tune() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
            std::env::set_var("CANDLE_NUM_THREADS", "1");
        }
        if std::env::var_os("RAYON_NUM_THREADS").is_none() {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            std::env::set_var("RAYON_NUM_THREADS", cores.to_string());
        }
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only adjusts allocator thresholds; it is called before the numerical
        // work starts and changes no memory that is in use.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
            // One heap per core, not glibc's eight: the window's short-lived worker threads
            // otherwise each leave a heap of freed memory behind (the soak test's resident
            // size halved, 116 -> 52 MB, for the same 14 MB in use).
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            libc::mallopt(libc::M_ARENA_MAX, cores.clamp(1, 64) as i32);
        }
    });
}

/// Runs `f` on one of rayon's workers (inline when already on one) and waits for it. A thread
/// outside the pool that starts a parallel product sleeps on a latch until the workers finish
/// and is woken for the next one, on every product; on a worker, the product's other half is
/// stolen by the second worker while this one computes its own. Training a DSAE epoch went
/// from 0.22 to 0.17 s here (batch 512), a fifth of it having been the kernel's scheduler.
pub fn on_workers<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}
