// Fast math (lib/core/fast_math.ts: the gemm_fma_* kernels with relaxed-SIMD fused multiply-add)
// against the scalar reference over odd shapes, every transpose and every path of gemm.ts, within
// the same error bound as the exact kernels; the same results at 1 and 2 threads; off by default.
import assert from "node:assert/strict";
import { fastMath, setFastMath } from "../lib/core/fast_math.ts";
import { setThreads, threadsReady } from "../lib/core/threads.ts";
import { gemm } from "../lib/gemm.ts";
import { type DType, Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";

function random(rows: number, cols: number, dtype: DType, seed: number): Matrix {
  const m = Matrix.zeros(rows, cols, dtype);
  new Rng(seed).fillNormal(m.data);
  return m;
}

// [m, n, k]: tiny and odd, m mod 4 = 1, 2, 3, k = 0, several k / m / n blocks, dot-product path
// (A·Bᵀ, k ≥ 64 or short A), B read in place and packed.
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 3, 3],
  [17, 17, 17],
  [63, 65, 67],
  [10, 33, 20],
  [9, 64, 20],
  [70, 33, 300],
  [130, 9, 5],
  [66, 2050, 3],
  [3, 5, 4200],
  [3, 5, 0],
];

function withFastMath<T>(compute: () => T): T {
  setFastMath(true);
  try {
    return compute();
  } finally {
    setFastMath(false);
  }
}

Deno.test("fast math is off by default", () => assert.equal(fastMath(), false));

for (const dtype of ["f64", "f32"] as const) {
  const tol = dtype === "f64" ? 1e-13 : 1e-5;
  Deno.test(`fast math ${dtype}: FMA kernels = reference over odd shapes, transposes, scalings`, () => {
    let seed = 1;
    for (const [m, n, k] of shapes) {
      for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
        for (const [alpha, beta] of [[1, 0], [-0.75, 0.5]]) {
          seed += 10;
          const a = transA ? random(k, m, dtype, seed) : random(m, k, dtype, seed);
          const b = transB ? random(n, k, dtype, seed + 1) : random(k, n, dtype, seed + 1);
          const c0 = random(m, n, dtype, seed + 2);
          const [fast, ref] = [c0.clone(), c0.clone()];
          withFastMath(() => gemm(fast, a, b, { transA, transB, alpha, beta }));
          gemm(ref, a, b, { transA, transB, alpha, beta, kernel: "reference" });
          // Error scale per element: |alpha|·Σ|a||b| + |beta·c|.
          const absA = Matrix.from(a.rows, a.cols, a.data.map(Math.abs), dtype);
          const absB = Matrix.from(b.rows, b.cols, b.data.map(Math.abs), dtype);
          const scale = Matrix.zeros(m, n, dtype);
          gemm(scale, absA, absB, { transA, transB, kernel: "reference" });
          for (let e = 0; e < m * n; e++) {
            const bound = tol * (Math.abs(alpha) * scale.data[e] + Math.abs(beta * c0.data[e])) +
              1e-300;
            assert.ok(
              Math.abs(fast.data[e] - ref.data[e]) <= bound,
              `${m}×${n}×${k} ${transA} ${transB} element ${e}: ${fast.data[e]} vs ${ref.data[e]}`,
            );
          }
        }
      }
    }
  });

  Deno.test({
    name: `fast math ${dtype}: the same results at 1 and 2 threads`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const a = random(301, 203, dtype, 7), b = random(203, 517, dtype, 8);
      const compute = () => {
        const c = Matrix.zeros(301, 517, dtype);
        withFastMath(() => gemm(c, a, b));
        return Array.from(c.data);
      };
      setThreads(1);
      const one = compute();
      setThreads(2);
      await threadsReady();
      const two = compute();
      setThreads(1);
      assert.deepEqual(two, one);
    },
  });
}
