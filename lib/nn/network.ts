/**
 * What training needs of a network, whatever its family: the MLP (mlp.ts) and the CNN (cnn.ts)
 * both implement {@link Network}, and {@link buildNetwork} makes the one a configuration asks for
 * (`arch`, normalized features, a fixed ETF or unit-row classifier), so that the training loop,
 * the evaluations and the NC metrics are one code path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "../rng.ts";
 * import { validateTrainConfig } from "./config.ts";
 * import { buildNetwork } from "./network.ts";
 * const config = validateTrainConfig({ arch: "cnn", channels: [4], width: 8, depth: 1 });
 * const net = buildNetwork(config, { side: 28, classes: 10, dtype: "f32" }, new Rng(1));
 * assert.equal(net.hiddenWidths.length, 1); // the dense head's hidden layer
 * net.free();
 * ```
 * @module
 */
import type { Loss } from "../losses.ts";
import type { DType, IntVector, Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { ConvNet } from "./cnn.ts";
import { hiddenBiases, hiddenWidths, type TrainConfig } from "./config.ts";
import type { NnKernel } from "./kernels.ts";
import { type BatchResult, type DenseLayer, Mlp } from "./mlp.ts";
import { normalizeRows, simplexEtfRows } from "./normalized.ts";

/** A trainable classifier whose hidden features are tracked. */
export interface Network {
  /** The last layer (W, b) of the NC metrics. */
  readonly classifier: DenseLayer;
  /** Samples per forward pass in whole-set evaluations. */
  readonly evalBatch: number;
  /** Number of scalar parameters. */
  readonly parameterCount: number;
  /** Every parameter matrix, in the order of the gradient buffers. */
  parameters(): Matrix[];
  /** Zero matrices shaped like {@link parameters}. */
  zerosLikeParameters(): Matrix[];
  /** Logits (K×B) of B samples given as rows; see Mlp.forward. */
  forward(inputs: Matrix, addOutputBias?: boolean, training?: boolean): Matrix;
  /** Training-mode forward, loss and backward of one batch; see Mlp.lossAndGradient. */
  lossAndGradient(
    inputs: Matrix,
    labels: IntVector,
    loss: Loss,
    grads: Matrix[],
    scale: number,
  ): BatchResult;
  /** Hidden (dense) features of the last forward pass of `batch` samples, d_l × B each. */
  hiddenFeatures(batch: number): readonly Matrix[];
  /** Releases the core memory. */
  free(): void;
}

/** A {@link Network} with the widths of its tracked hidden layers. */
export type BuiltNetwork = Network & { readonly hiddenWidths: readonly number[] };

/** The data facts a network is built for. */
export interface InputShape {
  /** Images are side × side pixels, one channel (rows of side² values). */
  side: number;
  /** Number of classes K. */
  classes: number;
  /** Element type of the inputs. */
  dtype: DType;
}

/**
 * The network of `config` (arch, widths, biases, BN, channels) with PyTorch's default
 * initialization drawn from `rng`.
 */
export function buildNetwork(
  config: TrainConfig,
  input: InputShape,
  rng: Rng,
  kernel: NnKernel = "simd",
): BuiltNetwork {
  const hidden = hiddenWidths(config);
  const dense = {
    hidden,
    classes: input.classes,
    hiddenBias: hiddenBiases(config),
    outputBias: config.bias,
    batchNorm: config.batchNorm,
    dtype: input.dtype,
    normalizeFeatures: config.normalizeFeatures ? { tau: config.tau ?? 1 } : null,
  };
  const net: Network = config.arch === "cnn"
    ? new ConvNet(
      {
        ...dense,
        side: input.side,
        channels: config.channels,
        convBias: config.hiddenBias,
      },
      rng,
      kernel,
    )
    : new Mlp({ ...dense, inputDim: input.side * input.side }, rng, kernel);
  // The classifier is drawn like any other layer (the rest of the initialization stays that of
  // the plain network), then replaced by the fixed ETF or put on the unit sphere.
  const weight = net.classifier.weight;
  if (config.etfClassifier) weight.data.set(simplexEtfRows(input.classes, weight.cols));
  else if (config.normalizeFeatures) normalizeRows(weight);
  return Object.assign(net, { hiddenWidths: hidden });
}
