// Fused optimizer kernel of one UFM gradient step (docs/solvers.md#gradients; the losses are in
// losses.ts):
//   opt_step:     full gradient g = g_data + λθ, its squared norm and ‖θ‖², then one
//                 GD / heavy-ball / Nesterov update — one pass over each parameter block.
// The SIMD kernel has a scalar reference (`*_ref_*`) with the same contract. Sums of squares
// are accumulated in f64 for both element types, so objectives and gradient norms of f32 runs
// are not limited by f32 accumulation error.

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
