/**
 * `deno task bench`: speed of the matrix-product kernels and of the UFM solver.
 *
 *     npx deno task bench [-- --json] [-- --quick]
 *
 * Kernel section: GFLOP/s (2·m·n·k / time, median over repetitions, all in this one run) of
 * three implementations of C ← op(A)·op(B), in f32 and f64:
 * - `ts`: plain TypeScript loops over Float32Array / Float64Array (i-k-j order; i-j-p dot
 *   products when op(B) = Bᵀ, so that the inner loop is contiguous either way),
 * - `wasm-ref`: the scalar WASM reference (core-as/assembly/gemm_ref.ts),
 * - `wasm-simd`: the blocked SIMD kernels (core-as/assembly/gemm.ts),
 * at 512×512×512 and at the three products of one UFM-MSE gradient step
 * (docs/ufm-mse.md#problem-bias-free, N = K·n): W·H (K×d · d×N), R·Hᵀ (K×N · (d×N)ᵀ) and
 * Wᵀ·R ((K×d)ᵀ · K×N), for (K, n, d) =
 * (10, 100, 64) and (10, 500, 512). Each SIMD rate is also shown as a fraction of the best
 * SIMD rate of the run, and the two ratios the kernels are held to at 512³ f32: SIMD / scalar
 * WASM (≥ 3×) and SIMD / plain TypeScript (≥ 8×). Timings on a shared machine are noisy: compare
 * ratios from one run rather than figures across runs.
 *
 * Network section: time of one training epoch (2,000 samples, batch 100, cross-entropy, SGD with
 * momentum and weight decay) of a 784-512-512-10 ReLU MLP in f32, on the WASM SIMD stack
 * (lib/nn: gemm, fused bias/ReLU/loss kernels, fused optimizer step) against the same step in
 * plain TypeScript loops (lib/nn/plain_ts.ts). The WASM epoch is timed whole; the plain
 * TypeScript epoch is extrapolated from a few timed steps (it takes seconds).
 *
 * Metrics section: NC metrics of N×512 float32 features streamed from a .npy file (lib/metrics,
 * two passes) against numpy's in-memory NC1 on the same file; "skipped" without numpy.
 *
 * Output: a table on stdout. With --json the table goes to stderr and stdout gets one JSON
 * object `{ kernels: KernelRow[], ratios: {...}, ufm: UfmRow[], epoch: EpochBench, metrics }`.
 * @module
 */
import { parseFlags, runCli } from "../lib/cli.ts";
import { gemm } from "../lib/gemm.ts";
import { type DType, IntVector, Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";
import { minimize } from "../lib/optim/minimize.ts";
import { createModel, solveUfm } from "../lib/ufm/solve.ts";
import { resolveProblem, type UfmProblem } from "../lib/ufm/problem.ts";
import { makeLoss } from "../lib/losses.ts";
import { Mlp } from "../lib/nn/mlp.ts";
import { ConvNet } from "../lib/nn/cnn.ts";
import { PlainMlp } from "../lib/nn/plain_ts.ts";
import { Sgd } from "../lib/nn/sgd.ts";

const usage = [
  "Usage: deno task bench [-- --json] [-- --quick]",
  "",
  "GFLOP/s of the matrix-product kernels (plain TypeScript, scalar WASM, SIMD WASM; f32, f64)",
  "at 512³ and at the three UFM-MSE gradient products for (K, n, d) = (10, 100, 64) and",
  "(10, 500, 512), UFM-MSE iterations, and one training epoch of a 784-512-512-10 MLP (WASM",
  "SIMD vs plain TypeScript), and NC metrics of 200,000×512 float32 features against numpy.",
  "About a minute; --quick takes a few seconds (fewer repetitions, 20,000 samples).",
].join("\n");

const flags = {
  json: { type: "boolean", default: false, help: "JSON on stdout (the table goes to stderr)" },
  quick: { type: "boolean", default: false, help: "fewer, shorter repetitions (a smoke run)" },
} as const;

/** Kernel implementations compared. */
type KernelName = "ts" | "wasm-ref" | "wasm-simd";

/** One benchmarked product: C (m×n) ← op(A)·op(B) with op(A) m×k. */
interface ProductShape {
  /** Label, e.g. `W·H K=10 n=100 d=64`. */
  name: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** One measurement of the kernel section. */
interface KernelRow {
  kernel: KernelName;
  dtype: DType;
  product: string;
  m: number;
  n: number;
  k: number;
  /** Median time of one product, in microseconds. */
  microseconds: number;
  /** 2·m·n·k / median time, in 1e9 per second. */
  gflops: number;
  /** Number of timed repetitions the median is taken over. */
  repetitions: number;
}

/** Timing budget of one measurement. */
interface TimingPlan {
  /** Target duration of one timed repetition (calls are batched up to it), ms. */
  repetitionMs: number;
  /** Repetitions for fast kernels; slow ones (one call > 50 ms) get fewer. */
  repetitions: number;
}

/** The products of the kernel section. */
function productShapes(): ProductShape[] {
  const shapes: ProductShape[] = [
    { name: "A·B 512³", m: 512, n: 512, k: 512, transA: false, transB: false },
  ];
  for (const [K, n, d] of [[10, 100, 64], [10, 500, 512]]) {
    const N = K * n;
    const tag = `K=${K} n=${n} d=${d}`;
    shapes.push(
      { name: `W·H ${tag}`, m: K, n: N, k: d, transA: false, transB: false },
      { name: `R·Hᵀ ${tag}`, m: K, n: d, k: N, transA: false, transB: true },
      { name: `Wᵀ·R ${tag}`, m: d, n: N, k: K, transA: true, transB: false },
    );
  }
  return shapes;
}

/**
 * Plain TypeScript C ← op(A)·op(B) over row-major Float64Arrays: i-k-j loops, or i-j-p dot
 * products when op(B) = Bᵀ (then B's rows are the contiguous direction).
 */
function tsGemmF64(shape: ProductShape, a: Float64Array, b: Float64Array, c: Float64Array): void {
  const { m, n, k, transA, transB } = shape;
  const [rsa, csa] = transA ? [1, m] : [k, 1];
  if (transB) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[i * rsa + p * csa] * b[j * k + p];
        c[i * n + j] = sum;
      }
    }
    return;
  }
  c.fill(0);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * rsa + p * csa];
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[row + j] += aip * b[bRow + j];
    }
  }
}

/**
 * {@link tsGemmF64} over Float32Arrays. A separate copy on purpose: one function fed both array
 * types becomes polymorphic in V8 and runs 3-5× slower (measured), which would flatter the WASM
 * kernels.
 */
function tsGemmF32(shape: ProductShape, a: Float32Array, b: Float32Array, c: Float32Array): void {
  const { m, n, k, transA, transB } = shape;
  const [rsa, csa] = transA ? [1, m] : [k, 1];
  if (transB) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[i * rsa + p * csa] * b[j * k + p];
        c[i * n + j] = sum;
      }
    }
    return;
  }
  c.fill(0);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * rsa + p * csa];
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[row + j] += aip * b[bRow + j];
    }
  }
}

/**
 * Median seconds per call of `run`: one timed warm-up call sizes the batches (calls per
 * repetition), then `repetitions` batches are timed.
 */
function medianSecondsPerCall(
  run: () => void,
  plan: TimingPlan,
): { seconds: number; reps: number } {
  let start = performance.now();
  run();
  const firstMs = Math.max(performance.now() - start, 1e-3);
  const calls = Math.max(1, Math.round(plan.repetitionMs / firstMs));
  const reps = firstMs > 200
    ? Math.min(3, plan.repetitions)
    : firstMs > 50
    ? Math.min(5, plan.repetitions)
    : plan.repetitions;
  const perCall: number[] = [];
  for (let r = 0; r < reps; r++) {
    start = performance.now();
    for (let i = 0; i < calls; i++) run();
    perCall.push((performance.now() - start) / 1000 / calls);
  }
  perCall.sort((x, y) => x - y);
  const mid = perCall.length >> 1;
  const seconds = perCall.length % 2 ? perCall[mid] : (perCall[mid - 1] + perCall[mid]) / 2;
  return { seconds, reps };
}

/** Measures every kernel on every product in both element types. */
function benchKernels(plan: TimingPlan): KernelRow[] {
  const rows: KernelRow[] = [];
  const rng = new Rng(2024);
  for (const dtype of ["f32", "f64"] as const) {
    for (const shape of productShapes()) {
      const { m, n, k, transA, transB } = shape;
      const a = transA ? Matrix.zeros(k, m, dtype) : Matrix.zeros(m, k, dtype);
      const b = transB ? Matrix.zeros(n, k, dtype) : Matrix.zeros(k, n, dtype);
      const c = Matrix.zeros(m, n, dtype);
      rng.fillNormal(a.data);
      rng.fillNormal(b.data);
      // Plain TypeScript works on ordinary heap copies, as a TypeScript user's code would.
      let ts: () => void;
      if (dtype === "f32") {
        const [aTs, bTs] = [Float32Array.from(a.data), Float32Array.from(b.data)];
        const cTs = new Float32Array(m * n);
        ts = () => tsGemmF32(shape, aTs, bTs, cTs);
      } else {
        const [aTs, bTs] = [Float64Array.from(a.data), Float64Array.from(b.data)];
        const cTs = new Float64Array(m * n);
        ts = () => tsGemmF64(shape, aTs, bTs, cTs);
      }
      const runs: Record<KernelName, () => void> = {
        "ts": ts,
        "wasm-ref": () => gemm(c, a, b, { transA, transB, kernel: "reference" }),
        "wasm-simd": () => gemm(c, a, b, { transA, transB, kernel: "simd" }),
      };
      for (const kernel of ["ts", "wasm-ref", "wasm-simd"] as const) {
        const { seconds, reps } = medianSecondsPerCall(runs[kernel], plan);
        rows.push({
          kernel,
          dtype,
          product: shape.name,
          m,
          n,
          k,
          microseconds: seconds * 1e6,
          gflops: 2 * m * n * k / seconds / 1e9,
          repetitions: reps,
        });
      }
      for (const x of [a, b, c]) x.free();
    }
  }
  return rows;
}

/** The ratios at 512³ f32 the SIMD kernel is held to. */
function kernelRatios(rows: KernelRow[]): Record<string, number> {
  const rate = (kernel: KernelName) =>
    rows.find((r) => r.kernel === kernel && r.dtype === "f32" && r.product === "A·B 512³")!.gflops;
  return {
    simd_over_wasm_ref_512_f32: rate("wasm-simd") / rate("wasm-ref"),
    simd_over_ts_512_f32: rate("wasm-simd") / rate("ts"),
  };
}

/** The kernel section as a table: one line per product, kernels side by side. */
function kernelTable(rows: KernelRow[], ratios: Record<string, number>): string {
  const bestSimd = Math.max(...rows.filter((r) => r.kernel === "wasm-simd").map((r) => r.gflops));
  const lines = [
    "Matrix products, GFLOP/s (median; SIMD also as a fraction of the best SIMD rate of this run)",
    "",
    `${"product".padEnd(26)} ${"dtype"}  ${"m×n×k".padEnd(16)} ${"ts".padStart(7)} ${
      "wasm-ref".padStart(9)
    } ${"wasm-simd".padStart(10)} ${"of best".padStart(8)} ${"simd µs".padStart(9)}`,
  ];
  for (const simd of rows.filter((r) => r.kernel === "wasm-simd")) {
    const same = (kernel: KernelName) =>
      rows.find((r) =>
        r.kernel === kernel && r.dtype === simd.dtype && r.product === simd.product
      )!;
    lines.push(
      `${simd.product.padEnd(26)} ${simd.dtype.padEnd(5)}  ${
        `${simd.m}×${simd.n}×${simd.k}`.padEnd(16)
      } ${same("ts").gflops.toFixed(2).padStart(7)} ${
        same("wasm-ref").gflops.toFixed(2).padStart(9)
      } ${simd.gflops.toFixed(2).padStart(10)} ${(simd.gflops / bestSimd).toFixed(2).padStart(8)} ${
        simd.microseconds.toFixed(1).padStart(9)
      }`,
    );
  }
  const verdict = (value: number, target: number) =>
    `${value.toFixed(1)}× (target ≥ ${target}×: ${value >= target ? "met" : "NOT met"})`;
  lines.push(
    "",
    `512³ f32  SIMD / scalar WASM:     ${verdict(ratios.simd_over_wasm_ref_512_f32, 3)}`,
    `512³ f32  SIMD / plain TypeScript: ${verdict(ratios.simd_over_ts_512_f32, 8)}`,
  );
  return lines.join("\n");
}

/** One measurement of the UFM section. */
interface UfmRow {
  problem: string;
  dtype: DType;
  kernel: "simd" | "reference";
  /** Median wall time of one full-batch iteration (gradient + update), µs. */
  microsecondsPerIteration: number;
  iterationsPerSecond: number;
}

/** UFM-MSE sizes of the section and the per-iteration times of other tools (performance.md). */
const ufmProblems: {
  K: number;
  n: number;
  d: number;
  loss?: "ce";
  anchors: { pytorchAutograd: number; numpy: number; pytorchFused: number };
}[] = [
  { K: 10, n: 100, d: 64, anchors: { pytorchAutograd: 360, numpy: 136, pytorchFused: 45 } },
  {
    K: 10,
    n: 100,
    d: 64,
    loss: "ce",
    anchors: { pytorchAutograd: 456, numpy: 162, pytorchFused: 75 },
  },
  { K: 10, n: 500, d: 512, anchors: { pytorchAutograd: 18700, numpy: 9000, pytorchFused: 3700 } },
  { K: 100, n: 50, d: 512, anchors: { pytorchAutograd: 26900, numpy: 19000, pytorchFused: 12400 } },
];

/** Full-batch UFM-MSE iterations (three products, fused residual, fused update) per second. */
function benchUfm(plan: TimingPlan): UfmRow[] {
  const rows: UfmRow[] = [];
  for (const { K, n, d, loss } of ufmProblems) {
    for (const dtype of ["f32", "f64"] as const) {
      for (const kernel of ["simd", "reference"] as const) {
        const problem: UfmProblem = {
          K,
          n,
          d,
          lambdaW: 5e-4,
          lambdaH: 5e-4,
          lambdaB: 0,
          bias: "none",
          norm: "z",
          loss: loss ?? "mse",
          targetScale: 1,
        };
        const model = createModel(resolveProblem(problem), {
          seed: 1,
          initStd: 0.1,
          dtype,
          kernel,
        });
        const runFor = (iterations: number) => () =>
          minimize(model, {
            method: "momentum",
            lr: 0.1,
            momentum: 0.9,
            maxIterations: iterations,
            tolerance: 0,
            kernel,
          });
        // Size each timed run from one probe run: about 5 repetition budgets, at least 2 updates.
        const probeStart = performance.now();
        runFor(1)();
        const probeMs = (performance.now() - probeStart) / 2; // 1 update + 1 final evaluation
        const iterations = Math.max(2, Math.round((5 * plan.repetitionMs) / probeMs));
        // minimize adds one evaluation at the end: iterations + 1 gradient evaluations per run.
        const { seconds } = medianSecondsPerCall(runFor(iterations), {
          repetitionMs: 0,
          repetitions: Math.min(plan.repetitions, 3),
        });
        const perIteration = seconds / (iterations + 1);
        rows.push({
          problem: `${(loss ?? "mse").toUpperCase()} K=${K} n=${n} d=${d}`,
          dtype,
          kernel,
          microsecondsPerIteration: perIteration * 1e6,
          iterationsPerSecond: 1 / perIteration,
        });
        model.free();
      }
    }
  }
  return rows;
}

/** The UFM section as a table, with the anchors of performance.md for f32. */
function ufmTable(rows: UfmRow[]): string {
  const lines = [
    "UFM full-batch iterations (gradient + momentum update), median µs per iteration",
    "Anchors (performance.md, f32, one thread, measured elsewhere — not in this run):",
    "PyTorch autograd / NumPy / hand-fused PyTorch.",
    "",
    `${"problem".padEnd(22)} dtype ${"simd µs".padStart(10)} ${"iter/s".padStart(9)} ${
      "ref µs".padStart(10)
    } ${"simd/ref".padStart(9)}   anchors µs (autograd / numpy / fused)`,
  ];
  for (const simd of rows.filter((r) => r.kernel === "simd")) {
    const ref = rows.find((r) =>
      r.kernel === "reference" && r.dtype === simd.dtype && r.problem === simd.problem
    )!;
    const anchor = ufmProblems.find((p) =>
      `${(p.loss ?? "mse").toUpperCase()} K=${p.K} n=${p.n} d=${p.d}` === simd.problem
    )!.anchors;
    lines.push(
      `${simd.problem.padEnd(22)} ${simd.dtype.padEnd(5)} ${
        simd.microsecondsPerIteration.toFixed(1).padStart(10)
      } ${simd.iterationsPerSecond.toFixed(0).padStart(9)} ${
        ref.microsecondsPerIteration.toFixed(1).padStart(10)
      } ${(ref.microsecondsPerIteration / simd.microsecondsPerIteration).toFixed(1).padStart(8)}×` +
        (simd.dtype === "f32"
          ? `   ${anchor.pytorchAutograd} / ${anchor.numpy} / ${anchor.pytorchFused}` +
            `  (×${(anchor.numpy / simd.microsecondsPerIteration).toFixed(1)} vs NumPy)`
          : ""),
    );
  }
  return lines.join("\n");
}

/** Result of the network section. */
interface EpochBench {
  /** Layer widths. */
  dims: number[];
  /** Samples per epoch and batch size. */
  samples: number;
  batch: number;
  /** Median ms per epoch on the WASM SIMD stack. */
  wasmMs: number;
  /** Plain TypeScript ms per epoch (median step time × steps per epoch). */
  tsMs: number;
  /** tsMs / wasmMs. */
  speedup: number;
  /**
   * Matrix-product flops of an epoch / WASM epoch time, GFLOP/s: 2·N·Σ(out·in) each for the
   * forward products and the weight gradients, and for the input gradients of every layer but
   * the first.
   */
  wasmGflops: number;
}

/** One training epoch of a 784-512-512-10 MLP: WASM SIMD vs plain TypeScript (f32, CE). */
function benchEpoch(quick: boolean): EpochBench {
  const dims = [784, 512, 512, 10];
  const samples = 2000, batch = 100, steps = samples / batch;
  const rng = new Rng(5);
  const net = new Mlp({ inputDim: dims[0], hidden: dims.slice(1, -1), classes: 10 }, rng);
  const plain = PlainMlp.fromMlp(net);
  const inputs = Matrix.zeros(samples, dims[0], "f32");
  rng.fillNormal(inputs.data);
  const labelArray = Int32Array.from({ length: samples }, () => rng.int(10));
  const batches = Array.from({ length: steps }, (_, b) => {
    const x = Matrix.from(
      batch,
      dims[0],
      inputs.data.slice(b * batch * dims[0], (b + 1) * batch * dims[0]),
      "f32",
    );
    return {
      x,
      plainX: Float32Array.from(x.data),
      labels: IntVector.from(labelArray.subarray(b * batch, (b + 1) * batch)),
    };
  });
  const loss = makeLoss({ name: "ce" });
  const grads = net.zerosLikeParameters();
  const sgd = new Sgd(net.parameters(), { momentum: 0.9, weightDecay: 5e-4 });
  const wasmEpoch = () => {
    for (const { x, labels } of batches) {
      net.lossAndGradient(x, labels, loss, grads, 1 / batch);
      sgd.step(grads, 0.01);
    }
  };
  wasmEpoch(); // warm-up (workspace allocation, JIT)
  const wasmTimes: number[] = [];
  for (let r = 0; r < (quick ? 2 : 5); r++) {
    const start = performance.now();
    wasmEpoch();
    wasmTimes.push(performance.now() - start);
  }
  const tsTimes: number[] = [];
  const plainLabels = batches.map((b) => Int32Array.from(b.labels.data));
  for (let r = 0; r < (quick ? 2 : 5); r++) {
    const { plainX } = batches[r % steps];
    const start = performance.now();
    plain.step(plainX, plainLabels[r % steps], { lr: 0.01, momentum: 0.9, wd: 5e-4 });
    tsTimes.push(performance.now() - start);
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const wasmMs = median(wasmTimes);
  const tsMs = median(tsTimes) * steps;
  const weights = dims.slice(1).reduce((sum, out, l) => sum + out * dims[l], 0);
  const flops = 2 * samples * (3 * weights - dims[0] * dims[1]);
  for (const b of batches) {
    b.x.free();
    b.labels.free();
  }
  inputs.free();
  sgd.free();
  net.free();
  return {
    dims,
    samples,
    batch,
    wasmMs,
    tsMs,
    speedup: tsMs / wasmMs,
    wasmGflops: flops / (wasmMs / 1000) / 1e9,
  };
}

/** The network section as text. */
function epochTable(epoch: EpochBench): string {
  return [
    `MLP training epoch, ${
      epoch.dims.join("-")
    } f32, ${epoch.samples} samples, batch ${epoch.batch}, CE + SGD (momentum, wd)`,
    `  WASM SIMD (lib/nn):       ${epoch.wasmMs.toFixed(1).padStart(9)} ms/epoch  (≈${
      epoch.wasmGflops.toFixed(1)
    } GFLOP/s in the matrix products)`,
    `  plain TypeScript:         ${epoch.tsMs.toFixed(1).padStart(9)} ms/epoch  (median step × ${
      epoch.samples / epoch.batch
    } steps)`,
    `  speed-up WASM SIMD / TS:  ${epoch.speedup.toFixed(1)}×`,
  ].join("\n");
}

/** A λ sweep solved to convergence: the workload behind a figure such as A2. */
interface SweepBench {
  /** Problem sizes and λ values. */
  problem: string;
  lambdas: number[];
  /** Wall seconds for the whole sweep (heavy ball to ‖∇f‖ < 1e-10, f64). */
  seconds: number;
  /** Updates per λ. */
  iterations: number[];
  /** Largest |f − f*| / f* over the sweep. */
  maxRelError: number;
}

/**
 * Time to converged answers (performance.md "Where ufmlab wins"): a sweep of TB λ = λ_W = λ_H
 * values on the bias-free MSE UFM (K=10, n=100, d=64, f64), each solved by heavy ball with
 * balanced block steps (lib/ufm/model.ts) until ‖∇f‖ < 1e-10 and checked against the closed form. performance.md's anchor: 20 λ × 20,000
 * plain-GD iterations take 249 s with PyTorch autograd and 147 s with NumPy (f32, not converged
 * to this accuracy at small λ).
 */
function benchSweep(quick: boolean): SweepBench {
  const count = quick ? 4 : 20;
  const lambdas = Array.from({ length: count }, (_, i) => 0.1 + (0.85 * i) / (count - 1));
  const started = performance.now();
  const iterations: number[] = [];
  let maxRelError = 0;
  for (const lambda of lambdas) {
    const report = solveUfm({
      K: 10,
      n: 100,
      d: 64,
      lambdaW: lambda,
      lambdaH: lambda,
      lambdaB: 0,
      bias: "none",
      norm: "tb",
      loss: "mse",
      targetScale: 1,
    }, {
      optimizer: "momentum",
      lr: 0.5,
      momentum: 0.9,
      iters: 100000,
      tol: 1e-10,
      precondition: "balanced",
    });
    iterations.push(report.iterations);
    maxRelError = Math.max(maxRelError, report.objective_rel_error ?? Infinity);
  }
  return {
    problem: "MSE K=10 n=100 d=64 (TB, bias-free)",
    lambdas,
    seconds: (performance.now() - started) / 1000,
    iterations,
    maxRelError,
  };
}

function sweepTable(sweep: SweepBench): string {
  const perLambda = sweep.seconds / sweep.lambdas.length;
  return [
    `λ sweep to convergence: ${sweep.problem}, ${sweep.lambdas.length} values of λ in ` +
    `[${sweep.lambdas[0]}, ${sweep.lambdas.at(-1)!.toFixed(2)}], heavy ball, balanced steps, f64`,
    `  ${sweep.seconds.toFixed(2)} s in all (${perLambda.toFixed(2)} s per λ), ` +
    `${Math.min(...sweep.iterations)}–${Math.max(...sweep.iterations)} iterations per λ, ` +
    `max |f − f*|/f* ${sweep.maxRelError.toExponential(1)}`,
    `  anchor (performance.md): 20 λ × 20,000 plain-GD iterations, f32 — PyTorch autograd ` +
    `249 s, NumPy 147 s (${(147 / (perLambda * 20)).toFixed(0)}× this sweep scaled to 20 λ)`,
  ].join("\n");
}

/**
 * Metrics at scale against numpy (issue 12): N×512 float32 features (N = 200,000; 20,000 with
 * --quick), K = 10, saved as .npy. numpy's in-memory NC1 as tding1 computes it (float64 copy,
 * class means, Σ_W = X_cᵀX_c/N by BLAS, scipy-style pinv of Σ_B) against `metricsFromFiles`
 * streaming the same file twice (every metric, NCC off). Needs python3 with numpy (else
 * "skipped"); the data lives in a temporary directory, deleted afterwards.
 */
async function benchMetricsVsNumpy(quick: boolean) {
  const { metricsFromFiles } = await import("../lib/metrics/files.ts");
  const samples = quick ? 20000 : 200000;
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-bench-" });
  const script = `
import json, sys, time
import numpy as np
n, d, k, out = int(sys.argv[1]), 512, 10, sys.argv[2]
rng = np.random.default_rng(0)
y = rng.integers(0, k, size=n); y[:k] = np.arange(k)
x = (rng.normal(size=(k, d)) * 2)[y].astype(np.float32) + rng.normal(size=(n, d)).astype(np.float32)
np.save(out + "/x.npy", x); np.save(out + "/y.npy", y)
t0 = time.perf_counter()
x = np.load(out + "/x.npy"); y = np.load(out + "/y.npy")
t1 = time.perf_counter()
x64 = x.astype(np.float64)
counts = np.bincount(y, minlength=k)
means = np.stack([x64[y == c].sum(axis=0) for c in range(k)]) / counts[:, None]
xc = x64 - means[y]
sw = xc.T @ xc / n
mt = means - x64.mean(axis=0)
sb = mt.T @ mt / k
nc1 = np.trace(sw @ np.linalg.pinv(sb, rcond=d * np.finfo(float).eps)) / k
t2 = time.perf_counter()
print(json.dumps({"nc1": float(nc1), "load": t1 - t0, "compute": t2 - t1}))`;
  try {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command("python3", {
        args: ["-c", script, String(samples), dir],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (error) {
      return { table: `Metrics vs numpy: skipped (python3: ${(error as Error).message})` };
    }
    if (!output.success) {
      const why = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
      return { table: `Metrics vs numpy: skipped (${why})` };
    }
    const numpy = JSON.parse(new TextDecoder().decode(output.stdout));
    const started = performance.now();
    const ours = await metricsFromFiles({
      features: `${dir}/x.npy`,
      labels: `${dir}/y.npy`,
      ncc: "off",
    });
    const seconds = (performance.now() - started) / 1000;
    const nc1 = ours.kind === "single" ? ours.metrics.nc1 : NaN;
    const result = {
      samples,
      dim: 512,
      classes: 10,
      seconds,
      numpyComputeSeconds: numpy.compute,
      numpyLoadSeconds: numpy.load,
      ratioToNumpyCompute: seconds / numpy.compute,
      ratioToNumpyTotal: seconds / (numpy.compute + numpy.load),
      nc1RelativeDifference: Math.abs(nc1 - numpy.nc1) / numpy.nc1,
    };
    const table = [
      `Metrics at scale: N = ${samples} × d = 512 float32, K = 10 (one .npy file)`,
      `  ufmlab metricsFromFiles (two streaming passes, every metric)  ${seconds.toFixed(2)} s`,
      `  numpy in-memory NC1 (tding1 formula, float64, BLAS)         ${
        numpy.compute.toFixed(2)
      } s + ${numpy.load.toFixed(2)} s np.load`,
      `  ratio ufmlab / numpy: ${result.ratioToNumpyCompute.toFixed(2)}× (compute only), ` +
      `${result.ratioToNumpyTotal.toFixed(2)}× (with np.load); NC1 relative difference ` +
      `${result.nc1RelativeDifference.toExponential(1)}`,
    ].join("\n");
    return { table, result };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * One training epoch of the CNN of `train --arch cnn` (conv 3×3 16 → 32 with BatchNorm, ReLU and
 * 2×2 max pooling, then FC 1568 → 256 → 256 → 10; f32, CE + SGD with momentum and weight decay)
 * on 2,000 random 28×28 images in batches of 100: prints and returns the median epoch time and
 * GFLOP/s, counting 2·multiply-adds of the forward products, the weight gradients, and the input
 * gradients of every layer but the first convolution (im2col, pooling, BN and the loss are not
 * counted but timed).
 */
function benchCnnEpoch(quick: boolean, print: (text: string) => void) {
  const channels = [16, 32], hidden = [256, 256], samples = 2000, batch = 100;
  const rng = new Rng(6);
  const spec = { side: 28, channels, hidden, classes: 10, batchNorm: true, dtype: "f32" as const };
  const net = new ConvNet(spec, rng);
  const batches = Array.from({ length: samples / batch }, () => {
    const x = Matrix.zeros(batch, 784, "f32");
    rng.fillNormal(x.data);
    return { x, labels: IntVector.from(Array.from({ length: batch }, () => rng.int(10))) };
  });
  const loss = makeLoss({ name: "ce" });
  const grads = net.zerosLikeParameters();
  const sgd = new Sgd(net.parameters(), { momentum: 0.9, weightDecay: 5e-4 });
  const epoch = () => {
    for (const { x, labels } of batches) {
      net.lossAndGradient(x, labels, loss, grads, 1 / batch);
      sgd.step(grads, 0.01);
    }
  };
  epoch(); // warm-up: workspaces, JIT
  const times: number[] = [];
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    const start = performance.now();
    epoch();
    times.push(performance.now() - start);
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  let side = 28, inChannels = 1, macs = 0;
  channels.forEach((c, l) => {
    macs += side * side * c * inChannels * 9 * (l === 0 ? 2 : 3);
    [side, inChannels] = [side / 2, c];
  });
  const dims = [inChannels * side * side, ...hidden, 10];
  for (let l = 0; l + 1 < dims.length; l++) macs += 3 * dims[l] * dims[l + 1];
  const gflops = 2 * macs * samples / (ms / 1000) / 1e9;
  print(
    `\nCNN training epoch, conv ${channels.join("→")} (3×3, BN, ReLU, pool 2×2) + FC ` +
      `${dims.join("-")} f32, ${samples} samples, batch ${batch}, CE + SGD\n` +
      `  WASM SIMD (lib/nn/cnn.ts): ${ms.toFixed(1).padStart(9)} ms/epoch  (≈${
        gflops.toFixed(1)
      } GFLOP/s in the products; ${(2 * macs / 1e6).toFixed(1)} MFLOP per sample)`,
  );
  net.free();
  return { channels, hidden, samples, batch, ms, gflops };
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, { ...flags }, usage);
  if (values === null) return;
  const plan: TimingPlan = values.quick
    ? { repetitionMs: 2, repetitions: 3 }
    : { repetitionMs: 20, repetitions: 9 };
  const print = values.json ? console.error : console.log;

  const kernels = benchKernels(plan);
  const ratios = kernelRatios(kernels);
  print(kernelTable(kernels, ratios));
  const ufm = benchUfm(plan);
  print("\n" + ufmTable(ufm));
  const sweep = benchSweep(values.quick === true);
  print("\n" + sweepTable(sweep));
  const epoch = benchEpoch(values.quick === true);
  print("\n" + epochTable(epoch));
  const cnn = benchCnnEpoch(values.quick === true, print);
  const metrics = await benchMetricsVsNumpy(values.quick === true);
  print("\n" + metrics.table);

  if (values.json) {
    console.log(
      JSON.stringify({ kernels, ratios, ufm, sweep, epoch, cnn, metrics: metrics.result }, null, 2),
    );
  }
}

await runCli(main);
