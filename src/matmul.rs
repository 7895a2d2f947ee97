//! Matrix products on plain f32 slices, through the `gemm` crate (the one candle runs on the
//! CPU): the dense layers' fused op and the PCA maps share it. Any strides, so a transposed or
//! every-third-row view costs no copy.

/// Below this many multiply-adds a product runs on the calling thread: waking rayon's workers
/// costs more than the product (measured with the gemm crate here: 512 × 32 × 16 is slower on
/// two threads, 64 × 128 × 192 already faster).
const PARALLEL_MACS: usize = 1 << 18;

/// A matrix in memory: its first element and the distance between rows and between columns.
#[derive(Clone, Copy)]
pub struct Strided<'a> {
    pub data: &'a [f32],
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> Strided<'a> {
    /// A row-major matrix `cols` wide.
    pub fn rows(data: &'a [f32], cols: usize) -> Self {
        Self {
            data,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The same matrix read transposed.
    pub fn t(self) -> Self {
        Self {
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    /// Whether `rows` × `cols` elements at these strides lie within the data.
    fn holds(&self, rows: usize, cols: usize) -> bool {
        rows == 0
            || cols == 0
            || (rows - 1)
                .checked_mul(self.row_stride)
                .zip((cols - 1).checked_mul(self.col_stride))
                .and_then(|(r, c)| r.checked_add(c))
                .is_some_and(|last| last < self.data.len())
    }
}

/// `dst = seed + a · b`, `a` m × k, `b` k × n, `dst` m × n row-major; `seed` false: `a · b`.
///
/// # Panics
/// When `dst` is not m × n or `a` or `b` reach past their data: the product reads raw pointers.
pub fn product(dst: &mut [f32], seed: bool, a: Strided, b: Strided, m: usize, k: usize, n: usize) {
    assert_eq!(
        dst.len(),
        m * n,
        "product: the destination is not {m} × {n}"
    );
    assert!(
        a.holds(m, k) && b.holds(k, n),
        "product: an operand reaches past its data"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !seed {
            dst.fill(0.0);
        }
        return;
    }
    let parallelism = if m * n * k >= PARALLEL_MACS {
        gemm::Parallelism::Rayon(rayon::current_num_threads())
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: `dst` holds m × n values at row stride n; `a` and `b` hold their m × k and k × n
    // values at the strides given (both checked above).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            seed,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_of_strided_views_are_the_naive_ones() {
        // a is 3 × 4 read from every other row of a 6 × 4 buffer; b is 4 × 2 read transposed.
        let a_buf: Vec<f32> = (0..24).map(|v| v as f32 * 0.5 - 3.0).collect();
        let b_buf: Vec<f32> = (0..8).map(|v| v as f32 - 2.5).collect();
        let a = Strided {
            data: &a_buf,
            row_stride: 8,
            col_stride: 1,
        };
        let b = Strided::rows(&b_buf, 4).t();
        let mut got = vec![1.0f32; 6];
        product(&mut got, true, a, b, 3, 4, 2);
        for i in 0..3 {
            for j in 0..2 {
                let want: f32 = 1.0
                    + (0..4)
                        .map(|l| a_buf[i * 8 + l] * b_buf[j * 4 + l])
                        .sum::<f32>();
                assert!((got[i * 2 + j] - want).abs() < 1e-5, "({i}, {j})");
            }
        }
    }

    #[test]
    #[should_panic(expected = "reaches past its data")]
    fn an_operand_too_short_is_refused() {
        let a = vec![0.0f32; 11];
        let b = vec![0.0f32; 8];
        let mut dst = vec![0.0f32; 6];
        product(
            &mut dst,
            false,
            Strided::rows(&a, 4),
            Strided::rows(&b, 2),
            3,
            4,
            2,
        );
    }
}
