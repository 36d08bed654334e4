/**
 * Unit vectors as a constraint: the rows or the columns of a matrix kept on the unit sphere
 * (tangent projection and retraction, SIMD kernels of core-as/assembly/sphere.ts). Used by the
 * spherical UFM (lib/ufm/models/sphere.ts) and to L2-normalize features (`metrics --normalize`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { unitVectors } from "./unit_vectors.ts";
 * const x = Matrix.from(2, 2, [3, 4, 0, 0]);
 * unitVectors("rows").retract(x);
 * const [[a, b], zeroRow] = x.toRows();
 * assert.ok(Math.abs(a - 0.6) < 1e-15 && Math.abs(b - 0.8) < 1e-15); // x · (1/‖x‖)
 * assert.deepEqual(zeroRow, [0, 0]); // a zero row stays zero
 * ```
 * @module
 */
import { coreKernel, type UnitNormalizeKernel, type UnitProjectKernel } from "./core/wasm.ts";
import type { KernelChoice } from "./losses.ts";
import type { Matrix } from "./matrix.ts";
import type { BlockConstraint } from "./optim/minimize.ts";

/**
 * Unit-length rows (`rows`) or columns (`columns`) of a matrix as a {@link BlockConstraint}:
 * tangent projection g ← g − ⟨g, x⟩x and retraction x ← x/‖x‖ per vector.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * const x = Matrix.from(2, 2, [3, 0, 0, 2]);
 * unitVectors("rows").retract(x);
 * assert.deepEqual(x.toRows(), [[1, 0], [0, 1]]);
 * ```
 */
export function unitVectors(
  along: "rows" | "columns",
  kernel: KernelChoice = "simd",
): BlockConstraint {
  const base = along === "rows" ? "unit_rows" : "unit_cols";
  return {
    tangent(point: Matrix, vector: Matrix): void {
      const run = coreKernel<UnitProjectKernel>(`${base}_project`, point.dtype, kernel);
      run(point.ptr, vector.ptr, point.rows, point.cols);
    },
    retract(point: Matrix): void {
      const run = coreKernel<UnitNormalizeKernel>(`${base}_normalize`, point.dtype, kernel);
      run(point.ptr, point.rows, point.cols);
    },
  };
}
