/**
 * What follows the matrix product in every hidden layer, dense or convolutional: bias, batch
 * normalization and ReLU, forward and backward, on a pre-activation matrix with one feature (or
 * channel) per row and the batch (and pixel positions) along the columns. Dense layers (mlp.ts)
 * and convolution blocks (cnn.ts) share it, so there is one implementation of the layer tail.
 *
 * Batch normalization is PyTorch's (`BatchNorm1d` on d×B; on C×(B·H·W) it is exactly
 * `BatchNorm2d`, whose statistics run over batch and positions): per-row batch mean and biased
 * variance, ε = 1e-5, affine γ, β; running averages with momentum 0.1 and the unbiased variance,
 * used in evaluation mode. Backward: ∂β = Σ_j dy_j, ∂γ = Σ_j dy_j x̂_j,
 * dz_j = (γ/σ)(dy_j − ∂β/B − x̂_j ∂γ/B).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DType, Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
 * import { tailForward } from "./norm_relu.ts";
 * const z = Matrix.from(1, 2, [-1, 2], "f64");
 * tailForward(z, { bias: Matrix.from(1, 1, [0.5], "f64"), norm: null, relu: true }, false, null);
 * assert.deepEqual(Array.from(z.data), [0, 2.5]);
 * ```
 * @module
 */
import { type DType, Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { biasAct, maskRowSums, type NnKernel } from "./kernels.ts";

/** PyTorch BatchNorm state of one layer. */
export interface BatchNormState {
  /** Scale γ (d×1), a parameter. */
  gamma: Matrix;
  /** Shift β (d×1), a parameter. */
  beta: Matrix;
  /** Running mean (evaluation mode). */
  runningMean: Float64Array;
  /** Running unbiased variance (evaluation mode). */
  runningVar: Float64Array;
}

/** The parts of a layer after its product. */
export interface LayerTail {
  /** b (d×1), or null. */
  bias: Matrix | null;
  /** Batch normalization, or null. */
  norm: BatchNormState | null;
  /** ReLU at the end. */
  relu: boolean;
}

/** Training-mode buffers of a BN layer: x̂ (like z) and 1/√(σ² + ε) per row. */
export interface BatchNormCache {
  normalized: Matrix;
  invStd: Float64Array;
}

/** Gradient buffers of a tail's parameters (null where the layer has none). */
export interface TailGradients {
  bias: Matrix | null;
  gamma: Matrix | null;
  beta: Matrix | null;
}

/** A layer with a weight matrix before its tail: a dense layer or a conv block. */
export interface WeightedLayer extends LayerTail {
  /** W (out × in). */
  weight: Matrix;
}

/**
 * A layer of `out` units on `fanIn` inputs with PyTorch's default initialization (`nn.Linear`,
 * `nn.Conv2d`: kaiming_uniform with a = √5): W, then b, uniform in ±1/√fan_in, drawn from `rng`
 * in that order; BN γ = 1, β = 0, running mean 0 and variance 1.
 */
export function initLayer(
  out: number,
  fanIn: number,
  options: { bias: boolean; batchNorm: boolean; relu: boolean; dtype: DType },
  rng: Rng,
): WeightedLayer {
  const bound = 1 / Math.sqrt(fanIn);
  const uniform = (count: number) =>
    Array.from({ length: count }, () => bound * (2 * rng.uniform() - 1));
  const { dtype } = options;
  const weight = Matrix.from(out, fanIn, uniform(out * fanIn), dtype);
  const bias = options.bias ? Matrix.from(out, 1, uniform(out), dtype) : null;
  const norm = options.batchNorm
    ? {
      gamma: Matrix.from(out, 1, new Array(out).fill(1), dtype),
      beta: Matrix.zeros(out, 1, dtype),
      runningMean: new Float64Array(out),
      runningVar: new Float64Array(out).fill(1),
    }
    : null;
  return { weight, bias, norm, relu: options.relu };
}

/** Gradient buffers of a weighted layer, in the order of {@link layerParameters}. */
export type LayerGradients = TailGradients & { weight: Matrix };

/** The parameters of `layers` in a fixed order: per layer W, b (if any), γ and β (if BN). */
export function layerParameters(layers: readonly WeightedLayer[]): Matrix[] {
  return layers.flatMap((layer) => [
    layer.weight,
    ...(layer.bias ? [layer.bias] : []),
    ...(layer.norm ? [layer.norm.gamma, layer.norm.beta] : []),
  ]);
}

/**
 * The gradient buffers of each layer, read from `grads` (ordered as {@link layerParameters});
 * throws if `grads` holds another number of buffers.
 */
export function layerGradients(
  layers: readonly WeightedLayer[],
  grads: readonly Matrix[],
): LayerGradients[] {
  let index = 0;
  const slots = layers.map((layer) => ({
    weight: grads[index++],
    bias: layer.bias ? grads[index++] : null,
    gamma: layer.norm ? grads[index++] : null,
    beta: layer.norm ? grads[index++] : null,
  }));
  if (index !== grads.length) {
    throw new RangeError(`${grads.length} gradient buffers for ${index} parameters`);
  }
  return slots;
}

/** Zero matrices shaped like `params` (gradient or velocity buffers). */
export function zerosLike(params: readonly Matrix[]): Matrix[] {
  return params.map((p) => Matrix.zeros(p.rows, p.cols, p.dtype));
}

/** PyTorch BatchNorm defaults. */
const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

/**
 * In place on the product z: bias, then BN (batch statistics saved in `cache` and running
 * averages updated if `training`, else the running averages), then ReLU. Without BN, bias and
 * ReLU are one fused pass. `addBias: false` leaves a BN-free layer's bias out (the loss kernels
 * add the classifier bias themselves).
 */
export function tailForward(
  z: Matrix,
  tail: LayerTail,
  training: boolean,
  cache: BatchNormCache | null,
  kernel: NnKernel = "simd",
  addBias = true,
): void {
  if (tail.norm) {
    if (tail.bias) biasAct(z, tail.bias, false, kernel);
    if (training) batchNormTrain(z, tail.norm, cache!);
    else batchNormEval(z, tail.norm);
    if (tail.relu) biasAct(z, null, true, kernel);
  } else if (tail.relu) biasAct(z, tail.bias, true, kernel);
  else if (addBias && tail.bias) biasAct(z, tail.bias, false, kernel);
}

/**
 * In place on grad = ∂L/∂(tail output) of a hidden layer (ReLU): grad ← ∂L/∂z, where `post` is
 * the tail's output (positive exactly where the ReLU passed); writes the bias, γ and β gradients.
 */
export function tailBackward(
  grad: Matrix,
  post: Matrix,
  tail: LayerTail,
  cache: BatchNormCache | null,
  slot: TailGradients,
  kernel: NnKernel = "simd",
): void {
  if (tail.norm) {
    maskRowSums(grad, post, slot.beta, kernel); // ∂β = Σ_j dy_j
    batchNormBackward(grad, tail.norm, cache!, slot);
    if (slot.bias) maskRowSums(grad, null, slot.bias, kernel);
  } else {
    maskRowSums(grad, post, slot.bias, kernel);
  }
}

/**
 * Training-mode BN in place on z (d×n): batch mean and biased variance per row, x̂ saved,
 * z ← γx̂ + β; running averages updated (unbiased variance), as torch.nn.BatchNorm1d/2d.
 */
function batchNormTrain(z: Matrix, norm: BatchNormState, cache: BatchNormCache): void {
  const { rows, cols } = z;
  const values = z.data;
  const xhat = cache.normalized.data;
  const invStd = cache.invStd;
  const gamma = norm.gamma.data;
  const beta = norm.beta.data;
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += values[row + j];
    mean /= cols;
    let variance = 0;
    for (let j = 0; j < cols; j++) variance += (values[row + j] - mean) ** 2;
    variance /= cols;
    const inv = 1 / Math.sqrt(variance + BN_EPS);
    invStd[i] = inv;
    for (let j = 0; j < cols; j++) {
      const x = (values[row + j] - mean) * inv;
      xhat[row + j] = x;
      values[row + j] = gamma[i] * x + beta[i];
    }
    const unbiased = cols > 1 ? variance * cols / (cols - 1) : variance;
    norm.runningMean[i] = (1 - BN_MOMENTUM) * norm.runningMean[i] + BN_MOMENTUM * mean;
    norm.runningVar[i] = (1 - BN_MOMENTUM) * norm.runningVar[i] + BN_MOMENTUM * unbiased;
  }
}

/** Evaluation-mode BN in place: z ← γ(z − running mean)/√(running var + ε) + β. */
function batchNormEval(z: Matrix, norm: BatchNormState): void {
  const { rows, cols } = z;
  const values = z.data;
  const gamma = norm.gamma.data;
  const beta = norm.beta.data;
  for (let i = 0; i < rows; i++) {
    const scale = gamma[i] / Math.sqrt(norm.runningVar[i] + BN_EPS);
    const shift = beta[i] - scale * norm.runningMean[i];
    const row = i * cols;
    for (let j = 0; j < cols; j++) values[row + j] = scale * values[row + j] + shift;
  }
}

/**
 * BN backward in place: on entry g = dy (already masked by the ReLU) and slot.beta = Σ_j dy_j;
 * writes slot.gamma = Σ_j dy_j x̂_j and g ← dz = (γ/σ)(dy − ∂β/n − x̂ ∂γ/n).
 */
function batchNormBackward(
  g: Matrix,
  norm: BatchNormState,
  cache: BatchNormCache,
  slot: TailGradients,
): void {
  const { rows, cols } = g;
  const dy = g.data;
  const xhat = cache.normalized.data;
  const invStd = cache.invStd;
  const gamma = norm.gamma.data;
  const dGamma = slot.gamma!.data;
  const dBeta = slot.beta!.data;
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    let sumDyX = 0;
    for (let j = 0; j < cols; j++) sumDyX += dy[row + j] * xhat[row + j];
    dGamma[i] = sumDyX;
    const meanDy = dBeta[i] / cols;
    const meanDyX = sumDyX / cols;
    const factor = gamma[i] * invStd[i];
    for (let j = 0; j < cols; j++) {
      dy[row + j] = factor * (dy[row + j] - meanDy - xhat[row + j] * meanDyX);
    }
  }
}
