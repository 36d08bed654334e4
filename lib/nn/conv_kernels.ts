/**
 * Typed wrappers of the convolution kernels (core-as/assembly/conv.ts): im2col and its adjoint
 * for 3×3 convolutions with zero padding 1, and 2×2 max pooling forward and backward. Feature
 * maps are channel-major: C channels over B images of H×W pixels are a C × (B·H·W) matrix, one
 * row per channel (see {@link FeatureMap}); a batch of one-channel images stored as B rows of H·W
 * pixels is already in that layout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { im2col3x3, maxPool2x2 } from "./conv_kernels.ts";
 * const image = Matrix.from(1, 4, [1, 2, 3, 4], "f64"); // one 2×2 image, one channel
 * const map = { channels: 1, batch: 1, height: 2, width: 2 };
 * const cols = Matrix.zeros(9, 4, "f64");
 * im2col3x3(image, map, cols);
 * assert.deepEqual(Array.from(cols.data.subarray(4 * 4, 5 * 4)), [1, 2, 3, 4]); // centre tap
 * const pooled = Matrix.zeros(1, 1, "f64");
 * maxPool2x2(image, map, pooled, "channel-major");
 * assert.equal(pooled.data[0], 4);
 * ```
 * @module
 */
import { coreKernel } from "../core/wasm.ts";
import type { Matrix } from "../matrix.ts";
import type { NnKernel } from "./kernels.ts";

/** Shape of a channel-major feature map (C × (B·H·W)). */
export interface FeatureMap {
  /** Channels C. */
  channels: number;
  /** Images B. */
  batch: number;
  /** Rows H of each image. */
  height: number;
  /** Columns W of each image. */
  width: number;
}

/**
 * Where pooled values go: `channel-major` (C × (B·H2·W2), the input of the next block) or
 * `sample-major` (B × (C·H2·W2), the rows the dense head reads, flattened in c, y, x order).
 */
export type PoolLayout = "channel-major" | "sample-major";

type Im2colKernel = (
  input: number,
  channels: number,
  batch: number,
  height: number,
  width: number,
  output: number,
) => void;
type MaxPoolKernel = (
  input: number,
  channels: number,
  batch: number,
  height: number,
  width: number,
  out: number,
  strideC: number,
  strideB: number,
) => void;
type MaxPoolBackwardKernel = (
  input: number,
  pooled: number,
  gradOut: number,
  channels: number,
  batch: number,
  height: number,
  width: number,
  strideC: number,
  strideB: number,
  gradIn: number,
) => void;

function mapSize(map: FeatureMap): number {
  return map.channels * map.batch * map.height * map.width;
}

function check(m: Matrix, size: number, dtype: string, what: string): void {
  if (m.size !== size || m.dtype !== dtype) {
    throw new RangeError(`${what}: expected ${size} ${dtype} values, got ${m.size} ${m.dtype}`);
  }
}

/** Pooled size ⌊H/2⌋·⌊W/2⌋ per channel and image. */
export function pooledPlane(map: FeatureMap): number {
  return Math.floor(map.height / 2) * Math.floor(map.width / 2);
}

/** cols ((C·9) × (B·H·W)) ← im2col of `input` (a C × (B·H·W) map). */
export function im2col3x3(
  input: Matrix,
  map: FeatureMap,
  cols: Matrix,
  kernel: NnKernel = "simd",
): void {
  check(input, mapSize(map), input.dtype, "im2col input");
  check(cols, 9 * mapSize(map), input.dtype, "im2col cols");
  coreKernel<Im2colKernel>("im2col_3x3", input.dtype, kernel)(
    input.ptr,
    map.channels,
    map.batch,
    map.height,
    map.width,
    cols.ptr,
  );
}

/** grad (a C × (B·H·W) map) ← col2im of `cols`, the adjoint of {@link im2col3x3}. */
export function col2im3x3(
  cols: Matrix,
  map: FeatureMap,
  grad: Matrix,
  kernel: NnKernel = "simd",
): void {
  check(cols, 9 * mapSize(map), cols.dtype, "col2im cols");
  check(grad, mapSize(map), cols.dtype, "col2im grad");
  coreKernel<Im2colKernel>("col2im_3x3", cols.dtype, kernel)(
    cols.ptr,
    map.channels,
    map.batch,
    map.height,
    map.width,
    grad.ptr,
  );
}

function strides(map: FeatureMap, layout: PoolLayout): [number, number] {
  const plane = pooledPlane(map);
  return layout === "channel-major" ? [map.batch * plane, plane] : [plane, map.channels * plane];
}

/** out ← 2×2 max pooling of `input` (a C × (B·H·W) map), laid out as `layout`. */
export function maxPool2x2(
  input: Matrix,
  map: FeatureMap,
  out: Matrix,
  layout: PoolLayout,
  kernel: NnKernel = "simd",
): void {
  check(input, mapSize(map), input.dtype, "maxPool input");
  check(out, map.channels * map.batch * pooledPlane(map), input.dtype, "maxPool out");
  const [strideC, strideB] = strides(map, layout);
  coreKernel<MaxPoolKernel>("maxpool_2x2", input.dtype, kernel)(
    input.ptr,
    map.channels,
    map.batch,
    map.height,
    map.width,
    out.ptr,
    strideC,
    strideB,
  );
}

/**
 * gradIn (like `input`) ← ∂/∂input of the pooling given gradOut (like `pooled`): each window's
 * gradient goes to its first maximal input, zero elsewhere.
 */
export function maxPool2x2Backward(
  input: Matrix,
  pooled: Matrix,
  gradOut: Matrix,
  map: FeatureMap,
  layout: PoolLayout,
  gradIn: Matrix,
  kernel: NnKernel = "simd",
): void {
  const dtype = input.dtype;
  check(input, mapSize(map), dtype, "maxPool backward input");
  check(gradIn, mapSize(map), dtype, "maxPool backward gradIn");
  const pooledSize = map.channels * map.batch * pooledPlane(map);
  check(pooled, pooledSize, dtype, "maxPool backward pooled");
  check(gradOut, pooledSize, dtype, "maxPool backward gradOut");
  const [strideC, strideB] = strides(map, layout);
  coreKernel<MaxPoolBackwardKernel>("maxpool_2x2_backward", dtype, kernel)(
    input.ptr,
    pooled.ptr,
    gradOut.ptr,
    map.channels,
    map.batch,
    map.height,
    map.width,
    strideC,
    strideB,
    gradIn.ptr,
  );
}
