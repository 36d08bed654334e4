// lib/core/budget.ts: sizes past what the 32-bit WASM core can address are refused with one
// line naming the size — never "core aborted" or "RangeError: Start offset -…".
import assert from "node:assert/strict";
import {
  assertCoreFits,
  CORE_ADDRESS_LIMIT,
  CORE_BLOCK_LIMIT,
  coreAlloc,
  CoreMemoryError,
  formatBytes,
  matrixBytes,
} from "../lib/core/budget.ts";
import { core } from "../lib/core/wasm.ts";
import { UsageError } from "../lib/cli.ts";
import { Matrix } from "../lib/matrix.ts";

Deno.test("assertCoreFits: the total and the largest block, one line with size and advice", () => {
  assertCoreFits(2 ** 30, "a 1 GiB run", "unused", 2 ** 29);
  const total = () => assertCoreFits(3.5 * 2 ** 30, "metrics on 1e6×900 f32", "use shards");
  assert.throws(total, CoreMemoryError);
  assert.throws(total, UsageError); // exit code 2 in every script
  assert.throws(total, /^CoreMemoryError: metrics on 1e6×900 f32 needs 3\.50 GiB .*; use shards$/);
  assert.throws(
    () => assertCoreFits(1.5 * 2 ** 30, "H", "use f32", 1.2 * 2 ** 30),
    /one block of 1\.20 GiB/,
  );
  assert.throws(() => assertCoreFits(NaN, "NaN bytes", "fix the estimate"), CoreMemoryError);
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(5 * 2 ** 20), "5.00 MiB");
  assert.equal(matrixBytes(50000, 2048), 819200000);
});

Deno.test("Matrix: a block past 1 GiB is a CoreMemoryError naming the shape, not an abort", () => {
  // 40,000 × 30,000 f64 = 9.6 GB; the i32 product of the byte count would even wrap.
  assert.throws(() => Matrix.zeros(40000, 30000), (error: unknown) => {
    assert.ok(error instanceof CoreMemoryError);
    assert.match(error.message, /a 40000×30000 f64 matrix \(8\.94 GiB\).*at most 1 GiB/);
    return true;
  });
  assert.throws(() => coreAlloc(CORE_BLOCK_LIMIT + 1, "one byte too many"), /at most 1 GiB/);
});

Deno.test("coreAlloc: memory past 2 GiB is refused and released; addresses are never negative", () => {
  const size = 900 * 2 ** 20; // blocks are not touched: no resident memory is used
  const held: number[] = [];
  try {
    assert.throws(() => {
      for (let i = 0; i < 4; i++) {
        const ptr = coreAlloc(size, `block ${i}`);
        assert.ok(ptr > 0 && ptr + size <= CORE_ADDRESS_LIMIT);
        held.push(ptr);
      }
    }, /core memory would pass 2 GiB|out of memory/);
    assert.ok(held.length >= 1 && held.length <= 2);
  } finally {
    for (const ptr of held) core.free(ptr);
  }
  // The core still works after the refusal.
  const after = Matrix.from(2, 2, [1, 2, 3, 4]);
  assert.deepEqual(after.toRows(), [[1, 2], [3, 4]]);
  after.free();
});
