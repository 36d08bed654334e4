// Dot-product kernels for products where every row of A and every column of B is contiguous
// along k (csa = 1, rsb = 1: A·Bᵀ of row-major matrices, the R·Hᵀ shape of the UFM
// gradients, docs/solvers.md#gradients). No packing: each 2×4 tile of C is eight k-long dot products vectorised along k
// (plain mul + add, no broadcasts in the loop), reduced at the end by a transpose-add. gemm.ts
// calls them on k chunks and column blocks of B small enough to stay in L2. Measured faster than
// packing + the 4×8 micro-kernel for this layout (44 vs 38 GFLOP/s f32 at 512³).

// @ts-ignore: decorator
@inline function transposeSumF32(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  // [Σx0, Σx1, Σx2, Σx3]
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  const lo = f32x4.add(i64x2.shuffle(t0, t1, 0, 2), i64x2.shuffle(t0, t1, 1, 3));
  const hi = f32x4.add(i64x2.shuffle(t2, t3, 0, 2), i64x2.shuffle(t2, t3, 1, 3));
  return f32x4.add(lo, hi);
}

/** [Σx, Σy] of two f64x2 vectors. */
// @ts-ignore: decorator
@inline function pairSumF64(x: v128, y: v128): v128 {
  return f64x2.add(i64x2.shuffle(x, y, 0, 2), i64x2.shuffle(x, y, 1, 3));
}

import { tileScratch } from "./gemm_pack";
import { madd2, madd4 } from "./gemm";

// The dot kernels' 64-byte edge tile: per instance, after gemm.ts's 128-byte edge tile.
// @ts-ignore: decorator
@inline function dotTileAt(): usize {
  return tileScratch() + 128;
}

/**
 * C[i, j] = alpha·Σp A[i·rsa + p]·B[p + j·csb] + beta·C[i, j] (C row-major, leading dimension
 * ldc), in f32 tiles of 2 rows × 4 columns. When beta is 0, C is not read.
 */
export function gemmDotF32<M>(
  m: i32, n: i32, k: i32, alpha: f32, a: usize, rsa: i32, b: usize, csb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  const rowA = <usize>rsa << 2;
  const colB = <usize>csb << 2;
  const ldcBytes = <usize>ldc << 2;
  const k4 = <usize>(k & ~3) << 2;
  const kBytes = <usize>k << 2;
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  for (let i = 0; i < m; i += 2) {
    const a0 = a + <usize>i * rowA;
    // A lone last row is computed twice (same pointer) and stored once.
    const a1 = i + 1 < m ? a0 + rowA : a0;
    for (let j = 0; j < n; j += 4) {
      const b0 = b + <usize>j * colB;
      const b1 = j + 1 < n ? b0 + colB : b0;
      const b2 = j + 2 < n ? b1 + colB : b1;
      const b3 = j + 3 < n ? b2 + colB : b2;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
      let p: usize = 0;
      for (; p < k4; p += 16) {
        const x0 = v128.load(a0 + p);
        const x1 = v128.load(a1 + p);
        let y = v128.load(b0 + p);
        c00 = madd4<M>(c00, x0, y);
        c10 = madd4<M>(c10, x1, y);
        y = v128.load(b1 + p);
        c01 = madd4<M>(c01, x0, y);
        c11 = madd4<M>(c11, x1, y);
        y = v128.load(b2 + p);
        c02 = madd4<M>(c02, x0, y);
        c12 = madd4<M>(c12, x1, y);
        y = v128.load(b3 + p);
        c03 = madd4<M>(c03, x0, y);
        c13 = madd4<M>(c13, x1, y);
      }
      for (; p < kBytes; p += 4) {
        // k tail: lane 0 only (the other lanes multiply zeros).
        const x0 = v128.load32_zero(a0 + p);
        const x1 = v128.load32_zero(a1 + p);
        let y = v128.load32_zero(b0 + p);
        c00 = madd4<M>(c00, x0, y);
        c10 = madd4<M>(c10, x1, y);
        y = v128.load32_zero(b1 + p);
        c01 = madd4<M>(c01, x0, y);
        c11 = madd4<M>(c11, x1, y);
        y = v128.load32_zero(b2 + p);
        c02 = madd4<M>(c02, x0, y);
        c12 = madd4<M>(c12, x1, y);
        y = v128.load32_zero(b3 + p);
        c03 = madd4<M>(c03, x0, y);
        c13 = madd4<M>(c13, x1, y);
      }
      const row0 = f32x4.mul(va, transposeSumF32(c00, c01, c02, c03));
      const row1 = f32x4.mul(va, transposeSumF32(c10, c11, c12, c13));
      const c0 = c + <usize>i * ldcBytes + (<usize>j << 2);
      if (j + 4 <= n && i + 1 < m) {
        const c1 = c0 + ldcBytes;
        if (beta == 0) {
          v128.store(c0, row0);
          v128.store(c1, row1);
        } else {
          v128.store(c0, f32x4.add(row0, f32x4.mul(vb, v128.load(c0))));
          v128.store(c1, f32x4.add(row1, f32x4.mul(vb, v128.load(c1))));
        }
      } else {
        const dotTile = dotTileAt();
        v128.store(dotTile, row0);
        v128.store(dotTile, row1, 16);
        const rows = min(2, m - i);
        const cols = min(4, n - j);
        for (let r = 0; r < rows; r++) {
          for (let s = 0; s < cols; s++) {
            const at = c0 + <usize>r * ldcBytes + (<usize>s << 2);
            const v = load<f32>(dotTile + (<usize>(r * 4 + s) << 2));
            store<f32>(at, beta == 0 ? v : v + beta * load<f32>(at));
          }
        }
      }
    }
  }
}

/** f64 version of {@link gemmDotF32}: 2×4 tiles of f64x2 dot products. */
export function gemmDotF64<M>(
  m: i32, n: i32, k: i32, alpha: f64, a: usize, rsa: i32, b: usize, csb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  const rowA = <usize>rsa << 3;
  const colB = <usize>csb << 3;
  const ldcBytes = <usize>ldc << 3;
  const k2 = <usize>(k & ~1) << 3;
  const kBytes = <usize>k << 3;
  const va = f64x2.splat(alpha);
  const vb = f64x2.splat(beta);
  for (let i = 0; i < m; i += 2) {
    const a0 = a + <usize>i * rowA;
    const a1 = i + 1 < m ? a0 + rowA : a0;
    for (let j = 0; j < n; j += 4) {
      const b0 = b + <usize>j * colB;
      const b1 = j + 1 < n ? b0 + colB : b0;
      const b2 = j + 2 < n ? b1 + colB : b1;
      const b3 = j + 3 < n ? b2 + colB : b2;
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
      let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
      let p: usize = 0;
      for (; p < k2; p += 16) {
        const x0 = v128.load(a0 + p);
        const x1 = v128.load(a1 + p);
        let y = v128.load(b0 + p);
        c00 = madd2<M>(c00, x0, y);
        c10 = madd2<M>(c10, x1, y);
        y = v128.load(b1 + p);
        c01 = madd2<M>(c01, x0, y);
        c11 = madd2<M>(c11, x1, y);
        y = v128.load(b2 + p);
        c02 = madd2<M>(c02, x0, y);
        c12 = madd2<M>(c12, x1, y);
        y = v128.load(b3 + p);
        c03 = madd2<M>(c03, x0, y);
        c13 = madd2<M>(c13, x1, y);
      }
      if (p < kBytes) {
        const x0 = v128.load64_zero(a0 + p);
        const x1 = v128.load64_zero(a1 + p);
        let y = v128.load64_zero(b0 + p);
        c00 = madd2<M>(c00, x0, y);
        c10 = madd2<M>(c10, x1, y);
        y = v128.load64_zero(b1 + p);
        c01 = madd2<M>(c01, x0, y);
        c11 = madd2<M>(c11, x1, y);
        y = v128.load64_zero(b2 + p);
        c02 = madd2<M>(c02, x0, y);
        c12 = madd2<M>(c12, x1, y);
        y = v128.load64_zero(b3 + p);
        c03 = madd2<M>(c03, x0, y);
        c13 = madd2<M>(c13, x1, y);
      }
      const r00 = f64x2.mul(va, pairSumF64(c00, c01));
      const r01 = f64x2.mul(va, pairSumF64(c02, c03));
      const r10 = f64x2.mul(va, pairSumF64(c10, c11));
      const r11 = f64x2.mul(va, pairSumF64(c12, c13));
      const c0 = c + <usize>i * ldcBytes + (<usize>j << 3);
      if (j + 4 <= n && i + 1 < m) {
        const c1 = c0 + ldcBytes;
        if (beta == 0) {
          v128.store(c0, r00);
          v128.store(c0, r01, 16);
          v128.store(c1, r10);
          v128.store(c1, r11, 16);
        } else {
          v128.store(c0, f64x2.add(r00, f64x2.mul(vb, v128.load(c0))));
          v128.store(c0, f64x2.add(r01, f64x2.mul(vb, v128.load(c0, 16))), 16);
          v128.store(c1, f64x2.add(r10, f64x2.mul(vb, v128.load(c1))));
          v128.store(c1, f64x2.add(r11, f64x2.mul(vb, v128.load(c1, 16))), 16);
        }
      } else {
        const dotTile = dotTileAt();
        v128.store(dotTile, r00);
        v128.store(dotTile, r01, 16);
        v128.store(dotTile, r10, 32);
        v128.store(dotTile, r11, 48);
        const rows = min(2, m - i);
        const cols = min(4, n - j);
        for (let r = 0; r < rows; r++) {
          for (let s = 0; s < cols; s++) {
            const at = c0 + <usize>r * ldcBytes + (<usize>s << 3);
            const v = load<f64>(dotTile + (<usize>(r * 4 + s) << 3));
            store<f64>(at, beta == 0 ? v : v + beta * load<f64>(at));
          }
        }
      }
    }
  }
}
