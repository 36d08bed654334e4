// The class-reduced path (lib/ufm/reduce.ts): the same minimum as the full problem for every
// label structure, chosen automatically only where it keeps every critical point.
import assert from "node:assert/strict";
import { UsageError } from "../lib/errors.ts";
import type { UfmProblem } from "../lib/ufm/problem.ts";
import { solveUfm } from "../lib/ufm/solve.ts";

function close(actual: number, expected: number, tol: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${label}: ${actual} ≠ ${expected} (tol ${tol})`,
  );
}

const base = {
  d: 8,
  lambdaW: 5e-3,
  lambdaH: 5e-3,
  lambdaB: 0,
  bias: "none" as const,
  norm: "z" as const,
  targetScale: 1,
};

Deno.test("reduced path = full path: objective, norms and NC metrics (balanced, imbalanced, PAL)", () => {
  const cases: UfmProblem[] = [
    { ...base, K: 4, n: 20, loss: "mse" },
    { ...base, K: 4, n: 20, loss: "ce", bias: "reg", lambdaB: 5e-3 },
    { ...base, K: 4, n: 20, loss: "ls", alpha: 0.1 },
    { ...base, K: 4, counts: [40, 20, 10, 10], loss: "ce" },
    { ...base, K: 4, counts: [40, 20, 10, 10], loss: "mse" },
    { ...base, K: 4, n: 6, nMulti: 3, loss: "pal", bias: "reg", lambdaB: 5e-3 },
    {
      ...base,
      K: 4,
      n: 12,
      loss: "mse",
      model: "deep-linear",
      depth: 2,
      lambdaW: 0.02,
      lambdaH: 0.02,
    },
  ];
  for (const problem of cases) {
    const label = `${problem.model ?? "ufm"} ${problem.loss} ${problem.counts ?? problem.n}`;
    const reduced = solveUfm(problem, { path: "reduced", tol: 1e-12, seed: 1 });
    const full = solveUfm(problem, { path: "full", tol: 1e-12, seed: 1 });
    assert.equal(reduced.path, "reduced");
    assert.equal(full.path, "full");
    assert.ok(reduced.reduction!.factor > 1 && reduced.reduction!.exact, label);
    assert.ok(
      reduced.converged && reduced.grad_norm < 1e-10,
      `${label}: full gradient after lifting`,
    );
    close(reduced.objective, full.objective, 1e-9, `${label} f`);
    close(reduced.norms.h_mean_sq, full.norms.h_mean_sq, 1e-7, `${label} ‖h̄‖²`);
    close(reduced.norms.w_row_sq, full.norms.w_row_sq, 1e-7, `${label} ‖w‖²`);
    assert.ok(reduced.metrics.nc1 < 1e-20, `${label}: lifted features are exactly collapsed`);
    close(reduced.metrics.nc2_w_etf ?? 0, full.metrics.nc2_w_etf ?? 0, 1e-5, `${label} NC2(W)`);
  }
});

Deno.test("path auto: reduced only where exact and not observed; full for FL, ReLU, the sphere", () => {
  const mse = { ...base, K: 3, n: 10, loss: "mse" as const };
  assert.equal(solveUfm(mse, { path: "auto" }).path, "reduced");
  assert.equal(
    solveUfm(mse, { path: "auto" }, { observeAt: () => false, observe: () => {} }).path,
    "full",
    "dynamics observe the full problem",
  );
  assert.equal(
    solveUfm(mse, { path: "auto" }, { observe: () => {} }).path,
    "reduced",
    "final state only",
  );
  assert.equal(solveUfm({ ...mse, loss: "fl" }, { path: "auto" }).path, "full");
  assert.equal(
    solveUfm({ ...mse, model: "ext-relu", lambdaW: 0.01, lambdaH: 0.01 }, { path: "auto" }).path,
    "full",
  );
  assert.equal(
    solveUfm({ ...mse, counts: [3, 2, 2], n: undefined }, { path: "auto" }).path,
    "full",
  );
  // Asked for explicitly, focal loss runs reduced and says it is only a candidate.
  const focal = solveUfm({ ...mse, loss: "fl" }, { path: "reduced" });
  assert.equal(focal.reduction!.exact, false);
  assert.ok(focal.grad_norm < 1e-9);
  assert.throws(
    () =>
      solveUfm({
        ...mse,
        lambdaW: 0,
        lambdaH: 0,
        model: "sphere",
        tau: 2,
        loss: "ce",
      }, { path: "reduced" }),
    (error: Error) => error instanceof UsageError && /spherical model/.test(error.message),
  );
});
