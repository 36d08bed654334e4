/**
 * Kernels split into parts, so that threads (threads.ts) can share them — behind the kernels'
 * own signatures: {@link coreKernel} (wasm.ts) hands these wrappers out for the SIMD matrix
 * product, optimizer step and softmax losses, so callers (lib/gemm.ts, lib/losses.ts, the
 * optimizer loop, the MLP) get threads without changing a call site.
 *
 * The arithmetic never depends on the thread count:
 * - matrix products are split into panels of C (columns, or rows when C is tall) computed on
 *   the path chosen for the whole product, so every element is computed as by one call (with
 *   fast math, fast_math.ts, the fused kernels are split the same way);
 * - the optimizer step over a block of more than {@link OPT_CHUNK} elements always runs in
 *   fixed chunks (also on one thread) whose sums of squares are added in chunk order;
 * - softmax losses are split into groups of samples whose per-sample losses and per-class
 *   gradient sums are added in sample order by a reduce kernel: bitwise the whole kernel.
 * Work below a size threshold stays in one call on the calling thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { partThreads } from "./split.ts";
 * assert.equal(partThreads(), 1); // until threads.ts starts a pool
 * ```
 * @module
 */
import { core, type GemmKernel, type OptStepKernel, type SoftmaxLossKernel } from "./wasm.ts";
import { fastMath } from "./fast_math.ts";

type AnyKernel = (...args: number[]) => number;

/** Runs parts of a kernel, possibly at the same time (threads.ts installs one). */
export interface PartRunner {
  /** Threads that can run parts right now. */
  threads(): number;
  /** Runs `kernel` once per entry of `parts`; returns the results in order. */
  run(kernel: string, parts: readonly (readonly number[])[]): number[];
}

const serialRunner: PartRunner = {
  threads: () => 1,
  run: (kernel, parts) => parts.map((args) => (core[kernel] as AnyKernel)(...args)),
};
let runner: PartRunner = serialRunner;

/** Installs the runner of parts (null: run them one after another on this thread). */
export function setPartRunner(next: PartRunner | null): void {
  runner = next ?? serialRunner;
}

/** Threads the current runner can use. */
export function partThreads(): number {
  return runner.threads();
}

/**
 * Matrix products below this many flops (2·m·n·k) stay in one call. A part must outlast the
 * hand-over to another thread (a few µs) by far — and, inside a solver iteration, the transfer
 * of its operands between the cores' caches (the main thread updates H between the products):
 * measured at K=10, n=100, d=64 (1.3·10⁶ flops per product), two threads made an iteration
 * 20% slower while the same products alone ran 1.4× faster. 4·10⁶ flops is ~100 µs on one core.
 */
export const PARALLEL_MIN_FLOPS = 4e6;
/** Parts per thread: a thread that is late (a loaded machine) leaves its parts to the others. */
const PARTS_PER_THREAD = 2;
/** Elements per optimizer chunk (core-as/assembly/opt_chunks.ts OPT_CHUNK). */
export const OPT_CHUNK = 65536;
/** Softmax losses over fewer logits than this stay in one call (~100 µs; see above). */
const SOFTMAX_MIN_LOGITS = 32768;

/** A growable scratch buffer in core memory (per-sample losses, partial sums). */
class Scratch {
  #ptr = 0;
  #bytes = 0;
  /** Address of at least `bytes` bytes (16-byte aligned; contents undefined). */
  get(bytes: number): number {
    if (bytes > this.#bytes) {
      if (this.#ptr !== 0) core.free(this.#ptr);
      this.#bytes = Math.max(bytes, 2 * this.#bytes);
      this.#ptr = core.alloc(this.#bytes);
    }
    return this.#ptr;
  }
}
const lossScratch = new Scratch();
const groupScratch = new Scratch();
const chunkScratch = new Scratch();

function f64View(ptr: number, length: number): Float64Array {
  return new Float64Array(core.memory.buffer, ptr, length);
}

/** Contiguous ranges [start, end) of `total` items in `count` parts, aligned to `align`. */
function ranges(total: number, count: number, align: number): [number, number][] {
  const size = Math.ceil(total / count / align) * align;
  const out: [number, number][] = [];
  for (let start = 0; start < total; start += size) {
    out.push([start, Math.min(total, start + size)]);
  }
  return out;
}

function gemmSplit(dtype: "f64" | "f32", plain: GemmKernel): GemmKernel {
  const size = dtype === "f64" ? 8 : 4;
  const fused = core[`gemm_fma_${dtype}`] as GemmKernel;
  const path = core.gemm_path as AnyKernel;
  return (m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc) => {
    const threads = runner.threads();
    const flops = 2 * m * n * k;
    const fast = fastMath();
    if (threads < 2 || flops < PARALLEL_MIN_FLOPS || m <= 0 || n <= 0) {
      (fast ? fused : plain)(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
      return;
    }
    const part = fast ? `gemm_fma_part_${dtype}` : `gemm_part_${dtype}`;
    const route = path(m, n, k, csa, rsb);
    const count = Math.max(
      1,
      Math.min(PARTS_PER_THREAD * threads, Math.floor((2 * flops) / PARALLEL_MIN_FLOPS)),
    );
    const parts: number[][] = [];
    if (n >= m) {
      // Column panels, multiples of 8 columns (one f32 micro-tile, two f64 ones).
      for (const [j0, j1] of ranges(n, count, 8)) {
        parts.push([
          route,
          m,
          j1 - j0,
          k,
          alpha,
          a,
          rsa,
          csa,
          b + j0 * csb * size,
          rsb,
          csb,
          beta,
          c + j0 * size,
          ldc,
        ]);
      }
    } else {
      // Row panels, multiples of 4 rows (the micro-tile height).
      for (const [i0, i1] of ranges(m, count, 4)) {
        parts.push([
          route,
          i1 - i0,
          n,
          k,
          alpha,
          a + i0 * rsa * size,
          rsa,
          csa,
          b,
          rsb,
          csb,
          beta,
          c + i0 * ldc * size,
          ldc,
        ]);
      }
    }
    runner.run(part, parts);
  };
}

function optStepChunked(dtype: "f64" | "f32", whole: OptStepKernel): OptStepKernel {
  const part = `opt_step_chunks_${dtype}`;
  return (len, param, grad, velocity, lambda, lr, mu, mode, stats) => {
    if (len <= OPT_CHUNK) {
      whole(len, param, grad, velocity, lambda, lr, mu, mode, stats);
      return;
    }
    const chunks = Math.ceil(len / OPT_CHUNK);
    const partials = chunkScratch.get(16 * chunks);
    const count = Math.min(chunks, PARTS_PER_THREAD * runner.threads());
    runner.run(
      part,
      ranges(chunks, count, 1).map(([c0, c1]) => [
        len,
        param,
        grad,
        velocity,
        lambda,
        lr,
        mu,
        mode,
        partials,
        c0,
        c1,
      ]),
    );
    const sums = f64View(partials, 2 * chunks);
    let gradSq = 0;
    let paramSq = 0;
    for (let c = 0; c < chunks; c++) {
      gradSq += sums[2 * c];
      paramSq += sums[2 * c + 1];
    }
    const out = f64View(stats, 2);
    out[0] += gradSq;
    out[1] += paramSq;
  };
}

function softmaxSplit(dtype: "f64" | "f32", whole: SoftmaxLossKernel): SoftmaxLossKernel {
  const group = dtype === "f64" ? 2 : 4;
  const size = dtype === "f64" ? 8 : 4;
  const part = `loss_softmax_part_${dtype}`;
  const reduce = core[`loss_softmax_reduce_${dtype}`] as AnyKernel;
  return (z, classes, samples, labels, bias, kind, param, rowSums) => {
    const threads = runner.threads();
    const groups = Math.floor(samples / group);
    if (threads < 2 || classes * samples < SOFTMAX_MIN_LOGITS || groups < 2) {
      return whole(z, classes, samples, labels, bias, kind, param, rowSums);
    }
    const losses = lossScratch.get(8 * groups * group);
    const groupSums = rowSums === 0 ? 0 : groupScratch.get(size * classes * groups);
    const count = Math.min(groups, PARTS_PER_THREAD * threads);
    runner.run(
      part,
      ranges(groups, count, 1).map(([g0, g1]) => [
        z,
        classes,
        samples,
        labels,
        bias,
        kind,
        param,
        g0,
        g1,
        losses,
        groupSums,
      ]),
    );
    return reduce(z, classes, samples, labels, bias, kind, param, rowSums, losses, groupSums);
  };
}

const wrapped = new Map<string, unknown>();

/**
 * The split version of the core kernel `name` (a SIMD export), or `kernel` itself when it is
 * not split. Wrappers are made once per kernel.
 */
export function splitKernel<T>(name: string, kernel: T): T {
  let wrapper = wrapped.get(name);
  if (wrapper === undefined) {
    const match = /^(gemm|opt_step|loss_softmax)_(f64|f32)$/.exec(name);
    if (match === null) return kernel;
    const dtype = match[2] as "f64" | "f32";
    wrapper = match[1] === "gemm"
      ? gemmSplit(dtype, kernel as GemmKernel)
      : match[1] === "opt_step"
      ? optStepChunked(dtype, kernel as OptStepKernel)
      : softmaxSplit(dtype, kernel as SoftmaxLossKernel);
    wrapped.set(name, wrapper);
  }
  return wrapper as T;
}
