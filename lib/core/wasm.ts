/**
 * Loads the ufmlab WebAssembly core (from source.ts: in Deno, built first if `core-as/` changed)
 * and types its exports. All kernels take byte addresses into `core.memory`; use {@link Matrix} rather than
 * raw addresses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { core } from "./wasm.ts";
 * const ptr: number = core.alloc(8 * 4);
 * assert.ok(ptr > 0 && ptr % 8 === 0);
 * core.free(ptr);
 * ```
 * @module
 */
import { coreImports } from "./imports.ts";
import { loadCoreSource } from "./source.ts";
import { splitKernel } from "./split.ts";

/** Signature shared by every matrix-product kernel: C = alpha·A·B + beta·C (C row-major). */
export type GemmKernel = (
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: number,
  rowStrideA: number,
  colStrideA: number,
  b: number,
  rowStrideB: number,
  colStrideB: number,
  beta: number,
  c: number,
  ldc: number,
) => void;

/**
 * Loss kernel on Z (K×N, classes × samples) with labels (i32[N]) and optional bias: Z ← ∂ΣL/∂Z,
 * rowSums ← G·1; returns Σ_j L_j (core-as/assembly/losses.ts).
 */
export type SoftmaxLossKernel = (
  z: number,
  classes: number,
  samples: number,
  labels: number,
  bias: number,
  kind: number,
  param: number,
  rowSums: number,
) => number;

/** MSE loss kernel with targets s·e_y (same contract as {@link SoftmaxLossKernel}). */
export type MseLossKernel = (
  z: number,
  classes: number,
  samples: number,
  labels: number,
  bias: number,
  target: number,
  rowSums: number,
) => number;

/**
 * Cross-entropy with a target matrix T (K×N, same dtype as Z; multi-hot T = the pick-all-label
 * loss): Z ← (Σ_k t_k)·p − T, rowSums ← G·1; returns Σ_j L_j (core-as/assembly/soft_targets.ts).
 */
export type SoftTargetLossKernel = (
  z: number,
  classes: number,
  samples: number,
  targets: number,
  bias: number,
  rowSums: number,
) => number;

/** Unit-sphere projection of g onto the tangent space at x, per row or column (sphere.ts). */
export type UnitProjectKernel = (x: number, g: number, rows: number, cols: number) => void;

/** Normalization of every row or column of x to unit length (core-as/assembly/sphere.ts). */
export type UnitNormalizeKernel = (x: number, rows: number, cols: number) => void;

/** Elementwise kernel over n values: relu(x, out, n) or relu_backward(grad, pre, n). */
export type ReluKernel = (a: number, b: number, n: number) => void;

/** g = grad + λθ; stats += (‖g‖², ‖θ‖²); then update θ by `mode` (0 none, 1 GD, 2 HB, 3 NAG). */
export type OptStepKernel = (
  len: number,
  param: number,
  grad: number,
  velocity: number,
  lambda: number,
  lr: number,
  mu: number,
  mode: number,
  stats: number,
) => void;

/**
 * Per-class sums (K×d row-major) and counts (i32 K); sample i, feature j is the f64 at
 * x + 8·(i·rowStride + j·colStride).
 */
export type ClassSumsKernel = (
  x: number,
  n: number,
  d: number,
  rowStride: number,
  colStride: number,
  labels: number,
  k: number,
  sums: number,
  counts: number,
) => void;

/** out (N×d row-major) ← x_i − means[y_i], same strided x as ClassSumsKernel. */
export type CenterByClassKernel = (
  x: number,
  n: number,
  d: number,
  rowStride: number,
  colStride: number,
  labels: number,
  means: number,
  out: number,
) => void;

/** out (f64 K) ← Σ_{i: y_i = k} ‖x_i − means[k]‖², same strided x as ClassSumsKernel. */
export type ClassSqDevKernel = (
  x: number,
  n: number,
  d: number,
  rowStride: number,
  colStride: number,
  labels: number,
  k: number,
  means: number,
  out: number,
) => void;

/** In place on a rows×cols matrix: z ← act(z + bias·1ᵀ) (bias 0 = none; relu ≠ 0 = ReLU). */
export type BiasActKernel = (
  z: number,
  rows: number,
  cols: number,
  bias: number,
  relu: number,
) => void;

/** g ← g ⊙ [post > 0] (post 0 = no mask); sums ← g·1 (sums 0 = none); rows×cols matrices. */
export type MaskRowSumsKernel = (
  g: number,
  post: number,
  rows: number,
  cols: number,
  sums: number,
) => void;

/** x ← factor·x over n values. */
export type ScaleKernel = (x: number, n: number, factor: number) => void;

/** Σ x² over n values (f64). */
export type SumSqKernel = (x: number, n: number) => number;

/** Dot product Σ a[i]·b[i] of two f64 arrays of length n (core-as/assembly/vectors.ts). */
export type DotKernel = (a: number, b: number, n: number) => number;

/** y ← y + alpha·x over two f64 arrays of length n (core-as/assembly/vectors.ts). */
export type AxpyKernel = (alpha: number, x: number, y: number, n: number) => void;

/** The exports of `core-as` (see core-as/assembly/index.ts for each kernel's contract). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  gemm_f64: GemmKernel;
  gemm_f32: GemmKernel;
  gemm_ref_f64: GemmKernel;
  gemm_ref_f32: GemmKernel;
  /** Losses with labels (core-as/assembly/losses.ts). */
  loss_softmax_f64: SoftmaxLossKernel;
  loss_softmax_f32: SoftmaxLossKernel;
  loss_softmax_ref_f64: SoftmaxLossKernel;
  loss_softmax_ref_f32: SoftmaxLossKernel;
  loss_mse_f64: MseLossKernel;
  loss_mse_f32: MseLossKernel;
  loss_mse_ref_f64: MseLossKernel;
  loss_mse_ref_f32: MseLossKernel;
  /** Cross-entropy with a target matrix (core-as/assembly/soft_targets.ts). */
  loss_soft_ce_f64: SoftTargetLossKernel;
  loss_soft_ce_f32: SoftTargetLossKernel;
  loss_soft_ce_ref_f64: SoftTargetLossKernel;
  loss_soft_ce_ref_f32: SoftTargetLossKernel;
  /** ReLU out = max(x, 0) and its backward mask (core-as/assembly/activations.ts). */
  relu_f64: ReluKernel;
  relu_f32: ReluKernel;
  relu_ref_f64: ReluKernel;
  relu_ref_f32: ReluKernel;
  relu_backward_f64: ReluKernel;
  relu_backward_f32: ReluKernel;
  relu_backward_ref_f64: ReluKernel;
  relu_backward_ref_f32: ReluKernel;
  /** SIMD exp of n values (tests of core-as/assembly/vmath.ts). */
  vexp_f64(src: number, dst: number, n: number): void;
  vexp_f32(src: number, dst: number, n: number): void;
  /** Fused regularized gradient + optimizer update (core-as/assembly/ufm.ts). */
  opt_step_f64: OptStepKernel;
  opt_step_f32: OptStepKernel;
  opt_step_ref_f64: OptStepKernel;
  opt_step_ref_f32: OptStepKernel;
  /** Class statistics of strided features (core-as/assembly/stats.ts). */
  class_sums_f64: ClassSumsKernel;
  class_sums_ref_f64: ClassSumsKernel;
  center_by_class_f64: CenterByClassKernel;
  center_by_class_ref_f64: CenterByClassKernel;
  class_sq_dev_f64: ClassSqDevKernel;
  class_sq_dev_ref_f64: ClassSqDevKernel;
  /** Dense-layer helpers for network training (core-as/assembly/nn.ts). */
  bias_act_f64: BiasActKernel;
  bias_act_f32: BiasActKernel;
  bias_act_ref_f64: BiasActKernel;
  bias_act_ref_f32: BiasActKernel;
  mask_row_sums_f64: MaskRowSumsKernel;
  mask_row_sums_f32: MaskRowSumsKernel;
  mask_row_sums_ref_f64: MaskRowSumsKernel;
  mask_row_sums_ref_f32: MaskRowSumsKernel;
  scale_f64: ScaleKernel;
  scale_f32: ScaleKernel;
  scale_ref_f64: ScaleKernel;
  scale_ref_f32: ScaleKernel;
  sum_sq_f64: SumSqKernel;
  sum_sq_f32: SumSqKernel;
  sum_sq_ref_f64: SumSqKernel;
  sum_sq_ref_f32: SumSqKernel;
  /** Level-1 f64 vector kernels (core-as/assembly/vectors.ts). */
  dot_f64: DotKernel;
  dot_ref_f64: DotKernel;
  axpy_f64: AxpyKernel;
  axpy_ref_f64: AxpyKernel;
  [kernel: string]: unknown;
}

async function loadCore(): Promise<{ module: WebAssembly.Module; exports: CoreExports }> {
  // Deno: the threads build on shared memory; the explorer's bundle swaps source.ts for the
  // browser's loader (lib/explore/core_source.ts). Everything below is the same in both.
  const { module, memory } = await loadCoreSource();
  const instance = await WebAssembly.instantiate(module, coreImports(memory));
  const exports = instance.exports as unknown as CoreExports & { _start(): void };
  // The start function (static initialisation, scratch buffers) runs once, here: thread
  // instances on the same memory (lib/core/threads.ts) must not run it.
  exports._start();
  return { module, exports };
}

const loaded = await loadCore();

/** The single core instance of this process (one per Worker). */
export const core: CoreExports = loaded.exports;

/** The compiled core module (thread instances of lib/core/threads.ts instantiate it too). */
export const coreModule: WebAssembly.Module = loaded.module;

/**
 * The core kernel `<base>_<dtype>` (SIMD) or its scalar reference `<base>_ref_<dtype>`: the one
 * place that maps (kernel family, element type, implementation) to an export.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { core, coreKernel, type GemmKernel } from "./wasm.ts";
 * const gemm: GemmKernel = coreKernel<GemmKernel>("gemm", "f32", "reference");
 * assert.equal(gemm, core.gemm_ref_f32);
 * ```
 */
export function coreKernel<T>(
  base: string,
  dtype: "f64" | "f32",
  choice: "simd" | "reference" = "simd",
): T {
  const name = choice === "simd" ? `${base}_${dtype}` : `${base}_ref_${dtype}`;
  const kernel = core[name];
  if (typeof kernel !== "function") throw new Error(`core has no kernel ${name}`);
  // SIMD products, optimizer steps and softmax losses come split into parts for threads
  // (split.ts: the same results for every thread count).
  return choice === "simd" ? splitKernel(name, kernel as T) : kernel as T;
}
