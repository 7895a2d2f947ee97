//! The β-TCVAE's KL term split in three (Chen, Li, Grosse and Duvenaud 2018, eq. 2), estimated
//! on a minibatch by minibatch-weighted sampling, as their reference implementation
//! (`vae_quant.py`) does when training:
//!
//! - index-code mutual information  `E[log q(z|x) − log q(z)]`,
//! - total correlation              `E[log q(z) − Σ_j log q(z_j)]`,
//! - dimension-wise KL              `E[Σ_j log q(z_j) − log p(z_j)]`,
//!
//! where `q(z) ≈ 1/(N·B) Σ_b q(z | x_b)` over the batch's `B` posteriors for a dataset of `N`.
//! The three add up to the batch's mean KL(q(z|x) ‖ p(z)) estimate; each is in nats per clip.
//!
//! That estimator's split is offset: a code dimension that carries nothing (its posterior the
//! prior for every clip) adds `log N` to the total correlation and takes it from the
//! dimension-wise KL, a constant without gradient, so the loss is unaffected but the figures
//! are not comparable. What is reported is therefore also estimated by minibatch-stratified
//! sampling (the reference's `--mss`), whose weights over the batch sum to one per row and
//! which has no such offset: the same total, split without the offset.

use candle_core::{Tensor, D};

/// Log-variances are held in this range: beyond it `exp` under- or overflows in f32 and one
/// collapsed dimension turns the loss into NaN.
pub const LOGVAR_LIMIT: f64 = 10.0;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// The three parts, each a scalar tensor (differentiable).
pub struct KlParts {
    pub mutual_information: Tensor,
    pub total_correlation: Tensor,
    pub dimensionwise_kl: Tensor,
}

/// What a training batch needs: the parts the loss weighs (minibatch-weighted sampling, as the
/// reference trains) and the same parts by minibatch-stratified sampling, to report.
pub struct KlEstimates {
    pub weighted: KlParts,
    pub stratified: KlParts,
}

/// Minibatch-stratified sampling's log-weights (Chen et al. 2018, appendix C.1): row `a` weighs
/// its own posterior `1/N`, the next row's `(N − M)/(N·M)` and every other `1/M`, with
/// `M = B − 1`; each row sums to one. (The reference puts the last row's "next" one row up; here
/// it wraps to the first row, so every row has the same weights.)
fn stratified_log_weights(batch: usize, dataset_size: usize) -> Vec<f32> {
    let n = dataset_size.max(batch) as f64;
    let m = (batch - 1) as f64;
    let mut w = vec![(1.0 / m).ln() as f32; batch * batch];
    for a in 0..batch {
        w[a * batch + a] = (1.0 / n).ln() as f32;
        w[a * batch + (a + 1) % batch] = ((n - m) / (n * m)).ln() as f32;
    }
    w
}

/// log N of a deviation `diff` from the mean, given the precision `exp(−logvar)` and
/// `logvar` (shapes broadcast): the one formula for both the per-clip and the pairwise terms.
fn log_density(diff: &Tensor, precision: &Tensor, logvar: &Tensor) -> candle_core::Result<Tensor> {
    // The scale and the constant in one pass: the pairwise terms are batch × batch × dims.
    diff.sqr()?
        .broadcast_mul(precision)?
        .broadcast_add(logvar)?
        .affine(-0.5, -0.5 * LN_2PI)
}

/// log N(z; mean, exp(logvar)) elementwise.
fn log_normal(z: &Tensor, mean: &Tensor, logvar: &Tensor) -> candle_core::Result<Tensor> {
    log_density(&(z - mean)?, &logvar.neg()?.exp()?, logvar)
}

/// log Σ exp over `dim`, stable. Candle's own also differentiates through the maximum it
/// subtracts, a mask over batch × batch × dims values in every backward pass; the result does
/// not depend on that shift, so here it is a constant.
fn log_sum_exp(x: &Tensor, dim: usize) -> candle_core::Result<Tensor> {
    let shift = x.max_keepdim(dim)?.detach();
    // Laid out in full: candle's broadcast arithmetic walks a strided operand index by index.
    let spread = shift.broadcast_as(x.shape())?.contiguous()?;
    (x - spread)?
        .exp()?
        .sum_keepdim(dim)?
        .log()?
        .add(&shift)?
        .squeeze(dim)
}

/// The decomposition for samples `z` drawn from the posteriors `(mean, logvar)`, all
/// `B × dims`, of a batch from a dataset of `dataset_size` clips, by both estimators.
pub fn kl_estimates(
    z: &Tensor,
    mean: &Tensor,
    logvar: &Tensor,
    dataset_size: usize,
) -> candle_core::Result<KlEstimates> {
    let (batch, dims) = z.dims2()?;
    // Row a, column b, dimension j: log q(z_a,j | x_b). Each operand laid out in full first:
    // candle's broadcast arithmetic walks a strided operand index by index, several times
    // slower than contiguous work on the same batch × batch × dims values.
    let full = |t: &Tensor, at: usize| -> candle_core::Result<Tensor> {
        t.unsqueeze(at)?
            .broadcast_as((batch, batch, dims))?
            .contiguous()
    };
    let pairwise = log_density(
        &(full(z, 1)? - full(mean, 0)?)?,
        &full(&logvar.neg()?.exp()?, 0)?,
        &full(logvar, 0)?,
    )?;
    let log_qz_given_x = log_normal(z, mean, logvar)?.sum(D::Minus1)?;
    let zeros = z.zeros_like()?;
    let log_pz = log_normal(z, &zeros, &zeros)?.sum(D::Minus1)?;
    let joint = pairwise.sum(D::Minus1)?;
    let parts = |log_qz: Tensor, log_qz_product: Tensor| -> candle_core::Result<KlParts> {
        Ok(KlParts {
            mutual_information: (&log_qz_given_x - &log_qz)?.mean_all()?,
            total_correlation: (log_qz - &log_qz_product)?.mean_all()?,
            dimensionwise_kl: (log_qz_product - &log_pz)?.mean_all()?,
        })
    };
    // log q(z_a) and Σ_j log q(z_a,j), by minibatch-weighted sampling.
    let log_nb = ((dataset_size.max(batch)) as f64 * batch as f64).ln();
    let log_qz = (log_sum_exp(&joint, 1)? - log_nb)?;
    let log_qz_product = (log_sum_exp(&pairwise, 1)? - log_nb)?.sum(D::Minus1)?;
    // Only reported, never differentiated.
    let (pairwise, joint) = (pairwise.detach(), joint.detach());
    // A batch of one has no other row to stratify over: both estimators are log(1/N) · q.
    let stratified = if batch < 2 {
        parts(log_qz.detach(), log_qz_product.detach())?
    } else {
        let w = Tensor::from_vec(
            stratified_log_weights(batch, dataset_size),
            (batch, batch),
            z.device(),
        )?;
        parts(
            log_sum_exp(&(joint + &w)?, 1)?,
            log_sum_exp(&pairwise.broadcast_add(&w.unsqueeze(2)?)?, 1)?.sum(D::Minus1)?,
        )?
    };
    Ok(KlEstimates {
        weighted: parts(log_qz, log_qz_product)?,
        stratified,
    })
}
