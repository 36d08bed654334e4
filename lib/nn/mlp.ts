/**
 * A multilayer perceptron of dense layers (optional bias, optional batch normalization) with
 * ReLU between them, forward and backward on the WASM kernels: matrix products by `gemm`, bias
 * + ReLU and the ReLU mask + bias gradient by the fused kernels of core-as/assembly/nn.ts, the
 * loss by the fused loss kernels (lib/losses.ts). Features are columns throughout:
 *
 *   A₀ = Xᵀ (inputs, d₀×B),  Z_l = W_l A_l + b_l 1ᵀ,  A_{l+1} = σ(BN(Z_l)),  logits = Z_L,
 *
 * with W_l ∈ R^{d_{l+1}×d_l}, σ = ReLU on every hidden layer and none on the logits; BN (if
 * enabled) is PyTorch's `BatchNorm1d` (per-feature batch mean and biased variance, ε = 1e-5,
 * affine γ, β; running averages with momentum 0.1 and the unbiased variance, used in
 * evaluation mode) between the product and the ReLU, as in the MLPs of tding1/Neural-Collapse.
 * The inputs are stored with samples as rows (B×d₀, like a data set on disk); the first product
 * reads them transposed, which costs nothing (gemm packs either stride).
 *
 * Backward (G = ∂L/∂Z of the batch objective): ∂W_l = G_l A_lᵀ, ∂b_l = G_l 1,
 * ∂A_l = W_lᵀ G_l, then through the ReLU (mask [A_l > 0]: the ReLU output is positive exactly
 * where its input is, so pre-activations need not be kept) and the BN:
 * ∂β = Σ_j dy_j, ∂γ = Σ_j dy_j x̂_j, dz_j = (γ/σ)(dy_j − ∂β/B − x̂_j ∂γ/B).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntVector, Matrix } from "../matrix.ts";
 * import { makeLoss } from "../losses.ts";
 * import { Rng } from "../rng.ts";
 * import { Mlp } from "./mlp.ts";
 * const net = new Mlp({ inputDim: 4, hidden: [8, 8], classes: 3 }, new Rng(1));
 * const inputs = Matrix.from(2, 4, [1, 0, 0, 1, 0, 1, 1, 0], "f32"); // two samples as rows
 * const grads = net.zerosLikeParameters();
 * const { lossSum } = net.lossAndGradient(inputs, IntVector.from([0, 2]), makeLoss({ name: "ce" }),
 *   grads, 1 / 2);
 * assert.ok(lossSum / 2 > 0 && Number.isFinite(lossSum)); // mean CE of the batch
 * assert.ok(grads.some((grad) => grad.toRows().flat().some((g) => g !== 0))); // and its gradient
 * ```
 * @module
 */
import { gemm } from "../gemm.ts";
import type { Loss } from "../losses.ts";
import { type DType, type IntVector, Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { biasAct, maskRowSums, type NnKernel, scaleInPlace } from "./kernels.ts";

/** Architecture of an {@link Mlp}. */
export interface MlpSpec {
  /** Input dimension d₀ (784 for MNIST). */
  inputDim: number;
  /** Widths of the hidden FC + ReLU layers, input side first (may be empty: a linear model). */
  hidden: readonly number[];
  /** Number of classes K (rows of the logits). */
  classes: number;
  /** Biases on the hidden layers: one flag for all, or one per hidden layer (default true). */
  hiddenBias?: boolean | readonly boolean[];
  /** Bias of the last (classifier) layer (default true). */
  outputBias?: boolean;
  /** Batch normalization before every hidden ReLU (default false). */
  batchNorm?: boolean;
  /** Element type of parameters and activations (default f32). */
  dtype?: DType;
}

/** PyTorch `BatchNorm1d` state of one layer. */
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

/** One dense layer: Z = W A + b 1ᵀ, then BN and ReLU if enabled. */
export interface DenseLayer {
  /** W, out×in. */
  weight: Matrix;
  /** b, out×1, or null without a bias. */
  bias: Matrix | null;
  /** Batch normalization (hidden layers with `batchNorm`), else null. */
  norm: BatchNormState | null;
  /** ReLU after this layer (every layer but the classifier). */
  relu: boolean;
}

/** Buffers of one batch size: activations, logits and their gradients. */
export interface MlpWorkspace {
  /** Batch size B (columns of every buffer). */
  batch: number;
  /** Hidden-layer outputs A₁…A_L (d_l×B), post-ReLU. */
  activations: Matrix[];
  /** Logits K×B (overwritten by ∂L/∂Z in {@link Mlp.lossAndGradient}). */
  logits: Matrix;
  /** Gradients with respect to the hidden layers' outputs / pre-activations (d_l×B). */
  gradients: Matrix[];
  /** Normalized pre-activations x̂ of BN layers (training mode), else null. */
  normalized: (Matrix | null)[];
  /** 1/√(σ² + ε) per feature of BN layers (training mode), else null. */
  invStd: (Float64Array | null)[];
}

/** Result of {@link Mlp.lossAndGradient}. */
export interface BatchResult {
  /** Σ over the batch of the per-sample loss (unscaled). */
  lossSum: number;
  /** Samples whose argmax logit is their label (before the update). */
  correct: number;
}

/** PyTorch BatchNorm1d defaults. */
const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

function checkWidth(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`mlp: ${what} must be an integer ≥ 1, got ${value}`);
  }
}

/** Dense ReLU network; see the module notes for the conventions. */
export class Mlp {
  /** The architecture with defaults filled in (`hiddenBias` one flag per hidden layer). */
  readonly spec: Required<MlpSpec> & { hiddenBias: boolean[] };
  /** Layers, input side first; the last one is the classifier (no ReLU). */
  readonly layers: DenseLayer[];
  /** SIMD kernels or the scalar references (gemm and the dense-layer kernels). */
  readonly kernel: NnKernel;
  #workspaces = new Map<number, MlpWorkspace>();

  /**
   * A network with PyTorch's default initialization: `nn.Linear` W and b uniform in ±1/√fan_in
   * (kaiming_uniform with a = √5), drawn from `rng` layer by layer; BN γ = 1, β = 0, running
   * mean 0 and variance 1.
   */
  constructor(spec: MlpSpec, rng: Rng, kernel: NnKernel = "simd") {
    this.spec = {
      inputDim: spec.inputDim,
      hidden: [...spec.hidden],
      classes: spec.classes,
      hiddenBias: typeof spec.hiddenBias === "object"
        ? [...spec.hiddenBias]
        : spec.hidden.map(() => (spec.hiddenBias as boolean | undefined) ?? true),
      outputBias: spec.outputBias ?? true,
      batchNorm: spec.batchNorm ?? false,
      dtype: spec.dtype ?? "f32",
    };
    this.kernel = kernel;
    checkWidth(spec.inputDim, "inputDim");
    checkWidth(spec.classes, "classes");
    spec.hidden.forEach((width, l) => checkWidth(width, `hidden[${l}]`));
    if (this.spec.hiddenBias.length !== spec.hidden.length) {
      throw new RangeError(
        `mlp: ${this.spec.hiddenBias.length} hidden-bias flags for ${spec.hidden.length} layers`,
      );
    }
    const dims = [spec.inputDim, ...spec.hidden, spec.classes];
    const { dtype } = this.spec;
    this.layers = [];
    for (let l = 0; l + 1 < dims.length; l++) {
      const fanIn = dims[l];
      const out = dims[l + 1];
      const last = l + 2 === dims.length;
      const bound = 1 / Math.sqrt(fanIn);
      const uniform = (count: number) =>
        Array.from({ length: count }, () => bound * (2 * rng.uniform() - 1));
      const weight = Matrix.from(out, fanIn, uniform(out * fanIn), dtype);
      const hasBias = last ? this.spec.outputBias : this.spec.hiddenBias[l];
      const bias = hasBias ? Matrix.from(out, 1, uniform(out), dtype) : null;
      const norm = !last && this.spec.batchNorm
        ? {
          gamma: Matrix.from(out, 1, new Array(out).fill(1), dtype),
          beta: Matrix.zeros(out, 1, dtype),
          runningMean: new Float64Array(out),
          runningVar: new Float64Array(out).fill(1),
        }
        : null;
      this.layers.push({ weight, bias, norm, relu: !last });
    }
  }

  /** The classifier (last layer). */
  get classifier(): DenseLayer {
    return this.layers[this.layers.length - 1];
  }

  /** Every parameter matrix in a fixed order: per layer W, b (if any), γ and β (if BN). */
  parameters(): Matrix[] {
    return this.layers.flatMap((layer) => [
      layer.weight,
      ...(layer.bias ? [layer.bias] : []),
      ...(layer.norm ? [layer.norm.gamma, layer.norm.beta] : []),
    ]);
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    return this.parameters().reduce((sum, p) => sum + p.size, 0);
  }

  /** Zero matrices shaped like {@link parameters} (gradient or velocity buffers). */
  zerosLikeParameters(): Matrix[] {
    return this.parameters().map((p) => Matrix.zeros(p.rows, p.cols, p.dtype));
  }

  /** The (cached) buffers for batches of `batch` samples. */
  workspace(batch: number): MlpWorkspace {
    let ws = this.#workspaces.get(batch);
    if (ws === undefined) {
      checkWidth(batch, "batch");
      const { dtype } = this.spec;
      const hiddenLayers = this.layers.slice(0, -1);
      ws = {
        batch,
        activations: this.spec.hidden.map((width) => Matrix.zeros(width, batch, dtype)),
        logits: Matrix.zeros(this.spec.classes, batch, dtype),
        gradients: this.spec.hidden.map((width) => Matrix.zeros(width, batch, dtype)),
        normalized: hiddenLayers.map((layer, l) =>
          layer.norm ? Matrix.zeros(this.spec.hidden[l], batch, dtype) : null
        ),
        invStd: hiddenLayers.map((layer, l) =>
          layer.norm ? new Float64Array(this.spec.hidden[l]) : null
        ),
      };
      this.#workspaces.set(batch, ws);
    }
    return ws;
  }

  /**
   * Forward pass of `inputs` (B×d₀, samples as rows): fills the workspace's activations and
   * logits and returns the logits (K×B). The classifier bias is added only if
   * `addOutputBias` (the training loss kernel adds it itself, fused with the loss). BN layers
   * use batch statistics and update their running averages if `training`, else the running
   * averages.
   */
  forward(inputs: Matrix, addOutputBias = true, training = false): Matrix {
    if (inputs.cols !== this.spec.inputDim || inputs.dtype !== this.spec.dtype) {
      throw new RangeError(
        `mlp: inputs must be B×${this.spec.inputDim} ${this.spec.dtype}, got ` +
          `${inputs.rows}×${inputs.cols} ${inputs.dtype}`,
      );
    }
    const ws = this.workspace(inputs.rows);
    const kernel = this.kernel;
    let previous: Matrix = inputs;
    this.layers.forEach((layer, l) => {
      const out = layer.relu ? ws.activations[l] : ws.logits;
      // The first layer reads the B×d₀ inputs as their transpose.
      gemm(out, layer.weight, previous, { transB: l === 0, kernel });
      if (layer.norm) {
        if (layer.bias) biasAct(out, layer.bias, false, kernel);
        if (training) batchNormTrain(out, layer.norm, ws.normalized[l]!, ws.invStd[l]!);
        else batchNormEval(out, layer.norm);
        biasAct(out, null, true, kernel);
      } else if (layer.relu) biasAct(out, layer.bias, true, kernel);
      else if (addOutputBias && layer.bias) biasAct(out, layer.bias, false, kernel);
      previous = out;
    });
    return ws.logits;
  }

  /**
   * Forward (training mode), loss and backward on one batch: `grads` (shaped like
   * {@link parameters}) receive the gradient of `scale`·Σ_batch L (e.g. scale = 1/B for the
   * batch mean). Returns the unscaled Σ L and the number of correctly classified samples
   * (before any update).
   */
  lossAndGradient(
    inputs: Matrix,
    labels: IntVector,
    loss: Loss,
    grads: Matrix[],
    scale: number,
  ): BatchResult {
    const logits = this.forward(inputs, false, true);
    const ws = this.workspace(inputs.rows);
    const correct = countCorrect(logits, this.classifier.bias, labels.data);
    // Gradient slots follow parameters().
    const slots: {
      weight: Matrix;
      bias: Matrix | null;
      gamma: Matrix | null;
      beta: Matrix | null;
    }[] = [];
    let index = 0;
    for (const layer of this.layers) {
      const weight = grads[index++];
      const bias = layer.bias ? grads[index++] : null;
      const gamma = layer.norm ? grads[index++] : null;
      const beta = layer.norm ? grads[index++] : null;
      slots.push({ weight, bias, gamma, beta });
    }
    if (index !== grads.length) {
      throw new RangeError(`mlp: ${grads.length} gradient buffers for ${index} parameters`);
    }
    const last = this.layers.length - 1;
    const lossSum = loss.evaluate(logits, labels, this.classifier.bias, slots[last].bias);
    scaleInPlace(logits, scale, this.kernel);
    if (slots[last].bias) scaleInPlace(slots[last].bias!, scale, this.kernel);
    const kernel = this.kernel;
    for (let l = last; l >= 0; l--) {
      const upstream = l === last ? logits : ws.gradients[l];
      if (l === 0) {
        gemm(slots[0].weight, upstream, inputs, { kernel }); // G₀ (d₁×B) · X (B×d₀)
        break;
      }
      const below = ws.activations[l - 1];
      gemm(slots[l].weight, upstream, below, { transB: true, kernel });
      const next = ws.gradients[l - 1];
      gemm(next, this.layers[l].weight, upstream, { transA: true, kernel });
      const norm = this.layers[l - 1].norm;
      const slot = slots[l - 1];
      if (norm) {
        maskRowSums(next, below, slot.beta, kernel); // ∂β = Σ_j dy_j
        batchNormBackward(next, norm, ws.normalized[l - 1]!, ws.invStd[l - 1]!, slot);
        if (slot.bias) maskRowSums(next, null, slot.bias, kernel);
      } else {
        maskRowSums(next, below, slot.bias, kernel);
      }
    }
    return { lossSum, correct };
  }

  /** Releases every matrix of the network and its workspaces. */
  free(): void {
    for (const p of this.parameters()) p.free();
    for (const ws of this.#workspaces.values()) {
      for (const m of [...ws.activations, ...ws.gradients, ws.logits]) m.free();
      for (const m of ws.normalized) m?.free();
    }
    this.#workspaces.clear();
  }
}

/**
 * Training-mode BN in place on z (d×B): batch mean and biased variance per row, x̂ saved,
 * z ← γx̂ + β; running averages updated (unbiased variance), as torch.nn.BatchNorm1d.
 */
function batchNormTrain(
  z: Matrix,
  norm: BatchNormState,
  normalized: Matrix,
  invStd: Float64Array,
): void {
  const { rows, cols } = z;
  const values = z.data;
  const xhat = normalized.data;
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
 * writes slot.gamma = Σ_j dy_j x̂_j and g ← dz = (γ/σ)(dy − ∂β/B − x̂ ∂γ/B).
 */
function batchNormBackward(
  g: Matrix,
  norm: BatchNormState,
  normalized: Matrix,
  invStd: Float64Array,
  slot: { gamma: Matrix | null; beta: Matrix | null },
): void {
  const { rows, cols } = g;
  const dy = g.data;
  const xhat = normalized.data;
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

/**
 * Number of columns j of `logits` (K×B) whose largest entry of logits[:, j] + bias is at row
 * labels[j] (ties resolved towards the lower class, like `argmax`).
 */
export function countCorrect(
  logits: Matrix,
  bias: Matrix | null,
  labels: ArrayLike<number>,
): number {
  const z = logits.data;
  const b = bias?.data ?? null;
  const { rows, cols } = logits;
  let correct = 0;
  for (let j = 0; j < cols; j++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let k = 0; k < rows; k++) {
      const value = z[k * cols + j] + (b === null ? 0 : b[k]);
      if (value > bestValue) {
        bestValue = value;
        best = k;
      }
    }
    if (best === labels[j]) correct++;
  }
  return correct;
}
