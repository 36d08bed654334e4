/**
 * The one dense-layer implementation of the UFM family (docs/extended-deep.md): free features
 * H1 (d×N, one column per sample, any column order) under m = `depth` weight matrices, with or
 * without ReLUs between them, an optional last-layer bias and any loss plug-in. The plain UFM
 * W·H is the depth-1 case.
 *
 *   H_{l+1} = σ(W_l H_l)  (l = 1 … m−1; σ = identity for the linear models),
 *   logits  = W_m H_m + b·1ᵀ,
 *   f = 1/N Σ L(logits, targets) + Σ_l λ_{W_l}/2 ‖W_l‖² + λ_H/2 ‖H1‖² (+ λ_b/2 ‖b‖²)
 *
 * with λ in the canonical (Z) convention (lib/ufm/problem.ts). One evaluation is a forward pass
 * of m matrix products, the fused loss kernel, and the backward pass
 *   G_m = ∂ΣL/∂logits;  ∇W_l = G_l H_lᵀ/N;  G_{l−1} = (W_lᵀ G_l) ⊙ [pre_l > 0];  ∇H1 = W_1ᵀG_1/N
 * (the ReLU mask uses the SIMD kernels of lib/activations.ts); the optimizer adds λθ.
 * For depth 1 these are exactly the three products of the plain UFM (∇W = G·Hᵀ/N, ∇H = Wᵀ·G/N).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveProblem } from "./problem.ts";
 * import { DenseUfm } from "./dense.ts";
 * const problem = resolveProblem({ K: 4, n: 5, d: 8, lambdaW: 0.2, lambdaH: 0.4, lambdaB: 0,
 *   bias: "none", norm: "tb", loss: "mse", targetScale: 1, model: "ext-relu",
 *   lambdaWs: [0.3, 0.2] });
 * const model = new DenseUfm(problem, { seed: 1, initStd: 1 });
 * assert.deepEqual(model.blocks.map((block) => block.name), ["W1", "W2", "H1"]);
 * assert.ok(model.evaluateData() > 0); // fills every block's gradient
 * model.free();
 * ```
 * @module
 */
import { relu, reluBackward } from "../activations.ts";
import { gemm } from "../gemm.ts";
import { type KernelChoice, type Loss, type LossTargets, makeLoss } from "../losses.ts";
import { IntVector, Matrix } from "../matrix.ts";
import type { ParameterBlock } from "../optim/minimize.ts";
import { Rng } from "../rng.ts";
import type { ResolvedProblem } from "./problem.ts";
import type { ModelOptions, UfmObjective } from "./models/types.ts";

/**
 * Step multiplier of H that balances the curvatures of the W and H blocks at the minimizer of
 * the plain UFM. There h̄_k = √(λ_W/(nλ_H))·w_k (canonical λ, docs/ufm-mse.md), so the W block's
 * curvature ≈ ‖h̄_k‖² and the H block's ≈ ‖w_k‖²/N differ by the factor K·λ_W/λ_H (= N for equal
 * TB λ, K for equal Z λ). Scaling H's steps by it makes convergence independent of N without
 * changing the minimizer. Returns 1 when a λ is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(balancedFeatureStep(0.5, 0.1, 4), 20);
 * ```
 */
export function balancedFeatureStep(lambdaW: number, lambdaH: number, K: number): number {
  return lambdaW > 0 && lambdaH > 0 ? (K * lambdaW) / lambdaH : 1;
}

/** Dense UFM objective over (W_1, …, W_m, H1[, b]). */
export class DenseUfm implements UfmObjective {
  /** The problem. */
  readonly problem: ResolvedProblem;
  /** Number of weight matrices m. */
  readonly depth: number;
  /** True if a ReLU follows every weight layer but the last. */
  readonly relu: boolean;
  /** Widths of the feature layers H1 … H_m ([d, hidden…]). */
  readonly widths: number[];
  /** W_1 … W_m; W_l is widths[l]×widths[l−1] (with widths[m] = K). */
  readonly weights: Matrix[];
  /** Free features H1, d×N; column j is sample j. */
  readonly H1: Matrix;
  /** Last-layer bias (K×1), or null. */
  readonly b: Matrix | null;
  /** Parameter blocks W1 … Wm, H1[, b] (named W, H[, b] for the plain UFM), canonical λ. */
  readonly blocks: ParameterBlock[];
  /** Class indices (single labels) or the K×N multi-hot targets (multi-label losses). */
  readonly targets: LossTargets;
  /** Pre-activations W_{l−1}H_{l−1} of H2 … H_m (index l−2); the same as #post if linear. */
  readonly #pre: Matrix[];
  /** Features H2 … H_m (index l−2). */
  readonly #post: Matrix[];
  /** Backward buffers for H2 … H_m. */
  readonly #back: Matrix[];
  readonly #logits: Matrix;
  readonly #loss: Loss;
  readonly #kernel: KernelChoice;

  constructor(problem: ResolvedProblem, options: ModelOptions) {
    this.problem = problem;
    this.depth = problem.depth;
    this.relu = problem.relu;
    this.widths = problem.widths;
    const { K, N } = problem;
    const dtype = options.dtype ?? "f64";
    this.#kernel = options.kernel ?? "simd";
    const rng = new Rng(options.seed);
    const out = [...this.widths, K];
    const stds = options.initStd === "auto"
      ? autoInitStds(problem)
      : new Array<number>(this.depth + 1).fill(options.initStd);
    this.weights = [];
    for (let l = 0; l < this.depth; l++) {
      const weight = Matrix.zeros(out[l + 1], out[l], dtype);
      if (stds[l] !== 0) rng.fillNormal(weight.data, stds[l]); // 0: a model to be overwritten
      this.weights.push(weight);
    }
    this.H1 = Matrix.zeros(this.widths[0], N, dtype);
    if (stds[this.depth] !== 0) rng.fillNormal(this.H1.data, stds[this.depth]);
    this.b = problem.bias === "none" ? null : Matrix.zeros(K, 1, dtype);
    this.#pre = [];
    this.#post = [];
    this.#back = [];
    for (let l = 1; l < this.depth; l++) {
      const pre = Matrix.zeros(this.widths[l], N, dtype);
      this.#pre.push(pre);
      this.#post.push(this.relu ? Matrix.zeros(this.widths[l], N, dtype) : pre);
      this.#back.push(Matrix.zeros(this.widths[l], N, dtype));
    }
    this.#logits = Matrix.zeros(K, N, dtype);
    this.#loss = makeLoss(problem.loss, this.#kernel);
    this.targets = lossTargets(problem, dtype);
    const plain = this.depth === 1;
    const lambdas = problem.weightLambdas;
    this.blocks = this.weights.map((weight, l) => ({
      name: plain ? "W" : `W${l + 1}`,
      value: weight,
      grad: Matrix.zeros(weight.rows, weight.cols, dtype),
      lambda: lambdas[l],
    }));
    this.blocks.push({
      name: plain ? "H" : "H1",
      value: this.H1,
      grad: Matrix.zeros(this.H1.rows, N, dtype),
      lambda: problem.lambdas.lambdaH,
      stepScale: options.precondition === "balanced"
        ? balancedFeatureStep(problem.lambdas.lambdaW, problem.lambdas.lambdaH, K)
        : 1,
    });
    if (this.b !== null) {
      this.blocks.push({
        name: "b",
        value: this.b,
        grad: Matrix.zeros(K, 1, dtype),
        lambda: problem.lambdas.lambdaB,
      });
    }
  }

  /** The classifier W_m. */
  get classifier(): Matrix {
    return this.weights[this.depth - 1];
  }

  /**
   * Features H_l for l = 1 … m (H1 is the parameter; H2 … H_m are post-activation buffers,
   * valid after {@link forward} or {@link evaluateData}).
   */
  features(layer: number): Matrix {
    this.#checkLayer(layer);
    return layer === 1 ? this.H1 : this.#post[layer - 2];
  }

  /** The features fed to the classifier, H_m. */
  penultimate(): Matrix {
    return this.features(this.depth);
  }

  /** Pre-activation W_{l−1}H_{l−1} of H_l, l = 2 … m (equal to H_l for the linear models). */
  preActivation(layer: number): Matrix {
    this.#checkLayer(layer);
    if (layer === 1) throw new RangeError("preActivation: H1 is free (no pre-activation)");
    return this.#pre[layer - 2];
  }

  /** Recomputes H2 … H_m and the logits W_mH_m (without bias) at the current parameters. */
  forward(): Matrix {
    const kernel = this.#kernel;
    for (let l = 1; l < this.depth; l++) {
      gemm(this.#pre[l - 1], this.weights[l - 1], this.features(l), { kernel });
      if (this.relu) relu(this.#pre[l - 1], this.#post[l - 1], kernel);
    }
    gemm(this.#logits, this.classifier, this.features(this.depth), { kernel });
    return this.#logits;
  }

  /** Data term 1/N Σ L at the current parameters; fills every block's gradient. */
  evaluateData(): number {
    const N = this.problem.N;
    const kernel = this.#kernel;
    const m = this.depth;
    const logits = this.forward();
    const gradB = this.b === null ? null : this.blocks[m + 1].grad;
    const total = this.#loss.evaluate(logits, this.targets, this.b, gradB);
    // logits now hold G_m = ∂ΣL/∂logits.
    let delta = logits;
    for (let l = m; l >= 1; l--) {
      gemm(this.blocks[l - 1].grad, delta, this.features(l), {
        transB: true,
        alpha: 1 / N,
        kernel,
      });
      if (l === 1) {
        gemm(this.blocks[m].grad, this.weights[0], delta, { transA: true, alpha: 1 / N, kernel });
      } else {
        const back = this.#back[l - 2];
        gemm(back, this.weights[l - 1], delta, { transA: true, kernel });
        if (this.relu) reluBackward(back, this.#pre[l - 2], kernel);
        delta = back;
      }
    }
    if (gradB !== null) {
      const g = gradB.data;
      for (let k = 0; k < g.length; k++) g[k] /= N;
    }
    return total / N;
  }

  /** ReLU pre-activations within `tolerance`·max|z| of 0 (0 for the linear models). */
  kinks(tolerance: number): number {
    if (!this.relu) return 0;
    this.forward();
    let count = 0;
    for (const pre of this.#pre) {
      let largest = 0;
      for (const value of pre.data) largest = Math.max(largest, Math.abs(value));
      for (const value of pre.data) if (Math.abs(value) <= tolerance * largest) count++;
    }
    return count;
  }

  /** Releases all core memory held by the model. */
  free(): void {
    for (const block of this.blocks) {
      block.value.free();
      block.grad.free();
    }
    for (let i = 0; i < this.#pre.length; i++) {
      this.#pre[i].free();
      if (this.relu) this.#post[i].free();
      this.#back[i].free();
    }
    this.#logits.free();
    this.targets.free();
  }

  #checkLayer(layer: number): void {
    if (!Number.isInteger(layer) || layer < 1 || layer > this.depth) {
      throw new RangeError(`feature layer must be in 1 … ${this.depth}, got ${layer}`);
    }
  }
}

/**
 * Factor on the balanced scale of {@link autoInitStds}. A random Gaussian factor puts only part
 * of its norm on the K target directions; at 1× the deep models often start with some direction
 * below the origin's basin and end at a rank-deficient local minimum f_j, at 2× nearly every
 * restart reaches the global minimum in the measured cases (ext-linear 12/12, ext-relu 7/8 vs
 * 7/12 and 4/8 at 1×; tests/solver_defaults_test.ts).
 */
const autoInitBoost = 2;

/**
 * Initialization scale of every factor W_1 … W_m, H1 (in that order) that puts each factor at the
 * size of (twice) the balanced solution of the target s√(N/K) with vanishing regularization
 * (docs/solvers.md#initialization): with a_l = N·λ_l (canonical λ) and ā = (Π a_l)^{1/L}, a factor
 * of a balanced minimizer has K singular values σ_l² = ā·(s√(N/K))^{2/L}/a_l; an r×c Gaussian
 * factor has ‖·‖_F² ≈ r·c·std², so std_l = √(K·σ_l²/(r·c)). Deep models then start neither at
 * the origin (a local minimum for L ≥ 3) nor exploding. Without regularization (a λ of 0):
 * 1/√(fan-in) per factor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveProblem } from "./problem.ts";
 * const stds = autoInitStds(resolveProblem({ K: 4, n: 5, d: 8, lambdaW: 0.1, lambdaH: 0.1,
 *   lambdaB: 0, bias: "none", norm: "tb", loss: "mse", targetScale: 1 }));
 * assert.equal(stds.length, 2); // W, then H
 * assert.ok(stds.every((std) => std > 0.05 && std < 2));
 * ```
 */
export function autoInitStds(problem: ResolvedProblem): number[] {
  const { K, N } = problem;
  const shapes = [...problem.widths, K].slice(1).map((rows, l) => [rows, problem.widths[l]]);
  shapes.push([problem.widths[0], N]); // H1
  const lambdas = [...problem.weightLambdas, problem.lambdas.lambdaH];
  if (lambdas.some((lambda) => !(lambda > 0))) {
    return shapes.map(([, cols], l) => 1 / Math.sqrt(l < shapes.length - 1 ? cols : 1));
  }
  const L = lambdas.length;
  const a = lambdas.map((lambda) => N * lambda);
  const geometric = Math.exp(a.reduce((sum, value) => sum + Math.log(value), 0) / L);
  const scale = problem.loss.name === "mse" ? problem.loss.targetScale : 1;
  const target = (scale * Math.sqrt(N / K)) ** (2 / L);
  return shapes.map(([rows, cols], l) =>
    autoInitBoost * Math.sqrt((K * geometric * target) / a[l] / (rows * cols))
  );
}

/**
 * The loss targets of a problem in core memory: class indices (single labels) or the K×N
 * multi-hot matrix (multi-label), in `dtype`. The caller frees them.
 */
export function lossTargets(problem: ResolvedProblem, dtype: "f64" | "f32"): LossTargets {
  const labels = problem.labels;
  if (labels.kind === "single") return IntVector.from(labels.labels);
  const { classes } = labels;
  const N = problem.N;
  const targets = Matrix.zeros(classes, N, dtype);
  const data = targets.data;
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < classes; k++) data[k * N + i] = labels.multiHot[i * classes + k];
  }
  return targets;
}
