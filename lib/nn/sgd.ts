/**
 * Mini-batch SGD exactly as PyTorch's `torch.optim.SGD(params, lr, momentum, weight_decay)`
 * (dampening 0, no Nesterov) preceded by `torch.nn.utils.clip_grad_norm_(params, maxNorm)`:
 *
 *   1. clipping (optional) on the raw gradients g (before weight decay): with
 *      ‖g‖ = √(Σ over all parameters of Σ g²), every gradient is multiplied by
 *      maxNorm / (‖g‖ + 1e-6) if that factor is below 1;
 *   2. per parameter θ: d = g + λθ, v ← μv + d (v starts at 0, so the first v is d as in
 *      PyTorch), θ ← θ − lr·v.
 *
 * Step 2 is one fused pass per parameter block (`opt_step` of core-as/assembly/ufm.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { Sgd } from "./sgd.ts";
 * const theta = Matrix.from(1, 2, [1, 2], "f32");
 * const grad = Matrix.from(1, 2, [3, 4], "f32");
 * const sgd = new Sgd([theta], { momentum: 0.9, weightDecay: 0, clipNorm: 1 });
 * const { gradNorm } = sgd.step([grad], 0.1); // ‖g‖ = 5 is clipped to 1: θ = [0.94, 1.92]
 * assert.equal(gradNorm, 5);
 * assert.ok(theta.toRows()[0].every((x, i) => Math.abs(x - [0.94, 1.92][i]) < 1e-6)); // f32
 * ```
 * @module
 */
import { coreKernel, type OptStepKernel } from "../core/wasm.ts";
import { Matrix } from "../matrix.ts";
import { type NnKernel, scaleInPlace, sumSquares } from "./kernels.ts";

/** Settings of {@link Sgd}. */
export interface SgdOptions {
  /** Momentum μ ∈ [0, 1) (0 = plain SGD). */
  momentum: number;
  /** Weight decay λ ≥ 0 on every parameter (PyTorch `weight_decay`). */
  weightDecay: number;
  /** Gradient-norm clipping threshold (`clip_grad_norm_` max_norm); null or 0 = off. */
  clipNorm?: number | null;
  /**
   * Per parameter: whether weight decay applies (default: to every one). PyTorch's parameter
   * groups with `weight_decay: 0` (the normalized classifier of lib/nn/normalized.ts).
   */
  decay?: readonly boolean[] | null;
  /**
   * Per parameter: frozen parameters are never updated and left out of the gradient norm
   * (`requires_grad = False`: the fixed ETF classifier). Default: none.
   */
  frozen?: readonly boolean[] | null;
}

/** What one step did. */
export interface SgdStepInfo {
  /** ‖g‖ of the raw gradients (before clipping and weight decay). */
  gradNorm: number;
  /** Whether the gradients were scaled down. */
  clipped: boolean;
}

const STEP_GD = 1;
const STEP_MOMENTUM = 2;

/** SGD with momentum, weight decay and gradient-norm clipping (see module notes). */
export class Sgd {
  /** The parameters updated in place. */
  readonly params: readonly Matrix[];
  /** Settings (`clipNorm` 0 = off). */
  readonly options: Required<SgdOptions> & {
    clipNorm: number;
    decay: readonly boolean[];
    frozen: readonly boolean[];
  };
  readonly #velocity: Matrix[];
  readonly #stats: Matrix;
  readonly #kernel: NnKernel;

  constructor(params: readonly Matrix[], options: SgdOptions, kernel: NnKernel = "simd") {
    if (!(options.momentum >= 0 && options.momentum < 1)) {
      throw new RangeError(`sgd: momentum must be in [0, 1), got ${options.momentum}`);
    }
    if (!(options.weightDecay >= 0)) {
      throw new RangeError(`sgd: weight decay must be ≥ 0, got ${options.weightDecay}`);
    }
    for (const [name, flags] of [["decay", options.decay], ["frozen", options.frozen]] as const) {
      if (flags && flags.length !== params.length) {
        throw new RangeError(`sgd: ${flags.length} ${name} flags for ${params.length} parameters`);
      }
    }
    this.params = params;
    this.options = {
      ...options,
      clipNorm: options.clipNorm ?? 0,
      decay: options.decay ?? params.map(() => true),
      frozen: options.frozen ?? params.map(() => false),
    };
    this.#velocity = params.map((p) => Matrix.zeros(p.rows, p.cols, p.dtype));
    this.#stats = Matrix.zeros(1, 2, "f64");
    this.#kernel = kernel;
  }

  /** Clips (if enabled) and applies one update with learning rate `lr`. */
  step(grads: readonly Matrix[], lr: number): SgdStepInfo {
    if (grads.length !== this.params.length) {
      throw new RangeError(`sgd: ${grads.length} gradients for ${this.params.length} parameters`);
    }
    const { frozen, decay } = this.options;
    let squares = 0;
    grads.forEach((g, i) => {
      if (!frozen[i]) squares += sumSquares(g, this.#kernel);
    });
    const gradNorm = Math.sqrt(squares);
    const maxNorm = this.options.clipNorm;
    let clipped = false;
    if (maxNorm > 0) {
      const factor = maxNorm / (gradNorm + 1e-6); // torch.nn.utils.clip_grad_norm_
      if (factor < 1) {
        grads.forEach((g, i) => {
          if (!frozen[i]) scaleInPlace(g, factor, this.#kernel);
        });
        clipped = true;
      }
    }
    const { momentum, weightDecay } = this.options;
    const mode = momentum > 0 ? STEP_MOMENTUM : STEP_GD;
    this.params.forEach((p, i) => {
      if (frozen[i]) return;
      const g = grads[i];
      if (g.size !== p.size || g.dtype !== p.dtype) {
        throw new RangeError(`sgd: gradient ${i} does not match its parameter`);
      }
      coreKernel<OptStepKernel>("opt_step", p.dtype, this.#kernel)(
        p.size,
        p.ptr,
        g.ptr,
        this.#velocity[i].ptr,
        decay[i] ? weightDecay : 0,
        lr,
        momentum,
        mode,
        this.#stats.ptr,
      );
    });
    return { gradNorm, clipped };
  }

  /** Releases the velocity buffers. */
  free(): void {
    for (const v of this.#velocity) v.free();
    this.#stats.free();
  }
}
