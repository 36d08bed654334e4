// ReLU kernels: SIMD = scalar reference = definition over odd sizes, both dtypes.
import assert from "node:assert/strict";
import { relu, reluBackward } from "../lib/activations.ts";
import { Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";

for (const dtype of ["f64", "f32"] as const) {
  Deno.test(`relu and its backward mask (${dtype}): SIMD = reference = definition`, () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 3, 4, 5, 17, 63, 64, 65]) {
      const x = Matrix.zeros(1, n, dtype);
      rng.fillNormal(x.data);
      if (n > 2) x.data[1] = 0; // the mask is strict: pre = 0 blocks the gradient
      for (const kernel of ["simd", "reference"] as const) {
        const out = Matrix.zeros(1, n, dtype);
        relu(x, out, kernel);
        const grad = Matrix.zeros(1, n, dtype);
        rng.fillNormal(grad.data);
        const before = grad.toFloat64Array();
        reluBackward(grad, x, kernel);
        for (let i = 0; i < n; i++) {
          assert.equal(out.data[i], Math.max(x.data[i], 0));
          assert.equal(grad.data[i], x.data[i] > 0 ? before[i] : 0);
        }
      }
    }
    assert.throws(() => relu(Matrix.zeros(1, 2, dtype), Matrix.zeros(1, 3, dtype)), /relu/);
  });
}
