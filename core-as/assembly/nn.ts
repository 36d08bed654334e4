// Dense-layer helpers for network training (lib/nn/): the parts of a layer's forward and
// backward pass that are not matrix products. Activations are d×B row-major (features as rows,
// samples as columns), so one row = one feature over the batch.
//
//   bias_act:       z[i, j] ← act(z[i, j] + b[i])           (bias broadcast + optional ReLU)
//   mask_row_sums:  g[i, j] ← g[i, j]·[a[i, j] > 0];  s[i] ← Σ_j g[i, j]   (ReLU backward +
//                   bias gradient; a = the layer's post-ReLU output: a > 0 ⟺ pre-activation > 0)
//   scale:          x ← c·x                                   (gradient-norm clipping)
//   sum_sq:         Σ x²                                       (gradient norms)
//
// Sums accumulate in f64 for both element types. Each SIMD kernel has a scalar reference
// (`*_ref_*`) with the same contract.

// ---------------------------------------------------------------------------------------
// bias_act

/**
 * In place over a rows×cols f64 matrix: z[i, j] ← z[i, j] + bias[i] (skipped if bias = 0),
 * then max(·, 0) if relu ≠ 0.
 */
export function bias_act_f64(z: usize, rows: i32, cols: i32, bias: usize, relu: i32): void {
  const zero = f64x2.splat(0);
  for (let i = 0; i < rows; i++) {
    const row = z + ((<usize>i * <usize>cols) << 3);
    const b: f64 = bias != 0 ? load<f64>(bias + (<usize>i << 3)) : 0;
    const vb = f64x2.splat(b);
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      const off = row + (<usize>j << 3);
      let v = f64x2.add(v128.load(off), vb);
      if (relu != 0) v = f64x2.pmax(zero, v);
      v128.store(off, v);
    }
    for (; j < cols; j++) {
      const off = row + (<usize>j << 3);
      let v = load<f64>(off) + b;
      if (relu != 0 && !(v > 0)) v = 0;
      store<f64>(off, v);
    }
  }
}

/** f32 version of bias_act_f64. */
export function bias_act_f32(z: usize, rows: i32, cols: i32, bias: usize, relu: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    const row = z + ((<usize>i * <usize>cols) << 2);
    const b: f32 = bias != 0 ? load<f32>(bias + (<usize>i << 2)) : 0;
    const vb = f32x4.splat(b);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const off = row + (<usize>j << 2);
      let v = f32x4.add(v128.load(off), vb);
      if (relu != 0) v = f32x4.pmax(zero, v);
      v128.store(off, v);
    }
    for (; j < cols; j++) {
      const off = row + (<usize>j << 2);
      let v: f32 = load<f32>(off) + b;
      if (relu != 0 && !(v > 0)) v = 0;
      store<f32>(off, v);
    }
  }
}

/** Scalar reference of bias_act_f64. */
export function bias_act_ref_f64(z: usize, rows: i32, cols: i32, bias: usize, relu: i32): void {
  for (let i = 0; i < rows; i++) {
    const b: f64 = bias != 0 ? load<f64>(bias + (<usize>i << 3)) : 0;
    for (let j = 0; j < cols; j++) {
      const off = z + ((<usize>i * <usize>cols + <usize>j) << 3);
      let v = load<f64>(off) + b;
      if (relu != 0 && !(v > 0)) v = 0;
      store<f64>(off, v);
    }
  }
}

/** Scalar reference of bias_act_f32. */
export function bias_act_ref_f32(z: usize, rows: i32, cols: i32, bias: usize, relu: i32): void {
  for (let i = 0; i < rows; i++) {
    const b: f32 = bias != 0 ? load<f32>(bias + (<usize>i << 2)) : 0;
    for (let j = 0; j < cols; j++) {
      const off = z + ((<usize>i * <usize>cols + <usize>j) << 2);
      let v: f32 = load<f32>(off) + b;
      if (relu != 0 && !(v > 0)) v = 0;
      store<f32>(off, v);
    }
  }
}

// ---------------------------------------------------------------------------------------
// mask_row_sums

/**
 * Over a rows×cols f64 matrix g: if post ≠ 0, g[i, j] ← 0 where post[i, j] ≤ 0 (ReLU backward,
 * post = the ReLU output); then, if sums ≠ 0, sums[i] ← Σ_j g[i, j] (the bias gradient).
 */
export function mask_row_sums_f64(
  g: usize, post: usize, rows: i32, cols: i32, sums: usize,
): void {
  const zero = f64x2.splat(0);
  for (let i = 0; i < rows; i++) {
    const start = (<usize>i * <usize>cols) << 3;
    let acc = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      const off = start + (<usize>j << 3);
      let v = v128.load(g + off);
      if (post != 0) {
        v = v128.and(v, f64x2.gt(v128.load(post + off), zero));
        v128.store(g + off, v);
      }
      acc = f64x2.add(acc, v);
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; j < cols; j++) {
      const off = start + (<usize>j << 3);
      let v = load<f64>(g + off);
      if (post != 0 && !(load<f64>(post + off) > 0)) {
        v = 0;
        store<f64>(g + off, v);
      }
      s += v;
    }
    if (sums != 0) store<f64>(sums + (<usize>i << 3), s);
  }
}

/** f32 version of mask_row_sums_f64 (sums accumulated in f64, stored as f32). */
export function mask_row_sums_f32(
  g: usize, post: usize, rows: i32, cols: i32, sums: usize,
): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    const start = (<usize>i * <usize>cols) << 2;
    let acc = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const off = start + (<usize>j << 2);
      let v = v128.load(g + off);
      if (post != 0) {
        v = v128.and(v, f32x4.gt(v128.load(post + off), zero));
        v128.store(g + off, v);
      }
      const lo = f64x2.promote_low_f32x4(v);
      const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      acc = f64x2.add(acc, f64x2.add(lo, hi));
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; j < cols; j++) {
      const off = start + (<usize>j << 2);
      let v = load<f32>(g + off);
      if (post != 0 && !(load<f32>(post + off) > 0)) {
        v = 0;
        store<f32>(g + off, v);
      }
      s += <f64>v;
    }
    if (sums != 0) store<f32>(sums + (<usize>i << 2), <f32>s);
  }
}

/** Scalar reference of mask_row_sums_f64. */
export function mask_row_sums_ref_f64(
  g: usize, post: usize, rows: i32, cols: i32, sums: usize,
): void {
  for (let i = 0; i < rows; i++) {
    let s: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const off = (<usize>i * <usize>cols + <usize>j) << 3;
      if (post != 0 && !(load<f64>(post + off) > 0)) store<f64>(g + off, 0.0);
      s += load<f64>(g + off);
    }
    if (sums != 0) store<f64>(sums + (<usize>i << 3), s);
  }
}

/** Scalar reference of mask_row_sums_f32. */
export function mask_row_sums_ref_f32(
  g: usize, post: usize, rows: i32, cols: i32, sums: usize,
): void {
  for (let i = 0; i < rows; i++) {
    let s: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const off = (<usize>i * <usize>cols + <usize>j) << 2;
      if (post != 0 && !(load<f32>(post + off) > 0)) store<f32>(g + off, <f32>0);
      s += <f64>load<f32>(g + off);
    }
    if (sums != 0) store<f32>(sums + (<usize>i << 2), <f32>s);
  }
}

// ---------------------------------------------------------------------------------------
// scale and sum_sq

/** x[i] ← factor·x[i] for n f64 values. */
export function scale_f64(x: usize, n: i32, factor: f64): void {
  const vf = f64x2.splat(factor);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const off = x + (<usize>i << 3);
    v128.store(off, f64x2.mul(v128.load(off), vf));
  }
  for (; i < n; i++) {
    const off = x + (<usize>i << 3);
    store<f64>(off, load<f64>(off) * factor);
  }
}

/** x[i] ← factor·x[i] for n f32 values (factor rounded to f32 once). */
export function scale_f32(x: usize, n: i32, factor: f64): void {
  const f = <f32>factor;
  const vf = f32x4.splat(f);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = x + (<usize>i << 2);
    v128.store(off, f32x4.mul(v128.load(off), vf));
  }
  for (; i < n; i++) {
    const off = x + (<usize>i << 2);
    store<f32>(off, load<f32>(off) * f);
  }
}

/** Scalar reference of scale_f64. */
export function scale_ref_f64(x: usize, n: i32, factor: f64): void {
  for (let i = 0; i < n; i++) {
    const off = x + (<usize>i << 3);
    store<f64>(off, load<f64>(off) * factor);
  }
}

/** Scalar reference of scale_f32. */
export function scale_ref_f32(x: usize, n: i32, factor: f64): void {
  const f = <f32>factor;
  for (let i = 0; i < n; i++) {
    const off = x + (<usize>i << 2);
    store<f32>(off, load<f32>(off) * f);
  }
}

/** Σ x[i]² over n f64 values. */
export function sum_sq_f64(x: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const v = v128.load(x + (<usize>i << 3));
    acc = f64x2.add(acc, f64x2.mul(v, v));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const v = load<f64>(x + (<usize>i << 3));
    s += v * v;
  }
  return s;
}

/** Σ x[i]² over n f32 values, accumulated in f64. */
export function sum_sq_f32(x: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    acc = f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** Scalar reference of sum_sq_f64. */
export function sum_sq_ref_f64(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(x + (<usize>i << 3));
    s += v * v;
  }
  return s;
}

/** Scalar reference of sum_sq_f32. */
export function sum_sq_ref_f32(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}
