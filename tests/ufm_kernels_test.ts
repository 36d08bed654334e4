// The fused optimizer kernel (core-as/assembly/ufm.ts): SIMD against the scalar reference over
// odd sizes, and both against a plain TypeScript definition of each update rule.
import assert from "node:assert/strict";
import { core, type OptStepKernel } from "../lib/core/wasm.ts";
import { type DType, Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";

const kernels = (dtype: DType) => ({
  step: (dtype === "f64" ? core.opt_step_f64 : core.opt_step_f32) as OptStepKernel,
  stepRef: (dtype === "f64" ? core.opt_step_ref_f64 : core.opt_step_ref_f32) as OptStepKernel,
});

function random(rows: number, cols: number, dtype: DType, seed: number): Matrix {
  const m = Matrix.zeros(rows, cols, dtype);
  new Rng(seed).fillNormal(m.data);
  return m;
}

for (const dtype of ["f64", "f32"] as const) {
  const tol = dtype === "f64" ? 1e-13 : 1e-5;
  Deno.test(`opt_step ${dtype}: SIMD = reference = definition, all modes`, () => {
    const { step, stepRef } = kernels(dtype);
    const [lambda, lr, mu] = [0.3, 0.1, 0.9];
    for (const len of [1, 2, 3, 5, 17, 63, 64, 65]) {
      for (const mode of [0, 1, 2, 3]) {
        const param = random(1, len, dtype, len);
        const grad = random(1, len, dtype, len + 1000);
        const velocity = random(1, len, dtype, len + 2000);
        const [p0, g0, v0] = [
          param.toFloat64Array(),
          grad.toFloat64Array(),
          velocity.toFloat64Array(),
        ];
        const paramRef = param.clone(), velocityRef = velocity.clone();
        const stats = Matrix.zeros(1, 2, "f64"), statsRef = Matrix.zeros(1, 2, "f64");
        step(len, param.ptr, grad.ptr, velocity.ptr, lambda, lr, mu, mode, stats.ptr);
        stepRef(len, paramRef.ptr, grad.ptr, velocityRef.ptr, lambda, lr, mu, mode, statsRef.ptr);
        let gsq = 0, psq = 0;
        for (let i = 0; i < len; i++) {
          const g = g0[i] + lambda * p0[i];
          gsq += g * g;
          psq += p0[i] * p0[i];
          const v = mu * v0[i] + g;
          const expected = [p0[i], p0[i] - lr * g, p0[i] - lr * v, p0[i] - lr * (g + mu * v)][mode];
          assert.ok(Math.abs(param.data[i] - expected) <= tol * 10, `mode ${mode} p[${i}]`);
          assert.ok(Math.abs(paramRef.data[i] - expected) <= tol * 10);
          if (mode >= 2) assert.ok(Math.abs(velocity.data[i] - v) <= tol * 10);
        }
        for (const s of [stats, statsRef]) {
          assert.ok(Math.abs(s.data[0] - gsq) <= tol * gsq, `‖g‖² ${s.data[0]} vs ${gsq}`);
          assert.ok(Math.abs(s.data[1] - psq) <= tol * psq);
        }
      }
    }
  });
}
