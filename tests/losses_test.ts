// Fused loss kernels (core-as/assembly/losses.ts, lib/losses.ts): SIMD = scalar reference =
// plain TypeScript definition of each loss over odd sizes, gradients = central finite
// differences, and the SIMD exp against Math.exp.
import assert from "node:assert/strict";
import { core } from "../lib/core/wasm.ts";
import { type LossSpec, makeLoss, validateLossSpec } from "../lib/losses.ts";
import { IntVector, Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";

/** Σ_j L_j by the textbook formulas (docs/ufm-mse.md#problem-free-bias, docs/ufm-softmax.md#losses), in f64. */
function definition(
  spec: Required<LossSpec>,
  z: number[][],
  labels: number[],
  bias: number[] | null,
): number {
  const K = z.length;
  let total = 0;
  for (let j = 0; j < labels.length; j++) {
    const logits = z.map((row, k) => row[j] + (bias ? bias[k] : 0));
    const y = labels[j];
    if (spec.name === "mse") {
      total += 0.5 *
        logits.reduce((acc, v, k) => acc + (v - (k === y ? spec.targetScale : 0)) ** 2, 0);
      continue;
    }
    const m = Math.max(...logits);
    const logS = Math.log(logits.reduce((acc, v) => acc + Math.exp(v - m), 0));
    const logP = logits.map((v) => v - m - logS);
    if (spec.name === "ce") total += -logP[y];
    if (spec.name === "ls") {
      total += -(1 - spec.alpha) * logP[y] - (spec.alpha / K) * logP.reduce((a, b) => a + b, 0);
    }
    if (spec.name === "fl") total += -((1 - Math.exp(logP[y])) ** spec.beta) * logP[y];
  }
  return total;
}

const specs: LossSpec[] = [
  { name: "mse", targetScale: 1.5 },
  { name: "ce" },
  { name: "ls", alpha: 0.1 },
  { name: "fl", beta: 3 },
  { name: "fl", beta: 0.5 },
  { name: "fl", beta: 0 },
];
const shapes: [number, number][] = [[2, 1], [3, 3], [4, 5], [5, 17], [10, 63], [7, 64]];

for (const dtype of ["f64", "f32"] as const) {
  const tol = dtype === "f64" ? 1e-12 : 2e-5;
  Deno.test(`loss kernels ${dtype}: SIMD = reference = definition (odd sizes, ± bias)`, () => {
    const rng = new Rng(11);
    for (const spec of specs) {
      for (const [K, N] of shapes) {
        for (const withBias of [false, true]) {
          const z = Matrix.zeros(K, N, dtype);
          rng.fillNormal(z.data, 3);
          const labels = IntVector.from(Array.from({ length: N }, () => rng.int(K)));
          const bias = withBias ? Matrix.zeros(K, 1, dtype) : null;
          if (bias) rng.fillNormal(bias.data);
          const zRows = z.toRows();
          const expected = definition(
            validateLossSpec(spec),
            zRows,
            Array.from(labels.data),
            bias ? Array.from(bias.data) : null,
          );
          const outputs = (["simd", "reference"] as const).map((kernel) => {
            const logits = z.clone();
            const sums = Matrix.zeros(K, 1, dtype);
            const total = makeLoss(spec, kernel).evaluate(logits, labels, bias, sums);
            return { total, grad: logits.toFloat64Array(), sums: sums.toFloat64Array() };
          });
          const label = `${spec.name} ${JSON.stringify(spec)} K=${K} N=${N} bias=${withBias}`;
          for (const out of outputs) {
            assert.ok(
              Math.abs(out.total - expected) <= tol * Math.max(1, Math.abs(expected)),
              `${label}: ${out.total} vs ${expected}`,
            );
            for (let k = 0; k < K; k++) {
              let rowSum = 0;
              for (let j = 0; j < N; j++) rowSum += out.grad[k * N + j];
              assert.ok(
                Math.abs(out.sums[k] - rowSum) <= tol * Math.max(1, N),
                `${label}: row sum ${k}`,
              );
            }
          }
          for (let i = 0; i < K * N; i++) {
            assert.ok(
              Math.abs(outputs[0].grad[i] - outputs[1].grad[i]) <= tol * 10,
              `${label}: grad[${i}]`,
            );
          }
        }
      }
    }
  });
}

Deno.test("loss gradients = central finite differences of the definition (f64)", () => {
  const rng = new Rng(5);
  const [K, N] = [4, 7];
  for (const spec of specs) {
    const full = validateLossSpec(spec);
    const z = Matrix.zeros(K, N);
    rng.fillNormal(z.data, 2);
    const labels = IntVector.from(Array.from({ length: N }, () => rng.int(K)));
    const grad = z.clone();
    makeLoss(spec).evaluate(grad, labels, null, null);
    const rows = z.toRows();
    const h = 1e-6;
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < N; j++) {
        const x = rows[k][j];
        rows[k][j] = x + h;
        const plus = definition(full, rows, Array.from(labels.data), null);
        rows[k][j] = x - h;
        const minus = definition(full, rows, Array.from(labels.data), null);
        rows[k][j] = x;
        const numeric = (plus - minus) / (2 * h);
        assert.ok(
          Math.abs(numeric - grad.get(k, j)) < 1e-7,
          `${spec.name} β=${spec.beta}: ∂/∂z[${k},${j}] ${grad.get(k, j)} vs ${numeric}`,
        );
      }
    }
  }
});

Deno.test("focal loss stays finite and accurate when p_y → 1 (no 1 − p cancellation)", () => {
  // z_y − z_j = 40: 1 − p_y ≈ 3·e^{−40} ≈ 1.3e-17, below f64 resolution of 1 − p_y.
  const logits = Matrix.from(4, 1, [40, 0, 0, 0]);
  const total = makeLoss({ name: "fl", beta: 0.5 }).evaluate(
    logits,
    IntVector.from([0]),
    null,
    null,
  );
  const q = 3 * Math.exp(-40);
  const expected = Math.sqrt(q) * q; // −q^β log(1 − q) ≈ q^β · q
  assert.ok(Math.abs(total - expected) < 1e-3 * expected, `${total} vs ${expected}`);
  for (const g of logits.data) assert.ok(Number.isFinite(g));
});

for (const dtype of ["f64", "f32"] as const) {
  Deno.test(`SIMD exp (${dtype}) vs Math.exp over the softmax range`, () => {
    const n = 20001;
    const x = Matrix.zeros(1, n, dtype);
    for (let i = 0; i < n; i++) x.data[i] = -80 + 90 * (i / (n - 1)); // [−80, 10]
    const y = Matrix.zeros(1, n, dtype);
    (dtype === "f64" ? core.vexp_f64 : core.vexp_f32)(x.ptr, y.ptr, n);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const exact = Math.exp(x.data[i]);
      worst = Math.max(worst, Math.abs(y.data[i] - exact) / exact);
    }
    assert.ok(worst < (dtype === "f64" ? 1e-15 : 5e-7), `max relative error ${worst}`);
  });
}

Deno.test("loss parameters are validated", () => {
  assert.throws(() => validateLossSpec({ name: "ls", alpha: 1 }), /--alpha/);
  assert.throws(() => validateLossSpec({ name: "ls", alpha: -0.1 }), /--alpha/);
  assert.throws(() => validateLossSpec({ name: "fl", beta: -1 }), /--beta/);
  assert.throws(() => validateLossSpec({ name: "hinge" as "ce" }), /--loss/);
});
