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
 * ∂β = Σ_j dy_j, ∂γ = Σ_j dy_j x̂_j, dz_j = (γ/σ)(dy_j − ∂β/B − x̂_j ∂γ/B). Bias, BN and ReLU are
 * the layer tail of norm_relu.ts, shared with the convolution blocks of cnn.ts; the CNN's dense
 * head is this class (one dense-layer implementation). With `normalizeFeatures` the last hidden
 * output is replaced by τ·h/‖h‖ before the classifier, and the backward pass goes through that
 * normalization (normalized.ts).
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
import { type NnKernel, scaleInPlace } from "./kernels.ts";
import { normalizeColumns, normalizeColumnsBackward } from "./normalized.ts";
import {
  type BatchNormCache,
  type BatchNormState,
  initLayer,
  layerGradients,
  layerParameters,
  tailBackward,
  tailForward,
  zerosLike,
} from "./norm_relu.ts";

export type { BatchNormState } from "./norm_relu.ts";

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
  /**
   * Normalized penultimate features: the classifier reads τ·h/‖h‖ of the last hidden layer's
   * output h (normalized.ts; needs a hidden layer). Default null: plain features.
   */
  normalizeFeatures?: { tau: number } | null;
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
  /** x̂ and 1/√(σ² + ε) of BN layers (training mode), else null. */
  norms: (BatchNormCache | null)[];
  /** ‖h_j‖ of the penultimate features before normalization (`normalizeFeatures`), else null. */
  featureNorms: Float64Array | null;
}

/** Result of {@link Mlp.lossAndGradient}. */
export interface BatchResult {
  /** Σ over the batch of the per-sample loss (unscaled). */
  lossSum: number;
  /** Samples whose argmax logit is their label (before the update). */
  correct: number;
}

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
      normalizeFeatures: spec.normalizeFeatures ?? null,
    };
    this.kernel = kernel;
    const tau = this.spec.normalizeFeatures?.tau;
    if (tau !== undefined && (!(tau > 0) || !Number.isFinite(tau) || spec.hidden.length === 0)) {
      throw new RangeError(
        `mlp: normalized features need τ > 0 and a hidden layer, got τ = ${tau}`,
      );
    }
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
      const bias = last ? this.spec.outputBias : this.spec.hiddenBias[l];
      const batchNorm = !last && this.spec.batchNorm;
      this.layers.push(initLayer(out, fanIn, { bias, batchNorm, relu: !last, dtype }, rng));
    }
  }

  /** Samples per forward pass in whole-set evaluations (bounds the workspace memory). */
  readonly evalBatch = 1000;

  /** The classifier (last layer). */
  get classifier(): DenseLayer {
    return this.layers[this.layers.length - 1];
  }

  /**
   * The hidden layers' outputs (d_l × B, post-ReLU, input side first) of the last forward pass of
   * a batch of `batch` samples: the features whose NC metrics are tracked.
   */
  hiddenFeatures(batch: number): readonly Matrix[] {
    return this.workspace(batch).activations;
  }

  /** Every parameter matrix in a fixed order: per layer W, b (if any), γ and β (if BN). */
  parameters(): Matrix[] {
    return layerParameters(this.layers);
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    return this.parameters().reduce((sum, p) => sum + p.size, 0);
  }

  /** Zero matrices shaped like {@link parameters} (gradient or velocity buffers). */
  zerosLikeParameters(): Matrix[] {
    return zerosLike(this.parameters());
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
        norms: hiddenLayers.map((layer, l) =>
          layer.norm
            ? {
              normalized: Matrix.zeros(this.spec.hidden[l], batch, dtype),
              invStd: new Float64Array(this.spec.hidden[l]),
            }
            : null
        ),
        featureNorms: this.spec.normalizeFeatures ? new Float64Array(batch) : null,
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
      tailForward(out, layer, training, ws.norms[l] ?? null, kernel, addOutputBias);
      if (ws.featureNorms && l === this.layers.length - 2) {
        normalizeColumns(out, this.spec.normalizeFeatures!.tau, ws.featureNorms);
      }
      previous = out;
    });
    return ws.logits;
  }

  /**
   * Forward (training mode), loss and backward on one batch: `grads` (shaped like
   * {@link parameters}) receive the gradient of `scale`·Σ_batch L (e.g. scale = 1/B for the
   * batch mean). Returns the unscaled Σ L and the number of correctly classified samples
   * (before any update). If `inputGradient` (B×d₀) is given it receives ∂(scale·Σ L)/∂inputs,
   * for layers below the network (the convolution blocks of cnn.ts).
   */
  lossAndGradient(
    inputs: Matrix,
    labels: IntVector,
    loss: Loss,
    grads: Matrix[],
    scale: number,
    inputGradient: Matrix | null = null,
  ): BatchResult {
    const logits = this.forward(inputs, false, true);
    const ws = this.workspace(inputs.rows);
    const correct = countCorrect(logits, this.classifier.bias, labels.data);
    const slots = layerGradients(this.layers, grads); // ordered as parameters()
    const last = this.layers.length - 1;
    const lossSum = loss.evaluate(logits, labels, this.classifier.bias, slots[last].bias);
    scaleInPlace(logits, scale, this.kernel);
    if (slots[last].bias) scaleInPlace(slots[last].bias!, scale, this.kernel);
    const kernel = this.kernel;
    for (let l = last; l >= 0; l--) {
      const upstream = l === last ? logits : ws.gradients[l];
      if (l === 0) {
        gemm(slots[0].weight, upstream, inputs, { kernel }); // G₀ (d₁×B) · X (B×d₀)
        // ∂X = G₀ᵀ W₀ (B×d₀).
        if (inputGradient) {
          gemm(inputGradient, upstream, this.layers[0].weight, { transA: true, kernel });
        }
        break;
      }
      const below = ws.activations[l - 1];
      gemm(slots[l].weight, upstream, below, { transB: true, kernel });
      const next = ws.gradients[l - 1];
      gemm(next, this.layers[l].weight, upstream, { transA: true, kernel });
      if (ws.featureNorms && l === last) {
        normalizeColumnsBackward(next, below, this.spec.normalizeFeatures!.tau, ws.featureNorms);
      }
      tailBackward(next, below, this.layers[l - 1], ws.norms[l - 1], slots[l - 1], kernel);
    }
    return { lossSum, correct };
  }

  /** Releases every matrix of the network and its workspaces. */
  free(): void {
    for (const p of this.parameters()) p.free();
    for (const ws of this.#workspaces.values()) {
      for (const m of [...ws.activations, ...ws.gradients, ws.logits]) m.free();
      for (const cache of ws.norms) cache?.normalized.free();
    }
    this.#workspaces.clear();
  }
}

/**
 * Number of columns j of `logits` (K×B) whose largest entry of logits[:, j] + bias is at row
 * labels[j] (ties resolved towards the lower class, like `argmax`); `perClass[k]`, if given, is
 * incremented for each correct sample of class k.
 */
export function countCorrect(
  logits: Matrix,
  bias: Matrix | null,
  labels: ArrayLike<number>,
  perClass: number[] | null = null,
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
    if (best === labels[j]) {
      correct++;
      if (perClass) perClass[best]++;
    }
  }
  return correct;
}
