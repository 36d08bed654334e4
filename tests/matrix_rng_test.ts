// The Matrix type over WASM memory and the seeded RNG.
import assert from "node:assert/strict";
import { core } from "../lib/core/wasm.ts";
import { Matrix } from "../lib/matrix.ts";
import { Rng } from "../lib/rng.ts";

Deno.test("Matrix: views survive memory growth, clone copies across a growth", () => {
  const small = Matrix.from(2, 3, [1, 2, 3, 4, 5, 6]);
  const before = core.memory.buffer.byteLength;
  // 64 MiB more than the current memory certainly grows it.
  const big = Matrix.zeros(1, (before + 64 * 2 ** 20) / 8);
  assert.ok(core.memory.buffer.byteLength > before, "memory did not grow");
  assert.deepEqual(small.toRows(), [[1, 2, 3], [4, 5, 6]]);
  big.data[big.size - 1] = 7;
  const copy = big.clone(); // allocates another 64+ MiB while reading big's elements
  assert.equal(copy.data[copy.size - 1], 7);
  assert.equal(copy.get(0, 0), 0);
  big.free();
  copy.free();
  assert.deepEqual(small.clone("f32").toRows(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(small.transpose().toRows(), [[1, 4], [2, 5], [3, 6]]);
});

Deno.test("Matrix: shape errors and use after free are reported", () => {
  assert.throws(() => Matrix.from(2, 2, [1, 2, 3]), /expected 2×2 = 4 values, got 3/);
  assert.throws(() => Matrix.zeros(-1, 2), /non-negative integers/);
  const m = Matrix.zeros(1, 1);
  m.free();
  assert.throws(() => m.ptr, /after free/);
});

Deno.test("Rng: same seed, same stream; moments of uniform and normal", () => {
  const a = new Rng(123), b = new Rng(123), c = new Rng(124);
  const xs = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.uniform()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.uniform()));
  const rng = new Rng(7);
  const count = 200000;
  let mean = 0, sq = 0, umean = 0, inRange = true;
  for (let i = 0; i < count; i++) {
    const z = rng.normal();
    mean += z / count;
    sq += (z * z) / count;
    const u = rng.uniform();
    umean += u / count;
    inRange &&= u >= 0 && u < 1;
  }
  // Standard errors: 1/√N ≈ 0.0022 for the mean, √2/√N ≈ 0.0032 for E z².
  assert.ok(Math.abs(mean) < 0.012, `normal mean ${mean}`);
  assert.ok(Math.abs(sq - 1) < 0.016, `normal second moment ${sq}`);
  assert.ok(Math.abs(umean - 0.5) < 0.004, `uniform mean ${umean}`);
  assert.ok(inRange);
  assert.throws(() => new Rng(1.5), /seed must be an integer/);
});
