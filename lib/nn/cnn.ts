/**
 * A small convolutional network: blocks of 3×3 convolution (stride 1, zero padding 1), optional
 * batch normalization, ReLU and 2×2 max pooling, then the dense head of mlp.ts (one dense-layer
 * implementation) on the flattened maps:
 *
 *   X (B images, side × side, one channel) → [conv 3×3 → (BN) → ReLU → maxpool 2×2] × L
 *     → flatten (C_L·s_L², PyTorch's c, y, x order) → Mlp(hidden…, classes).
 *
 * The convolution is a matrix product on the SIMD gemm through im2col (core-as/assembly/conv.ts):
 * with the input map A (C_in × (B·H·W), channel-major), cols = im2col(A) ((C_in·9) × (B·H·W)) and
 * Z = W·cols + b1ᵀ with W ∈ R^{C_out × C_in·9}; bias, BN (= PyTorch's BatchNorm2d: statistics
 * over batch and positions, a row of Z) and ReLU are the layer tail shared with the dense layers
 * (norm_relu.ts). Backward: ∂W = G·colsᵀ, ∂cols = Wᵀ·G and ∂A = col2im(∂cols), the adjoint of
 * im2col; max pooling routes each window's gradient to its first maximal input.
 *
 * Initialization is PyTorch's default for `nn.Conv2d` and `nn.Linear`: weights and biases uniform
 * in ±1/√fan_in (fan_in = C_in·9 for a convolution); BN γ = 1, β = 0.
 *
 * The NC metrics are taken of the dense head's hidden layers (`hiddenFeatures`), the last of them
 * the penultimate features, as for the MLP.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntVector, Matrix } from "../matrix.ts";
 * import { makeLoss } from "../losses.ts";
 * import { Rng } from "../rng.ts";
 * import { ConvNet } from "./cnn.ts";
 * const net = new ConvNet({ side: 8, channels: [4, 6], hidden: [10], classes: 3 }, new Rng(1));
 * assert.equal(net.head.spec.inputDim, 6 * 2 * 2); // 8 → 4 → 2 pixels per side
 * const images = Matrix.zeros(2, 64, "f32"); // two 8×8 images as rows
 * new Rng(2).fillNormal(images.data);
 * const grads = net.zerosLikeParameters();
 * const { lossSum } = net.lossAndGradient(images, IntVector.from([0, 2]), makeLoss({ name: "ce" }),
 *   grads, 1 / 2);
 * assert.ok(lossSum > 0);
 * ```
 * @module
 */
import { gemm } from "../gemm.ts";
import type { Loss } from "../losses.ts";
import { type DType, type IntVector, Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import {
  col2im3x3,
  type FeatureMap,
  im2col3x3,
  maxPool2x2,
  maxPool2x2Backward,
  type PoolLayout,
} from "./conv_kernels.ts";
import type { NnKernel } from "./kernels.ts";
import { type BatchResult, type DenseLayer, Mlp } from "./mlp.ts";
import {
  type BatchNormCache,
  initLayer,
  layerGradients,
  layerParameters,
  tailBackward,
  tailForward,
  type WeightedLayer,
  zerosLike,
} from "./norm_relu.ts";

/** Architecture of a {@link ConvNet}. */
export interface ConvNetSpec {
  /** Input images are side × side pixels, one channel, stored as rows of side² values. */
  side: number;
  /** Output channels of each conv block, input side first (at least one block). */
  channels: readonly number[];
  /** Widths of the dense head's hidden layers (may be empty: a linear classifier). */
  hidden: readonly number[];
  /** Number of classes K. */
  classes: number;
  /** Biases of the conv blocks (default true). */
  convBias?: boolean;
  /** Biases of the head's hidden layers: one flag or one per layer (default true). */
  hiddenBias?: boolean | readonly boolean[];
  /** Bias of the classifier (default true). */
  outputBias?: boolean;
  /** Batch normalization before every ReLU, conv and dense (default false). */
  batchNorm?: boolean;
  /** Element type (default f32). */
  dtype?: DType;
  /** Normalized penultimate features of the dense head (mlp.ts `normalizeFeatures`). */
  normalizeFeatures?: { tau: number } | null;
}

/** One conv block: weights C_out × (C_in·9) and the layer tail. */
export interface ConvBlock extends WeightedLayer {
  /** W, C_out × (C_in·9), column index c_in·9 + ky·3 + kx. */
  weight: Matrix;
  /** Input channels. */
  inChannels: number;
  /** Output channels. */
  outChannels: number;
  /** Side of the block's input (and of its convolution output). */
  side: number;
}

/** Buffers of one block for one batch size. */
interface BlockBuffers {
  /** im2col of the input, (C_in·9) × (B·s²); reused for ∂cols in the backward pass. */
  cols: Matrix;
  /** Block output before pooling (post-ReLU), C_out × (B·s²). */
  activation: Matrix;
  /** Pooled output: C_out × (B·s2²), or B × (C_out·s2²) for the last block (the head's input). */
  pooled: Matrix;
  /** Training only: ∂L/∂activation, then ∂L/∂Z. */
  gradient: Matrix | null;
  /** Training only: ∂L/∂pooled (the last block's is the head's input gradient). */
  pooledGradient: Matrix | null;
  /** Training only: BN batch statistics. */
  norm: BatchNormCache | null;
}

/** Largest workspace of evaluation passes; `evalBatch` is chosen to stay below it. */
const EVAL_WORKSPACE_BYTES = 64 * 2 ** 20;

function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`cnn: ${what} must be an integer ≥ 1, got ${value}`);
  }
}

/** Convolutional feature extractor + dense head; see the module notes. */
export class ConvNet {
  /** The architecture with defaults filled in. */
  readonly spec: Required<Omit<ConvNetSpec, "hiddenBias">> & { hiddenBias: boolean[] };
  /** Conv blocks, input side first. */
  readonly blocks: ConvBlock[];
  /** The dense head (hidden layers and classifier) on the flattened last map. */
  readonly head: Mlp;
  /** SIMD kernels or the scalar references. */
  readonly kernel: NnKernel;
  /** Samples per forward pass in whole-set evaluations (workspace ≤ 64 MiB). */
  readonly evalBatch: number;
  #workspaces = new Map<number, BlockBuffers[]>();

  constructor(spec: ConvNetSpec, rng: Rng, kernel: NnKernel = "simd") {
    checkCount(spec.side, "side");
    if (spec.channels.length === 0) throw new RangeError("cnn: at least one conv block");
    spec.channels.forEach((c, l) => checkCount(c, `channels[${l}]`));
    const dtype = spec.dtype ?? "f32";
    const batchNorm = spec.batchNorm ?? false;
    const convBias = spec.convBias ?? true;
    this.kernel = kernel;
    this.blocks = [];
    let side = spec.side;
    let inChannels = 1;
    for (const outChannels of spec.channels) {
      if (side < 2) {
        throw new RangeError(
          `cnn: ${spec.channels.length} pooling blocks need a larger input than ${spec.side}×` +
            `${spec.side} pixels`,
        );
      }
      const tail = { bias: convBias, batchNorm, relu: true, dtype };
      this.blocks.push({
        ...initLayer(outChannels, inChannels * 9, tail, rng),
        inChannels,
        outChannels,
        side,
      });
      inChannels = outChannels;
      side = Math.floor(side / 2);
    }
    this.head = new Mlp(
      {
        inputDim: inChannels * side * side,
        hidden: spec.hidden,
        classes: spec.classes,
        hiddenBias: spec.hiddenBias,
        outputBias: spec.outputBias,
        batchNorm,
        dtype,
        normalizeFeatures: spec.normalizeFeatures,
      },
      rng,
      kernel,
    );
    this.spec = {
      side: spec.side,
      channels: [...spec.channels],
      hidden: [...spec.hidden],
      classes: spec.classes,
      convBias,
      hiddenBias: this.head.spec.hiddenBias,
      outputBias: this.head.spec.outputBias,
      batchNorm,
      dtype,
      normalizeFeatures: this.head.spec.normalizeFeatures,
    };
    const bytes = ConvNet.workspaceBytesPerSample(this.spec, false);
    this.evalBatch = Math.max(1, Math.min(1000, Math.floor(EVAL_WORKSPACE_BYTES / bytes)));
  }

  /**
   * Bytes of the conv buffers per sample: im2col, activation and pooled maps, and for training
   * the gradients and BN caches as well (the validation of `--channels` and `--batch` uses it).
   */
  static workspaceBytesPerSample(
    spec: Pick<ConvNetSpec, "side" | "channels" | "batchNorm" | "dtype">,
    training: boolean,
  ): number {
    let side = spec.side, inChannels = 1, values = 0;
    for (const c of spec.channels) {
      const plane = side * side, pooled = Math.floor(side / 2) ** 2;
      values += 9 * inChannels * plane + c * plane + c * pooled;
      if (training) values += c * plane + c * pooled + (spec.batchNorm ? c * plane : 0);
      inChannels = c;
      side = Math.floor(side / 2);
    }
    return values * (spec.dtype === "f64" ? 8 : 4);
  }

  /** The classifier (the head's last layer). */
  get classifier(): DenseLayer {
    return this.head.classifier;
  }

  /** Every parameter: per block W, b (if any), γ, β (if BN), then the head's parameters. */
  parameters(): Matrix[] {
    return [...this.#blockParameters(), ...this.head.parameters()];
  }

  #blockParameters(): Matrix[] {
    return layerParameters(this.blocks);
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    return this.parameters().reduce((sum, p) => sum + p.size, 0);
  }

  /** Zero matrices shaped like {@link parameters}. */
  zerosLikeParameters(): Matrix[] {
    return zerosLike(this.parameters());
  }

  /** The dense head's hidden outputs of the last forward pass of `batch` samples. */
  hiddenFeatures(batch: number): readonly Matrix[] {
    return this.head.hiddenFeatures(batch);
  }

  #map(block: ConvBlock, batch: number, channels: number): FeatureMap {
    return { channels, batch, height: block.side, width: block.side };
  }

  #layout(l: number): PoolLayout {
    return l === this.blocks.length - 1 ? "sample-major" : "channel-major";
  }

  #buffers(batch: number, training: boolean): BlockBuffers[] {
    let buffers = this.#workspaces.get(batch);
    const dtype = this.spec.dtype;
    if (buffers === undefined) {
      checkCount(batch, "batch");
      buffers = this.blocks.map((block, l) => {
        const plane = block.side * block.side;
        const pooledPlane = Math.floor(block.side / 2) ** 2;
        const last = l === this.blocks.length - 1;
        return {
          cols: Matrix.zeros(9 * block.inChannels, batch * plane, dtype),
          activation: Matrix.zeros(block.outChannels, batch * plane, dtype),
          pooled: last
            ? Matrix.zeros(batch, block.outChannels * pooledPlane, dtype)
            : Matrix.zeros(block.outChannels, batch * pooledPlane, dtype),
          gradient: null,
          pooledGradient: null,
          norm: null,
        };
      });
      this.#workspaces.set(batch, buffers);
    }
    if (training && buffers[0].gradient === null) {
      buffers.forEach((b, l) => {
        const block = this.blocks[l];
        b.gradient = Matrix.zeros(b.activation.rows, b.activation.cols, dtype);
        b.pooledGradient = Matrix.zeros(b.pooled.rows, b.pooled.cols, dtype);
        b.norm = block.norm
          ? {
            normalized: Matrix.zeros(b.activation.rows, b.activation.cols, dtype),
            invStd: new Float64Array(block.outChannels),
          }
          : null;
      });
    }
    return buffers;
  }

  /** Conv blocks forward; returns the head's input (B × flattened last map). */
  #convForward(inputs: Matrix, training: boolean): Matrix {
    const { side, dtype } = this.spec;
    if (inputs.cols !== side * side || inputs.dtype !== dtype) {
      throw new RangeError(
        `cnn: inputs must be B×${side * side} ${dtype} (one ${side}×${side} image per row), got ` +
          `${inputs.rows}×${inputs.cols} ${inputs.dtype}`,
      );
    }
    const batch = inputs.rows;
    const buffers = this.#buffers(batch, training);
    const kernel = this.kernel;
    let input = inputs; // B rows of side² pixels = a 1 × (B·side²) channel-major map
    this.blocks.forEach((block, l) => {
      const b = buffers[l];
      im2col3x3(input, this.#map(block, batch, block.inChannels), b.cols, kernel);
      gemm(b.activation, block.weight, b.cols, { kernel });
      tailForward(b.activation, block, training, b.norm, kernel);
      const map = this.#map(block, batch, block.outChannels);
      maxPool2x2(b.activation, map, b.pooled, this.#layout(l), kernel);
      input = b.pooled;
    });
    return input;
  }

  /**
   * Forward pass of `inputs` (B × side², one image per row); returns the logits (K×B), with the
   * classifier bias if `addOutputBias`. BN uses batch statistics if `training`.
   */
  forward(inputs: Matrix, addOutputBias = true, training = false): Matrix {
    return this.head.forward(this.#convForward(inputs, training), addOutputBias, training);
  }

  /**
   * Forward (training mode), loss and backward on one batch: `grads` (shaped like
   * {@link parameters}) receive the gradient of `scale`·Σ_batch L. Returns the unscaled Σ L and
   * the number of correctly classified samples (before any update).
   */
  lossAndGradient(
    inputs: Matrix,
    labels: IntVector,
    loss: Loss,
    grads: Matrix[],
    scale: number,
  ): BatchResult {
    const features = this.#convForward(inputs, true);
    const batch = inputs.rows;
    const buffers = this.#buffers(batch, true);
    const blockCount = this.#blockParameters().length;
    const last = this.blocks.length - 1;
    const result = this.head.lossAndGradient(
      features,
      labels,
      loss,
      grads.slice(blockCount),
      scale,
      buffers[last].pooledGradient,
    );
    const slots = layerGradients(this.blocks, grads.slice(0, blockCount));
    const kernel = this.kernel;
    for (let l = last; l >= 0; l--) {
      const block = this.blocks[l];
      const b = buffers[l];
      const map = this.#map(block, batch, block.outChannels);
      maxPool2x2Backward(
        b.activation,
        b.pooled,
        b.pooledGradient!,
        map,
        this.#layout(l),
        b.gradient!,
        kernel,
      );
      tailBackward(b.gradient!, b.activation, block, b.norm, slots[l], kernel);
      gemm(slots[l].weight, b.gradient!, b.cols, { transB: true, kernel }); // ∂W = G·colsᵀ
      if (l === 0) break;
      gemm(b.cols, block.weight, b.gradient!, { transA: true, kernel }); // ∂cols = Wᵀ·G
      col2im3x3(
        b.cols,
        this.#map(block, batch, block.inChannels),
        buffers[l - 1].pooledGradient!,
        kernel,
      );
    }
    return result;
  }

  /** Releases every matrix of the network and its workspaces. */
  free(): void {
    for (const p of this.#blockParameters()) p.free();
    this.head.free();
    for (const buffers of this.#workspaces.values()) {
      for (const b of buffers) {
        for (const m of [b.cols, b.activation, b.pooled, b.gradient, b.pooledGradient]) m?.free();
        b.norm?.normalized.free();
      }
    }
    this.#workspaces.clear();
  }
}
