// Issue 13: a solver that needs no tuning, certifies what it found, and never fails silently.
// L-BFGS + automatic initialization + `--restarts auto` against the closed forms on the cases
// that needed hand-picked step sizes before; Hessian certificates against the analytic spectra of
// docs/landscape.md; the momentum safeguard.
import assert from "node:assert/strict";
import { expectTheory } from "../lib/theory/mod.ts";
import { certify } from "../lib/ufm/certify.ts";
import { surveyCriticalPoints } from "../lib/ufm/critical_points.ts";
import { DenseUfm } from "../lib/ufm/dense.ts";
import { resolveProblem, type UfmProblem } from "../lib/ufm/problem.ts";
import { solveWithRestarts } from "../lib/ufm/restarts.ts";
import { solveUfm, theoryFor } from "../lib/ufm/solve.ts";

function close(actual: number, expected: number, tol: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${label}: ${actual} ≠ ${expected} (tol ${tol})`,
  );
}

const mse = { loss: "mse" as const, targetScale: 1, lambdaB: 0, bias: "none" as const };

Deno.test("default settings + --restarts auto reach the extended/deep closed forms to 1e-9", async () => {
  const cases: UfmProblem[] = [
    // The cases of issue 13 that needed --init-std and --lr by hand.
    {
      K: 4,
      n: 5,
      d: 8,
      hidden: [8],
      lambdaW: 0.15,
      lambdaWs: [0.25, 0.15],
      lambdaH: 0.35,
      norm: "tb",
      model: "ext-linear",
      ...mse,
    },
    {
      K: 4,
      n: 5,
      d: 8,
      depth: 3,
      lambdaW: 0.2,
      lambdaWs: [0.2, 0.2, 0.2],
      lambdaH: 0.2,
      norm: "tb",
      model: "deep-linear",
      ...mse,
    },
    { K: 4, n: 5, d: 8, lambdaW: 0.2, lambdaH: 0.3, norm: "tb", model: "ext-relu", ...mse },
    // Others below κ*.
    { K: 5, n: 4, d: 6, lambdaW: 0.3, lambdaH: 0.3, norm: "tb", model: "ext-linear", ...mse },
    { K: 4, n: 5, d: 8, lambdaW: 0.36, lambdaH: 0.36, norm: "tb", model: "ext-linear", ...mse },
    {
      K: 3,
      n: 4,
      d: 6,
      depth: 4,
      lambdaW: 0.1,
      lambdaH: 0.1,
      norm: "tb",
      model: "deep-linear",
      ...mse,
    },
  ];
  for (const problem of cases) {
    const label = `${problem.model} ${JSON.stringify(problem.lambdaWs ?? problem.lambdaW)}`;
    const theory = theoryFor(problem)!;
    assert.ok(!theory.zero_solution, `${label} is below κ*`);
    const result = await solveWithRestarts(problem, {}, "auto", { workers: 1 });
    assert.equal(result.restarts.stopped_by, "closed form", label);
    close(result.objective, theory.objective, 1e-9, label);
    assert.equal(result.certificate?.classification, "global minimum", label);
  }
});

Deno.test("deep-relu depth 3 with default settings and --restarts auto reaches 0.0397979589", async () => {
  const result = await solveWithRestarts(
    {
      K: 3,
      n: 3,
      d: 6,
      depth: 3,
      hidden: [6, 6],
      lambdaW: 0.02,
      lambdaWs: [0.02, 0.02, 0.02],
      lambdaH: 0.02,
      norm: "tb",
      model: "deep-relu",
      ...mse,
    },
    {},
    "auto",
    { workers: 1 },
  );
  close(result.objective, 0.0397979589, 1e-9, "deep-relu f");
  assert.equal(result.restarts.stopped_by, "repeated best");
  assert.match(result.certificate!.classification, /non-smooth|minimum/);
});

Deno.test("momentum safeguard: a diverging step size is halved from the start instead of failing", () => {
  // ext-relu with Nesterov at lr 0.5 diverges (issue 13); it now restarts with lr/2, lr/4, …
  const report = solveUfm(
    { K: 4, n: 5, d: 8, lambdaW: 0.2, lambdaH: 0.3, norm: "tb", model: "ext-relu", ...mse },
    { optimizer: "nesterov", lr: 0.5, initStd: 1, iters: 200000 },
  );
  assert.ok(report.step_halvings! > 0, "the safeguard was needed");
  assert.ok(report.final_lr! < 0.5);
  assert.ok(report.converged);
  assert.ok(Number.isFinite(report.objective));
});

/** The model at a point: each block's values set from the given function of (block, index). */
function modelAt(
  problem: UfmProblem,
  values: (name: string, rows: number, cols: number) => number[],
): DenseUfm {
  const model = new DenseUfm(resolveProblem(problem), { seed: 0, initStd: 1 });
  for (const block of model.blocks) {
    block.value.data.set(values(block.name, block.value.rows, block.value.cols));
  }
  return model;
}

/** A K×? matrix with `diagonal[k]` at (k, k) for k < j and zeros elsewhere. */
function diagonalBlock(rows: number, cols: number, diagonal: number[], j: number): number[] {
  const out = new Array<number>(rows * cols).fill(0);
  for (let k = 0; k < j; k++) out[k * cols + k] = diagonal[k];
  return out;
}

/** H1 (d×N, class-major columns) with value v_k on row k for the columns of class k < j. */
function classColumns(d: number, K: number, n: number, value: number, j: number): number[] {
  const out = new Array<number>(d * K * n).fill(0);
  for (let k = 0; k < j; k++) for (let i = 0; i < n; i++) out[k * K * n + k * n + i] = value;
  return out;
}

Deno.test("Hessian certificates: origin and rank-deficient points of the plain UFM (L = 2)", () => {
  // docs/landscape.md: at the origin and at every f_j (j < K) the most negative eigenvalue is
  // (λ_W + λ_H)/2 − √(((λ_W − λ_H)/2)² + s²/(K²n)) (Z λ); the global minimizer has none.
  const K = 3, n = 2, d = 4;
  const problem: UfmProblem = { K, n, d, lambdaW: 0.3, lambdaH: 0.5, norm: "tb", ...mse };
  const { lambdaW, lambdaH } = resolveProblem(problem).lambdas;
  const analytic = (lambdaW + lambdaH) / 2 -
    Math.sqrt(((lambdaW - lambdaH) / 2) ** 2 + 1 / (K * K * n));
  close(analytic, -0.144182861635, 1e-10, "docs value");
  const theory = expectTheory(theoryFor(problem), "mse");
  const a = theory.a;
  const w = Math.sqrt(Math.sqrt((n * lambdaH) / lambdaW) * a);
  const h = Math.sqrt(Math.sqrt(lambdaW / (n * lambdaH)) * a);
  for (let j = 0; j < K; j++) {
    const model = modelAt(
      problem,
      (name, rows, cols) =>
        name === "W"
          ? diagonalBlock(rows, cols, new Array(K).fill(w), j)
          : classColumns(d, K, n, h, j),
    );
    const certificate = certify(model, theory);
    assert.ok(certificate.grad_norm < 1e-12, `f_${j} is critical (${certificate.grad_norm})`);
    close(certificate.smallest_eigenvalues[0], analytic, 1e-6, `f_${j} λ_min`);
    assert.equal(certificate.classification, "strict saddle", `f_${j}`);
    model.free();
  }
  const report = solveUfm(problem, { seed: 1 });
  assert.ok(report.certificate!.smallest_eigenvalues[0] >= -1e-8, "no negative curvature at f*");
  assert.equal(report.certificate!.classification, "global minimum");
  // Past the threshold the origin is the minimizer: the same formula gives λ_min > 0.
  const beyond: UfmProblem = { ...problem, lambdaW: 1.5, lambdaH: 1.2 };
  const zero = resolveProblem(beyond).lambdas;
  const positive = (zero.lambdaW + zero.lambdaH) / 2 -
    Math.sqrt(((zero.lambdaW - zero.lambdaH) / 2) ** 2 + 1 / (K * K * n));
  const origin = modelAt(beyond, (_name, rows, cols) => new Array(rows * cols).fill(0));
  const certificate = certify(origin, theoryFor(beyond));
  close(certificate.smallest_eigenvalues[0], positive, 1e-6, "origin past the threshold");
  assert.equal(certificate.classification, "global minimum");
  origin.free();
});

Deno.test("Hessian certificates: deep linear UFM (L = 3, 4) — origin, f_j and global minimum", () => {
  // docs/landscape.md: for L ≥ 3 the Hessian at the origin is diag(λ_l), so λ_min = min_l λ_l > 0
  // (a strict local minimum); the f_j points are positive semidefinite (local minima), their zero
  // modes being the symmetry orbit; the global minimizer has no negative curvature.
  for (const depth of [2, 3]) {
    const K = 3, n = 2, d = 4;
    const problem: UfmProblem = {
      K,
      n,
      d,
      depth,
      lambdaW: 0.1,
      lambdaWs: depth === 2 ? [0.1, 0.15] : [0.1, 0.15, 0.12],
      lambdaH: 0.08,
      norm: "tb",
      model: "deep-linear",
      ...mse,
    };
    const resolved = resolveProblem(problem);
    const theory = expectTheory(theoryFor(problem), "deep-linear");
    const origin = modelAt(problem, (_name, rows, cols) => new Array(rows * cols).fill(0));
    const atOrigin = certify(origin, theory);
    const smallest = Math.min(...resolved.weightLambdas, resolved.lambdas.lambdaH);
    close(atOrigin.smallest_eigenvalues[0], smallest, 1e-6, `L=${depth + 1} origin`);
    assert.equal(atOrigin.classification, "local minimum", `L=${depth + 1} origin`);
    origin.free();
    const sigmaW = theory.per_class_layer_w_sigma_sq!.map((layer) => layer.map(Math.sqrt));
    const h = Math.sqrt(theory.layer_h_mean_sq[0]);
    for (let j = 1; j < K; j++) {
      const model = modelAt(problem, (name, rows, cols) => {
        if (name === "H1") return classColumns(d, K, n, h, j);
        return diagonalBlock(rows, cols, sigmaW[Number(name.slice(1)) - 1], j);
      });
      const certificate = certify(model, theory);
      assert.ok(certificate.grad_norm < 1e-10, `L=${depth + 1} f_${j} critical`);
      close(certificate.objective, theory.rank_values[j], 1e-12, `L=${depth + 1} f_${j} value`);
      assert.ok(certificate.smallest_eigenvalues[0] >= -1e-8, `L=${depth + 1} f_${j} PSD`);
      assert.equal(certificate.classification, "local minimum");
      model.free();
    }
    const report = solveUfm(problem, { seed: 0 });
    if (report.certificate!.classification === "global minimum") {
      assert.ok(report.certificate!.smallest_eigenvalues[0] >= -1e-8);
    }
  }
});

Deno.test("Hessian certificates: the origin of the CE / LS / FL UFM is a strict saddle below threshold", () => {
  // docs/landscape.md#softmax-origin: λ_min = (λ_W+λ_H)/2 − √(((λ_W−λ_H)/2)² + g₀²/(K²n)),
  // g₀ = 1 (CE), 1 − α (LS), ((K−1)/K)^{β−1}(K − 1 + β log K)/K (FL).
  const K = 3, n = 2, d = 3, lambda = 5e-3;
  for (
    const [loss, g0, extra] of [
      ["ce", 1, {}],
      ["ls", 1 - 0.1, { alpha: 0.1 }],
      ["fl", ((K - 1) / K) ** (3 - 1) * (K - 1 + 3 * Math.log(K)) / K, { beta: 3 }],
    ] as const
  ) {
    const problem: UfmProblem = {
      K,
      n,
      d,
      lambdaW: lambda,
      lambdaH: lambda,
      lambdaB: 0,
      bias: "none",
      norm: "z",
      loss,
      targetScale: 1,
      ...extra,
    };
    const origin = modelAt(problem, (_name, rows, cols) => new Array(rows * cols).fill(0));
    const certificate = certify(origin, theoryFor(problem));
    const expected = lambda - Math.sqrt((g0 * g0) / (K * K * n));
    close(certificate.smallest_eigenvalues[0], expected, 1e-6, `${loss} origin`);
    assert.equal(certificate.classification, "strict saddle", loss);
    origin.free();
  }
});

Deno.test("critical-point survey: ψ = ½‖∇f‖² finds saddles, certified with negative curvature", () => {
  const survey = surveyCriticalPoints({
    K: 4,
    n: 2,
    d: 5,
    lambdaW: 5e-3,
    lambdaH: 5e-3,
    lambdaB: 0,
    bias: "none",
    norm: "z",
    loss: "ce",
    targetScale: 1,
  }, { starts: 6, seed: 1 });
  assert.ok(survey.points.length >= 4, `${survey.points.length} critical points`);
  for (const { certificate } of survey.points) {
    assert.ok(certificate.grad_norm < 1e-7);
    if (certificate.classification === "strict saddle") {
      assert.ok(certificate.negative_curvature! < -1e-3);
      assert.ok(certificate.gap! > 1e-6, "a saddle is above f*");
    } else {
      assert.equal(certificate.classification, "global minimum", "no spurious local minimum");
    }
  }
  // The origin (f = log K for CE) is among them, with the analytic curvature of its saddle.
  const origin = survey.points.find((p) => Math.abs(p.certificate.objective - Math.log(4)) < 1e-9);
  assert.ok(origin !== undefined, "the origin was found");
  close(origin.certificate.smallest_eigenvalues[0], 5e-3 - Math.sqrt(1 / (16 * 2)), 1e-6, "origin");
});

Deno.test("critical-point survey: the spherical model is refused with a usage error", () => {
  assert.throws(
    () =>
      surveyCriticalPoints({
        K: 3,
        n: 2,
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
      }, { starts: 2, seed: 1 }),
    /the critical-point survey covers unconstrained models, not --model sphere/,
  );
});
