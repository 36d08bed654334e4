// Threads (lib/core/threads.ts, lib/core/split.ts): every split kernel gives bitwise the result
// of one thread — matrix products over odd sizes and every path, softmax losses with and
// without bias and row sums, the chunked optimizer step — and so do a whole UFM solve and an
// MLP training epoch. The pool is started once here (its Workers outlive single tests).
import assert from "node:assert/strict";
import { coreKernel, type OptStepKernel } from "../lib/core/wasm.ts";
import {
  activeThreads,
  applyThreadsFlag,
  setMainTakesParts,
  setOverloadBackoff,
  setThreads,
  threadsReady,
  workerPartCount,
} from "../lib/core/threads.ts";
import { OPT_CHUNK } from "../lib/core/split.ts";
import { gemm } from "../lib/gemm.ts";
import { makeLoss } from "../lib/losses.ts";
import { type DType, IntVector, Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";
import { solveUfm } from "../lib/ufm/solve.ts";
import { Mlp } from "../lib/nn/mlp.ts";
import { Sgd } from "../lib/nn/sgd.ts";
import { runScript } from "./run_script.ts";

// Workers of the pool live across tests: no resource or op sanitizing.
const options = { sanitizeOps: false, sanitizeResources: false };

function random(rows: number, cols: number, dtype: DType, seed: number): Matrix {
  const m = Matrix.zeros(rows, cols, dtype);
  new Rng(seed).fillNormal(m.data);
  return m;
}

/**
 * Runs `compute` on one thread, on two, and on two with every part on the pool's Worker (the
 * main thread only waits: so the Worker's instance surely computed them); checks the last two
 * against the first bitwise and returns the first two outputs.
 */
async function atOneAndTwo<T>(compute: () => T, split = true): Promise<[T, T]> {
  setThreads(1);
  const one = compute();
  setThreads(2);
  await threadsReady();
  // On a busy machine the overload back-off would rightly keep these kernels on one thread.
  setOverloadBackoff(false);
  let two: T;
  let workerOnly: T;
  const before = workerPartCount();
  try {
    assert.equal(activeThreads(), 2);
    two = compute();
    setMainTakesParts(false);
    try {
      workerOnly = compute();
    } finally {
      setMainTakesParts(true);
    }
  } finally {
    setOverloadBackoff(true);
  }
  if (split) assert.ok(workerPartCount() > before, "no part ran on the worker thread");
  setThreads(1);
  assert.deepEqual(workerOnly, one, "all parts on the worker differ from one thread");
  return [one, two];
}

function assertBitwise(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

// [m, n, k, transA, transB]: dot-product path (A·Bᵀ), blocked with B in place and packed,
// column and row splits, edges (m, n not multiples of the tiles), k = 0, beta ≠ 0.
const shapes: [number, number, number, boolean, boolean][] = [
  [10, 4001, 64, false, false],
  [10, 67, 4003, false, true],
  [67, 4001, 10, true, false],
  [301, 37, 203, false, false],
  [263, 129, 77, true, true],
  [5, 13001, 33, false, true],
  [129, 515, 0, false, false],
];

for (const dtype of ["f32", "f64"] as const) {
  Deno.test({
    name: `threads: gemm ${dtype} at 2 threads = 1 thread, bitwise`,
    ...options,
    fn: async () => {
      for (const [m, n, k, transA, transB] of shapes) {
        const a = transA ? random(k, m, dtype, 1) : random(m, k, dtype, 1);
        const b = transB ? random(n, k, dtype, 2) : random(k, n, dtype, 2);
        const c0 = random(m, n, dtype, 3);
        const [one, two] = await atOneAndTwo(() => {
          const c = c0.clone();
          gemm(c, a, b, { transA, transB, alpha: 0.7, beta: 0.3 });
          return c.toFloat64Array();
        }, k > 0); // k = 0 is one scaling of C: never split
        assertBitwise(one, two, `${m}×${n}×${k} ${transA} ${transB}`);
      }
    },
  });

  Deno.test({
    name: `threads: softmax losses ${dtype} split = whole kernel, bitwise`,
    ...options,
    fn: async () => {
      for (const name of ["ce", "ls", "fl"] as const) {
        for (const [K, N, withBias] of [[10, 3403, true], [7, 5001, false], [33, 1003, true]]) {
          const logits = random(K as number, N as number, dtype, 4);
          const labels = IntVector.from(
            Array.from({ length: N as number }, (_, j) => (j * 7) % (K as number)),
          );
          const bias = withBias ? random(K as number, 1, dtype, 5) : null;
          const [one, two] = await atOneAndTwo(() => {
            const z = logits.clone();
            const rowSums = Matrix.zeros(K as number, 1, dtype);
            const total = makeLoss({ name }).evaluate(z, labels, bias, rowSums);
            return [total, ...z.toFloat64Array(), ...rowSums.toFloat64Array()];
          });
          assertBitwise(one, two, `${name} K=${K} N=${N}`);
        }
      }
    },
  });

  Deno.test({
    name: `threads: optimizer step ${dtype} over ${OPT_CHUNK}-element chunks, bitwise`,
    ...options,
    fn: async () => {
      const len = 3 * OPT_CHUNK + 17;
      const step = () => coreKernel<OptStepKernel>("opt_step", dtype);
      for (const mode of [1, 2, 3]) {
        const [one, two] = await atOneAndTwo(() => {
          const param = random(1, len, dtype, 6), grad = random(1, len, dtype, 7);
          const velocity = random(1, len, dtype, 8), stats = Matrix.zeros(1, 2, "f64");
          step()(len, param.ptr, grad.ptr, velocity.ptr, 0.1, 0.05, 0.9, mode, stats.ptr);
          return [...stats.data, ...param.data, ...velocity.data];
        });
        assertBitwise(one, two, `mode ${mode}`);
        // And the chunked sums of squares are the sums of squares.
        const grad = random(1, len, dtype, 7).toFloat64Array();
        const param = random(1, len, dtype, 6).toFloat64Array();
        let gradSq = 0;
        for (let i = 0; i < len; i++) {
          const g = dtype === "f32"
            ? Math.fround(grad[i] + Math.fround(0.1) * param[i])
            : grad[i] + 0.1 * param[i];
          gradSq += g * g;
        }
        assert.ok(Math.abs(one[0] - gradSq) <= 1e-6 * gradSq, `‖g‖² ${one[0]} vs ${gradSq}`);
      }
    },
  });
}

Deno.test({
  name: "threads: a UFM solve (MSE f64, CE f32) is bitwise the same at 1 and 2 threads",
  ...options,
  fn: async () => {
    for (const [loss, dtype, n, d] of [["mse", "f64", 100, 256], ["ce", "f32", 400, 64]] as const) {
      const problem = {
        K: 10,
        n,
        d,
        lambdaW: 5e-3,
        lambdaH: 5e-3,
        lambdaB: 0,
        bias: "none",
        norm: "z",
        loss,
        targetScale: 1,
      } as const;
      const [one, two] = await atOneAndTwo(() =>
        JSON.stringify(
          solveUfm(problem, { dtype, iters: 300, tol: 0, lr: 0.5 }),
          (key, value) => key === "seconds" ? undefined : value,
        )
      );
      assert.equal(one, two, `${loss} ${dtype}`);
    }
  },
});

Deno.test({
  name: "threads: an MLP training epoch (BN, CE, SGD) is bitwise the same at 1 and 2 threads",
  ...options,
  fn: async () => {
    const [one, two] = await atOneAndTwo(() => {
      const rng = new Rng(9);
      const net = new Mlp({ inputDim: 196, hidden: [128, 96], classes: 10, batchNorm: true }, rng);
      const inputs = random(400, 196, "f32", 10);
      const labels = IntVector.from(Array.from({ length: 400 }, (_, i) => i % 10));
      const grads = net.zerosLikeParameters();
      const sgd = new Sgd(net.parameters(), { momentum: 0.9, weightDecay: 5e-4 });
      const loss = makeLoss({ name: "ce" });
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) {
        const batch = Matrix.from(
          100,
          196,
          inputs.data.slice(step * 19600, (step + 1) * 19600),
          "f32",
        );
        const batchLabels = IntVector.from(labels.data.slice(step * 100, (step + 1) * 100));
        losses.push(net.lossAndGradient(batch, batchLabels, loss, grads, 1 / 100).lossSum);
        sgd.step(grads, 0.05);
      }
      const values = [...losses, ...net.parameters().flatMap((p) => Array.from(p.data))];
      net.free();
      return values;
    });
    assertBitwise(one, two, "epoch");
  },
});

Deno.test("threads: --threads values are validated", () => {
  assert.throws(() => applyThreadsFlag("0"), /--threads/);
  assert.throws(() => applyThreadsFlag("two"), /--threads/);
  assert.throws(() => applyThreadsFlag("1.5"), /--threads/);
  assert.equal(applyThreadsFlag("1"), 1);
});

Deno.test("solve --threads 1 and --threads 2 print the same JSON; bad --threads exits 2", async () => {
  const args = ["--K", "10", "--n", "400", "--d", "96", "--loss", "ce", "--dtype", "f32"];
  const run = (threads: string) =>
    runScript("scripts/solve.ts", [...args, "--iters", "200", "--threads", threads, "--json"]);
  const [one, two] = [await run("1"), await run("2")];
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  const strip = (text: string) => text.replace(/"seconds": [^,\n]+/, "");
  assert.equal(strip(one.stdout), strip(two.stdout));
  const bad = await run("zero");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: --threads: expected an integer ≥ 1, got 'zero'/m);
});

Deno.test("shared memory: growth keeps old views valid and Matrix.data follows the new buffer", () => {
  const a = Matrix.from(2, 2, [1, 2, 3, 4], "f32");
  const oldView = a.data;
  const oldBuffer = oldView.buffer;
  assert.ok(oldBuffer instanceof SharedArrayBuffer);
  // Allocate more than the memory holds: it grows (a new SharedArrayBuffer object).
  const pages = (oldBuffer as SharedArrayBuffer).byteLength / 65536;
  const big = Matrix.zeros(pages * 65536 / 4 + 1024, 1, "f32");
  const newView = a.data;
  assert.notEqual(newView.buffer, oldBuffer);
  assert.ok(
    (newView.buffer as SharedArrayBuffer).byteLength > (oldBuffer as SharedArrayBuffer).byteLength,
  );
  oldView[0] = 10; // a shared buffer is never detached: the old view still writes core memory
  assert.deepEqual(Array.from(newView), [10, 2, 3, 4]);
  // A view of the old buffer can still be copied into a new matrix.
  assert.deepEqual(Array.from(Matrix.from(2, 2, oldView, "f32").data), [10, 2, 3, 4]);
  big.free();
  a.free();
});
