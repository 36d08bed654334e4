// Fused, numerically stable loss + logit-gradient kernels (docs/ufm-mse.md#problem-free-bias,
// docs/ufm-softmax.md#losses, docs/solvers.md#gradients).
//
// Common contract. Z is K×N row-major: row k = class k, column j = sample j (so Z = W·H).
// labels: i32[N] in [0, K). bias: K values added to every column first (0 = no bias).
// On return Z holds G = ∂(Σ_j L_j)/∂Z, rowSums (if ≠ 0) holds G·1 (the bias gradient × N),
// and the kernel returns Σ_j L_j in f64. SIMD kernels work on 2 (f64) or 4 (f32) samples at
// a time; each has a scalar reference (`*_ref_*`) with the same contract.
//
// Softmax family, with p = softmax(z), y the label and `kind`:
//   CE (0):      L = −log p_y,                              G = p − e_y
//   LS (1, α):   L = −(1−α) log p_y − (α/K) Σ_k log p_k,    G = p − ((1−α) e_y + α/K)
//   FL (2, β):   L = −(1−p_y)^β log p_y,                    G = F·(p − e_y),
//                F = (1−p_y)^β − β p_y (1−p_y)^{β−1} log p_y
// 1 − p_y is computed as Σ_{k≠y} e^{z_k−m} / Σ_k e^{z_k−m}, never as 1 − p_y, so focal weights
// stay accurate when p_y → 1. log p_y = z_y − m − log S exactly, also when e^{z_y−m} underflows.

import { exp_f32x4, exp_f64x2, log_f64x2, pow_f64x2 } from "./vmath";

export const LOSS_CE: i32 = 0;
export const LOSS_LS: i32 = 1;
export const LOSS_FL: i32 = 2;

// Per-sample result of the softmax family: loss value, gradient scale on p (F / S), constant
// subtracted from every class (c0), and extra subtracted at the label (cy).
let sampleLoss: f64 = 0;
let gradScale: f64 = 0;
let gradAll: f64 = 0;
let gradLabel: f64 = 0;

// From the column statistics (m = max, S = Σ e, other = Σ_{k≠y} e, zy = z_y, sumZ = Σ z)
// sets the four globals above.
@inline
function sampleTerms(
  kind: i32, param: f64, classes: i32, m: f64, S: f64, other: f64, zy: f64, sumZ: f64,
): void {
  // When the label holds the maximum, S = 1 + other exactly: log1p keeps −log p_y accurate
  // down to 1e-300 instead of rounding 1 + 1e-17 to 1.
  const logS = zy == m ? Math.log1p(other) : Math.log(S);
  const logPy = zy - m - logS;
  let F: f64 = 1;
  let alpha: f64 = 0;
  if (kind == LOSS_CE) {
    sampleLoss = -logPy;
  } else if (kind == LOSS_LS) {
    alpha = param;
    // Σ_k log p_k = Σ_k (z_k − m) − K log S
    const sumLogP = sumZ - <f64>classes * m - <f64>classes * logS;
    sampleLoss = -(1 - alpha) * logPy - (alpha / <f64>classes) * sumLogP;
  } else {
    const beta = param;
    const q = other / S; // 1 − p_y
    const p = Math.exp(logPy);
    if (q == 0) {
      F = beta == 0 ? 1 : 0;
      sampleLoss = beta == 0 ? -logPy : 0;
    } else {
      const qBeta = Math.pow(q, beta);
      sampleLoss = -qBeta * logPy;
      F = qBeta - beta * p * (qBeta / q) * logPy;
    }
  }
  gradScale = F / S;
  gradAll = F * alpha / <f64>classes;
  gradLabel = F * (1 - alpha);
}

// The same terms for two samples at once (f64x2 lanes), with the SIMD log / pow of vmath.ts
// (< 1 ulp; the scalar version above uses Math.log and Math.pow), for the f32 kernels: their
// per-sample terms are rounded to f32, so the last-bit differences of the logarithm almost never
// show (measured: the gradients and totals of tests/threads_test.ts's cases are unchanged). Results in the four
// v128 globals below (per instance: thread instances have their own).
let sampleLoss2: v128 = f64x2.splat(0);
let gradScale2: v128 = f64x2.splat(0);
let gradAll2: v128 = f64x2.splat(0);
let gradLabel2: v128 = f64x2.splat(0);

@inline
function sampleTerms2(
  kind: i32, param: f64, classes: i32, m: v128, S: v128, other: v128, zy: v128, sumZ: v128,
): void {
  // log S, or log1p(other) where the label holds the maximum (see sampleTerms): one log of
  // u = 1 + other or of S, then log1p's correction ((u − 1) − other)/u where it applies.
  // (The correction is divided by S, not u: where it applies S = 1 + other up to f32 rounding,
  // a relative change of 1e-7 in a term below 2^-53·u, and one division fewer.)
  const labelIsMax = f64x2.eq(zy, m);
  const u = f64x2.add(f64x2.splat(1.0), other);
  const inverseS = f64x2.div(f64x2.splat(1.0), S);
  const correction = f64x2.mul(f64x2.sub(f64x2.sub(u, f64x2.splat(1.0)), other), inverseS);
  const logS = f64x2.sub(
    log_f64x2(v128.bitselect(u, S, labelIsMax)),
    v128.and(correction, labelIsMax),
  );
  const logPy = f64x2.sub(f64x2.sub(zy, m), logS);
  if (kind == LOSS_CE) {
    sampleLoss2 = f64x2.neg(logPy);
    gradScale2 = inverseS;
    gradAll2 = f64x2.splat(0);
    gradLabel2 = f64x2.splat(1.0);
  } else if (kind == LOSS_LS) {
    const alpha = param;
    const K = f64x2.splat(<f64>classes);
    const sumLogP = f64x2.sub(f64x2.sub(sumZ, f64x2.mul(K, m)), f64x2.mul(K, logS));
    sampleLoss2 = f64x2.sub(
      f64x2.mul(f64x2.splat(-(1 - alpha)), logPy),
      f64x2.mul(f64x2.splat(alpha / <f64>classes), sumLogP),
    );
    gradScale2 = inverseS;
    gradAll2 = f64x2.splat(alpha / <f64>classes);
    gradLabel2 = f64x2.splat(1 - alpha);
  } else {
    const beta = f64x2.splat(param);
    const q = f64x2.div(other, S); // 1 − p_y
    const p = exp_f64x2(logPy);
    const qBeta = pow_f64x2(q, beta);
    let loss = f64x2.neg(f64x2.mul(qBeta, logPy));
    let F = f64x2.sub(
      qBeta,
      f64x2.mul(f64x2.mul(f64x2.mul(beta, p), f64x2.div(qBeta, q)), logPy),
    );
    // q = 0 (p_y = 1 exactly): F = 1, L = −log p_y when β = 0, else both 0.
    const certain = f64x2.eq(q, f64x2.splat(0));
    const atZero = param == 0 ? f64x2.splat(1.0) : f64x2.splat(0);
    F = v128.bitselect(atZero, F, certain);
    loss = v128.bitselect(param == 0 ? f64x2.neg(logPy) : f64x2.splat(0), loss, certain);
    sampleLoss2 = loss;
    gradScale2 = f64x2.div(F, S);
    gradAll2 = f64x2.splat(0);
    gradLabel2 = F;
  }
}

// ---------------------------------------------------------------------------------------
// Scalar column kernels (the references, and the SIMD kernels' tails)

@inline
function softmaxColumn_f64(
  z: usize, classes: i32, samples: i32, j: i32, y: i32, bias: usize,
  kind: i32, param: f64, rowSums: usize,
): f64 {
  let m = -Infinity;
  let sumZ: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 3);
    const v = load<f64>(at) + (bias == 0 ? 0.0 : load<f64>(bias + (<usize>k << 3)));
    store<f64>(at, v);
    m = Math.max(m, v);
    sumZ += v;
  }
  const zy = load<f64>(z + (<usize>(y * samples + j) << 3));
  let S: f64 = 0;
  let other: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 3);
    const e = Math.exp(load<f64>(at) - m);
    store<f64>(at, e);
    S += e;
    if (k != y) other += e;
  }
  sampleTerms(kind, param, classes, m, S, other, zy, sumZ);
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 3);
    const g = load<f64>(at) * gradScale - gradAll - (k == y ? gradLabel : 0.0);
    store<f64>(at, g);
    if (rowSums != 0) {
      const rs = rowSums + (<usize>k << 3);
      store<f64>(rs, load<f64>(rs) + g);
    }
  }
  return sampleLoss;
}

@inline
function softmaxColumn_f32(
  z: usize, classes: i32, samples: i32, j: i32, y: i32, bias: usize,
  kind: i32, param: f64, rowSums: usize,
): f64 {
  let m: f32 = -Infinity;
  let sumZ: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 2);
    const v: f32 = load<f32>(at) + (bias == 0 ? <f32>0 : load<f32>(bias + (<usize>k << 2)));
    store<f32>(at, v);
    m = Mathf.max(m, v);
    sumZ += <f64>v;
  }
  const zy = <f64>load<f32>(z + (<usize>(y * samples + j) << 2));
  let S: f64 = 0;
  let other: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 2);
    const e: f32 = Mathf.exp(load<f32>(at) - m);
    store<f32>(at, e);
    S += <f64>e;
    if (k != y) other += <f64>e;
  }
  sampleTerms(kind, param, classes, <f64>m, S, other, zy, sumZ);
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 2);
    const g = <f32>(<f64>load<f32>(at) * gradScale - gradAll - (k == y ? gradLabel : 0.0));
    store<f32>(at, g);
    if (rowSums != 0) {
      const rs = rowSums + (<usize>k << 2);
      store<f32>(rs, load<f32>(rs) + g);
    }
  }
  return sampleLoss;
}

function zeroRowSums(rowSums: usize, classes: i32, bytes: i32): void {
  if (rowSums != 0) memory.fill(rowSums, 0, <usize>(classes * bytes));
}

/** Scalar reference: softmax-family loss (kind CE/LS/FL, param α or β), f64. */
export function loss_softmax_ref_f64(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  kind: i32, param: f64, rowSums: usize,
): f64 {
  zeroRowSums(rowSums, classes, 8);
  let total: f64 = 0;
  for (let j = 0; j < samples; j++) {
    const y = load<i32>(labels + (<usize>j << 2));
    total += softmaxColumn_f64(z, classes, samples, j, y, bias, kind, param, rowSums);
  }
  return total;
}

/** Scalar reference: softmax-family loss, f32 storage (per-sample terms in f64). */
export function loss_softmax_ref_f32(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  kind: i32, param: f64, rowSums: usize,
): f64 {
  zeroRowSums(rowSums, classes, 4);
  let total: f64 = 0;
  for (let j = 0; j < samples; j++) {
    const y = load<i32>(labels + (<usize>j << 2));
    total += softmaxColumn_f32(z, classes, samples, j, y, bias, kind, param, rowSums);
  }
  return total;
}

// ---------------------------------------------------------------------------------------
// SIMD softmax family: two (f64) or four (f32) samples per vector, classes in a loop, the
// per-sample terms vectorised too (sampleTerms2).
//
// A group is 2 (f64) or 4 (f32) consecutive samples. Each group function writes the group's
// gradient columns and its per-sample losses (groupLossLo/Hi) and, for the row sums, either
// adds the group's per-class sums to rowSums (the whole-matrix kernels) or stores them in
// groupSums[k·groups + g] (the part kernels, for threads: the reduce kernel then adds them in
// group order, so the row sums and the total do not depend on how the groups were split).

let groupLossLo: v128 = f64x2.splat(0);
let groupLossHi: v128 = f64x2.splat(0);

@inline
function softmaxGroup_f64(
  z: usize, classes: i32, samples: i32, j: i32, labels: usize, bias: usize,
  kind: i32, param: f64, rowSums: usize, groupSums: usize, groups: i32,
): void {
  const y = i64x2.extend_low_i32x4_s(v128.load64_zero(labels + (<usize>j << 2)));
  let m = f64x2.splat(-Infinity);
  let sumZ = f64x2.splat(0);
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 3);
    let v: v128 = v128.load(at);
    if (bias != 0) {
      v = f64x2.add(v, f64x2.splat(load<f64>(bias + (<usize>k << 3))));
      v128.store(at, v);
    }
    m = f64x2.pmax(m, v); // NaN logits still give NaN (through S)
    if (kind == LOSS_LS) sumZ = f64x2.add(sumZ, v);
  }
  let S = f64x2.splat(0);
  let other = f64x2.splat(0);
  let zy = f64x2.splat(0);
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 3);
    const v = v128.load(at);
    const isLabel = i64x2.eq(y, i64x2.splat(k));
    zy = v128.bitselect(v, zy, isLabel);
    const e = exp_f64x2(f64x2.sub(v, m));
    v128.store(at, e);
    S = f64x2.add(S, e);
    other = f64x2.add(other, v128.andnot(e, isLabel));
  }
  // Per-sample terms one lane at a time with Math.log / Math.pow (sampleTerms): f64 results stay
  // those of the scalar reference's formulas bit for bit, and the exponentials (K per sample)
  // dominate the cost anyway. (f32 uses the vectorised sampleTerms2.)
  sampleTerms(kind, param, classes, f64x2.extract_lane(m, 0), f64x2.extract_lane(S, 0),
    f64x2.extract_lane(other, 0), f64x2.extract_lane(zy, 0), f64x2.extract_lane(sumZ, 0));
  const loss0 = sampleLoss;
  let scale = f64x2.splat(gradScale);
  let all = f64x2.splat(gradAll);
  let atLabel = f64x2.splat(gradLabel);
  sampleTerms(kind, param, classes, f64x2.extract_lane(m, 1), f64x2.extract_lane(S, 1),
    f64x2.extract_lane(other, 1), f64x2.extract_lane(zy, 1), f64x2.extract_lane(sumZ, 1));
  groupLossLo = f64x2.replace_lane(f64x2.splat(loss0), 1, sampleLoss);
  scale = f64x2.replace_lane(scale, 1, gradScale);
  all = f64x2.replace_lane(all, 1, gradAll);
  atLabel = f64x2.replace_lane(atLabel, 1, gradLabel);
  const g0 = j >> 1;
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 3);
    const isLabel = i64x2.eq(y, i64x2.splat(k));
    const g = f64x2.sub(
      f64x2.sub(f64x2.mul(v128.load(at), scale), all),
      v128.and(atLabel, isLabel),
    );
    v128.store(at, g);
    if (rowSums != 0 || groupSums != 0) {
      const pair = f64x2.extract_lane(g, 0) + f64x2.extract_lane(g, 1);
      if (rowSums != 0) {
        const rs = rowSums + (<usize>k << 3);
        store<f64>(rs, load<f64>(rs) + pair);
      } else {
        store<f64>(groupSums + (<usize>(k * groups + g0) << 3), pair);
      }
    }
  }
}

@inline
function softmaxGroup_f32(
  z: usize, classes: i32, samples: i32, j: i32, labels: usize, bias: usize,
  kind: i32, param: f64, rowSums: usize, groupSums: usize, groups: i32,
): void {
  const y = v128.load(labels + (<usize>j << 2));
  let m = f32x4.splat(-Infinity);
  let sumLo = f64x2.splat(0);
  let sumHi = f64x2.splat(0);
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 2);
    let v: v128 = v128.load(at);
    if (bias != 0) {
      v = f32x4.add(v, f32x4.splat(load<f32>(bias + (<usize>k << 2))));
      v128.store(at, v);
    }
    m = f32x4.pmax(m, v); // NaN logits still give NaN (through S)
    if (kind == LOSS_LS) {
      sumLo = f64x2.add(sumLo, f64x2.promote_low_f32x4(v));
      sumHi = f64x2.add(sumHi, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    }
  }
  let S = f32x4.splat(0);
  let other = f32x4.splat(0);
  let zy = f32x4.splat(0);
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 2);
    const v = v128.load(at);
    const isLabel = i32x4.eq(y, i32x4.splat(k));
    zy = v128.bitselect(v, zy, isLabel);
    const e = exp_f32x4(f32x4.sub(v, m));
    v128.store(at, e);
    S = f32x4.add(S, e);
    other = f32x4.add(other, v128.andnot(e, isLabel));
  }
  // Per-sample terms in f64, two samples per half.
  sampleTerms2(kind, param, classes, f64x2.promote_low_f32x4(m), f64x2.promote_low_f32x4(S),
    f64x2.promote_low_f32x4(other), f64x2.promote_low_f32x4(zy), sumLo);
  groupLossLo = sampleLoss2;
  let scale = f32x4.demote_f64x2_zero(gradScale2);
  let all = f32x4.demote_f64x2_zero(gradAll2);
  let atLabel = f32x4.demote_f64x2_zero(gradLabel2);
  sampleTerms2(kind, param, classes, f64x2.promote_low_f32x4(v128.shuffle<f32>(m, m, 2, 3, 0, 1)),
    f64x2.promote_low_f32x4(v128.shuffle<f32>(S, S, 2, 3, 0, 1)),
    f64x2.promote_low_f32x4(v128.shuffle<f32>(other, other, 2, 3, 0, 1)),
    f64x2.promote_low_f32x4(v128.shuffle<f32>(zy, zy, 2, 3, 0, 1)), sumHi);
  groupLossHi = sampleLoss2;
  scale = v128.shuffle<f32>(scale, f32x4.demote_f64x2_zero(gradScale2), 0, 1, 4, 5);
  all = v128.shuffle<f32>(all, f32x4.demote_f64x2_zero(gradAll2), 0, 1, 4, 5);
  atLabel = v128.shuffle<f32>(atLabel, f32x4.demote_f64x2_zero(gradLabel2), 0, 1, 4, 5);
  const g0 = j >> 2;
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 2);
    const isLabel = i32x4.eq(y, i32x4.splat(k));
    let p = f32x4.mul(v128.load(at), scale);
    if (kind != LOSS_CE) p = f32x4.sub(p, all); // CE: all = 0 (x − 0 = x exactly)
    const g = f32x4.sub(p, v128.and(atLabel, isLabel));
    v128.store(at, g);
    if (rowSums != 0 || groupSums != 0) {
      const pair = f32x4.add(g, v128.shuffle<f32>(g, g, 2, 3, 0, 1));
      const sum: f32 = f32x4.extract_lane(pair, 0) + f32x4.extract_lane(pair, 1);
      if (rowSums != 0) {
        const rs = rowSums + (<usize>k << 2);
        store<f32>(rs, load<f32>(rs) + sum);
      } else {
        store<f32>(groupSums + (<usize>(k * groups + g0) << 2), sum);
      }
    }
  }
}

/** Softmax-family loss, f64, SIMD over pairs of samples. */
export function loss_softmax_f64(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  kind: i32, param: f64, rowSums: usize,
): f64 {
  zeroRowSums(rowSums, classes, 8);
  let total: f64 = 0;
  let j = 0;
  for (; j + 2 <= samples; j += 2) {
    softmaxGroup_f64(z, classes, samples, j, labels, bias, kind, param, rowSums, 0, 0);
    total += f64x2.extract_lane(groupLossLo, 0);
    total += f64x2.extract_lane(groupLossLo, 1);
  }
  for (; j < samples; j++) {
    const y = load<i32>(labels + (<usize>j << 2));
    total += softmaxColumn_f64(z, classes, samples, j, y, bias, kind, param, rowSums);
  }
  return total;
}

/** Softmax-family loss, f32 storage, SIMD over four samples (per-sample terms in f64). */
export function loss_softmax_f32(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  kind: i32, param: f64, rowSums: usize,
): f64 {
  zeroRowSums(rowSums, classes, 4);
  let total: f64 = 0;
  let j = 0;
  for (; j + 4 <= samples; j += 4) {
    softmaxGroup_f32(z, classes, samples, j, labels, bias, kind, param, rowSums, 0, 0);
    total += f64x2.extract_lane(groupLossLo, 0);
    total += f64x2.extract_lane(groupLossLo, 1);
    total += f64x2.extract_lane(groupLossHi, 0);
    total += f64x2.extract_lane(groupLossHi, 1);
  }
  for (; j < samples; j++) {
    const y = load<i32>(labels + (<usize>j << 2));
    total += softmaxColumn_f32(z, classes, samples, j, y, bias, kind, param, rowSums);
  }
  return total;
}

/**
 * Part of loss_softmax_f64 for threads: the groups (sample pairs) g0 ≤ g < g1 only. Writes the
 * per-sample losses to losses[2g], losses[2g+1] (f64) and, if groupSums ≠ 0, the per-class sums
 * of each group's gradient to groupSums[k·⌊samples/2⌋ + g]. loss_softmax_reduce_f64 finishes.
 */
export function loss_softmax_part_f64(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  kind: i32, param: f64, g0: i32, g1: i32, losses: usize, groupSums: usize,
): f64 {
  const groups = samples >> 1;
  for (let g = g0; g < g1; g++) {
    softmaxGroup_f64(z, classes, samples, 2 * g, labels, bias, kind, param, 0, groupSums, groups);
    v128.store(losses + (<usize>g << 4), groupLossLo);
  }
  return 0;
}

/** f32 version of {@link loss_softmax_part_f64}: groups of 4 samples (losses still f64). */
export function loss_softmax_part_f32(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  kind: i32, param: f64, g0: i32, g1: i32, losses: usize, groupSums: usize,
): f64 {
  const groups = samples >> 2;
  for (let g = g0; g < g1; g++) {
    softmaxGroup_f32(z, classes, samples, 4 * g, labels, bias, kind, param, 0, groupSums, groups);
    v128.store(losses + (<usize>g << 5), groupLossLo);
    v128.store(losses + (<usize>g << 5), groupLossHi, 16);
  }
  return 0;
}

/**
 * Finishes a softmax loss computed by parts (all groups done): the total of the per-sample
 * losses and the row sums (if rowSums ≠ 0) in the order of loss_softmax_f64, then the last
 * sample if the count is odd. Returns Σ L, bitwise equal to loss_softmax_f64.
 */
export function loss_softmax_reduce_f64(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  kind: i32, param: f64, rowSums: usize, losses: usize, groupSums: usize,
): f64 {
  zeroRowSums(rowSums, classes, 8);
  const groups = samples >> 1;
  let total: f64 = 0;
  for (let g = 0; g < groups; g++) {
    total += load<f64>(losses + (<usize>g << 4));
    total += load<f64>(losses + (<usize>g << 4), 8);
  }
  if (rowSums != 0) {
    for (let k = 0; k < classes; k++) {
      const rs = rowSums + (<usize>k << 3);
      let sum = load<f64>(rs);
      for (let g = 0; g < groups; g++) sum += load<f64>(groupSums + (<usize>(k * groups + g) << 3));
      store<f64>(rs, sum);
    }
  }
  for (let j = groups * 2; j < samples; j++) {
    const y = load<i32>(labels + (<usize>j << 2));
    total += softmaxColumn_f64(z, classes, samples, j, y, bias, kind, param, rowSums);
  }
  return total;
}

/** f32 version of {@link loss_softmax_reduce_f64} (groups of 4; row sums f32). */
export function loss_softmax_reduce_f32(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  kind: i32, param: f64, rowSums: usize, losses: usize, groupSums: usize,
): f64 {
  zeroRowSums(rowSums, classes, 4);
  const groups = samples >> 2;
  let total: f64 = 0;
  for (let g = 0; g < groups * 4; g++) total += load<f64>(losses + (<usize>g << 3));
  if (rowSums != 0) {
    for (let k = 0; k < classes; k++) {
      const rs = rowSums + (<usize>k << 2);
      let sum = load<f32>(rs);
      for (let g = 0; g < groups; g++) sum += load<f32>(groupSums + (<usize>(k * groups + g) << 2));
      store<f32>(rs, sum);
    }
  }
  for (let j = groups * 4; j < samples; j++) {
    const y = load<i32>(labels + (<usize>j << 2));
    total += softmaxColumn_f32(z, classes, samples, j, y, bias, kind, param, rowSums);
  }
  return total;
}

// ---------------------------------------------------------------------------------------
// MSE with targets s·e_y: L = ½‖z − s·e_y‖², G = z − s·e_y (docs/ufm-mse.md#problem-free-bias).

/** MSE, f64, SIMD. */
export function loss_mse_f64(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  target: f64, rowSums: usize,
): f64 {
  let total: f64 = 0;
  const vtarget = f64x2.splat(target);
  for (let k = 0; k < classes; k++) {
    const row = z + (<usize>(k * samples) << 3);
    const b = bias == 0 ? 0.0 : load<f64>(bias + (<usize>k << 3));
    const vb = f64x2.splat(b);
    const vk = i64x2.splat(k);
    let vsum = f64x2.splat(0);
    let vsq = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= samples; j += 2) {
      const y = i64x2.extend_low_i32x4_s(v128.load64_zero(labels + (<usize>j << 2)));
      const at = row + (<usize>j << 3);
      const r = f64x2.sub(f64x2.add(v128.load(at), vb), v128.and(vtarget, i64x2.eq(y, vk)));
      v128.store(at, r);
      vsum = f64x2.add(vsum, r);
      vsq = f64x2.add(vsq, f64x2.mul(r, r));
    }
    let sum = f64x2.extract_lane(vsum, 0) + f64x2.extract_lane(vsum, 1);
    let sq = f64x2.extract_lane(vsq, 0) + f64x2.extract_lane(vsq, 1);
    for (; j < samples; j++) {
      const at = row + (<usize>j << 3);
      const y = load<i32>(labels + (<usize>j << 2));
      const r = load<f64>(at) + b - (y == k ? target : 0.0);
      store<f64>(at, r);
      sum += r;
      sq += r * r;
    }
    if (rowSums != 0) store<f64>(rowSums + (<usize>k << 3), sum);
    total += sq;
  }
  return 0.5 * total;
}

/** MSE, f32 storage (sums in f64), SIMD. */
export function loss_mse_f32(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  target: f64, rowSums: usize,
): f64 {
  let total: f64 = 0;
  const vtarget = f32x4.splat(<f32>target);
  for (let k = 0; k < classes; k++) {
    const row = z + (<usize>(k * samples) << 2);
    const b: f32 = bias == 0 ? <f32>0 : load<f32>(bias + (<usize>k << 2));
    const vb = f32x4.splat(b);
    const vk = i32x4.splat(k);
    let vsum = f64x2.splat(0);
    let vsq = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= samples; j += 4) {
      const y = v128.load(labels + (<usize>j << 2));
      const at = row + (<usize>j << 2);
      const r = f32x4.sub(f32x4.add(v128.load(at), vb), v128.and(vtarget, i32x4.eq(y, vk)));
      v128.store(at, r);
      const lo = f64x2.promote_low_f32x4(r);
      const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(r, r, 2, 3, 0, 1));
      vsum = f64x2.add(vsum, f64x2.add(lo, hi));
      vsq = f64x2.add(vsq, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
    }
    let sum = f64x2.extract_lane(vsum, 0) + f64x2.extract_lane(vsum, 1);
    let sq = f64x2.extract_lane(vsq, 0) + f64x2.extract_lane(vsq, 1);
    for (; j < samples; j++) {
      const at = row + (<usize>j << 2);
      const y = load<i32>(labels + (<usize>j << 2));
      const r: f32 = load<f32>(at) + b - (y == k ? <f32>target : <f32>0);
      store<f32>(at, r);
      sum += <f64>r;
      sq += <f64>r * <f64>r;
    }
    if (rowSums != 0) store<f32>(rowSums + (<usize>k << 2), <f32>sum);
    total += sq;
  }
  return 0.5 * total;
}

/** Scalar reference of loss_mse_f64. */
export function loss_mse_ref_f64(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  target: f64, rowSums: usize,
): f64 {
  let total: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const b = bias == 0 ? 0.0 : load<f64>(bias + (<usize>k << 3));
    let sum: f64 = 0;
    for (let j = 0; j < samples; j++) {
      const at = z + (<usize>(k * samples + j) << 3);
      const y = load<i32>(labels + (<usize>j << 2));
      const r = load<f64>(at) + b - (y == k ? target : 0.0);
      store<f64>(at, r);
      sum += r;
      total += r * r;
    }
    if (rowSums != 0) store<f64>(rowSums + (<usize>k << 3), sum);
  }
  return 0.5 * total;
}

/** Scalar reference of loss_mse_f32. */
export function loss_mse_ref_f32(
  z: usize, classes: i32, samples: i32, labels: usize, bias: usize,
  target: f64, rowSums: usize,
): f64 {
  let total: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const b: f32 = bias == 0 ? <f32>0 : load<f32>(bias + (<usize>k << 2));
    let sum: f64 = 0;
    for (let j = 0; j < samples; j++) {
      const at = z + (<usize>(k * samples + j) << 2);
      const y = load<i32>(labels + (<usize>j << 2));
      const r: f32 = load<f32>(at) + b - (y == k ? <f32>target : <f32>0);
      store<f32>(at, r);
      sum += <f64>r;
      total += <f64>r * <f64>r;
    }
    if (rowSums != 0) store<f32>(rowSums + (<usize>k << 2), <f32>sum);
  }
  return 0.5 * total;
}
