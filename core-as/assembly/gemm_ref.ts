// Scalar reference matrix products: C = alpha·A·B + beta·C.
// A is m×k and B is k×n with arbitrary element strides (row stride, column stride), so the
// same routine serves W·H, R·Hᵀ and Wᵀ·R; C is m×n row-major with leading dimension ldc.
// These are the ground truth the SIMD kernels in gemm.ts are tested against.

export function gemm_ref_f64(
  m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc: f64 = 0;
      for (let p = 0; p < k; p++) {
        acc += load<f64>(a + (<usize>(i * rsa + p * csa) << 3)) *
          load<f64>(b + (<usize>(p * rsb + j * csb) << 3));
      }
      const at = c + (<usize>(i * ldc + j) << 3);
      store<f64>(at, beta == 0 ? alpha * acc : alpha * acc + beta * load<f64>(at));
    }
  }
}

export function gemm_ref_f32(
  m: i32, n: i32, k: i32, alpha: f32,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc: f32 = 0;
      for (let p = 0; p < k; p++) {
        acc += load<f32>(a + (<usize>(i * rsa + p * csa) << 2)) *
          load<f32>(b + (<usize>(p * rsb + j * csb) << 2));
      }
      const at = c + (<usize>(i * ldc + j) << 2);
      store<f32>(at, beta == 0 ? alpha * acc : alpha * acc + beta * load<f32>(at));
    }
  }
}
