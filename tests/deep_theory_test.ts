// Closed forms of the extended / deep linear UFM (docs/extended-deep.md#l-factor-reduction) against
// the tabulated L-BFGS constants there (docs/extended-deep.md#ext-linear-table), against an
// independent brute-force minimization of the scalar problem, and against the plain-UFM closed form
// (L = 2 factors, docs/ufm-mse.md#mse-bias-free, docs/ufm-mse.md#mse-free-bias).
import assert from "node:assert/strict";
import {
  deepLinearTheory,
  type DeepLinearTheoryInput,
  kappaStar,
  largestRoot,
  localMinimumBound,
  scalarObjective,
} from "../lib/theory/deep_linear.ts";
import { mseTheory } from "../lib/theory/mse.ts";
import { canonicalLambdas, type UfmProblem } from "../lib/ufm/problem.ts";
import { theoryFor } from "../lib/ufm/solve.ts";
import { expectTheory } from "../lib/theory/mod.ts";

function close(actual: number, expected: number, tol: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${label}: ${actual} vs ${expected}`,
  );
}

/**
 * Extended linear UFM (TB) with K = 4, n = 5, d1 = d2 = 8, as in
 * docs/extended-deep.md#ext-linear-table.
 */
function extended(lambdaW2: number, lambdaW1: number, lambdaH: number, bias: "none" | "free") {
  const problem: UfmProblem = {
    K: 4,
    n: 5,
    d: 8,
    lambdaW: 0,
    lambdaH,
    lambdaB: 0,
    bias,
    norm: "tb",
    loss: "mse",
    targetScale: 1,
    model: "ext-linear",
    lambdaWs: [lambdaW1, lambdaW2],
  };
  const theory = theoryFor(problem);
  return theory === null ? null : expectTheory(theory, "deep-linear");
}

Deno.test("κ*_L table, threshold roots and φ = ½ at the threshold (docs/extended-deep.md#kappa-star)", () => {
  const table: [number, number][] = [
    [2, 1],
    [3, 0.3968502630],
    [4, 0.2721655270],
    [5, 0.2103665898],
    [6, 0.1723547752],
  ];
  for (const [L, value] of table) {
    close(kappaStar(L), value, 1e-10, `κ*_${L}`);
    if (L === 2) continue;
    const root = largestRoot(kappaStar(L) * (1 - 1e-15), L)!;
    close(root, (L - 2) / (L - 1), 1e-6, `root at κ*_${L}`);
    close(scalarObjective(root, kappaStar(L), L), 0.5, 1e-12, `φ at κ*_${L}`);
  }
  close(kappaStar(3), 2 ** (-4 / 3), 1e-15, "κ*_3 = 2^(−4/3)");
  close(localMinimumBound(3), 0.4724703937, 1e-10, "L = 3 local-minimum bound");
  close(localMinimumBound(3), 0.75 * 4 ** (-1 / 3), 1e-15, "(3/4)·4^(−1/3)");
  assert.throws(() => kappaStar(1), /factors/);
});

Deno.test("largest root: residual at machine precision, on the decreasing branch, null above the bound", () => {
  for (const L of [3, 4, 5, 6, 8]) {
    const p = 1 - 2 / L;
    const bound = localMinimumBound(L);
    let previous = 1;
    for (const fraction of [1e-12, 1e-6, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999999]) {
      const kappa = fraction * bound;
      const x = largestRoot(kappa, L)!;
      assert.ok(x >= p / (1 + p) && x <= 1, `L=${L} κ=${kappa}: x = ${x} off the branch`);
      assert.ok(Math.abs(x ** p * (1 - x) - kappa) <= 4e-16, `L=${L} κ=${kappa}: residual`);
      assert.ok(x <= previous, `L=${L}: x* must decrease with κ`);
      previous = x;
    }
    assert.equal(largestRoot(bound * 1.0001, L), null);
    assert.equal(largestRoot(0, L), 1);
  }
  close(largestRoot(0.3, 2)!, 0.7, 1e-15, "L = 2: x = 1 − κ");
  assert.equal(largestRoot(1.2, 2), null);
  assert.throws(() => largestRoot(-1, 3), /κ/);
});

Deno.test("docs/extended-deep.md#ext-linear-table (TB, K=4, n=5, d1=d2=8): κ, x, f*, ‖h̄1‖², ‖h̄2‖², W2W2ᵀ, σ(W1)²", () => {
  const rows: [number, number, number, number, number, number, number, number, number, number][] = [
    [
      0.2,
      0.3,
      0.4,
      0.2884499141,
      0.6704255268,
      0.3857423764,
      0.5523878496,
      0.4068431151,
      1.1047756991,
      0.7365171327,
    ],
    [
      0.05,
      0.05,
      0.05,
      0.05,
      0.9491220843,
      0.0737283112,
      0.9657870679,
      0.9327446606,
      0.9657870679,
      0.9657870679,
    ],
    [
      0.1,
      0.1,
      0.1,
      0.1,
      0.8962825859,
      0.1448188192,
      0.9296011215,
      0.8641582450,
      0.9296011215,
      0.9296011215,
    ],
    [0.6, 0.5, 0.3, 0.4481404747, 0, 0.5, 0, 0, 0, 0],
  ];
  for (const [w2, w1, h, kappa, x, f, h1, h2, wwt, sigmaW1] of rows) {
    const label = `(${w2}, ${w1}, ${h})`;
    const t = extended(w2, w1, h, "none")!;
    assert.equal(t.factors, 3);
    close(t.kappa, kappa, 1e-9, `${label} κ`);
    close(t.x, x, 1e-9, `${label} x`);
    close(t.objective, f, 1e-9, `${label} f*`);
    close(t.layer_h_mean_sq[0], h1, 1e-9, `${label} ‖h̄1‖²`);
    close(t.layer_h_mean_sq[1], h2, 1e-9, `${label} ‖h̄2‖²`);
    close(t.h_mean_sq, h2, 1e-9, `${label} penultimate`);
    close(t.w_row_sq, wwt, 1e-9, `${label} W2W2ᵀ diag`);
    close(t.layer_w_sigma_sq[1], wwt, 1e-9, `${label} σ(W2)²`);
    close(t.layer_w_sigma_sq[0], sigmaW1, 1e-9, `${label} σ(W1)²`);
    assert.equal(t.zero_solution, x === 0);
    assert.equal(t.structure, x === 0 ? "zero" : "orthogonal frame");
    assert.equal(t.rank, x === 0 ? 0 : 4);
  }
});

Deno.test("L = 4 factors (depth 3), λ = 0.2 each: x = 0.772439, f* = 0.37744604", () => {
  const problem: UfmProblem = {
    K: 4,
    n: 5,
    d: 8,
    lambdaW: 0.2,
    lambdaH: 0.2,
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    loss: "mse",
    targetScale: 1,
    model: "deep-linear",
    depth: 3,
  };
  const t = expectTheory(theoryFor(problem), "deep-linear");
  assert.equal(t.factors, 4);
  close(t.kappa, 0.2, 1e-12, "κ");
  close(t.x, 0.772439, 1e-6, "x");
  close(t.objective, 0.37744604, 1e-8, "f*");
});

Deno.test("f* = min of the scalar problem by brute force (independent of the root finder)", () => {
  // Grid search over x ∈ [0, 1] then golden-section refinement; min(φ, ½) with φ(0) = ½.
  const bruteForce = (kappa: number, L: number): number => {
    let best = 0.5;
    let bestX = 0;
    const steps = 20000;
    for (let i = 0; i <= steps; i++) {
      const value = scalarObjective(i / steps, kappa, L);
      if (value < best) [best, bestX] = [value, i / steps];
    }
    if (bestX === 0) return 0.5;
    let [a, b] = [Math.max(0, bestX - 1 / steps), Math.min(1, bestX + 1 / steps)];
    const ratio = (Math.sqrt(5) - 1) / 2;
    for (let i = 0; i < 200; i++) {
      const c = b - ratio * (b - a), d = a + ratio * (b - a);
      if (scalarObjective(c, kappa, L) < scalarObjective(d, kappa, L)) b = d;
      else a = c;
    }
    return Math.min(0.5, scalarObjective((a + b) / 2, kappa, L));
  };
  for (const L of [2, 3, 4, 5, 6]) {
    for (const kappa of [0.01, 0.05, 0.1, 0.17, 0.2, 0.25, 0.3, 0.39, 0.45, 0.8, 1.2]) {
      const t = deepLinearTheory({
        counts: [1, 1, 1],
        widths: new Array<number>(L - 1).fill(3),
        lambdaWs: new Array<number>(L - 1).fill(kappa / 3), // a_l = N·λ = κ with n = 1
        lambdaH: kappa / 3,
        bias: "none",
        targetScale: 1,
      })!;
      close(t.kappa, kappa, 1e-12, `L=${L} κ`);
      close(t.objective, bruteForce(kappa, L), 1e-11, `L=${L} κ=${kappa} f*`);
      assert.equal(t.zero_solution, kappa >= kappaStar(L), `L=${L} κ=${kappa} zero`);
    }
  }
});

Deno.test("L = 2 factors is the plain UFM closed form (bias none and free, target scale s)", () => {
  for (const bias of ["none", "free"] as const) {
    for (
      const [lambdaW, lambdaH, s] of [[0.1, 0.2, 1], [0.5, 0.5, 1], [0.3, 1, 1], [0.2, 0.3, 2]]
    ) {
      const K = 4, n = 5, d = 8;
      const plain: UfmProblem = {
        K,
        n,
        d,
        lambdaW,
        lambdaH,
        lambdaB: 0,
        bias,
        norm: "tb",
        loss: "mse",
        targetScale: s,
      };
      const expected = mseTheory({ ...plain, n, ...canonicalLambdas(plain) })!;
      const t = expectTheory(
        theoryFor({ ...plain, model: "deep-linear", depth: 1 }),
        "deep-linear",
      );
      const label = `${bias} (${lambdaW}, ${lambdaH}) s=${s}`;
      close(t.kappa * s, expected.c, 1e-12, `${label} κ·s = c`);
      close(t.objective, expected.objective, 1e-12, `${label} f*`);
      close(t.h_mean_sq, expected.h_mean_sq, 1e-12, `${label} ‖h̄‖²`);
      close(t.h_centered_sq, expected.h_centered_sq, 1e-12, `${label} centered`);
      close(t.w_row_sq, expected.w_row_sq, 1e-12, `${label} ‖w‖²`);
      close(t.bias, expected.bias, 1e-12, `${label} b`);
    }
  }
});

Deno.test("extended linear with a free bias: f* = (K−1)/K·[…], b = 1/K (docs/extended-deep.md#deep-free-bias)", () => {
  const free = extended(0.2, 0.3, 0.4, "free")!;
  const none = extended(0.2, 0.3, 0.4, "none")!;
  close(free.objective, (3 / 4) * none.objective, 1e-14, "f*");
  close(free.x, none.x, 1e-15, "x");
  close(free.bias, 0.25, 1e-15, "b");
  close(free.h_mean_sq, none.h_mean_sq * 3 / 4, 1e-14, "‖h̄2‖² on K − 1 directions");
  assert.equal(free.structure, "simplex ETF");
  assert.equal(free.rank, 3);
  assert.equal(free.rank_values.length, 4);
  close(extended(0.6, 0.6, 0.6, "free")!.objective, 3 / 8, 1e-15, "zero solution (K−1)/(2K)");
});

Deno.test("rank-deficient values f_j = (j/K)f* + ((K−j)/K)·½ and the local branch past κ*", () => {
  const t = extended(0.2, 0.3, 0.4, "none")!;
  assert.equal(t.rank_values.length, 5);
  for (let j = 0; j <= 4; j++) {
    close(t.rank_values[j], (j / 4) * t.objective + ((4 - j) / 4) * 0.5, 1e-14, `f_${j}`);
  }
  // κ = 0.448 ∈ (κ*_3, bound): the global minimum is 0, a nonzero local minimum exists above ½.
  const past = extended(0.6, 0.5, 0.3, "none")!;
  assert.equal(past.zero_solution, true);
  assert.ok(past.nonzero_objective! > 0.5, `${past.nonzero_objective}`);
  assert.ok(past.root! > 0.25 && past.root! < 0.5, `root ${past.root}`); // between peak and κ* root
  assert.equal(past.rank_values[0], 0.5);
  // Beyond the bound only the origin is critical.
  const beyond = extended(0.6, 0.6, 0.6, "none")!;
  assert.equal(beyond.root, null);
  assert.deepEqual(beyond.rank_values, [0.5]);
});

Deno.test("(Z) convention: κ = K n^{1/3}(λ_W2 λ_W1 λ_H1)^{1/3}; null for a zero λ or narrow layers", () => {
  const input: DeepLinearTheoryInput = {
    counts: [7, 7, 7, 7, 7],
    widths: [6, 9],
    lambdaWs: [1e-3, 2e-3],
    lambdaH: 3e-3,
    bias: "none",
    targetScale: 1,
  };
  close(
    deepLinearTheory(input)!.kappa,
    5 * 7 ** (1 / 3) * (1e-3 * 2e-3 * 3e-3) ** (1 / 3),
    1e-12,
    "κ",
  );
  assert.equal(deepLinearTheory({ ...input, lambdaH: 0 }), null);
  assert.equal(deepLinearTheory({ ...input, widths: [6, 4] }), null); // rank 5 needs width ≥ 5
  assert.equal(deepLinearTheory({ ...input, widths: [6, 4], bias: "free" })!.rank, 4);
  assert.throws(() => deepLinearTheory({ ...input, widths: [6] }), /widths/);
});
