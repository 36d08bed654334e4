// The spherical UFM (docs/sphere.md): the solver against the closed forms (simplex ETF for
// K ≤ d + 1, regular polygon for d = 2, LS saturation, MSE), feasibility of every iterate, the
// sphere kernels, and the softmax-code solver against the known optimal codes.
import assert from "node:assert/strict";
import { coreKernel, type UnitNormalizeKernel, type UnitProjectKernel } from "../lib/core/wasm.ts";
import { UsageError } from "../lib/errors.ts";
import { Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";
import { hullDistance, oneVsRestMargin, softmaxCode } from "../lib/theory/softmax_code.ts";
import { focalEnvelopeTouches, sphereTheory } from "../lib/theory/sphere.ts";
import { solveWithRestarts } from "../lib/ufm/restarts.ts";
import { resolveProblem, type UfmProblem } from "../lib/ufm/problem.ts";
import { solveUfm } from "../lib/ufm/solve.ts";

function close(actual: number, expected: number, tol: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${label}: ${actual} ≠ ${expected} (tol ${tol})`,
  );
}

const sphereProblem = (fields: Partial<UfmProblem>): UfmProblem => ({
  K: 4,
  n: 3,
  d: 4,
  lambdaW: 0,
  lambdaH: 0,
  lambdaB: 0,
  bias: "none",
  norm: "z",
  loss: "ce",
  targetScale: 1,
  model: "sphere",
  tau: 1,
  ...fields,
});

const solver = {
  optimizer: "nesterov" as const,
  lr: 0.2,
  momentum: 0.9,
  iters: 100000,
  tol: 1e-12,
};

/** Largest |‖v‖ − 1| over the rows of W and the columns of H. */
function sphereDeviation(W: Matrix, H: Matrix): number {
  let worst = 0;
  for (const row of W.toRows()) worst = Math.max(worst, Math.abs(Math.hypot(...row) - 1));
  const columns = H.transpose();
  for (const column of columns.toRows()) {
    worst = Math.max(worst, Math.abs(Math.hypot(...column) - 1));
  }
  columns.free();
  return worst;
}

Deno.test("sphere CE, K ≤ d + 1: f* = log(1 + (K−1)e^{−τK/(K−1)}) to 1e-9; every iterate on the sphere", () => {
  // Values of docs/sphere.md#sphere-ce (scipy checks, docs/verify/sphere.py).
  for (
    const [K, d, tau, expected] of [
      [4, 4, 2, 0.1893388394],
      [4, 3, 5, 0.0038106317],
      [6, 8, 1, 0.9186763079],
      [5, 6, 0.7, 0.981122239605],
    ]
  ) {
    const problem = sphereProblem({ K, d, tau });
    const theory = sphereTheory({ K, d, tau, loss: resolveProblem(problem).loss, bias: "none" })!;
    close(theory.objective, expected, 1e-9, `K=${K} d=${d} τ=${tau} closed form`);
    let deviation = 0;
    const report = solveUfm(problem, { ...solver, seed: 2, initStd: 1 }, {
      observeAt: (t) => t % 50 === 0,
      observe: (_info, model) => {
        deviation = Math.max(deviation, sphereDeviation(model.classifier, model.penultimate()));
      },
    });
    assert.ok(report.converged, `K=${K} d=${d} converged`);
    close(report.objective, theory.objective, 1e-9, `K=${K} d=${d} τ=${tau} solver`);
    assert.ok(deviation <= 1e-12, `iterates left the sphere by ${deviation}`);
    assert.ok(report.metrics.nc1 < 1e-12 && report.metrics.nc2_w_etf! < 1e-6);
  }
});

Deno.test("sphere, d = 2: the regular K-gon, f* = log Σ_j exp(τ(cos(2πj/K) − 1)) to 1e-9", () => {
  for (const [K, tau, expected] of [[5, 3, 0.23144539], [7, 10, 0.045298667344], [6, 2, NaN]]) {
    const problem = sphereProblem({ K, d: 2, tau });
    let S = 0;
    for (let j = 0; j < K; j++) S += Math.exp(tau * (Math.cos((2 * Math.PI * j) / K) - 1));
    const report = solveUfm(problem, { ...solver, lr: 0.05, seed: 1, initStd: 1 });
    close(report.theory!.objective, Math.log(S), 1e-15, `K=${K} theory`);
    if (!Number.isNaN(expected)) close(report.objective, expected, 1e-8, `K=${K} tabulated`);
    close(report.objective, Math.log(S), 1e-9, `K=${K} τ=${tau} solver`);
  }
});

Deno.test("sphere LS (both regimes), FL and MSE values of docs/sphere.md", () => {
  const cases: [Partial<UfmProblem>, number][] = [
    [{ K: 4, d: 4, tau: 2, loss: "ls", alpha: 0.05 }, 0.289338839365], // ETF below saturation
    [{ K: 4, d: 3, tau: 2, loss: "ls", alpha: 0.05 }, 0.289338839365],
    [{ K: 4, d: 5, tau: 5, loss: "ls", alpha: 0.05 }, 0.201113916140], // entropy (saturated)
    [{ K: 5, d: 5, tau: 4, loss: "ls", alpha: 0.2 }, 0.661476977181],
    [{ K: 4, d: 4, tau: 2, loss: "fl", beta: 3 }, 0.000971764837],
    [{ K: 6, d: 8, tau: 1, loss: "fl", beta: 1 }, 0.552081368855],
    [{ K: 4, d: 4, tau: 0.5, loss: "mse" }, 0.125], // orthogonal frame
    [{ K: 4, d: 6, tau: 0.8, loss: "mse" }, 0.02],
    [{ K: 4, d: 3, tau: 0.5, loss: "mse" }, 1 / 6], // signed simplex ETF, d = K − 1
    [{ K: 5, d: 4, tau: 0.3, loss: "mse" }, 0.25625],
    [{ K: 4, d: 3, tau: 0.3, loss: "mse", bias: "free" }, 0.135],
    [{ K: 4, d: 4, tau: 2, loss: "ce", bias: "free" }, 0.1893388394], // a free bias changes nothing
  ];
  for (const [fields, expected] of cases) {
    const label = JSON.stringify(fields);
    const report = solveUfm(sphereProblem(fields), { ...solver, lr: 0.1, seed: 3, initStd: 1 });
    close(report.theory!.objective, expected, 1e-9, `${label} closed form`);
    close(report.objective, expected, 1e-9, `${label} solver`);
  }
});

Deno.test("sphere: no closed form claimed where none is known (K > d + 1 with d ≥ 3, LS polygon)", () => {
  const loss = { name: "ce", alpha: 0.05, beta: 3, targetScale: 1 } as const;
  assert.equal(sphereTheory({ K: 6, d: 3, tau: 5, loss, bias: "none" }), null);
  assert.equal(
    sphereTheory({ K: 5, d: 2, tau: 10, loss: { ...loss, name: "ls" }, bias: "none" }),
    null,
  );
  assert.equal(
    sphereTheory({ K: 3, d: 2, tau: 5, loss: { ...loss, name: "ls" }, bias: "none" }),
    null,
  );
  assert.equal(focalEnvelopeTouches(30, 0.3, 3), false);
  assert.equal(
    sphereTheory({ K: 30, d: 29, tau: 0.3, loss: { ...loss, name: "fl" }, bias: "none" }),
    null,
  );
});

Deno.test("sphere restarts: every random start reaches f* (benign landscape, K ≤ d + 1)", async () => {
  const result = await solveWithRestarts(
    sphereProblem({ K: 5, d: 6, tau: 3 }),
    {
      ...solver,
      initStd: 1,
    },
    8,
    { workers: 1, tolerance: 1e-9 },
  );
  assert.equal(result.restarts.fraction_at_theory, 1);
});

Deno.test("sphere f32: converges to f* within f32 accuracy", () => {
  const report = solveUfm(sphereProblem({ K: 4, d: 3, tau: 5 }), {
    ...solver,
    dtype: "f32",
    tol: 1e-4,
    seed: 1,
    initStd: 1,
  });
  close(report.objective, 0.0038106317, 1e-4, "f32");
});

Deno.test("sphere kernels: SIMD = reference = definition (rows and columns, odd sizes)", () => {
  const rng = new Rng(3);
  for (const dtype of ["f64", "f32"] as const) {
    for (const [rows, cols] of [[1, 1], [3, 5], [4, 7], [7, 3], [5, 16]]) {
      const x0 = Array.from({ length: rows * cols }, () => rng.normal());
      const g0 = Array.from({ length: rows * cols }, () => rng.normal());
      for (const along of ["rows", "cols"] as const) {
        const vectors = along === "rows" ? rows : cols;
        const length = along === "rows" ? cols : rows;
        const at = (v: number, e: number) => (along === "rows" ? v * cols + e : e * cols + v);
        const expectedG = [...g0], expectedX = [...x0];
        for (let v = 0; v < vectors; v++) {
          let dot = 0, sq = 0;
          for (let e = 0; e < length; e++) {
            dot += x0[at(v, e)] * g0[at(v, e)];
            sq += x0[at(v, e)] ** 2;
          }
          for (let e = 0; e < length; e++) {
            expectedG[at(v, e)] -= dot * x0[at(v, e)];
            expectedX[at(v, e)] /= Math.sqrt(sq);
          }
        }
        for (const choice of ["simd", "reference"] as const) {
          const x = Matrix.from(rows, cols, x0, dtype);
          const g = Matrix.from(rows, cols, g0, dtype);
          coreKernel<UnitProjectKernel>(`unit_${along}_project`, dtype, choice)(
            x.ptr,
            g.ptr,
            rows,
            cols,
          );
          coreKernel<UnitNormalizeKernel>(`unit_${along}_normalize`, dtype, choice)(
            x.ptr,
            rows,
            cols,
          );
          const tol = dtype === "f64" ? 1e-13 : 1e-5;
          const label = `${dtype} ${along} ${choice} ${rows}×${cols}`;
          g.data.forEach((value, i) => close(value, expectedG[i], tol, `${label} g[${i}]`));
          x.data.forEach((value, i) => close(value, expectedX[i], tol, `${label} x[${i}]`));
          x.free();
          g.free();
        }
      }
    }
  }
});

Deno.test("softmax codes: ETF, polygon, octahedron and icosahedron margins to 1e-6", () => {
  const cases: [number, number, number][] = [
    [3, 4, 4 / 3], // simplex ETF K/(K−1)
    [4, 5, 5 / 4],
    [2, 5, 1 - Math.cos((2 * Math.PI) / 5)], // regular polygons
    [2, 6, 0.5],
    [2, 7, 1 - Math.cos((2 * Math.PI) / 7)],
    [3, 6, 1], // octahedron
    [3, 12, 1 - 1 / Math.sqrt(5)], // icosahedron
  ];
  for (const [d, K, expected] of cases) {
    const code = softmaxCode({ d, K, seed: 1 });
    close(code.margin, expected, 1e-6, `(d, K) = (${d}, ${K})`);
    for (const row of code.W) close(Math.hypot(...row), 1, 1e-12, "unit rows");
  }
  // The exact margin of known configurations.
  const c = 1 / Math.sqrt(2);
  const octahedron = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
  close(oneVsRestMargin(octahedron), 1, 1e-14, "octahedron");
  const square = [[1, 0], [0, 1], [-1, 0], [0, -1]];
  close(oneVsRestMargin(square), 1, 1e-14, "square");
  // Two vectors: each hull is the other point, ρ = ‖w_0 − w_1‖ = √2 for orthogonal unit vectors.
  close(oneVsRestMargin([[1, 0], [0, 1]]), Math.SQRT2, 1e-14, "two orthogonal vectors");
  // (c, c) against the segment from p = (−c, c) to q = (0, −1): the foot of the perpendicular lies
  // inside the segment, at distance |(q − p) × (a − p)|/‖q − p‖ = 2c(1 + c)/‖(c, −1 − c)‖.
  close(
    hullDistance([[c, c], [-c, c], [0, -1]], 0),
    (2 * c * (1 + c)) / Math.hypot(c, 1 + c),
    1e-14,
    "segment",
  );
  assert.throws(() => softmaxCode({ d: 1, K: 3 }), RangeError);
});

Deno.test("sphere rejects bad input with a UsageError naming the flag", () => {
  const cases: [Partial<UfmProblem>, RegExp][] = [
    [{ tau: 0 }, /--tau: must be a finite number > 0/],
    [{ tau: -2 }, /--tau/],
    [{ lambdaW: 0.1 }, /--lambda-w: the spherical model has no weight decay/],
    [{ lambdaH: 0.1 }, /--lambda-h: the spherical model has no weight decay/],
    [{ bias: "reg", lambdaB: 0.1 }, /--lambda-b: the spherical model has no weight decay/],
    [{ model: "ufm" }, /--tau: only used with --model sphere/],
    [{ loss: "pal", nMulti: 1 }, /needs one label per sample/],
  ];
  for (const [fields, pattern] of cases) {
    assert.throws(() => resolveProblem(sphereProblem(fields)), (error: Error) => {
      assert.ok(error instanceof UsageError, `${JSON.stringify(fields)}: ${error}`);
      assert.match(error.message, pattern);
      return true;
    });
  }
});
