// The MSE-UFM solver against the closed forms of docs/ufm-mse.md#mse-bias-free,
// docs/ufm-mse.md#mse-free-bias and docs/ufm-mse.md#mse-reg-bias (lib/theory/mse.ts is itself
// checked against the tables there in theory_mse_test.ts).
import assert from "node:assert/strict";
import { Matrix } from "../lib/matrix.ts";
import { minimize } from "../lib/optim/minimize.ts";
import { resolveProblem, type UfmProblem } from "../lib/ufm/problem.ts";
import { meanClassMeanCosine } from "../lib/ufm/metrics.ts";
import { createModel, solveUfm, theoryFor } from "../lib/ufm/solve.ts";
import { expectTheory } from "../lib/theory/mod.ts";

const mse = { loss: "mse" as const, targetScale: 1 };

Deno.test("model gradient = central finite differences (every block, every bias mode)", () => {
  for (const bias of ["none", "free", "reg"] as const) {
    const problem: UfmProblem = {
      K: 3,
      n: 2,
      d: 4,
      lambdaW: 0.3,
      lambdaH: 0.2,
      lambdaB: bias === "reg" ? 0.5 : 0,
      bias,
      norm: "tb",
      ...mse,
      targetScale: 1.5,
    };
    const model = createModel(resolveProblem(problem), { seed: 3, initStd: 0.7 });
    if (model.b) model.b.data.set([0.2, -0.1, 0.4]);
    const objective = (): number => {
      let f = model.evaluateData();
      for (const block of model.blocks) {
        let sq = 0;
        for (const v of block.value.data) sq += v * v;
        f += 0.5 * block.lambda * sq;
      }
      return f;
    };
    objective();
    const analytic = model.blocks.map((block) => {
      const g = block.grad.toFloat64Array();
      for (let i = 0; i < g.length; i++) g[i] += block.lambda * block.value.data[i];
      return g;
    });
    const h = 1e-6;
    model.blocks.forEach((block, b) => {
      for (let i = 0; i < block.value.size; i++) {
        const x = block.value.data[i];
        block.value.data[i] = x + h;
        const fPlus = objective();
        block.value.data[i] = x - h;
        const fMinus = objective();
        block.value.data[i] = x;
        const numeric = (fPlus - fMinus) / (2 * h);
        assert.ok(
          Math.abs(numeric - analytic[b][i]) < 1e-8,
          `${bias} ${block.name}[${i}]: analytic ${analytic[b][i]} vs numeric ${numeric}`,
        );
      }
    });
    model.free();
  }
});

// (K, n, d, λ_W, λ_H, λ_b, bias, convention): both sides of the zero threshold, both conventions.
const cases: [
  number,
  number,
  number,
  number,
  number,
  number,
  "none" | "free" | "reg",
  "tb" | "z",
][] = [
  [4, 5, 8, 0.1, 0.2, 0, "none", "tb"],
  [4, 5, 8, 0.01, 2.0, 0, "none", "tb"],
  [4, 5, 8, 1.5, 1.0, 0, "none", "tb"], // c > 1: zero solution
  [10, 20, 32, 0.05, 0.05, 0, "none", "tb"],
  [4, 5, 8, 0.1, 0.2, 0, "free", "tb"],
  [4, 5, 3, 0.3, 1.0, 0, "free", "tb"], // d = K − 1
  [5, 4, 6, 1.2, 1.3, 0, "free", "tb"], // beyond the threshold
  [4, 5, 8, 5e-3, 5e-3, 0.05, "reg", "z"],
  [4, 5, 8, 5e-3, 5e-3, 0.5, "reg", "z"],
  [6, 7, 9, 2e-3, 1e-3, 0.2, "reg", "z"],
  [10, 10, 16, 5e-4, 5e-4, 0, "none", "z"],
  [10, 10, 16, 5e-4, 5e-4, 0, "free", "z"],
  [3, 4, 5, 0.2, 0.3, 0, "none", "z"], // c = 3√(4·0.06) > 1
  [4, 5, 8, 0.1, 0.2, 0.4, "reg", "tb"],
];

Deno.test("solver objective = closed form to 1e-9 (relative), NC structure at convergence", () => {
  for (const [K, n, d, lambdaW, lambdaH, lambdaB, bias, norm] of cases) {
    const problem: UfmProblem = { K, n, d, lambdaW, lambdaH, lambdaB, bias, norm, ...mse };
    const report = solveUfm(problem, {
      optimizer: "nesterov",
      lr: 0.5,
      momentum: 0.9,
      iters: 60000,
      tol: 1e-12,
    });
    const label = JSON.stringify({ K, n, d, lambdaW, lambdaH, lambdaB, bias, norm });
    const theory = report.theory!;
    assert.ok(report.converged, `${label}: not converged (‖∇f‖ = ${report.grad_norm})`);
    assert.ok(
      report.objective_rel_error! < 1e-9,
      `${label}: rel. error ${report.objective_rel_error}`,
    );
    assert.ok(Math.abs(report.norms.h_mean_sq - theory.h_mean_sq) < 1e-7, `${label}: ‖h̄‖²`);
    assert.ok(
      Math.abs(report.norms.w_row_sq - theory.w_row_sq) < 1e-7 * Math.max(1, theory.w_row_sq),
      `${label}: ‖w‖²`,
    );
    if (report.norms.bias) {
      for (const b of report.norms.bias) assert.ok(Math.abs(b - theory.bias) < 1e-7, `${label}: b`);
    }
    if (theory.zero_solution) continue;
    const m = report.metrics;
    const small = (name: string, value: number | null): void =>
      assert.ok(value !== null && value >= 0 && value < 1e-6, `${label}: ${name} = ${value}`);
    small("NC1", m.nc1);
    small("NC3 (Zhu)", m.nc3);
    small("self-duality", m.self_duality_uncentered);
    if (bias === "none") {
      small("OF distance of means", m.nc2_of);
      small("OF distance of W", m.nc2_w_of);
    } else if (bias === "free") {
      small("ETF distance of centered means", m.nc2_etf);
      small("ETF distance of W", m.nc2_w_etf);
    }
  }
});

Deno.test("all three optimizers and both kernels reach the same minimum", () => {
  const problem: UfmProblem = {
    K: 4,
    n: 5,
    d: 8,
    lambdaW: 0.1,
    lambdaH: 0.2,
    lambdaB: 0,
    bias: "free",
    norm: "tb",
    ...mse,
  };
  const fStar = theoryFor(problem)!.objective;
  for (const optimizer of ["gd", "momentum", "nesterov"] as const) {
    for (const kernel of ["simd", "reference"] as const) {
      const report = solveUfm(problem, {
        optimizer,
        kernel,
        lr: optimizer === "gd" ? 1 : 0.5,
        iters: 50000,
        tol: 1e-12,
      });
      assert.ok(
        Math.abs(report.objective - fStar) < 1e-12,
        `${optimizer}/${kernel}: ${report.objective}`,
      );
    }
  }
});

Deno.test("f32 solver converges to f* within f32 accuracy", () => {
  const problem: UfmProblem = {
    K: 10,
    n: 20,
    d: 32,
    lambdaW: 0.05,
    lambdaH: 0.05,
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    ...mse,
  };
  const report = solveUfm(problem, { dtype: "f32", iters: 20000 });
  assert.ok(report.objective_rel_error! < 1e-5, `rel. error ${report.objective_rel_error}`);
});

Deno.test("same seed → identical run; different seed → same optimum", () => {
  const problem: UfmProblem = {
    K: 4,
    n: 3,
    d: 6,
    lambdaW: 0.2,
    lambdaH: 0.1,
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    ...mse,
  };
  const a = solveUfm(problem, { seed: 5, iters: 20, tol: 0 });
  const b = solveUfm(problem, { seed: 5, iters: 20, tol: 0 });
  assert.equal(a.objective, b.objective);
  assert.deepEqual(a.metrics, b.metrics);
  const c = solveUfm(problem, { seed: 6, iters: 20, tol: 0 });
  assert.notEqual(a.objective, c.objective);
  const [aDone, cDone] = [5, 6].map((seed) => solveUfm(problem, { seed, tol: 1e-12 }));
  assert.ok(Math.abs(aDone.objective - cDone.objective) < 1e-14);
});

Deno.test("divergence stops with a message naming --lr, never NaN output", () => {
  const problem: UfmProblem = {
    K: 4,
    n: 5,
    d: 8,
    lambdaW: 0.1,
    lambdaH: 0.2,
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    ...mse,
  };
  assert.throws(
    () => solveUfm(problem, { optimizer: "gd", lr: 50, iters: 1000 }),
    /diverged.*--lr \(now 50\)/,
  );
});

Deno.test("past the threshold the iterates snap to exact zeros instead of subnormals", () => {
  const problem: UfmProblem = {
    K: 4,
    n: 5,
    d: 8,
    lambdaW: 1.5,
    lambdaH: 1.0,
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    ...mse,
  };
  // The first-order loop (L-BFGS stops by its tolerance long before subnormals).
  const report = solveUfm(problem, { optimizer: "nesterov", initStd: 0.1, iters: 100000, tol: 0 });
  assert.deepEqual(report.snapped_to_zero.sort(), ["H", "W"]);
  assert.equal(report.objective, 0.5);
});

Deno.test("minimize: observed states are those at which f was measured", () => {
  const x = Matrix.from(1, 1, [0]);
  const g = Matrix.zeros(1, 1);
  const seen: number[] = [];
  minimize({
    blocks: [{ name: "x", value: x, grad: g, lambda: 0 }],
    evaluateData: () => {
      g.data[0] = x.data[0] - 3;
      return 0.5 * (x.data[0] - 3) ** 2;
    },
  }, {
    method: "gd",
    lr: 0.5,
    momentum: 0,
    maxIterations: 3,
    tolerance: 0,
    observeAt: () => true,
    observe: (info) => seen.push(info.objective, x.data[0]),
  });
  // x: 0 → 1.5 → 2.25 → 2.625
  assert.deepEqual(seen, [4.5, 0, 1.125, 1.5, 0.28125, 2.25, 0.0703125, 2.625]);
});

Deno.test("regularized bias: uncentered class-mean cosine follows the OF–ETF interpolation (docs/ufm-mse.md#mse-reg-bias)", () => {
  for (const lambdaB of [0.01, 0.05, 0.5, 5]) {
    const problem: UfmProblem = {
      K: 4,
      n: 5,
      d: 8,
      lambdaW: 5e-3,
      lambdaH: 5e-3,
      lambdaB,
      bias: "reg",
      norm: "z",
      ...mse,
    };
    let cosine = NaN;
    // The bias block has curvature ≈ λ_b: Nesterov (μ = 0.9) is stable for lr·λ_b ≲ 1.3.
    solveUfm(problem, { iters: 100000, tol: 1e-12, lr: Math.min(0.5, 0.5 / lambdaB) }, {
      observe: (_info, model) => (cosine = meanClassMeanCosine(model)),
    });
    const expected = expectTheory(theoryFor(problem), "mse").cos_means!;
    assert.ok(Math.abs(cosine - expected) < 1e-7, `λ_b = ${lambdaB}: cos ${cosine} vs ${expected}`);
  }
});

Deno.test("balanced block steps: same minimizer, N-independent convergence (TB, n = 100)", () => {
  const problem: UfmProblem = {
    K: 10,
    n: 100,
    d: 32,
    lambdaW: 0.1,
    lambdaH: 0.1,
    lambdaB: 0,
    bias: "free",
    norm: "tb",
    ...mse,
  };
  const settings = { optimizer: "momentum" as const, lr: 0.5, iters: 100000, tol: 1e-10 };
  const plain = solveUfm(problem, settings);
  const balanced = solveUfm(problem, { ...settings, precondition: "balanced" });
  const fStar = theoryFor(problem)!.objective;
  for (const report of [plain, balanced]) {
    assert.ok(report.converged && Math.abs(report.objective - fStar) < 1e-12 * fStar);
  }
  // H's curvature is N times smaller than W's here (K·λ_W^Z/λ_H^Z = N): without the scale the
  // H block needs tens of thousands of steps.
  assert.ok(
    balanced.iterations * 20 < plain.iterations,
    `${balanced.iterations} vs ${plain.iterations}`,
  );
  assert.throws(
    () => solveUfm({ ...problem, model: "ext-linear" }, { precondition: "balanced" }),
    /--precondition/,
  );
});
