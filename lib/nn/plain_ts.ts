/**
 * The same MLP training step written in plain TypeScript (loops over Float32Arrays on the JS
 * heap, no WASM): the baseline of the epoch-time benchmark (`deno task bench`) and an
 * independent implementation the tests compare {@link Mlp} against. Cross-entropy loss, ReLU
 * hidden layers with biases, SGD with momentum and weight decay (PyTorch's update); no batch
 * normalization, no clipping.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "../rng.ts";
 * import { Mlp } from "./mlp.ts";
 * import { PlainMlp } from "./plain_ts.ts";
 * const net = new Mlp({ inputDim: 4, hidden: [8], classes: 3 }, new Rng(1));
 * const plain = PlainMlp.fromMlp(net);
 * const inputs = new Float32Array([1, 0, 0, 1, 0, 1, 1, 0]); // two samples as rows
 * const lossSum = plain.step(inputs, new Int32Array([0, 2]), { lr: 0.1, momentum: 0.9, wd: 0 });
 * assert.ok(lossSum > 0 && Number.isFinite(lossSum));
 * ```
 * @module
 */
import type { Mlp } from "./mlp.ts";

/** SGD settings of {@link PlainMlp.step}. */
export interface PlainSgd {
  /** Learning rate. */
  lr: number;
  /** Momentum μ. */
  momentum: number;
  /** Weight decay λ. */
  wd: number;
}

/** Plain-TypeScript MLP (see module notes). */
export class PlainMlp {
  /** Layer widths d₀, d₁, …, K. */
  readonly dims: number[];
  /** W_l, row-major out×in. */
  readonly weights: Float32Array[];
  /** b_l (null without bias). */
  readonly biases: (Float32Array | null)[];
  #velocity: Float32Array[];
  #biasVelocity: (Float32Array | null)[];

  constructor(dims: number[], weights: Float32Array[], biases: (Float32Array | null)[]) {
    this.dims = dims;
    this.weights = weights;
    this.biases = biases;
    this.#velocity = weights.map((w) => new Float32Array(w.length));
    this.#biasVelocity = biases.map((b) => (b ? new Float32Array(b.length) : null));
  }

  /** A copy of `net`'s parameters (no batch normalization). */
  static fromMlp(net: Mlp): PlainMlp {
    if (net.spec.batchNorm) throw new Error("PlainMlp: batch normalization is not implemented");
    return new PlainMlp(
      [net.spec.inputDim, ...net.spec.hidden, net.spec.classes],
      net.layers.map((layer) => Float32Array.from(layer.weight.data)),
      net.layers.map((layer) => (layer.bias ? Float32Array.from(layer.bias.data) : null)),
    );
  }

  /**
   * One SGD step on the batch mean of the cross-entropy of `inputs` (B×d₀ row-major) with
   * `labels`; returns Σ_batch CE before the update.
   */
  step(inputs: Float32Array, labels: Int32Array, sgd: PlainSgd): number {
    const batch = labels.length;
    const layers = this.weights.length;
    // Forward: activations[l] is d_l×B (activations[0] unused: the inputs are B×d₀).
    const activations: Float32Array[] = [new Float32Array(0)];
    for (let l = 0; l < layers; l++) {
      const out = this.dims[l + 1];
      const fanIn = this.dims[l];
      const w = this.weights[l];
      const z = new Float32Array(out * batch);
      if (l === 0) {
        for (let i = 0; i < out; i++) {
          for (let j = 0; j < batch; j++) {
            let sum = 0;
            for (let p = 0; p < fanIn; p++) sum += w[i * fanIn + p] * inputs[j * fanIn + p];
            z[i * batch + j] = sum;
          }
        }
      } else {
        const a = activations[l];
        for (let i = 0; i < out; i++) {
          for (let p = 0; p < fanIn; p++) {
            const wip = w[i * fanIn + p];
            for (let j = 0; j < batch; j++) z[i * batch + j] += wip * a[p * batch + j];
          }
        }
      }
      const b = this.biases[l];
      const relu = l < layers - 1;
      for (let i = 0; i < out; i++) {
        for (let j = 0; j < batch; j++) {
          const v = z[i * batch + j] + (b ? b[i] : 0);
          z[i * batch + j] = relu && v < 0 ? 0 : v;
        }
      }
      activations.push(z);
    }
    // Cross-entropy and its gradient (p − e_y)/B, column by column.
    const classes = this.dims[layers];
    let grad = activations[layers];
    let lossSum = 0;
    for (let j = 0; j < batch; j++) {
      let max = -Infinity;
      for (let k = 0; k < classes; k++) max = Math.max(max, grad[k * batch + j]);
      let total = 0;
      for (let k = 0; k < classes; k++) total += Math.exp(grad[k * batch + j] - max);
      lossSum += Math.log(total) + max - grad[labels[j] * batch + j];
      for (let k = 0; k < classes; k++) {
        const p = Math.exp(grad[k * batch + j] - max) / total;
        grad[k * batch + j] = (p - (k === labels[j] ? 1 : 0)) / batch;
      }
    }
    // Backward and update, layer by layer from the top.
    for (let l = layers - 1; l >= 0; l--) {
      const out = this.dims[l + 1];
      const fanIn = this.dims[l];
      const w = this.weights[l];
      const gw = new Float32Array(out * fanIn);
      if (l === 0) {
        for (let i = 0; i < out; i++) {
          for (let j = 0; j < batch; j++) {
            const gij = grad[i * batch + j];
            for (let p = 0; p < fanIn; p++) gw[i * fanIn + p] += gij * inputs[j * fanIn + p];
          }
        }
      } else {
        const a = activations[l];
        for (let i = 0; i < out; i++) {
          for (let p = 0; p < fanIn; p++) {
            let sum = 0;
            for (let j = 0; j < batch; j++) sum += grad[i * batch + j] * a[p * batch + j];
            gw[i * fanIn + p] = sum;
          }
        }
      }
      const b = this.biases[l];
      const gb = b ? new Float32Array(out) : null;
      if (gb) {
        for (let i = 0; i < out; i++) {
          let sum = 0;
          for (let j = 0; j < batch; j++) sum += grad[i * batch + j];
          gb[i] = sum;
        }
      }
      if (l > 0) {
        // ∂A = Wᵀ G (with the weights before the update), masked by the ReLU below.
        const below = new Float32Array(fanIn * batch);
        for (let i = 0; i < out; i++) {
          for (let p = 0; p < fanIn; p++) {
            const wip = w[i * fanIn + p];
            for (let j = 0; j < batch; j++) below[p * batch + j] += wip * grad[i * batch + j];
          }
        }
        const a = activations[l];
        for (let x = 0; x < below.length; x++) if (!(a[x] > 0)) below[x] = 0;
        grad = below;
      }
      update(w, gw, this.#velocity[l], sgd);
      if (b && gb) update(b, gb, this.#biasVelocity[l]!, sgd);
    }
    return lossSum;
  }
}

/** PyTorch SGD: d = g + λθ; v ← μv + d; θ ← θ − lr·v. */
function update(theta: Float32Array, g: Float32Array, v: Float32Array, sgd: PlainSgd): void {
  for (let i = 0; i < theta.length; i++) {
    const d = g[i] + sgd.wd * theta[i];
    v[i] = sgd.momentum * v[i] + d;
    theta[i] -= sgd.lr * v[i];
  }
}
