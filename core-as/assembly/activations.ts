// ReLU and its backward mask (extended/deep UFM, paper A §4; MLP training). SIMD kernels with
// scalar references of the same contract.

/** out[i] = max(x[i], 0) for n f64 values (out may equal x). */
export function relu_f64(x: usize, out: usize, n: i32): void {
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const off = <usize>i << 3;
    v128.store(out + off, f64x2.pmax(zero, v128.load(x + off)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 3;
    const v = load<f64>(x + off);
    store<f64>(out + off, v > 0 ? v : 0.0);
  }
}

/** out[i] = max(x[i], 0) for n f32 values (out may equal x). */
export function relu_f32(x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, f32x4.pmax(zero, v128.load(x + off)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const v = load<f32>(x + off);
    store<f32>(out + off, v > 0 ? v : <f32>0);
  }
}

/** grad[i] ← grad[i] if pre[i] > 0 else 0 (backward through ReLU; pre = pre-activation). */
export function relu_backward_f64(grad: usize, pre: usize, n: i32): void {
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const off = <usize>i << 3;
    const mask = f64x2.gt(v128.load(pre + off), zero);
    v128.store(grad + off, v128.and(v128.load(grad + off), mask));
  }
  for (; i < n; i++) {
    const off = <usize>i << 3;
    if (!(load<f64>(pre + off) > 0)) store<f64>(grad + off, 0.0);
  }
}

/** f32 version of relu_backward_f64. */
export function relu_backward_f32(grad: usize, pre: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const mask = f32x4.gt(v128.load(pre + off), zero);
    v128.store(grad + off, v128.and(v128.load(grad + off), mask));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    if (!(load<f32>(pre + off) > 0)) store<f32>(grad + off, <f32>0);
  }
}

/** Scalar reference of relu_f64. */
export function relu_ref_f64(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f64>(x + (<usize>i << 3));
    store<f64>(out + (<usize>i << 3), v > 0 ? v : 0.0);
  }
}

/** Scalar reference of relu_f32. */
export function relu_ref_f32(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), v > 0 ? v : <f32>0);
  }
}

/** Scalar reference of relu_backward_f64. */
export function relu_backward_ref_f64(grad: usize, pre: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    if (!(load<f64>(pre + (<usize>i << 3)) > 0)) store<f64>(grad + (<usize>i << 3), 0.0);
  }
}

/** Scalar reference of relu_backward_f32. */
export function relu_backward_ref_f32(grad: usize, pre: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    if (!(load<f32>(pre + (<usize>i << 2)) > 0)) store<f32>(grad + (<usize>i << 2), <f32>0);
  }
}
