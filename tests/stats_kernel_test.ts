// Class-statistics kernels (core-as/assembly/stats.ts): the SIMD versions against the scalar
// references, and the references against plain TypeScript definitions, over odd sizes and the
// three stride patterns (samples as rows, samples as columns, general strides).
import assert from "node:assert/strict";
import { core } from "../lib/core/wasm.ts";
import { Rng } from "../lib/rng.ts";

type Layout = "rows" | "columns" | "strided";

/** Strided storage of an N×d feature array x[i][j] in core memory. */
interface Stored {
  ptr: number;
  rowStride: number;
  colStride: number;
  free: () => void;
}

function store(x: number[][], n: number, d: number, layout: Layout): Stored {
  // rows: N×d row-major; columns: d×N row-major; strided: every element 2 apart, rows padded.
  const [rowStride, colStride, size] = layout === "rows"
    ? [d, 1, n * d]
    : layout === "columns"
    ? [1, n, n * d]
    : [2 * d + 1, 2, n * (2 * d + 1)];
  const ptr = core.alloc(Math.max(16, size * 8));
  const view = new Float64Array(core.memory.buffer, ptr, size);
  view.fill(NaN); // padding must never be read
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) view[i * rowStride + j * colStride] = x[i][j];
  }
  return { ptr, rowStride, colStride, free: () => core.free(ptr) };
}

function allocF64(count: number): number {
  return core.alloc(Math.max(16, count * 8));
}

function readF64(ptr: number, count: number): Float64Array {
  return new Float64Array(core.memory.buffer, ptr, count).slice();
}

function readI32(ptr: number, count: number): Int32Array {
  return new Int32Array(core.memory.buffer, ptr, count).slice();
}

function writeI32(values: ArrayLike<number>): number {
  const ptr = core.alloc(Math.max(16, values.length * 4));
  new Int32Array(core.memory.buffer, ptr, values.length).set(values);
  return ptr;
}

function writeF64(values: ArrayLike<number>): number {
  const ptr = allocF64(values.length);
  new Float64Array(core.memory.buffer, ptr, values.length).set(values);
  return ptr;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = 1e-13 * Math.max(1, Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

const sizes = [1, 3, 17, 63];
const layouts: Layout[] = ["rows", "columns", "strided"];

/** Random features and labels; `sorted` gives class-major labels (long runs). */
function dataset(n: number, d: number, classes: number, sorted: boolean, seed: number) {
  const rng = new Rng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: d }, () => 3 * rng.normal() + 1));
  const labels = Array.from({ length: n }, () => rng.int(classes));
  if (sorted) labels.sort((a, b) => a - b);
  return { x, labels };
}

for (const layout of layouts) {
  Deno.test(`class_sums_f64 (${layout}): SIMD = reference = definition`, () => {
    for (const n of sizes) {
      for (const d of sizes) {
        for (const sorted of [false, true]) {
          const classes = 4;
          const { x, labels } = dataset(n, d, classes, sorted, 1000 * n + d);
          const stored = store(x, n, d, layout);
          const labelsPtr = writeI32(labels);
          const expectedSums = new Float64Array(classes * d);
          const expectedCounts = new Int32Array(classes);
          for (let i = 0; i < n; i++) {
            expectedCounts[labels[i]]++;
            for (let j = 0; j < d; j++) expectedSums[labels[i] * d + j] += x[i][j];
          }
          for (const kernel of [core.class_sums_f64, core.class_sums_ref_f64]) {
            const sums = writeF64(new Float64Array(classes * d).fill(123)); // must be overwritten
            const counts = writeI32(new Int32Array(classes).fill(7));
            kernel(
              stored.ptr,
              n,
              d,
              stored.rowStride,
              stored.colStride,
              labelsPtr,
              classes,
              sums,
              counts,
            );
            const what = `n=${n} d=${d} sorted=${sorted}`;
            assertClose(readF64(sums, classes * d), expectedSums, `${what} sums`);
            assert.deepEqual(readI32(counts, classes), expectedCounts, `${what} counts`);
            core.free(sums);
            core.free(counts);
          }
          core.free(labelsPtr);
          stored.free();
        }
      }
    }
  });

  Deno.test(`center_by_class_f64 (${layout}): SIMD = reference = definition`, () => {
    for (const n of sizes) {
      for (const d of sizes) {
        const classes = 3;
        const { x, labels } = dataset(n, d, classes, n % 2 === 1, 7 * n + d);
        const rng = new Rng(n + 31 * d);
        const means = Array.from({ length: classes * d }, () => rng.normal());
        const stored = store(x, n, d, layout);
        const labelsPtr = writeI32(labels);
        const meansPtr = writeF64(means);
        const expected = new Float64Array(n * d);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < d; j++) expected[i * d + j] = x[i][j] - means[labels[i] * d + j];
        }
        for (const kernel of [core.center_by_class_f64, core.center_by_class_ref_f64]) {
          const out = allocF64(n * d);
          kernel(stored.ptr, n, d, stored.rowStride, stored.colStride, labelsPtr, meansPtr, out);
          // A difference of two doubles is exact-rounded: every path must agree bit for bit.
          assert.deepEqual(readF64(out, n * d), expected, `n=${n} d=${d}`);
          core.free(out);
        }
        core.free(labelsPtr);
        core.free(meansPtr);
        stored.free();
      }
    }
  });

  Deno.test(`class_sq_dev_f64 (${layout}): SIMD = reference = definition`, () => {
    for (const n of sizes) {
      for (const d of sizes) {
        for (const sorted of [false, true]) {
          const classes = 5;
          const { x, labels } = dataset(n, d, classes, sorted, 3 * n + 11 * d);
          const rng = new Rng(d * 97 + n);
          const means = Array.from({ length: classes * d }, () => rng.normal());
          const stored = store(x, n, d, layout);
          const labelsPtr = writeI32(labels);
          const meansPtr = writeF64(means);
          const expected = new Float64Array(classes);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < d; j++) {
              expected[labels[i]] += (x[i][j] - means[labels[i] * d + j]) ** 2;
            }
          }
          for (const kernel of [core.class_sq_dev_f64, core.class_sq_dev_ref_f64]) {
            const out = writeF64(new Float64Array(classes).fill(-1)); // must be overwritten
            kernel(
              stored.ptr,
              n,
              d,
              stored.rowStride,
              stored.colStride,
              labelsPtr,
              classes,
              meansPtr,
              out,
            );
            assertClose(readF64(out, classes), expected, `n=${n} d=${d} sorted=${sorted}`);
            core.free(out);
          }
          core.free(labelsPtr);
          core.free(meansPtr);
          stored.free();
        }
      }
    }
  });
}

Deno.test("stats kernels: the two fast layouts give the same sums for one data set", () => {
  // Same features stored N×d and d×N: the row path and the run path must agree (1e-13).
  const n = 257;
  const d = 33;
  const classes = 6;
  const { x, labels } = dataset(n, d, classes, true, 99);
  const rows = store(x, n, d, "rows");
  const columns = store(x, n, d, "columns");
  const labelsPtr = writeI32(labels);
  const results = [rows, columns].map((stored) => {
    const sums = allocF64(classes * d);
    const counts = writeI32(new Int32Array(classes));
    core.class_sums_f64(
      stored.ptr,
      n,
      d,
      stored.rowStride,
      stored.colStride,
      labelsPtr,
      classes,
      sums,
      counts,
    );
    const out = readF64(sums, classes * d);
    core.free(sums);
    core.free(counts);
    return out;
  });
  assertClose(results[1], results[0], "columns vs rows");
  core.free(labelsPtr);
  rows.free();
  columns.free();
});
