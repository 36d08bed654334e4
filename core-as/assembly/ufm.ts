// Fused kernels of one UFM gradient step (science.md §9):
//   mse_residual: R ← Z + b1ᵀ − s·Y in place, returning ‖R‖² and writing the row sums R·1
//                 (Y = I_K ⊗ 1_nᵀ, class-major columns, so Y is never stored);
//   opt_step:     full gradient g = g_data + λθ, its squared norm and ‖θ‖², then one
//                 GD / heavy-ball / Nesterov update — one pass over each parameter block.
// Each SIMD kernel has a scalar reference (`*_ref_*`) with the same contract.
// Sums of squares are accumulated in f64 for both element types, so objectives and
// gradient norms of f32 runs are not limited by f32 accumulation error.

// ---------------------------------------------------------------------------------------
// MSE residual

// Adds `shift` to len elements at p; returns [Σr, Σr²] through the two globals below.
let segSum: f64 = 0;
let segSumSq: f64 = 0;

@inline
function segment_f64(p: usize, len: i32, shift: f64): void {
  const vshift = f64x2.splat(shift);
  let vsum = f64x2.splat(0);
  let vsq = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const at = p + (<usize>i << 3);
    const r = f64x2.add(v128.load(at), vshift);
    v128.store(at, r);
    vsum = f64x2.add(vsum, r);
    vsq = f64x2.add(vsq, f64x2.mul(r, r));
  }
  let sum = f64x2.extract_lane(vsum, 0) + f64x2.extract_lane(vsum, 1);
  let sq = f64x2.extract_lane(vsq, 0) + f64x2.extract_lane(vsq, 1);
  for (; i < len; i++) {
    const at = p + (<usize>i << 3);
    const r = load<f64>(at) + shift;
    store<f64>(at, r);
    sum += r;
    sq += r * r;
  }
  segSum += sum;
  segSumSq += sq;
}

@inline
function segment_f32(p: usize, len: i32, shift: f32): void {
  const vshift = f32x4.splat(shift);
  let vsum = f64x2.splat(0);
  let vsq = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const at = p + (<usize>i << 2);
    const r = f32x4.add(v128.load(at), vshift);
    v128.store(at, r);
    const lo = f64x2.promote_low_f32x4(r);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(r, r, 2, 3, 0, 1));
    vsum = f64x2.add(vsum, f64x2.add(lo, hi));
    vsq = f64x2.add(vsq, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
  }
  let sum = f64x2.extract_lane(vsum, 0) + f64x2.extract_lane(vsum, 1);
  let sq = f64x2.extract_lane(vsq, 0) + f64x2.extract_lane(vsq, 1);
  for (; i < len; i++) {
    const at = p + (<usize>i << 2);
    const r = load<f32>(at) + shift;
    store<f32>(at, r);
    sum += <f64>r;
    sq += <f64>r * <f64>r;
  }
  segSum += sum;
  segSumSq += sq;
}

/**
 * z (K×N row-major, N = K·n, class-major columns) ← z + b1ᵀ − s·Y. `bias` may be 0 (no bias).
 * Writes Σ_j r_kj into rowSums[k] when rowSums ≠ 0. Returns ‖R‖_F².
 */
export function mse_residual_f64(
  z: usize, classes: i32, perClass: i32, target: f64, bias: usize, rowSums: usize,
): f64 {
  const cols = classes * perClass;
  let total: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const row = z + (<usize>(k * cols) << 3);
    const b = bias == 0 ? 0.0 : load<f64>(bias + (<usize>k << 3));
    segSum = 0;
    segSumSq = 0;
    const start = k * perClass;
    segment_f64(row, start, b);
    segment_f64(row + (<usize>start << 3), perClass, b - target);
    segment_f64(row + (<usize>(start + perClass) << 3), cols - start - perClass, b);
    if (rowSums != 0) store<f64>(rowSums + (<usize>k << 3), segSum);
    total += segSumSq;
  }
  return total;
}

/** f32 version of mse_residual_f64 (bias and rowSums are f32; the returned sum is f64). */
export function mse_residual_f32(
  z: usize, classes: i32, perClass: i32, target: f32, bias: usize, rowSums: usize,
): f64 {
  const cols = classes * perClass;
  let total: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const row = z + (<usize>(k * cols) << 2);
    const b: f32 = bias == 0 ? 0.0 : load<f32>(bias + (<usize>k << 2));
    segSum = 0;
    segSumSq = 0;
    const start = k * perClass;
    segment_f32(row, start, b);
    segment_f32(row + (<usize>start << 2), perClass, b - target);
    segment_f32(row + (<usize>(start + perClass) << 2), cols - start - perClass, b);
    if (rowSums != 0) store<f32>(rowSums + (<usize>k << 2), <f32>segSum);
    total += segSumSq;
  }
  return total;
}

/** Scalar reference of mse_residual_f64. */
export function mse_residual_ref_f64(
  z: usize, classes: i32, perClass: i32, target: f64, bias: usize, rowSums: usize,
): f64 {
  const cols = classes * perClass;
  let total: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const b = bias == 0 ? 0.0 : load<f64>(bias + (<usize>k << 3));
    let rowSum: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const at = z + (<usize>(k * cols + j) << 3);
      const y: f64 = j / perClass == k ? target : 0.0;
      const r = load<f64>(at) + (b - y);
      store<f64>(at, r);
      rowSum += r;
      total += r * r;
    }
    if (rowSums != 0) store<f64>(rowSums + (<usize>k << 3), rowSum);
  }
  return total;
}

/** Scalar reference of mse_residual_f32. */
export function mse_residual_ref_f32(
  z: usize, classes: i32, perClass: i32, target: f32, bias: usize, rowSums: usize,
): f64 {
  const cols = classes * perClass;
  let total: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const b: f32 = bias == 0 ? 0.0 : load<f32>(bias + (<usize>k << 2));
    let rowSum: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const at = z + (<usize>(k * cols + j) << 2);
      const y: f32 = j / perClass == k ? target : 0.0;
      const r: f32 = load<f32>(at) + (b - y);
      store<f32>(at, r);
      rowSum += <f64>r;
      total += <f64>r * <f64>r;
    }
    if (rowSums != 0) store<f32>(rowSums + (<usize>k << 2), <f32>rowSum);
  }
  return total;
}

// ---------------------------------------------------------------------------------------
// Optimizer step

/** Evaluate only: no update (used for the final report). */
export const STEP_NONE: i32 = 0;
/** θ ← θ − lr·g. */
export const STEP_GD: i32 = 1;
/** Heavy ball (Polyak): v ← μv + g; θ ← θ − lr·v. */
export const STEP_MOMENTUM: i32 = 2;
/** Nesterov (Sutskever form, gradient at θ): v ← μv + g; θ ← θ − lr·(g + μv). */
export const STEP_NESTEROV: i32 = 3;

/**
 * One pass over a parameter block of `len` elements: g = grad + λ·param; accumulates
 * ‖g‖² into stats[0] and ‖param‖² (before the update) into stats[1] (stats: 2 × f64);
 * then applies the update selected by `mode`. `velocity` may be 0 for STEP_NONE/STEP_GD.
 */
export function opt_step_f64(
  len: i32, param: usize, grad: usize, velocity: usize,
  lambda: f64, lr: f64, mu: f64, mode: i32, stats: usize,
): void {
  const vl = f64x2.splat(lambda);
  const vlr = f64x2.splat(lr);
  const vmu = f64x2.splat(mu);
  let gsq = f64x2.splat(0);
  let psq = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const off = <usize>i << 3;
    const p = v128.load(param + off);
    const g = f64x2.add(v128.load(grad + off), f64x2.mul(vl, p));
    gsq = f64x2.add(gsq, f64x2.mul(g, g));
    psq = f64x2.add(psq, f64x2.mul(p, p));
    if (mode == STEP_GD) {
      v128.store(param + off, f64x2.sub(p, f64x2.mul(vlr, g)));
    } else if (mode == STEP_MOMENTUM) {
      const v = f64x2.add(f64x2.mul(vmu, v128.load(velocity + off)), g);
      v128.store(velocity + off, v);
      v128.store(param + off, f64x2.sub(p, f64x2.mul(vlr, v)));
    } else if (mode == STEP_NESTEROV) {
      const v = f64x2.add(f64x2.mul(vmu, v128.load(velocity + off)), g);
      v128.store(velocity + off, v);
      v128.store(param + off, f64x2.sub(p, f64x2.mul(vlr, f64x2.add(g, f64x2.mul(vmu, v)))));
    }
  }
  let gs = f64x2.extract_lane(gsq, 0) + f64x2.extract_lane(gsq, 1);
  let ps = f64x2.extract_lane(psq, 0) + f64x2.extract_lane(psq, 1);
  for (; i < len; i++) {
    const off = <usize>i << 3;
    const p = load<f64>(param + off);
    const g = load<f64>(grad + off) + lambda * p;
    gs += g * g;
    ps += p * p;
    if (mode == STEP_GD) {
      store<f64>(param + off, p - lr * g);
    } else if (mode == STEP_MOMENTUM) {
      const v = mu * load<f64>(velocity + off) + g;
      store<f64>(velocity + off, v);
      store<f64>(param + off, p - lr * v);
    } else if (mode == STEP_NESTEROV) {
      const v = mu * load<f64>(velocity + off) + g;
      store<f64>(velocity + off, v);
      store<f64>(param + off, p - lr * (g + mu * v));
    }
  }
  store<f64>(stats, load<f64>(stats) + gs);
  store<f64>(stats + 8, load<f64>(stats + 8) + ps);
}

/** f32 version of opt_step_f64 (parameters f32; stats f64). */
export function opt_step_f32(
  len: i32, param: usize, grad: usize, velocity: usize,
  lambda: f32, lr: f32, mu: f32, mode: i32, stats: usize,
): void {
  const vl = f32x4.splat(lambda);
  const vlr = f32x4.splat(lr);
  const vmu = f32x4.splat(mu);
  let gsq = f64x2.splat(0);
  let psq = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const off = <usize>i << 2;
    const p = v128.load(param + off);
    const g = f32x4.add(v128.load(grad + off), f32x4.mul(vl, p));
    const glo = f64x2.promote_low_f32x4(g);
    const ghi = f64x2.promote_low_f32x4(v128.shuffle<f32>(g, g, 2, 3, 0, 1));
    const plo = f64x2.promote_low_f32x4(p);
    const phi = f64x2.promote_low_f32x4(v128.shuffle<f32>(p, p, 2, 3, 0, 1));
    gsq = f64x2.add(gsq, f64x2.add(f64x2.mul(glo, glo), f64x2.mul(ghi, ghi)));
    psq = f64x2.add(psq, f64x2.add(f64x2.mul(plo, plo), f64x2.mul(phi, phi)));
    if (mode == STEP_GD) {
      v128.store(param + off, f32x4.sub(p, f32x4.mul(vlr, g)));
    } else if (mode == STEP_MOMENTUM) {
      const v = f32x4.add(f32x4.mul(vmu, v128.load(velocity + off)), g);
      v128.store(velocity + off, v);
      v128.store(param + off, f32x4.sub(p, f32x4.mul(vlr, v)));
    } else if (mode == STEP_NESTEROV) {
      const v = f32x4.add(f32x4.mul(vmu, v128.load(velocity + off)), g);
      v128.store(velocity + off, v);
      v128.store(param + off, f32x4.sub(p, f32x4.mul(vlr, f32x4.add(g, f32x4.mul(vmu, v)))));
    }
  }
  let gs = f64x2.extract_lane(gsq, 0) + f64x2.extract_lane(gsq, 1);
  let ps = f64x2.extract_lane(psq, 0) + f64x2.extract_lane(psq, 1);
  for (; i < len; i++) {
    const off = <usize>i << 2;
    const p = load<f32>(param + off);
    const g: f32 = load<f32>(grad + off) + lambda * p;
    gs += <f64>g * <f64>g;
    ps += <f64>p * <f64>p;
    if (mode == STEP_GD) {
      store<f32>(param + off, p - lr * g);
    } else if (mode == STEP_MOMENTUM) {
      const v: f32 = mu * load<f32>(velocity + off) + g;
      store<f32>(velocity + off, v);
      store<f32>(param + off, p - lr * v);
    } else if (mode == STEP_NESTEROV) {
      const v: f32 = mu * load<f32>(velocity + off) + g;
      store<f32>(velocity + off, v);
      store<f32>(param + off, p - lr * (g + mu * v));
    }
  }
  store<f64>(stats, load<f64>(stats) + gs);
  store<f64>(stats + 8, load<f64>(stats + 8) + ps);
}

/** Scalar reference of opt_step_f64. */
export function opt_step_ref_f64(
  len: i32, param: usize, grad: usize, velocity: usize,
  lambda: f64, lr: f64, mu: f64, mode: i32, stats: usize,
): void {
  let gs: f64 = 0;
  let ps: f64 = 0;
  for (let i = 0; i < len; i++) {
    const off = <usize>i << 3;
    const p = load<f64>(param + off);
    const g = load<f64>(grad + off) + lambda * p;
    gs += g * g;
    ps += p * p;
    if (mode == STEP_GD) {
      store<f64>(param + off, p - lr * g);
    } else if (mode == STEP_MOMENTUM || mode == STEP_NESTEROV) {
      const v = mu * load<f64>(velocity + off) + g;
      store<f64>(velocity + off, v);
      store<f64>(param + off, mode == STEP_MOMENTUM ? p - lr * v : p - lr * (g + mu * v));
    }
  }
  store<f64>(stats, load<f64>(stats) + gs);
  store<f64>(stats + 8, load<f64>(stats + 8) + ps);
}

/** Scalar reference of opt_step_f32. */
export function opt_step_ref_f32(
  len: i32, param: usize, grad: usize, velocity: usize,
  lambda: f32, lr: f32, mu: f32, mode: i32, stats: usize,
): void {
  let gs: f64 = 0;
  let ps: f64 = 0;
  for (let i = 0; i < len; i++) {
    const off = <usize>i << 2;
    const p = load<f32>(param + off);
    const g: f32 = load<f32>(grad + off) + lambda * p;
    gs += <f64>g * <f64>g;
    ps += <f64>p * <f64>p;
    if (mode == STEP_GD) {
      store<f32>(param + off, p - lr * g);
    } else if (mode == STEP_MOMENTUM || mode == STEP_NESTEROV) {
      const v: f32 = mu * load<f32>(velocity + off) + g;
      store<f32>(velocity + off, v);
      store<f32>(param + off, mode == STEP_MOMENTUM ? p - lr * v : p - lr * (g + mu * v));
    }
  }
  store<f64>(stats, load<f64>(stats) + gs);
  store<f64>(stats + 8, load<f64>(stats + 8) + ps);
}
