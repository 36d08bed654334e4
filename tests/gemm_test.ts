// Matrix products (core-as/assembly/gemm.ts): the SIMD kernels against the scalar reference over
// odd sizes, every transpose combination and every internal path (dot-product, B read in place,
// B packed, several k / n / m blocks, edge tiles, k = 0); the reference against a plain
// TypeScript triple loop; and beta = 0 never reading C.
import assert from "node:assert/strict";
import { core } from "../lib/core/wasm.ts";
import { gemm, type GemmOptions } from "../lib/gemm.ts";
import { type DType, Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";

/** A rows×cols matrix of standard normal values. */
function randomMatrix(rows: number, cols: number, dtype: DType, seed: number): Matrix {
  const m = Matrix.zeros(rows, cols, dtype);
  new Rng(seed).fillNormal(m.data);
  return m;
}

/**
 * Plain TypeScript C ← alpha·op(A)·op(B) + beta·C in f64, and the per-element error scale
 * |alpha|·Σp |a_ip||b_pj| + |beta|·|c_ij| that tolerances are relative to.
 */
function tripleLoop(
  c: Matrix,
  a: Matrix,
  b: Matrix,
  options: Required<Pick<GemmOptions, "transA" | "transB" | "alpha" | "beta">>,
): { value: Float64Array; scale: Float64Array } {
  const { transA, transB, alpha, beta } = options;
  const [m, n] = [c.rows, c.cols];
  const k = transA ? a.rows : a.cols;
  // Element strides of op(A) and op(B) in the row-major storage.
  const [rsa, csa] = transA ? [1, a.cols] : [a.cols, 1];
  const [rsb, csb] = transB ? [1, b.cols] : [b.cols, 1];
  const [aData, bData, cData] = [a.data, b.data, c.data];
  const value = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let sumAbs = 0;
      for (let p = 0; p < k; p++) {
        const product = aData[i * rsa + p * csa] * bData[p * rsb + j * csb];
        sum += product;
        sumAbs += Math.abs(product);
      }
      const old = cData[i * n + j];
      value[i * n + j] = beta === 0 ? alpha * sum : alpha * sum + beta * old;
      scale[i * n + j] = Math.abs(alpha) * sumAbs + (beta === 0 ? 0 : Math.abs(beta * old));
    }
  }
  return { value, scale };
}

/** Operands of op(A) (m×k) and op(B) (k×n) stored as the transposes ask. */
function operands(
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  dtype: DType,
  seed: number,
): { a: Matrix; b: Matrix } {
  const a = transA ? randomMatrix(k, m, dtype, seed) : randomMatrix(m, k, dtype, seed);
  const b = transB ? randomMatrix(n, k, dtype, seed + 1) : randomMatrix(k, n, dtype, seed + 1);
  return { a, b };
}

// [m, n, k]. Chosen to reach every path of gemm.ts for both element types: tiny and odd sizes,
// m or n below the 4×8 / 4×4 tile, m mod 4 = 1, 2, 3 (2-row and padded edge tiles), k = 0,
// k > 256 (several k blocks), m > 64 (B packed), m > 128 (several m blocks), n > 2048 (several
// n blocks), n = 64 (row stride a multiple of 256 bytes: B packed although m is small), k ≥ 64
// and k ≥ 16 with small m (dot-product path when A·Bᵀ), k < 16 (packed path for A·Bᵀ), and
// n·k beyond 512 KiB and k > 4096 (several column blocks and k chunks in the dot-product path).
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 3, 3],
  [17, 17, 17],
  [63, 65, 67],
  [2, 9, 5],
  [5, 2, 9],
  [1, 40, 3],
  [3, 1, 70],
  [10, 33, 20],
  [9, 64, 20],
  [70, 33, 300],
  [130, 9, 5],
  [66, 2050, 3],
  [3, 900, 300],
  [7, 21, 270],
  [3, 5, 4200],
  [3, 5, 0],
  [0, 3, 4],
  [4, 0, 2],
];

const scalings: [number, number][] = [[1, 0], [-0.75, 0.5]];
const transposes: [boolean, boolean][] = [[false, false], [false, true], [true, false], [
  true,
  true,
]];

for (const dtype of ["f64", "f32"] as const) {
  const tol = dtype === "f64" ? 1e-13 : 1e-5;
  for (const [transA, transB] of transposes) {
    const opName = `${transA ? "Aᵀ" : "A"}·${transB ? "Bᵀ" : "B"}`;
    Deno.test(`gemm ${dtype} ${opName}: SIMD = reference over odd shapes, alpha and beta`, () => {
      let seed = 1;
      for (const [m, n, k] of shapes) {
        for (const [alpha, beta] of scalings) {
          seed += 10;
          const { a, b } = operands(m, n, k, transA, transB, dtype, seed);
          const cSimd = randomMatrix(m, n, dtype, seed + 2);
          const cRef = cSimd.clone();
          const expected = tripleLoop(cSimd, a, b, { transA, transB, alpha, beta });
          gemm(cSimd, a, b, { transA, transB, alpha, beta, kernel: "simd" });
          gemm(cRef, a, b, { transA, transB, alpha, beta, kernel: "reference" });
          for (let e = 0; e < m * n; e++) {
            const bound = tol * expected.scale[e] + 1e-300;
            const where = `${m}×${n}×${k} alpha=${alpha} beta=${beta} element ${e}`;
            assert.ok(
              Math.abs(cSimd.data[e] - cRef.data[e]) <= bound,
              `${where}: simd ${cSimd.data[e]} vs reference ${cRef.data[e]}`,
            );
            assert.ok(
              Math.abs(cSimd.data[e] - expected.value[e]) <= bound,
              `${where}: simd ${cSimd.data[e]} vs triple loop ${expected.value[e]}`,
            );
          }
          for (const x of [a, b, cSimd, cRef]) x.free();
        }
      }
    });
  }

  Deno.test(`gemm ${dtype}: reference = plain TypeScript triple loop`, () => {
    // Independent of the SIMD kernels: checks the ground truth itself.
    let seed = 500;
    for (const [m, n, k] of [[4, 5, 6], [7, 3, 11], [12, 13, 1]] as const) {
      for (const [transA, transB] of transposes) {
        seed += 10;
        const { a, b } = operands(m, n, k, transA, transB, dtype, seed);
        const c = randomMatrix(m, n, dtype, seed + 2);
        const [alpha, beta] = [1.25, -0.5];
        const expected = tripleLoop(c, a, b, { transA, transB, alpha, beta });
        gemm(c, a, b, { transA, transB, alpha, beta, kernel: "reference" });
        for (let e = 0; e < m * n; e++) {
          assert.ok(
            Math.abs(c.data[e] - expected.value[e]) <= tol * expected.scale[e],
            `${m}×${n}×${k} element ${e}: ${c.data[e]} vs ${expected.value[e]}`,
          );
        }
      }
    }
  });

  Deno.test(`gemm ${dtype}: beta = 0 overwrites a C full of NaN (every path)`, () => {
    // [m, n, k, transA, transB]: dot-product, B in place, B packed, edge tiles, k = 0.
    const cases: [number, number, number, boolean, boolean][] = [
      [6, 10, 80, false, true],
      [7, 19, 9, false, false],
      [70, 19, 9, true, false],
      [5, 3, 2, true, true],
      [3, 4, 0, false, false],
    ];
    let seed = 900;
    for (const [m, n, k, transA, transB] of cases) {
      for (const kernel of ["simd", "reference"] as const) {
        seed += 10;
        const { a, b } = operands(m, n, k, transA, transB, dtype, seed);
        const c = Matrix.zeros(m, n, dtype);
        c.data.fill(NaN);
        const expected = tripleLoop(Matrix.zeros(m, n, dtype), a, b, {
          transA,
          transB,
          alpha: 2,
          beta: 0,
        });
        gemm(c, a, b, { transA, transB, alpha: 2, beta: 0, kernel });
        for (let e = 0; e < m * n; e++) {
          assert.ok(Number.isFinite(c.data[e]), `${kernel} ${m}×${n}×${k}: NaN kept at ${e}`);
          assert.ok(Math.abs(c.data[e] - expected.value[e]) <= tol * expected.scale[e]);
        }
      }
    }
  });
}

Deno.test("gemm: a·aᵀ of a small integer matrix is exact", () => {
  for (const dtype of ["f64", "f32"] as const) {
    for (const kernel of ["simd", "reference"] as const) {
      const a = Matrix.from(2, 3, [1, 2, 3, 4, 5, 6], dtype);
      const c = Matrix.zeros(2, 2, dtype);
      gemm(c, a, a, { transB: true, kernel });
      assert.deepEqual(Array.from(c.data), [14, 32, 32, 77]);
    }
  }
});

Deno.test("gemm: a product never grows WASM memory (host views stay attached)", () => {
  // Shapes that need the largest packing buffers of both element types.
  for (const dtype of ["f64", "f32"] as const) {
    const a = randomMatrix(300, 700, dtype, 1);
    const b = randomMatrix(700, 2500, dtype, 2);
    const c = Matrix.zeros(300, 2500, dtype);
    const view = c.data;
    const bytesBefore = core.memory.buffer.byteLength;
    gemm(c, a, b);
    assert.equal(core.memory.buffer.byteLength, bytesBefore);
    assert.equal(view.length, 300 * 2500, "the view taken before the product is still attached");
    for (const x of [a, b, c]) x.free();
  }
});
