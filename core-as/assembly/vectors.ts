// Level-1 vector kernels on f64 arrays for the quasi-Newton and Lanczos loops (lib/vectors.ts):
// their vectors are as long as the parameter vector, and these loops cost more than the
// objective's gradient when K is small. SIMD kernels with a scalar reference each.

/** Σ a[i]·b[i] over n f64 values (two f64x2 accumulators, then the scalar tail). */
export function dot_f64(a: usize, b: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const offset = <usize>i << 3;
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(a + offset), v128.load(b + offset)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(a + offset, 16), v128.load(b + offset, 16)));
  }
  const acc = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) s += load<f64>(a + (<usize>i << 3)) * load<f64>(b + (<usize>i << 3));
  return s;
}

/** Scalar reference of dot_f64. */
export function dot_ref_f64(a: usize, b: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += load<f64>(a + (<usize>i << 3)) * load<f64>(b + (<usize>i << 3));
  return s;
}

/** y[i] += alpha·x[i] over n f64 values. */
export function axpy_f64(alpha: f64, x: usize, y: usize, n: i32): void {
  const factor = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const offset = <usize>i << 3;
    v128.store(y + offset, f64x2.add(v128.load(y + offset), f64x2.mul(factor, v128.load(x + offset))));
  }
  for (; i < n; i++) {
    const offset = <usize>i << 3;
    store<f64>(y + offset, load<f64>(y + offset) + alpha * load<f64>(x + offset));
  }
}

/** Scalar reference of axpy_f64. */
export function axpy_ref_f64(alpha: f64, x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const offset = <usize>i << 3;
    store<f64>(y + offset, load<f64>(y + offset) + alpha * load<f64>(x + offset));
  }
}
