// SIMD transcendental functions of core-as/assembly/vmath.ts against the scalar reference
// (Math.log, Math.log1p, Math.pow in f64), with the accuracy bounds stated in vmath.ts. (exp:
// tests/losses_test.ts.)
import assert from "node:assert/strict";
import { core } from "../lib/core/wasm.ts";
import { Matrix } from "../lib/matrix.ts";

type Unary = (src: number, dst: number, n: number) => void;
type Binary = (x: number, y: number, dst: number, n: number) => void;

/** Inputs over the whole positive range of the type, dense around 1, and subnormals. */
function logInputs(dtype: "f64" | "f32"): number[] {
  const xs: number[] = [];
  const [lo, hi] = dtype === "f64" ? [-744, 709] : [-103, 88];
  for (let i = 0; i <= 40000; i++) xs.push(Math.exp(lo + ((hi - lo) * i) / 40000));
  for (let i = 1; i <= 5000; i++) xs.push(1 + i / 5000, 1 - i / 10000, 1 + i * 1e-12);
  for (let i = 1; i <= 100; i++) xs.push(dtype === "f64" ? 4.9e-324 * i * 997 : 1.4e-45 * i * 97);
  return dtype === "f32" ? xs.map(Math.fround).filter((x) => x > 0 && Number.isFinite(x)) : xs;
}

for (const dtype of ["f64", "f32"] as const) {
  // log: < 1 ulp, i.e. |error| ≤ eps·|log x| (eps = 2^-52, 2^-23); near x = 1 too.
  Deno.test(`SIMD log (${dtype}) vs Math.log: within 1 ulp over the whole range`, () => {
    const xs = logInputs(dtype);
    const x = Matrix.from(1, xs.length, xs, dtype);
    const y = Matrix.zeros(1, xs.length, dtype);
    (core[`vlog_${dtype}`] as Unary)(x.ptr, y.ptr, xs.length); // odd count: tail path too
    const eps = dtype === "f64" ? 2 ** -52 : 2 ** -23;
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const exact = Math.log(x.data[i]);
      const error = Math.abs(y.data[i] - exact) / Math.max(Math.abs(exact) * eps, 1e-300);
      worst = Math.max(worst, error);
    }
    assert.ok(worst <= 1.01, `worst error ${worst} eps·|log x|`);
  });

  Deno.test(`SIMD log (${dtype}): special values`, () => {
    const x = Matrix.from(1, 6, [0, -1, Infinity, NaN, -0, 1], dtype);
    const y = Matrix.zeros(1, 6, dtype);
    (core[`vlog_${dtype}`] as Unary)(x.ptr, y.ptr, 6);
    assert.deepEqual(Array.from(y.data), [-Infinity, NaN, Infinity, NaN, -Infinity, 0]);
  });

  // pow = exp(y·log x): relative error < (2 + |y·log x|)·eps (+ exp's own bound for f32).
  Deno.test(`SIMD pow (${dtype}) vs Math.pow for focal weights`, () => {
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i <= 400; i++) {
      for (const beta of [0, 0.5, 1, 2, 3, 5]) {
        xs.push(Math.exp(-40 * (i / 400)));
        ys.push(beta);
      }
    }
    xs.push(0, 0, 1e-20);
    ys.push(0, 2, 3);
    const x = Matrix.from(1, xs.length, xs, dtype), y = Matrix.from(1, ys.length, ys, dtype);
    const out = Matrix.zeros(1, xs.length, dtype);
    (core[`vpow_${dtype}`] as Binary)(x.ptr, y.ptr, out.ptr, xs.length);
    const eps = dtype === "f64" ? 2 ** -52 : 6e-7;
    // exp clamps its argument below at −87 (f32) / −708 (f64): smaller powers are not promised.
    const smallest = dtype === "f64" ? 4e-308 : 2e-38;
    for (let i = 0; i < xs.length; i++) {
      const [a, b] = [x.data[i], y.data[i]];
      const exact = Math.pow(a, b);
      if (exact !== 0 && exact < smallest) continue;
      const bound = (2 + Math.abs(b * Math.log(a || 1))) * eps * exact;
      assert.ok(Math.abs(out.data[i] - exact) <= bound, `${a}^${b}: ${out.data[i]} vs ${exact}`);
    }
  });
}

Deno.test("SIMD log1p (f64) vs Math.log1p, also where 1 + x rounds to 1", () => {
  const xs: number[] = [0];
  for (let e = -300; e <= 10; e += 0.25) xs.push(10 ** e);
  const x = Matrix.from(1, xs.length, xs), y = Matrix.zeros(1, xs.length);
  (core.vlog1p_f64 as Unary)(x.ptr, y.ptr, xs.length);
  for (let i = 0; i < xs.length; i++) {
    const exact = Math.log1p(xs[i]);
    assert.ok(Math.abs(y.data[i] - exact) <= 2.5 * 2 ** -53 * exact, `log1p(${xs[i]})`);
  }
});
