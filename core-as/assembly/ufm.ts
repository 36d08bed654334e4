// Fused optimizer kernel of one UFM gradient step (docs/solvers.md#gradients; the losses are in
// losses.ts):
//   opt_step:     full gradient g = g_data + λθ, its squared norm and ‖θ‖², then one
//                 GD / heavy-ball / Nesterov update — one pass over each parameter block.
// The SIMD kernel has a scalar reference (`*_ref_*`) with the same contract. Sums of squares
// are accumulated in f64 for both element types, so objectives and gradient norms of f32 runs
// are not limited by f32 accumulation error (the f32 SIMD kernel first sums the squares of 16
// elements in f32, 4 per lane: a relative error of at most 2.4e-7, independent of the length).

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

/** g = grad + λ·θ and the selected update on one f32x4 of a block; returns g. */
// @ts-ignore: decorator
@inline function stepVectorF32(
  at: usize, param: usize, grad: usize, velocity: usize,
  vl: v128, vlr: v128, vmu: v128, mode: i32,
): v128 {
  const p = v128.load(param + at);
  const g = f32x4.add(v128.load(grad + at), f32x4.mul(vl, p));
  if (mode == STEP_GD) {
    v128.store(param + at, f32x4.sub(p, f32x4.mul(vlr, g)));
  } else if (mode == STEP_MOMENTUM) {
    const v = f32x4.add(f32x4.mul(vmu, v128.load(velocity + at)), g);
    v128.store(velocity + at, v);
    v128.store(param + at, f32x4.sub(p, f32x4.mul(vlr, v)));
  } else if (mode == STEP_NESTEROV) {
    const v = f32x4.add(f32x4.mul(vmu, v128.load(velocity + at)), g);
    v128.store(velocity + at, v);
    v128.store(param + at, f32x4.sub(p, f32x4.mul(vlr, f32x4.add(g, f32x4.mul(vmu, v)))));
  }
  return g;
}

/** The low and high f32 pairs of x, promoted to f64 and added to acc (lanes kept apart). */
// @ts-ignore: decorator
@inline function addPromoted(acc: v128, x: v128): v128 {
  return f64x2.add(
    acc,
    f64x2.add(f64x2.promote_low_f32x4(x), f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1))),
  );
}

/**
 * The vector part of opt_step_f32 for one `mode` (a constant after inlining, so the loop has no
 * branch on it): 16 elements per iteration, whose squares are summed in f32 (4 per lane: a
 * relative error of at most 4·2⁻²⁴ ≈ 2.4e-7, whatever the block length) before they are
 * promoted and accumulated in f64. Promoting every square to f64 made the pass 1.4× slower than
 * the update alone. Returns the number of elements done; stats receive the sums.
 */
// @ts-ignore: decorator
@inline function sweepF32(
  len: i32, param: usize, grad: usize, velocity: usize,
  lambda: f32, lr: f32, mu: f32, mode: i32, stats: usize,
): i32 {
  const vl = f32x4.splat(lambda);
  const vlr = f32x4.splat(lr);
  const vmu = f32x4.splat(mu);
  let gsq = f64x2.splat(0);
  let psq = f64x2.splat(0);
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const at = <usize>i << 2;
    const p0 = v128.load(param + at);
    const p1 = v128.load(param + at, 16);
    const p2 = v128.load(param + at, 32);
    const p3 = v128.load(param + at, 48);
    const g0 = stepVectorF32(at, param, grad, velocity, vl, vlr, vmu, mode);
    const g1 = stepVectorF32(at + 16, param, grad, velocity, vl, vlr, vmu, mode);
    const g2 = stepVectorF32(at + 32, param, grad, velocity, vl, vlr, vmu, mode);
    const g3 = stepVectorF32(at + 48, param, grad, velocity, vl, vlr, vmu, mode);
    const gBlock = f32x4.add(
      f32x4.add(f32x4.mul(g0, g0), f32x4.mul(g1, g1)),
      f32x4.add(f32x4.mul(g2, g2), f32x4.mul(g3, g3)),
    );
    const pBlock = f32x4.add(
      f32x4.add(f32x4.mul(p0, p0), f32x4.mul(p1, p1)),
      f32x4.add(f32x4.mul(p2, p2), f32x4.mul(p3, p3)),
    );
    gsq = addPromoted(gsq, gBlock);
    psq = addPromoted(psq, pBlock);
  }
  for (; i + 4 <= len; i += 4) {
    const at = <usize>i << 2;
    const p = v128.load(param + at);
    const g = stepVectorF32(at, param, grad, velocity, vl, vlr, vmu, mode);
    gsq = addPromoted(gsq, f32x4.mul(g, g));
    psq = addPromoted(psq, f32x4.mul(p, p));
  }
  store<f64>(stats, load<f64>(stats) + f64x2.extract_lane(gsq, 0) + f64x2.extract_lane(gsq, 1));
  store<f64>(
    stats + 8,
    load<f64>(stats + 8) + f64x2.extract_lane(psq, 0) + f64x2.extract_lane(psq, 1),
  );
  return i;
}

/**
 * f32 version of opt_step_f64 (parameters f32; stats f64, from squares summed in f32 over
 * blocks of 16 elements: see sweepF32). The updates are those of the scalar reference.
 */
export function opt_step_f32(
  len: i32, param: usize, grad: usize, velocity: usize,
  lambda: f32, lr: f32, mu: f32, mode: i32, stats: usize,
): void {
  let i: i32;
  if (mode == STEP_MOMENTUM) {
    i = sweepF32(len, param, grad, velocity, lambda, lr, mu, STEP_MOMENTUM, stats);
  } else if (mode == STEP_NESTEROV) {
    i = sweepF32(len, param, grad, velocity, lambda, lr, mu, STEP_NESTEROV, stats);
  } else if (mode == STEP_GD) {
    i = sweepF32(len, param, grad, velocity, lambda, lr, mu, STEP_GD, stats);
  } else {
    i = sweepF32(len, param, grad, velocity, lambda, lr, mu, STEP_NONE, stats);
  }
  let gs: f64 = 0;
  let ps: f64 = 0;
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
