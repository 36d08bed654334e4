// Level-1 kernels (core-as/assembly/vectors.ts via lib/vectors.ts) against their scalar
// references over odd sizes, the Gram–Schmidt pass, and the Lanczos early stop against the
// known spectrum of a quadratic.
import assert from "node:assert/strict";
import { Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";
import { axpy, dot, norm, orthogonalizeAgainst, scale } from "../lib/vectors.ts";
import { smallestHessianEigenvalues } from "../lib/optim/hessian.ts";

const sizes = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1001];

function randomVector(rng: Rng, n: number): Matrix {
  const v = Matrix.zeros(1, Math.max(n, 0));
  rng.fillNormal(v.data);
  return v;
}

Deno.test("dot: SIMD matches the scalar reference over odd sizes", () => {
  const rng = new Rng(3);
  for (const n of sizes) {
    const [a, b] = [randomVector(rng, n), randomVector(rng, n)];
    const simd = dot(a, b), reference = dot(a, b, "reference");
    let exact = 0;
    for (let i = 0; i < n; i++) exact += a.data[i] * b.data[i];
    assert.ok(Math.abs(simd - reference) <= 1e-13 * Math.max(1, Math.abs(exact)), `n=${n}`);
    assert.equal(reference, exact, `reference is the plain loop, n=${n}`);
    a.free();
    b.free();
  }
});

Deno.test("axpy and scale: SIMD bitwise equal to the scalar reference over odd sizes", () => {
  const rng = new Rng(4);
  for (const n of sizes) {
    const x = randomVector(rng, n), y = randomVector(rng, n);
    const y2 = Matrix.from(1, Math.max(n, 0), y.data);
    axpy(-0.37, x, y);
    axpy(-0.37, x, y2, "reference");
    assert.deepEqual(Array.from(y.data), Array.from(y2.data), `axpy n=${n}`);
    scale(y, 1.7);
    scale(y2, 1.7, "reference");
    assert.deepEqual(Array.from(y.data), Array.from(y2.data), `scale n=${n}`);
    for (const m of [x, y, y2]) m.free();
  }
});

Deno.test("vector kernels refuse f32 and mismatched sizes", () => {
  const a = Matrix.zeros(1, 3), b = Matrix.zeros(1, 4), c = Matrix.zeros(1, 3, "f32");
  assert.throws(() => dot(a, b), /sizes 3 and 4/);
  assert.throws(() => axpy(1, a, c), /f64/);
  for (const m of [a, b, c]) m.free();
});

Deno.test("orthogonalizeAgainst: two passes leave w orthogonal to the basis", () => {
  const rng = new Rng(5);
  const P = 37, rows = 6;
  // Orthonormal rows by modified Gram–Schmidt in plain loops.
  const basis = Matrix.zeros(rows, P);
  const data = basis.data;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < P; i++) data[r * P + i] = rng.normal();
    for (let s = 0; s < r; s++) {
      let c = 0;
      for (let i = 0; i < P; i++) c += data[r * P + i] * data[s * P + i];
      for (let i = 0; i < P; i++) data[r * P + i] -= c * data[s * P + i];
    }
    let sq = 0;
    for (let i = 0; i < P; i++) sq += data[r * P + i] ** 2;
    for (let i = 0; i < P; i++) data[r * P + i] /= Math.sqrt(sq);
  }
  const w = randomVector(rng, P), coefficients = Matrix.zeros(1, rows);
  const before = norm(w);
  orthogonalizeAgainst(w, basis, rows, coefficients);
  orthogonalizeAgainst(w, basis, rows, coefficients);
  for (let r = 0; r < rows; r++) {
    let c = 0;
    for (let i = 0; i < P; i++) c += basis.data[r * P + i] * w.data[i];
    assert.ok(Math.abs(c) < 1e-14 * before, `row ${r}: ${c}`);
  }
  assert.throws(() => orthogonalizeAgainst(w, basis, rows + 1, coefficients), /rows/);
  for (const m of [basis, w, coefficients]) m.free();
});

Deno.test("Lanczos stops early once the smallest Ritz values settle, and they are right", () => {
  // f(θ) = ½ Σ c_i θ_i² on 400 parameters: Hessian eigenvalues c_i, the smallest −0.5, 0, 0.25
  // (distinct: one start vector sees each distinct eigenvalue once).
  const P = 400;
  const curvature = Array.from({ length: P }, (_, i) => [-0.5, 0, 0.25][i] ?? 1 + i / 10);
  const value = Matrix.zeros(1, P), grad = Matrix.zeros(1, P);
  new Rng(1).fillNormal(value.data);
  const objective = {
    blocks: [{ name: "theta", value, grad, lambda: 0 }],
    evaluateData: () => {
      let f = 0;
      for (let i = 0; i < P; i++) {
        grad.data[i] = curvature[i] * value.data[i];
        f += 0.5 * curvature[i] * value.data[i] ** 2;
      }
      return f;
    },
  };
  const spectrum = smallestHessianEigenvalues(objective, { count: 3, steps: 150 });
  assert.ok(spectrum.steps < 150, `stopped early (${spectrum.steps} steps)`);
  assert.ok(Math.abs(spectrum.values[0] + 0.5) < 1e-8, `λ₁ = ${spectrum.values[0]}`);
  assert.ok(Math.abs(spectrum.values[1]) < 1e-8, `λ₂ = ${spectrum.values[1]}`);
  assert.ok(Math.abs(spectrum.values[2] - 0.25) < 1e-8, `λ₃ = ${spectrum.values[2]}`);
  value.free();
  grad.free();
});
