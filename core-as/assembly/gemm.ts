// SIMD matrix products (placeholder: delegates to the scalar reference until the blocked
// SIMD kernels land). Same contract as gemm_ref.ts.
import { gemm_ref_f64, gemm_ref_f32 } from "./gemm_ref";

export function gemm_f64(
  m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  gemm_ref_f64(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}

export function gemm_f32(
  m: i32, n: i32, k: i32, alpha: f32,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  gemm_ref_f32(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}
