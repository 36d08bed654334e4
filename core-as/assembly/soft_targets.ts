// Cross-entropy with a target matrix T (K×N, same layout and element type as Z): per sample j,
//   L_j = −Σ_k t_kj log p_kj,      G_kj = (Σ_k t_kj)·p_kj − t_kj,      p = softmax(z + b).
// With multi-hot T this is the pick-all-label (PAL) loss of multi-label learning
// (docs/multilabel.md#pal-loss): L = Σ_{k∈S_j} −log p_k. With one-hot T it is plain CE.
//
// Contract as in losses.ts: Z is K×N row-major (row = class), bias (0 = none) is added to every
// column first, Z is replaced by G, rowSums (0 = none) receives G·1, the return value is Σ_j L_j
// (f64). Stability: log p_k = (z_k − m) − log S with m = max_k z_k and S = Σ_k e^{z_k − m} =
// 1 + R, where R sums the terms of every class except one maximizer, so log S = log1p(R) stays
// accurate when one class dominates (collapsed features, large margins).

import { exp_f32x4, exp_f64x2 } from "./vmath";

// ---------------------------------------------------------------------------------------
// Scalar references

/** Soft-target CE, f64, scalar reference. */
export function loss_soft_ce_ref_f64(
  z: usize, classes: i32, samples: i32, targets: usize, bias: usize, rowSums: usize,
): f64 {
  if (rowSums != 0) memory.fill(rowSums, 0, <usize>(classes << 3));
  let total: f64 = 0;
  for (let j = 0; j < samples; j++) {
    total += softTargetColumn_f64(z, classes, samples, j, targets, bias, rowSums);
  }
  return total;
}

/** Soft-target CE, f32 storage (per-sample sums in f64), scalar reference. */
export function loss_soft_ce_ref_f32(
  z: usize, classes: i32, samples: i32, targets: usize, bias: usize, rowSums: usize,
): f64 {
  if (rowSums != 0) memory.fill(rowSums, 0, <usize>(classes << 2));
  let total: f64 = 0;
  for (let j = 0; j < samples; j++) {
    total += softTargetColumn_f32(z, classes, samples, j, targets, bias, rowSums);
  }
  return total;
}

@inline
function softTargetColumn_f64(
  z: usize, classes: i32, samples: i32, j: i32, targets: usize, bias: usize, rowSums: usize,
): f64 {
  let m = -Infinity;
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 3);
    const v = load<f64>(at) + (bias == 0 ? 0.0 : load<f64>(bias + (<usize>k << 3)));
    store<f64>(at, v);
    m = Math.max(m, v);
  }
  let rest: f64 = 0; // S − 1: every term but the first maximizer's e^0 = 1
  let seenMax = false;
  let targetSum: f64 = 0;
  let targetShifted: f64 = 0; // Σ_k t_k (z_k − m)
  for (let k = 0; k < classes; k++) {
    const offset = <usize>(k * samples + j) << 3;
    const shifted = load<f64>(z + offset) - m;
    const t = load<f64>(targets + offset);
    targetSum += t;
    targetShifted += t * shifted;
    const e = Math.exp(shifted);
    store<f64>(z + offset, e);
    if (shifted == 0 && !seenMax) seenMax = true;
    else rest += e;
  }
  const S = 1 + rest;
  for (let k = 0; k < classes; k++) {
    const offset = <usize>(k * samples + j) << 3;
    const g = targetSum * (load<f64>(z + offset) / S) - load<f64>(targets + offset);
    store<f64>(z + offset, g);
    if (rowSums != 0) {
      const rs = rowSums + (<usize>k << 3);
      store<f64>(rs, load<f64>(rs) + g);
    }
  }
  return targetSum * Math.log1p(rest) - targetShifted;
}

@inline
function softTargetColumn_f32(
  z: usize, classes: i32, samples: i32, j: i32, targets: usize, bias: usize, rowSums: usize,
): f64 {
  let m: f32 = -Infinity;
  for (let k = 0; k < classes; k++) {
    const at = z + (<usize>(k * samples + j) << 2);
    const v: f32 = load<f32>(at) + (bias == 0 ? <f32>0 : load<f32>(bias + (<usize>k << 2)));
    store<f32>(at, v);
    m = Mathf.max(m, v);
  }
  let rest: f64 = 0;
  let seenMax = false;
  let targetSum: f64 = 0;
  let targetShifted: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const offset = <usize>(k * samples + j) << 2;
    const shifted: f32 = load<f32>(z + offset) - m;
    const t = <f64>load<f32>(targets + offset);
    targetSum += t;
    targetShifted += t * <f64>shifted;
    const e: f32 = Mathf.exp(shifted);
    store<f32>(z + offset, e);
    if (shifted == 0 && !seenMax) seenMax = true;
    else rest += <f64>e;
  }
  const S = 1 + rest;
  for (let k = 0; k < classes; k++) {
    const offset = <usize>(k * samples + j) << 2;
    const g = <f32>(targetSum * (<f64>load<f32>(z + offset) / S) - <f64>load<f32>(targets + offset));
    store<f32>(z + offset, g);
    if (rowSums != 0) {
      const rs = rowSums + (<usize>k << 2);
      store<f32>(rs, load<f32>(rs) + g);
    }
  }
  return targetSum * Math.log1p(rest) - targetShifted;
}

// ---------------------------------------------------------------------------------------
// SIMD: two (f64) or four (f32) samples per vector, classes in a loop; one log1p per sample.

/** Soft-target CE, f64, SIMD over pairs of samples. */
export function loss_soft_ce_f64(
  z: usize, classes: i32, samples: i32, targets: usize, bias: usize, rowSums: usize,
): f64 {
  if (rowSums != 0) memory.fill(rowSums, 0, <usize>(classes << 3));
  let total: f64 = 0;
  let j = 0;
  for (; j + 2 <= samples; j += 2) {
    let m = f64x2.splat(-Infinity);
    for (let k = 0; k < classes; k++) {
      const at = z + (<usize>(k * samples + j) << 3);
      let v: v128 = v128.load(at);
      if (bias != 0) v = f64x2.add(v, f64x2.splat(load<f64>(bias + (<usize>k << 3))));
      v128.store(at, v);
      m = f64x2.max(m, v);
    }
    let rest = f64x2.splat(0);
    let seenMax = i64x2.splat(0); // all-ones once the first maximizer of the lane was skipped
    let targetSum = f64x2.splat(0);
    let targetShifted = f64x2.splat(0);
    for (let k = 0; k < classes; k++) {
      const offset = <usize>(k * samples + j) << 3;
      const shifted = f64x2.sub(v128.load(z + offset), m);
      const t = v128.load(targets + offset);
      targetSum = f64x2.add(targetSum, t);
      targetShifted = f64x2.add(targetShifted, f64x2.mul(t, shifted));
      const e = exp_f64x2(shifted);
      v128.store(z + offset, e);
      const skip = v128.andnot(f64x2.eq(shifted, f64x2.splat(0)), seenMax);
      seenMax = v128.or(seenMax, skip);
      rest = f64x2.add(rest, v128.andnot(e, skip));
    }
    const rest0 = f64x2.extract_lane(rest, 0);
    const rest1 = f64x2.extract_lane(rest, 1);
    total += f64x2.extract_lane(targetSum, 0) * Math.log1p(rest0) -
      f64x2.extract_lane(targetShifted, 0);
    total += f64x2.extract_lane(targetSum, 1) * Math.log1p(rest1) -
      f64x2.extract_lane(targetShifted, 1);
    let scale = f64x2.splat(f64x2.extract_lane(targetSum, 0) / (1 + rest0));
    scale = f64x2.replace_lane(scale, 1, f64x2.extract_lane(targetSum, 1) / (1 + rest1));
    for (let k = 0; k < classes; k++) {
      const offset = <usize>(k * samples + j) << 3;
      const g = f64x2.sub(f64x2.mul(v128.load(z + offset), scale), v128.load(targets + offset));
      v128.store(z + offset, g);
      if (rowSums != 0) {
        const rs = rowSums + (<usize>k << 3);
        store<f64>(rs, load<f64>(rs) + (f64x2.extract_lane(g, 0) + f64x2.extract_lane(g, 1)));
      }
    }
  }
  for (; j < samples; j++) {
    total += softTargetColumn_f64(z, classes, samples, j, targets, bias, rowSums);
  }
  return total;
}

/** Soft-target CE, f32 storage, SIMD over four samples (per-sample sums in f64). */
export function loss_soft_ce_f32(
  z: usize, classes: i32, samples: i32, targets: usize, bias: usize, rowSums: usize,
): f64 {
  if (rowSums != 0) memory.fill(rowSums, 0, <usize>(classes << 2));
  let total: f64 = 0;
  let j = 0;
  for (; j + 4 <= samples; j += 4) {
    let m = f32x4.splat(-Infinity);
    for (let k = 0; k < classes; k++) {
      const at = z + (<usize>(k * samples + j) << 2);
      let v: v128 = v128.load(at);
      if (bias != 0) v = f32x4.add(v, f32x4.splat(load<f32>(bias + (<usize>k << 2))));
      v128.store(at, v);
      m = f32x4.max(m, v);
    }
    let restLo = f64x2.splat(0);
    let restHi = f64x2.splat(0);
    let seenMax = i32x4.splat(0);
    let sumLo = f64x2.splat(0);
    let sumHi = f64x2.splat(0);
    let dotLo = f64x2.splat(0);
    let dotHi = f64x2.splat(0);
    for (let k = 0; k < classes; k++) {
      const offset = <usize>(k * samples + j) << 2;
      const shifted = f32x4.sub(v128.load(z + offset), m);
      const t = v128.load(targets + offset);
      const tLo = f64x2.promote_low_f32x4(t);
      const tHi = f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1));
      sumLo = f64x2.add(sumLo, tLo);
      sumHi = f64x2.add(sumHi, tHi);
      dotLo = f64x2.add(dotLo, f64x2.mul(tLo, f64x2.promote_low_f32x4(shifted)));
      dotHi = f64x2.add(
        dotHi,
        f64x2.mul(tHi, f64x2.promote_low_f32x4(v128.shuffle<f32>(shifted, shifted, 2, 3, 0, 1))),
      );
      const e = exp_f32x4(shifted);
      v128.store(z + offset, e);
      const skip = v128.andnot(f32x4.eq(shifted, f32x4.splat(0)), seenMax);
      seenMax = v128.or(seenMax, skip);
      const kept = v128.andnot(e, skip);
      restLo = f64x2.add(restLo, f64x2.promote_low_f32x4(kept));
      restHi = f64x2.add(restHi, f64x2.promote_low_f32x4(v128.shuffle<f32>(kept, kept, 2, 3, 0, 1)));
    }
    let scale = f32x4.splat(0);
    for (let lane = 0; lane < 4; lane++) {
      const rest = lane < 2 ? lane64(restLo, lane) : lane64(restHi, lane - 2);
      const targetSum = lane < 2 ? lane64(sumLo, lane) : lane64(sumHi, lane - 2);
      const targetShifted = lane < 2 ? lane64(dotLo, lane) : lane64(dotHi, lane - 2);
      total += targetSum * Math.log1p(rest) - targetShifted;
      scale = setLane32(scale, lane, <f32>(targetSum / (1 + rest)));
    }
    for (let k = 0; k < classes; k++) {
      const offset = <usize>(k * samples + j) << 2;
      const g = f32x4.sub(f32x4.mul(v128.load(z + offset), scale), v128.load(targets + offset));
      v128.store(z + offset, g);
      if (rowSums != 0) {
        const rs = rowSums + (<usize>k << 2);
        const pair = f32x4.add(g, v128.shuffle<f32>(g, g, 2, 3, 0, 1));
        store<f32>(rs, load<f32>(rs) + (f32x4.extract_lane(pair, 0) + f32x4.extract_lane(pair, 1)));
      }
    }
  }
  for (; j < samples; j++) {
    total += softTargetColumn_f32(z, classes, samples, j, targets, bias, rowSums);
  }
  return total;
}

@inline
function lane64(v: v128, lane: i32): f64 {
  return lane == 0 ? f64x2.extract_lane(v, 0) : f64x2.extract_lane(v, 1);
}

@inline
function setLane32(v: v128, lane: i32, x: f32): v128 {
  if (lane == 0) return f32x4.replace_lane(v, 0, x);
  if (lane == 1) return f32x4.replace_lane(v, 1, x);
  if (lane == 2) return f32x4.replace_lane(v, 2, x);
  return f32x4.replace_lane(v, 3, x);
}
