/**
 * Element types of the array files ufmlab reads (.npy, .npz members, .safetensors tensors) and
 * their decoding into f64: float16, bfloat16, float32/64, (u)int8–64 and bool, little-endian.
 * Every accepted type converts exactly (64-bit integers beyond ±(2⁵³−1) are rejected by the
 * caller's `fail`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeElements } from "./elements.ts";
 * const half = new Uint8Array([0x00, 0x3c, 0x00, 0xc0]); // float16 1, −2
 * const out = new Float64Array(2);
 * decodeElements(half, "f2", out, 0, 2, (problem) => {
 *   throw new Error(problem);
 * });
 * assert.deepEqual(Array.from(out), [1, -2]);
 * ```
 * @module
 */

/** Element types (numpy `descr` without the byte order; `bf16` from safetensors). */
export type ElementType =
  | "f2"
  | "bf16"
  | "f4"
  | "f8"
  | "i1"
  | "i2"
  | "i4"
  | "i8"
  | "u1"
  | "u2"
  | "u4"
  | "u8"
  | "b1";

/** Bytes per element. */
export const ITEM_SIZE: Readonly<Record<ElementType, number>> = {
  f2: 2,
  bf16: 2,
  f4: 4,
  f8: 8,
  i1: 1,
  i2: 2,
  i4: 4,
  i8: 8,
  u1: 1,
  u2: 2,
  u4: 4,
  u8: 8,
  b1: 1,
};

/** Human-readable name of an element type for messages ("float32", "bool", …). */
export const TYPE_NAMES: Readonly<Record<ElementType, string>> = {
  f2: "float16",
  bf16: "bfloat16",
  f4: "float32",
  f8: "float64",
  i1: "int8",
  i2: "int16",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  u2: "uint16",
  u4: "uint32",
  u8: "uint64",
  b1: "bool",
};

/** Whether an element type is a floating-point type. */
export function isFloat(dtype: ElementType): boolean {
  return dtype === "f2" || dtype === "bf16" || dtype === "f4" || dtype === "f8";
}

let halfTable: Float32Array | null = null;

/** All 65,536 float16 values as f32 (IEEE 754 binary16: subnormals, ±Inf and NaN included). */
function halfFloats(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    table[bits] = exponent === 0
      ? sign * fraction * 2 ** -24
      : exponent === 31
      ? (fraction === 0 ? sign * Infinity : NaN)
      : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  halfTable = table;
  return table;
}

/**
 * Decodes `count` little-endian elements of `dtype` from `bytes` (starting at byte 0) into
 * `out[offset …]` as f64. Integer types convert exactly; a 64-bit integer beyond ±(2⁵³−1)
 * calls `fail` with its index (`indexBase` + position in this chunk) and value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bytes = new Uint8Array(new Int16Array([-5, 7]).buffer);
 * const out = new Float64Array(3);
 * decodeElements(bytes, "i2", out, 1, 2, () => {});
 * assert.deepEqual(Array.from(out), [0, -5, 7]);
 * ```
 */
export function decodeElements(
  bytes: Uint8Array,
  dtype: ElementType,
  out: Float64Array,
  offset: number,
  count: number,
  fail: (problem: string) => never | void,
  indexBase = 0,
): void {
  const size = ITEM_SIZE[dtype];
  if (bytes.length < count * size) {
    throw new RangeError(`decodeElements: ${count} ${dtype} need ${count * size} bytes`);
  }
  // Typed views need an aligned start; copy the (rare) unaligned slice once.
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice(0, count * size);
  const { buffer, byteOffset } = aligned;
  const target = out.subarray(offset, offset + count);
  switch (dtype) {
    case "f8":
      target.set(new Float64Array(buffer, byteOffset, count));
      return;
    case "f4":
      target.set(new Float32Array(buffer, byteOffset, count));
      return;
    case "f2": {
      const table = halfFloats();
      const half = new Uint16Array(buffer, byteOffset, count);
      for (let i = 0; i < count; i++) target[i] = table[half[i]];
      return;
    }
    case "bf16": {
      // bfloat16 is the upper half of a float32.
      const half = new Uint16Array(buffer, byteOffset, count);
      const word = new Uint32Array(1);
      const float = new Float32Array(word.buffer);
      for (let i = 0; i < count; i++) {
        word[0] = half[i] << 16;
        target[i] = float[0];
      }
      return;
    }
    case "i1":
      target.set(new Int8Array(buffer, byteOffset, count));
      return;
    case "u1":
    case "b1":
      target.set(new Uint8Array(buffer, byteOffset, count));
      return;
    case "i2":
      target.set(new Int16Array(buffer, byteOffset, count));
      return;
    case "u2":
      target.set(new Uint16Array(buffer, byteOffset, count));
      return;
    case "i4":
      target.set(new Int32Array(buffer, byteOffset, count));
      return;
    case "u4":
      target.set(new Uint32Array(buffer, byteOffset, count));
      return;
    case "i8":
    case "u8": {
      const wide = dtype === "i8"
        ? new BigInt64Array(buffer, byteOffset, count)
        : new BigUint64Array(buffer, byteOffset, count);
      const limit = BigInt(Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < count; i++) {
        const value = wide[i];
        if (value > limit || value < -limit) {
          fail(
            `element ${indexBase + i} = ${value} is beyond the exactly representable range ` +
              `±(2^53−1)`,
          );
        }
        target[i] = Number(value);
      }
      return;
    }
  }
}
