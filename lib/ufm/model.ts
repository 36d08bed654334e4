/**
 * The plain UFM as a differentiable objective for any loss: classifier W (K×d), free features H (d×N,
 * class-major columns) and optional bias b (K), in the canonical (Z) convention
 * (lib/ufm/problem.ts). One evaluation is three matrix products and one fused loss kernel
 * (science.md §9):
 *   Z = W·H;  G = ∂ΣL/∂Z (loss plug-in, bias added inside);
 *   ∇W = G·Hᵀ/N,  ∇H = Wᵀ·G/N,  ∇b = G·1/N   (+ λθ, added by the optimizer).
 *
 * @example
 * ```ts
 * import { UfmModel } from "./model.ts";
 * const model = new UfmModel({ K: 3, n: 2, d: 4, lambdaW: 0.1, lambdaH: 0.1, lambdaB: 0,
 *   bias: "free", norm: "z", loss: "mse", targetScale: 1 }, { seed: 1, initStd: 0.1 });
 * const data: number = model.evaluateData();
 * model.free();
 * ```
 * @module
 */
import { gemm } from "../gemm.ts";
import { type DType, IntVector, Matrix } from "../matrix.ts";
import { Rng } from "../rng.ts";
import type { DifferentiableObjective, ParameterBlock } from "../optim/minimize.ts";
import { type KernelChoice, type Loss, makeLoss } from "../losses.ts";
import { canonicalLambdas, lossSpec, sampleCount, type UfmProblem } from "./problem.ts";

/** How to initialize and run the model. */
export interface UfmModelOptions {
  /** RNG seed for the initialization. */
  seed: number;
  /** Standard deviation of the N(0, std²) initialization of W and H (b starts at 0). */
  initStd: number;
  /** Element type of parameters and kernels (default f64). */
  dtype?: DType;
  /** SIMD (default) or scalar reference kernels. */
  kernel?: KernelChoice;
  /** Block step sizes: `none` (default, plain methods) or `balanced` (see {@link balancedFeatureStep}). */
  precondition?: Precondition;
}

/** Per-block step sizes of the UFM solver. */
export type Precondition = "none" | "balanced";
/** Accepted preconditioners. */
export const preconditions: readonly Precondition[] = ["none", "balanced"];

/**
 * Step multiplier of H that balances the curvatures of the W and H blocks at the minimizer.
 * There h̄_k = √(λ_W/(nλ_H))·w_k (canonical λ, science.md §3.3/§3.6), so the W block's curvature
 * ≈ ‖h̄_k‖² and the H block's ≈ ‖w_k‖²/N differ by the factor K·λ_W/λ_H (= N for equal TB λ, K for
 * equal Z λ). Scaling H's steps by it makes convergence independent of N without changing the
 * minimizer. Returns 1 when a λ is 0.
 */
export function balancedFeatureStep(lambdaW: number, lambdaH: number, K: number): number {
  return lambdaW > 0 && lambdaH > 0 ? (K * lambdaW) / lambdaH : 1;
}

/** Plain UFM objective over (W, H[, b]). */
export class UfmModel implements DifferentiableObjective {
  /** The problem (λ in the user's convention). */
  readonly problem: UfmProblem;
  /** Classifier, K×d. */
  readonly W: Matrix;
  /** Features, d×N, column j is sample j of class ⌊j/n⌋. */
  readonly H: Matrix;
  /** Bias (K×1), or null when the problem has none. */
  readonly b: Matrix | null;
  /** Parameter blocks with canonical λ. */
  readonly blocks: ParameterBlock[];
  /** Class labels of the columns of H (class-major: column j has label ⌊j/n⌋). */
  readonly labels: IntVector;
  readonly #logits: Matrix;
  readonly #loss: Loss;
  readonly #kernel: KernelChoice;

  constructor(problem: UfmProblem, options: UfmModelOptions) {
    this.problem = problem;
    const { K, d } = problem;
    const N = sampleCount(problem);
    const dtype = options.dtype ?? "f64";
    this.#kernel = options.kernel ?? "simd";
    const rng = new Rng(options.seed);
    this.W = Matrix.zeros(K, d, dtype);
    rng.fillNormal(this.W.data, options.initStd);
    this.H = Matrix.zeros(d, N, dtype);
    rng.fillNormal(this.H.data, options.initStd);
    this.b = problem.bias === "none" ? null : Matrix.zeros(K, 1, dtype);
    this.#logits = Matrix.zeros(K, N, dtype);
    this.#loss = makeLoss(lossSpec(problem), this.#kernel);
    this.labels = IntVector.from(Array.from({ length: N }, (_, j) => Math.floor(j / problem.n)));
    const lambdas = canonicalLambdas(problem);
    this.blocks = [
      { name: "W", value: this.W, grad: Matrix.zeros(K, d, dtype), lambda: lambdas.lambdaW },
      {
        name: "H",
        value: this.H,
        grad: Matrix.zeros(d, N, dtype),
        lambda: lambdas.lambdaH,
        stepScale: options.precondition === "balanced"
          ? balancedFeatureStep(lambdas.lambdaW, lambdas.lambdaH, K)
          : 1,
      },
    ];
    if (this.b !== null) {
      this.blocks.push({
        name: "b",
        value: this.b,
        grad: Matrix.zeros(K, 1, dtype),
        lambda: lambdas.lambdaB,
      });
    }
  }

  /** Data term 1/N Σ L at the current parameters; fills the blocks' gradients. */
  evaluateData(): number {
    const N = sampleCount(this.problem);
    const kernel = this.#kernel;
    const [gradW, gradH, gradB] = [this.blocks[0].grad, this.blocks[1].grad, this.blocks[2]?.grad];
    gemm(this.#logits, this.W, this.H, { kernel });
    const total = this.#loss.evaluate(this.#logits, this.labels, this.b, gradB ?? null);
    gemm(gradW, this.#logits, this.H, { transB: true, alpha: 1 / N, kernel });
    gemm(gradH, this.W, this.#logits, { transA: true, alpha: 1 / N, kernel });
    if (gradB !== undefined) {
      const g = gradB.data;
      for (let k = 0; k < g.length; k++) g[k] /= N;
    }
    return total / N;
  }

  /** Releases all core memory held by the model. */
  free(): void {
    for (const block of this.blocks) {
      block.value.free();
      block.grad.free();
    }
    this.#logits.free();
    this.labels.free();
  }
}
