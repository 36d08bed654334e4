// Closed forms of docs/ufm-mse.md (bias-free, free bias, regularized bias) against the tabulated
// constants there (docs/ufm-mse.md#mse-bias-free-table, docs/ufm-mse.md#mse-reg-bias-table;
// computed by L-BFGS on the full UFM, independently of this code).
import assert from "node:assert/strict";
import { mseTheory } from "../lib/theory/mse.ts";
import { canonicalLambdas, convertLambdas, type UfmProblem } from "../lib/ufm/problem.ts";

function theory(p: Omit<UfmProblem, "loss" | "targetScale"> & { targetScale?: number }) {
  const problem: UfmProblem = { loss: "mse", targetScale: 1, ...p };
  return mseTheory({ ...problem, n: problem.n!, ...canonicalLambdas(problem) });
}

function close(actual: number, expected: number, tol = 1e-9): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${actual} ≠ ${expected}`,
  );
}

Deno.test("docs/ufm-mse.md#mse-bias-free-table: bias-free TB (K=4, n=5, d=8)", () => {
  const rows = [
    [0.1, 0.2, 0.1314213562, 0.6071067812, 1.2142135624],
    [0.5, 0.5, 0.375, 0.5, 0.5],
    [0.01, 2.0, 0.1314213562, 0.0607106781, 12.1421356237],
    [1.5, 1.0, 0.5, 0, 0],
  ];
  for (const [lw, lh, f, rho, wdiag] of rows) {
    const t = theory({
      K: 4,
      n: 5,
      d: 8,
      lambdaW: lw,
      lambdaH: lh,
      lambdaB: 0,
      bias: "none",
      norm: "tb",
    })!;
    close(t.objective, f, 1e-9);
    close(t.h_mean_sq, rho, 1e-9);
    close(t.w_row_sq, wdiag, 1e-9);
    assert.equal(t.zero_solution, lw * lh >= 1);
  }
});

Deno.test("docs/ufm-mse.md#mse-bias-free: f* = c − c²/2 below and ½ above the threshold", () => {
  for (const c of [0.01, 0.3, 0.99, 1.01, 3]) {
    const t = theory({
      K: 7,
      n: 3,
      d: 9,
      lambdaW: c,
      lambdaH: c,
      lambdaB: 0,
      bias: "none",
      norm: "tb",
    })!;
    close(t.objective, c <= 1 ? c - c * c / 2 : 0.5, 1e-12);
  }
});

Deno.test("docs/ufm-mse.md#mse-free-bias: unregularized bias (K=4, n=5)", () => {
  const t1 = theory({
    K: 4,
    n: 5,
    d: 8,
    lambdaW: 0.1,
    lambdaH: 0.2,
    lambdaB: 0,
    bias: "free",
    norm: "tb",
  })!;
  close(t1.objective, 0.0985660172, 1e-9);
  close(t1.h_centered_sq, 0.4553300859, 1e-9);
  close(t1.bias, 0.25, 1e-12);
  close(t1.cos_means!, -1 / 3, 1e-12);
  assert.equal(t1.structure, "simplex ETF");
  const t2 = theory({
    K: 4,
    n: 5,
    d: 8,
    lambdaW: 0.3,
    lambdaH: 1.0,
    lambdaB: 0,
    bias: "free",
    norm: "tb",
  })!;
  close(t2.objective, 0.2982919181, 1e-9);
  // d = K − 1 suffices for the ETF, d = K − 2 does not.
  assert.notEqual(
    theory({ K: 4, n: 5, d: 3, lambdaW: 0.1, lambdaH: 0.2, lambdaB: 0, bias: "free", norm: "tb" }),
    null,
  );
  assert.equal(
    theory({ K: 4, n: 5, d: 2, lambdaW: 0.1, lambdaH: 0.2, lambdaB: 0, bias: "free", norm: "tb" }),
    null,
  );
});

Deno.test("docs/ufm-mse.md#mse-reg-bias-table: regularized bias (Z, K=4, n=5, λ=5e-3)", () => {
  const rows = [
    [0.05, 0.0608851, 0.0387213595, 0.2236068, -0.305611],
    [0.5, 0.8658359, 0.0432213595, 0.02236068, -0.023969],
    [5, 0.9463344, 0.0436713595, 0.00223607, -0.002346],
  ];
  for (const [lb, beta, f, b, cos] of rows) {
    const t = theory({
      K: 4,
      n: 5,
      d: 8,
      lambdaW: 5e-3,
      lambdaH: 5e-3,
      lambdaB: lb,
      bias: "reg",
      norm: "z",
    })!;
    // An earlier copy of this table had a digit slip in β at λ_b = 0.05 (0.0608851 vs the
    // 0.0608514 implied by the b* column, b* = (1 − β)/(K(1 + λ_b)), see
    // docs/ufm-mse.md#mse-reg-bias-table); check β through b*.
    close(t.beta, 1 - b * 4 * (1 + lb), 1e-6);
    if (lb !== 0.05) close(t.beta, beta, 1e-6);
    close(t.objective, f, 1e-9);
    close(t.bias, b, 1e-7);
    close(t.cos_means!, cos, 1e-5);
  }
  const free = theory({
    K: 4,
    n: 5,
    d: 8,
    lambdaW: 5e-3,
    lambdaH: 5e-3,
    lambdaB: 0,
    bias: "free",
    norm: "z",
  })!;
  close(free.objective, 0.0327910197, 1e-9);
});

Deno.test("docs/ufm-mse.md#mse-z-values: special values (K=10, λ=5e-4, Z)", () => {
  const t = theory({
    K: 10,
    n: 100,
    d: 64,
    lambdaW: 5e-4,
    lambdaH: 5e-4,
    lambdaB: 0,
    bias: "none",
    norm: "z",
  })!;
  close(t.c, 0.05, 1e-12);
  close(t.h_mean_sq, 0.095, 1e-12);
  close(t.w_row_sq, 9.5, 1e-12);
  close(t.objective, 0.04875, 1e-12);
  const f = theory({
    K: 10,
    n: 100,
    d: 64,
    lambdaW: 5e-4,
    lambdaH: 5e-4,
    lambdaB: 0,
    bias: "free",
    norm: "z",
  })!;
  close(f.h_centered_sq, 0.0855, 1e-12);
  close(f.w_row_sq, 8.55, 1e-12);
  close(f.objective, 0.043875, 1e-12);
  const t500 = theory({
    K: 10,
    n: 500,
    d: 512,
    lambdaW: 5e-4,
    lambdaH: 5e-4,
    lambdaB: 0,
    bias: "none",
    norm: "z",
  })!;
  close(t500.objective, 0.1055533989, 1e-9);
  close(t500.h_mean_sq, 0.0397213596, 1e-9);
  const f500 = theory({
    K: 10,
    n: 500,
    d: 512,
    lambdaW: 5e-4,
    lambdaH: 5e-4,
    lambdaB: 0,
    bias: "free",
    norm: "z",
  })!;
  close(f500.objective, 0.0949980590, 1e-9);
});

Deno.test("large λ_b tends to the bias-free OF; λ_b → 0 to the free-bias ETF", () => {
  const base = { K: 5, n: 4, d: 8, lambdaW: 2e-3, lambdaH: 3e-3, norm: "z" as const };
  const none = theory({ ...base, lambdaB: 0, bias: "none" })!;
  const big = theory({ ...base, lambdaB: 1e9, bias: "reg" })!;
  close(big.objective, none.objective, 1e-8);
  const free = theory({ ...base, lambdaB: 0, bias: "free" })!;
  const small = theory({ ...base, lambdaB: 1e-12, bias: "reg" })!;
  close(small.objective, free.objective, 1e-9);
});

Deno.test("target scale s: f*(s) = s²·f*(1) with λ scaled by s (homogeneity)", () => {
  // WH → sWH solves the problem with target s when √(λ_Wλ_H) → s·√(λ_Wλ_H), objective × s².
  const s = 15;
  const base = { K: 4, n: 5, d: 8, lambdaB: 0, bias: "free" as const, norm: "tb" as const };
  const one = theory({ ...base, lambdaW: 0.1, lambdaH: 0.2 })!;
  const scaled = theory({ ...base, lambdaW: 0.1 * s, lambdaH: 0.2 * s, targetScale: s })!;
  close(scaled.objective, s * s * one.objective, 1e-9);
});

Deno.test("convention conversion round trip and threshold invariance", () => {
  const z = { lambdaW: 1e-3, lambdaH: 2e-4, lambdaB: 0.3 };
  const tb = convertLambdas(z, "z", "tb", 10, 500); // K = 10, N = K·n = 500
  close(tb.lambdaW, 1e-2, 1e-15);
  close(tb.lambdaH, 0.1, 1e-15);
  close(tb.lambdaB, 3, 1e-15);
  const back = convertLambdas(tb, "tb", "z", 10, 500);
  close(back.lambdaH, z.lambdaH, 1e-15);
  // c = √(λ_W^TB λ_H^TB) = K√(nλ_W^Z λ_H^Z)
  close(Math.sqrt(tb.lambdaW * tb.lambdaH), 10 * Math.sqrt(50 * z.lambdaW * z.lambdaH), 1e-12);
});
