// SIMD matrix products: C = alpha·A·B + beta·C, with the contract of gemm_ref.ts (the scalar
// reference these kernels are tested against). A is m×k with element strides (rsa, csa), B is
// k×n with element strides (rsb, csb), C is m×n row-major with leading dimension ldc. When beta
// is 0, C is only written (it may hold NaN).
//
// bluss/matrixmultiply (BLIS) structure: a loop nest over NC-column, KC-deep and MC-row blocks;
// the A block is packed into MR-row panels and the B block into NR-column panels (gemm_pack.ts);
// a register-blocked micro-kernel multiplies one A panel by one B panel into one tile of C.
// f32 tiles are 4×8 (eight f32x4 accumulators), f64 tiles 4×4 (eight f64x2 accumulators); a
// 2-row variant serves the last rows when m mod 4 is 1 or 2 (m = K = 10 is common). The
// micro-kernels are inlined into the loop nest and the f32 ones unrolled by two (each measured
// 5-15% faster; unrolling slows f64). Products use plain mul + add, so results are the same on
// every engine; the opt-in gemm_fma_* kernels (fast-math) use fused multiply-add instead.
//
// Two shortcuts, both chosen by measurement on the project machine:
// - B is read in place instead of packed when its rows are contiguous, A is short (m ≤ 64) and
//   B is at most 4 MiB: with few rows of A a packed B value is reused too rarely to repay the
//   copy. Row strides that are multiples of 256 bytes are packed anyway: they map the rows to a
//   few L1 sets.
// - When A's rows and B's columns are both contiguous along k (A·Bᵀ of row-major matrices),
//   gemm_dot.ts computes dot products directly, with no packing and no broadcasts.
import { gemmDotF32, gemmDotF64 } from "./gemm_dot";
import {
  B_ROW_BYTES, bPanelStride, borrowScratch, MR, packA, packB, scratchForA, scratchForB,
  setTileScratch, TILE_SCRATCH_BYTES, tileScratch,
} from "./gemm_pack";

// Block sizes in elements: an A panel (MR × KC) and a B panel (KC × NR) sit in L1, the packed A
// block (MC × KC) in L2, the packed B block (KC × NC, 2 MiB) in L3. f64 uses half of NC_F32.
// Measured on the project machine: KC 128-512, MC 64-512 and NC 256-4096 are all within 3%.
const KC: i32 = 256;
const MC: i32 = 128;
const NC_F32: i32 = 2048;

// B is read in place only for m up to this and B up to this size (see the header): a large B
// streamed from memory with a strided pattern is slower than packing it.
const DIRECT_B_MAX_M: i32 = 64;
const DIRECT_B_MAX_BYTES: usize = 4 << 20;

// The dot-product path needs enough depth to amortise its final reductions.
// (With at most DOT_SHORT_A rows of A, packing B costs more, so shallower products go there too.)
const DOT_MIN_K: i32 = 64;
const DOT_SHORT_A: i32 = 16;
const DOT_MIN_K_SHORT_A: i32 = 16;
// Depth of one dot-product chunk, and columns of B per block: as many as fit in this many
// bytes (L2).
const DOT_KC: i32 = 4096;
const DOT_B_BLOCK_BYTES: i32 = 512 * 1024;



// Products use mul + add (bitwise reproducible) unless the opt-in fast-math kernels (`gemm_fma_*`,
// lib/core/fast_math.ts) ask for relaxed-SIMD fused multiply-add: M = Plain or Fused, resolved
// at compile time. relaxed_madd rounds once or twice depending on the engine and CPU, so fused
// results are not bitwise portable.
type Plain = f64;
type Fused = i32;

/** acc + a·b on f32x4: fused when M is Fused. */
// @ts-ignore: decorator
@inline export function madd4<M>(acc: v128, a: v128, b: v128): v128 {
  if (isInteger<M>()) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** acc + a·b on f64x2: fused when M is Fused. */
// @ts-ignore: decorator
@inline export function madd2<M>(acc: v128, a: v128, b: v128): v128 {
  if (isInteger<M>()) return f64x2.relaxed_madd(a, b, acc);
  return f64x2.add(acc, f64x2.mul(a, b));
}

// @ts-ignore: decorator
@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

// The scratch buffers are allocated at their largest size (2.4 MiB) when the module starts, so
// that no product ever grows the memory: growth would detach typed-array views that the host
// holds across a call. Both element types need the same bytes (NC and NR halve together).
// (Functions, not globals: a global with a computed initializer is set by the start function,
// which thread instances never run.)
// @ts-ignore: decorator
@inline function scratchABytes(): usize {
  return <usize>roundUp(MC, MR) * <usize>KC * 8;
}
// @ts-ignore: decorator
@inline function scratchBBytes(): usize {
  return <usize>(NC_F32 / 8) * bPanelStride(KC);
}
scratchForA(scratchABytes());
scratchForB(scratchBBytes());
setTileScratch(heap.alloc(TILE_SCRATCH_BYTES));

/** Bytes a thread instance needs for its own scratch (see {@link thread_init}). */
export function thread_scratch_bytes(): usize {
  return scratchABytes() + scratchBBytes() + TILE_SCRATCH_BYTES;
}

/**
 * Makes this instance a thread instance (lib/core/threads.ts): a second instance of the module
 * on the main instance's shared memory, which never runs the start function and never
 * allocates. `scratch` (16-byte aligned, thread_scratch_bytes() long) is allocated for it by the
 * main instance.
 */
export function thread_init(scratch: usize): void {
  const aBytes = scratchABytes();
  const bBytes = scratchBBytes();
  borrowScratch(scratch, aBytes, scratch + aBytes, bBytes);
  setTileScratch(scratch + aBytes + bBytes);
}

/** Copies the mr × nr corner of the edge tile (already scaled by alpha) into C. */
// @ts-ignore: decorator
@inline function storeEdge<T>(c: usize, ldcBytes: usize, mr: i32, nr: i32, beta: T): void {
  const size = <usize>sizeof<T>();
  for (let i = 0; i < mr; i++) {
    const row = c + <usize>i * ldcBytes;
    const src = tileScratch() + (<usize>i << 5);
    for (let j = 0; j < nr; j++) {
      const at = row + <usize>j * size;
      const v = load<T>(src + <usize>j * size);
      store<T>(at, beta == 0 ? v : v + beta * load<T>(at));
    }
  }
}

/**
 * C[row, 0..8) = alpha·(x0, x1) + beta·C[row, 0..8) for f32 (beta = 0: C not read). alpha = 1
 * and beta = 1 (the common cases: plain products, later k blocks) skip their multiplications,
 * which are exact: the result is the same.
 */
// @ts-ignore: decorator
@inline function storeRowF32(
  at: usize, x0: v128, x1: v128, va: v128, vb: v128, alpha: f32, beta: f32,
): void {
  let y0 = x0;
  let y1 = x1;
  if (alpha != 1) {
    y0 = f32x4.mul(va, x0);
    y1 = f32x4.mul(va, x1);
  }
  if (beta == 0) {
    v128.store(at, y0);
    v128.store(at, y1, 16);
  } else if (beta == 1) {
    v128.store(at, f32x4.add(y0, v128.load(at)));
    v128.store(at, f32x4.add(y1, v128.load(at, 16)), 16);
  } else {
    v128.store(at, f32x4.add(y0, f32x4.mul(vb, v128.load(at))));
    v128.store(at, f32x4.add(y1, f32x4.mul(vb, v128.load(at, 16))), 16);
  }
}

/**
 * C[row, 0..4) = alpha·(x0, x1) + beta·C[row, 0..4) for f64 (beta = 0: C not read). alpha = 1
 * and beta = 1 (the common cases: plain products, later k blocks) skip their multiplications,
 * which are exact: the result is the same.
 */
// @ts-ignore: decorator
@inline function storeRowF64(
  at: usize, x0: v128, x1: v128, va: v128, vb: v128, alpha: f64, beta: f64,
): void {
  let y0 = x0;
  let y1 = x1;
  if (alpha != 1) {
    y0 = f64x2.mul(va, x0);
    y1 = f64x2.mul(va, x1);
  }
  if (beta == 0) {
    v128.store(at, y0);
    v128.store(at, y1, 16);
  } else if (beta == 1) {
    v128.store(at, f64x2.add(y0, v128.load(at)));
    v128.store(at, f64x2.add(y1, v128.load(at, 16)), 16);
  } else {
    v128.store(at, f64x2.add(y0, f64x2.mul(vb, v128.load(at))));
    v128.store(at, f64x2.add(y1, f64x2.mul(vb, v128.load(at, 16))), 16);
  }
}

/**
 * One f32 tile: C[0..mr, 0..nr) = alpha·(A panel · B panel) + beta·C, mr ≤ 4, nr ≤ 8. The A
 * panel is packed (4 values per step); B rows are `sb` bytes apart (32 when packed, the row
 * stride of B when read in place).
 */
// @ts-ignore: decorator
@inline function tileF32<M>(
  kc: i32, pa: usize, pb: usize, sb: usize,
  alpha: f32, beta: f32, c: usize, ldcBytes: usize, mr: i32, nr: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // Unrolled by two: measured ~10% faster (f32 only; the same unrolling slows f64 by 20%).
  let p = 0;
  for (; p + 1 < kc; p += 2) {
    {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let ai = v128.load32_splat(pa);
      c00 = madd4<M>(c00, ai, b0);
      c01 = madd4<M>(c01, ai, b1);
      ai = v128.load32_splat(pa, 4);
      c10 = madd4<M>(c10, ai, b0);
      c11 = madd4<M>(c11, ai, b1);
      ai = v128.load32_splat(pa, 8);
      c20 = madd4<M>(c20, ai, b0);
      c21 = madd4<M>(c21, ai, b1);
      ai = v128.load32_splat(pa, 12);
      c30 = madd4<M>(c30, ai, b0);
      c31 = madd4<M>(c31, ai, b1);
      pb += sb;
    }
    {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let ai = v128.load32_splat(pa, 16);
      c00 = madd4<M>(c00, ai, b0);
      c01 = madd4<M>(c01, ai, b1);
      ai = v128.load32_splat(pa, 20);
      c10 = madd4<M>(c10, ai, b0);
      c11 = madd4<M>(c11, ai, b1);
      ai = v128.load32_splat(pa, 24);
      c20 = madd4<M>(c20, ai, b0);
      c21 = madd4<M>(c21, ai, b1);
      ai = v128.load32_splat(pa, 28);
      c30 = madd4<M>(c30, ai, b0);
      c31 = madd4<M>(c31, ai, b1);
      pb += sb;
    }
    pa += 32;
  }
  if (p < kc) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let ai = v128.load32_splat(pa);
    c00 = madd4<M>(c00, ai, b0);
    c01 = madd4<M>(c01, ai, b1);
    ai = v128.load32_splat(pa, 4);
    c10 = madd4<M>(c10, ai, b0);
    c11 = madd4<M>(c11, ai, b1);
    ai = v128.load32_splat(pa, 8);
    c20 = madd4<M>(c20, ai, b0);
    c21 = madd4<M>(c21, ai, b1);
    ai = v128.load32_splat(pa, 12);
    c30 = madd4<M>(c30, ai, b0);
    c31 = madd4<M>(c31, ai, b1);
  }
  const va = f32x4.splat(alpha);
  if (mr == 4 && nr == 8) {
    const vb = f32x4.splat(beta);
    storeRowF32(c, c00, c01, va, vb, alpha, beta);
    storeRowF32(c + ldcBytes, c10, c11, va, vb, alpha, beta);
    storeRowF32(c + 2 * ldcBytes, c20, c21, va, vb, alpha, beta);
    storeRowF32(c + 3 * ldcBytes, c30, c31, va, vb, alpha, beta);
  } else {
    const t = tileScratch();
    v128.store(t, f32x4.mul(va, c00));
    v128.store(t, f32x4.mul(va, c01), 16);
    v128.store(t, f32x4.mul(va, c10), 32);
    v128.store(t, f32x4.mul(va, c11), 48);
    v128.store(t, f32x4.mul(va, c20), 64);
    v128.store(t, f32x4.mul(va, c21), 80);
    v128.store(t, f32x4.mul(va, c30), 96);
    v128.store(t, f32x4.mul(va, c31), 112);
    storeEdge<f32>(c, ldcBytes, mr, nr, beta);
  }
}

/** {@link tileF32} for mr ≤ 2: half the work of a zero-padded 4-row tile. */
// @ts-ignore: decorator
@inline function tileF32Short<M>(
  kc: i32, pa: usize, pb: usize, sb: usize,
  alpha: f32, beta: f32, c: usize, ldcBytes: usize, mr: i32, nr: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  // Unrolled by two: measured ~10% faster (f32 only; the same unrolling slows f64 by 20%).
  let p = 0;
  for (; p + 1 < kc; p += 2) {
    {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let ai = v128.load32_splat(pa);
      c00 = madd4<M>(c00, ai, b0);
      c01 = madd4<M>(c01, ai, b1);
      ai = v128.load32_splat(pa, 4);
      c10 = madd4<M>(c10, ai, b0);
      c11 = madd4<M>(c11, ai, b1);
      pb += sb;
    }
    {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let ai = v128.load32_splat(pa, 16);
      c00 = madd4<M>(c00, ai, b0);
      c01 = madd4<M>(c01, ai, b1);
      ai = v128.load32_splat(pa, 20);
      c10 = madd4<M>(c10, ai, b0);
      c11 = madd4<M>(c11, ai, b1);
      pb += sb;
    }
    pa += 32;
  }
  if (p < kc) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let ai = v128.load32_splat(pa);
    c00 = madd4<M>(c00, ai, b0);
    c01 = madd4<M>(c01, ai, b1);
    ai = v128.load32_splat(pa, 4);
    c10 = madd4<M>(c10, ai, b0);
    c11 = madd4<M>(c11, ai, b1);
  }
  const va = f32x4.splat(alpha);
  if (mr == 2 && nr == 8) {
    const vb = f32x4.splat(beta);
    storeRowF32(c, c00, c01, va, vb, alpha, beta);
    storeRowF32(c + ldcBytes, c10, c11, va, vb, alpha, beta);
  } else {
    const t = tileScratch();
    v128.store(t, f32x4.mul(va, c00));
    v128.store(t, f32x4.mul(va, c01), 16);
    v128.store(t, f32x4.mul(va, c10), 32);
    v128.store(t, f32x4.mul(va, c11), 48);
    storeEdge<f32>(c, ldcBytes, mr, nr, beta);
  }
}

/** One f64 tile, mr ≤ 4, nr ≤ 4; same contract as {@link tileF32} (B rows of 32 bytes packed). */
// @ts-ignore: decorator
@inline function tileF64<M>(
  kc: i32, pa: usize, pb: usize, sb: usize,
  alpha: f64, beta: f64, c: usize, ldcBytes: usize, mr: i32, nr: i32,
): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let ai = v128.load64_splat(pa);
    c00 = madd2<M>(c00, ai, b0);
    c01 = madd2<M>(c01, ai, b1);
    ai = v128.load64_splat(pa, 8);
    c10 = madd2<M>(c10, ai, b0);
    c11 = madd2<M>(c11, ai, b1);
    ai = v128.load64_splat(pa, 16);
    c20 = madd2<M>(c20, ai, b0);
    c21 = madd2<M>(c21, ai, b1);
    ai = v128.load64_splat(pa, 24);
    c30 = madd2<M>(c30, ai, b0);
    c31 = madd2<M>(c31, ai, b1);
    pa += 32;
    pb += sb;
  }
  const va = f64x2.splat(alpha);
  if (mr == 4 && nr == 4) {
    const vb = f64x2.splat(beta);
    storeRowF64(c, c00, c01, va, vb, alpha, beta);
    storeRowF64(c + ldcBytes, c10, c11, va, vb, alpha, beta);
    storeRowF64(c + 2 * ldcBytes, c20, c21, va, vb, alpha, beta);
    storeRowF64(c + 3 * ldcBytes, c30, c31, va, vb, alpha, beta);
  } else {
    const t = tileScratch();
    v128.store(t, f64x2.mul(va, c00));
    v128.store(t, f64x2.mul(va, c01), 16);
    v128.store(t, f64x2.mul(va, c10), 32);
    v128.store(t, f64x2.mul(va, c11), 48);
    v128.store(t, f64x2.mul(va, c20), 64);
    v128.store(t, f64x2.mul(va, c21), 80);
    v128.store(t, f64x2.mul(va, c30), 96);
    v128.store(t, f64x2.mul(va, c31), 112);
    storeEdge<f64>(c, ldcBytes, mr, nr, beta);
  }
}

/** {@link tileF64} for mr ≤ 2. */
// @ts-ignore: decorator
@inline function tileF64Short<M>(
  kc: i32, pa: usize, pb: usize, sb: usize,
  alpha: f64, beta: f64, c: usize, ldcBytes: usize, mr: i32, nr: i32,
): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let ai = v128.load64_splat(pa);
    c00 = madd2<M>(c00, ai, b0);
    c01 = madd2<M>(c01, ai, b1);
    ai = v128.load64_splat(pa, 8);
    c10 = madd2<M>(c10, ai, b0);
    c11 = madd2<M>(c11, ai, b1);
    pa += 32;
    pb += sb;
  }
  const va = f64x2.splat(alpha);
  if (mr == 2 && nr == 4) {
    const vb = f64x2.splat(beta);
    storeRowF64(c, c00, c01, va, vb, alpha, beta);
    storeRowF64(c + ldcBytes, c10, c11, va, vb, alpha, beta);
  } else {
    const t = tileScratch();
    v128.store(t, f64x2.mul(va, c00));
    v128.store(t, f64x2.mul(va, c01), 16);
    v128.store(t, f64x2.mul(va, c10), 32);
    v128.store(t, f64x2.mul(va, c11), 48);
    storeEdge<f64>(c, ldcBytes, mr, nr, beta);
  }
}

/** Dispatches one tile to the micro-kernel of T (resolved at compile time). */
// @ts-ignore: decorator
@inline function tile<T, M>(
  kc: i32, pa: usize, pb: usize, sb: usize,
  alpha: T, beta: T, c: usize, ldcBytes: usize, mr: i32, nr: i32,
): void {
  if (sizeof<T>() == 4) {
    if (mr <= 2) {
      tileF32Short<M>(kc, pa, pb, sb, <f32>alpha, <f32>beta, c, ldcBytes, mr, nr);
    } else {
      tileF32<M>(kc, pa, pb, sb, <f32>alpha, <f32>beta, c, ldcBytes, mr, nr);
    }
  } else {
    if (mr <= 2) {
      tileF64Short<M>(kc, pa, pb, sb, <f64>alpha, <f64>beta, c, ldcBytes, mr, nr);
    } else {
      tileF64<M>(kc, pa, pb, sb, <f64>alpha, <f64>beta, c, ldcBytes, mr, nr);
    }
  }
}

/** C ← beta·C (the k = 0 product); beta = 0 writes zeros without reading C. */
function scaleC<T>(m: i32, n: i32, beta: T, c: usize, ldc: i32): void {
  const size = <usize>sizeof<T>();
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * <usize>ldc * size;
    for (let j = 0; j < n; j++) {
      const at = row + <usize>j * size;
      store<T>(at, beta == 0 ? <T>0 : beta * load<T>(at));
    }
  }
}

/**
 * The dot-product path (csa = 1, rsb = 1), over k chunks of at most DOT_KC and column blocks of
 * B that fit in L2; later k chunks accumulate onto the earlier ones.
 */
function gemmDot<T, M>(
  m: i32, n: i32, k: i32, alpha: T, a: usize, rsa: i32, b: usize, csb: i32,
  beta: T, c: usize, ldc: i32,
): void {
  const size = <usize>sizeof<T>();
  const kcMax = min(k, DOT_KC);
  const blockCols = max(4, (DOT_B_BLOCK_BYTES / (kcMax * <i32>size)) & ~3);
  for (let pc = 0; pc < k; pc += DOT_KC) {
    const kc = min(DOT_KC, k - pc);
    const betaChunk: T = pc == 0 ? beta : <T>1;
    for (let jc = 0; jc < n; jc += blockCols) {
      const nc = min(blockCols, n - jc);
      const aChunk = a + <usize>pc * size;
      const bBlock = b + (<usize>jc * <usize>csb + <usize>pc) * size;
      const cBlock = c + <usize>jc * size;
      if (sizeof<T>() == 4) {
        gemmDotF32<M>(m, nc, kc, <f32>alpha, aChunk, rsa, bBlock, csb, <f32>betaChunk, cBlock, ldc);
      } else {
        gemmDotF64<M>(m, nc, kc, <f64>alpha, aChunk, rsa, bBlock, csb, <f64>betaChunk, cBlock, ldc);
      }
    }
  }
}

// The three paths of a product. Which one runs decides the arithmetic of every element (the
// blocked path's packed-B and B-in-place variants do not), so a product split over threads
// (lib/core/threads.ts) picks the path once for the whole product: then every part computes its
// elements exactly as the undivided product would.
const PATH_SCALE: i32 = 0;
const PATH_DOT: i32 = 1;
const PATH_BLOCKED: i32 = 2;

/** The path of C = alpha·A·B + beta·C (m, n ≥ 1): see the header. */
export function gemm_path(m: i32, n: i32, k: i32, csa: i32, rsb: i32): i32 {
  if (k <= 0) return PATH_SCALE;
  if (csa == 1 && rsb == 1 && (k >= DOT_MIN_K || (k >= DOT_MIN_K_SHORT_A && m <= DOT_SHORT_A))) {
    return PATH_DOT;
  }
  return PATH_BLOCKED;
}

/** C = alpha·A·B + beta·C for one element type: picks a path, then runs it. */
function gemmBlocked<T, M>(
  m: i32, n: i32, k: i32, alpha: T,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: T, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  gemmWithPath<T, M>(gemm_path(m, n, k, csa, rsb), m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c,
    ldc);
}

/** C = alpha·A·B + beta·C on the given path (m, n ≥ 1). */
function gemmWithPath<T, M>(
  path: i32, m: i32, n: i32, k: i32, alpha: T,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: T, c: usize, ldc: i32,
): void {
  if (path == PATH_SCALE) {
    scaleC<T>(m, n, beta, c, ldc);
    return;
  }
  if (path == PATH_DOT) {
    gemmDot<T, M>(m, n, k, alpha, a, rsa, b, csb, beta, c, ldc);
    return;
  }
  const size = <usize>sizeof<T>();
  const nr = <i32>(<usize>B_ROW_BYTES / size);
  const ncMax = NC_F32 * 4 / <i32>size;
  const ldcBytes = <usize>ldc * size;
  const kcMax = min(KC, k);
  const packedA = scratchForA(<usize>roundUp(min(MC, m), MR) * <usize>kcMax * size);
  const rowBytesB = <usize>rsb * size;
  const directB = csb == 1 && m <= DIRECT_B_MAX_M && (rowBytesB & 255) != 0 &&
    <usize>k * <usize>n * size <= DIRECT_B_MAX_BYTES;
  // Packed B panels, or, when B is read in place, only its zero-padded edge panel.
  const bPanels = directB ? 1 : roundUp(min(ncMax, n), nr) / nr;
  const packedB = scratchForB(<usize>bPanels * bPanelStride(kcMax));
  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = min(ncMax, n - jc);
    const ncFull = nc / nr * nr;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // Later k blocks accumulate onto the earlier ones.
      const betaBlock: T = pc == 0 ? beta : <T>1;
      const bBlock = b + (<usize>pc * <usize>rsb + <usize>jc * <usize>csb) * size;
      if (!directB) {
        packB<T>(kc, nc, bBlock, rsb, csb, packedB);
      } else if (ncFull < nc) {
        packB<T>(kc, nc - ncFull, bBlock + <usize>ncFull * size, rsb, csb, packedB);
      }
      const panelStride = bPanelStride(kc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        const aBlock = a + (<usize>ic * <usize>rsa + <usize>pc * <usize>csa) * size;
        packA<T>(mc, kc, aBlock, rsa, csa, packedA);
        for (let jr = 0; jr < nc; jr += nr) {
          const cols = min(nr, nc - jr);
          let pb: usize;
          let sb: usize;
          if (!directB) {
            pb = packedB + <usize>(jr / nr) * panelStride;
            sb = <usize>B_ROW_BYTES;
          } else if (cols == nr) {
            pb = bBlock + <usize>jr * size;
            sb = rowBytesB;
          } else {
            pb = packedB;
            sb = <usize>B_ROW_BYTES;
          }
          let pa = packedA;
          let cTile = c + (<usize>ic * <usize>ldc + <usize>(jc + jr)) * size;
          for (let ir = 0; ir < mc; ir += MR) {
            tile<T, M>(kc, pa, pb, sb, alpha, betaBlock, cTile, ldcBytes, min(MR, mc - ir), cols);
            pa += <usize>MR * <usize>kc * size;
            cTile += <usize>MR * ldcBytes;
          }
        }
      }
    }
  }
}

/** C = alpha·A·B + beta·C in f64 (see the header for the operands). */
export function gemm_f64(
  m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  gemmBlocked<f64, Plain>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}

/** C = alpha·A·B + beta·C in f32 (see the header for the operands). */
export function gemm_f32(
  m: i32, n: i32, k: i32, alpha: f32,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  gemmBlocked<f32, Plain>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}

/**
 * Part of a product split over threads: {@link gemm_f64} on the path `path` = gemm_path(…) of
 * the whole product (the caller passes the part's operands: a row range of A and C, or a
 * column range of B and C).
 */
export function gemm_part_f64(
  path: i32, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  gemmWithPath<f64, Plain>(path, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}

/** f32 version of {@link gemm_part_f64}. */
export function gemm_part_f32(
  path: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  gemmWithPath<f32, Plain>(path, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}

/** {@link gemm_f64} with relaxed-SIMD fused multiply-add (fast-math: not bitwise portable). */
export function gemm_fma_f64(
  m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  gemmBlocked<f64, Fused>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}

/** {@link gemm_f32} with relaxed-SIMD fused multiply-add (fast-math: not bitwise portable). */
export function gemm_fma_f32(
  m: i32, n: i32, k: i32, alpha: f32,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  gemmBlocked<f32, Fused>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}

/** {@link gemm_part_f64} with fused multiply-add (fast-math). */
export function gemm_fma_part_f64(
  path: i32, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  gemmWithPath<f64, Fused>(path, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}

/** {@link gemm_part_f32} with fused multiply-add (fast-math). */
export function gemm_fma_part_f32(
  path: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, rsa: i32, csa: i32,
  b: usize, rsb: i32, csb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  gemmWithPath<f32, Fused>(path, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
}
