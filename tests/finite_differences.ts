/**
 * Test helper: backprop gradients against central finite differences, entry by entry, for the
 * network tests (f64 networks; step 1e-6).
 *
 * @example
 * ```ts
 * import { Matrix } from "../lib/matrix.ts";
 * import { checkGradients } from "./finite_differences.ts";
 * const x = Matrix.from(1, 2, [1, 2], "f64");
 * const objective = () => x.data[0] ** 2 + 3 * x.data[1];
 * checkGradients([x], objective, [Matrix.from(1, 2, [2, 3], "f64")], "x² + 3y");
 * ```
 * @module
 */
import assert from "node:assert/strict";
import type { Matrix } from "../lib/matrix.ts";

/**
 * Asserts |FD − backprop| / (floor + |FD|) < 2e-5 for every entry of every parameter and returns
 * the worst value. The floor defaults to 1e-4·max(1, |objective|): the rounding error of the
 * differences grows with the objective's size.
 */
export function checkGradients(
  params: readonly Matrix[],
  objective: () => number,
  analytic: readonly Matrix[],
  what: string,
  floor = 1e-4 * Math.max(1, Math.abs(objective())),
): number {
  const step = 1e-6;
  let worst = 0;
  params.forEach((param, p) => {
    for (let i = 0; i < param.size; i++) {
      const original = param.data[i];
      param.data[i] = original + step;
      const plus = objective();
      param.data[i] = original - step;
      const minus = objective();
      param.data[i] = original;
      const numeric = (plus - minus) / (2 * step);
      const error = Math.abs(numeric - analytic[p].data[i]) / (floor + Math.abs(numeric));
      worst = Math.max(worst, error);
      assert.ok(
        error < 2e-5,
        `${what}: parameter ${p} entry ${i}: backprop ${analytic[p].data[i]} vs FD ${numeric}`,
      );
    }
  });
  return worst;
}
