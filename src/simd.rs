//! Run-time SIMD dispatch for the loops over whole buffers (activations, the loss, Adam, the
//! PCA's moments): `pulp`, the dispatcher the `gemm` crate already uses, compiles a closure for
//! the best instruction set the CPU has (AVX2 with FMA, or AVX-512), so its loops auto-vectorise
//! at the machine's full width rather than at the portable binary's SSE2.

/// Runs `f` compiled for the best instruction set this CPU has. Whatever `f` calls must be
/// inlined into it (`#[inline(always)]`) to benefit.
#[inline(always)]
pub fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}
