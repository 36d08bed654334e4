/**
 * The spherical UFM (docs/sphere.md; Yaras et al. NeurIPS 2022, and for K > d + 1 Jiang et al.
 * ICML 2024): unit classifier rows w_k and unit features h_i, logits τ·⟨w_k, h_i⟩ (+ a free bias),
 * no weight decay:
 *
 *   f(W, H, b) = 1/N Σ_i L(τ·W h_i + b, y_i)   s.t. ‖w_k‖ = ‖h_i‖ = 1.
 *
 * τ multiplies the logits, as both papers' code does (the GNC paper's τ divides). The solver takes
 * Riemannian gradient steps on the product of spheres through the constrained-block hook of
 * `minimize`: gradients projected onto the tangent spaces, then rows / columns renormalized (the
 * retraction; SIMD kernels in core-as/assembly/sphere.ts). Closed forms: lib/theory/sphere.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveProblem } from "../problem.ts";
 * import { sphere } from "./sphere.ts";
 * const problem = resolveProblem({ K: 4, n: 5, d: 3, lambdaW: 0, lambdaH: 0, lambdaB: 0,
 *   bias: "none", norm: "z", loss: "ce", targetScale: 1, model: "sphere", tau: 5 });
 * assert.ok(Math.abs(sphere.theory(problem)!.objective - 0.0038106317) < 1e-10);
 * const model = sphere.create(problem, { seed: 1, initStd: 1 });
 * const norms = model.classifier.toRows().map((row) => Math.hypot(...row));
 * assert.ok(norms.every((norm) => Math.abs(norm - 1) < 1e-12)); // rows start on the sphere
 * model.free();
 * ```
 * @module
 */
import { parseNumberFlag } from "../../flags.ts";
import { UsageError } from "../../errors.ts";
import { gemm } from "../../gemm.ts";
import { type KernelChoice, type Loss, type LossTargets, makeLoss } from "../../losses.ts";
import { Matrix } from "../../matrix.ts";
import type { ParameterBlock } from "../../optim/minimize.ts";
import { unitVectors } from "../../unit_vectors.ts";
import { Rng } from "../../rng.ts";
import { sphereTheory } from "../../theory/sphere.ts";
import { lossTargets } from "../dense.ts";
import type { Architecture, ResolvedProblem, UfmProblem } from "../problem.ts";
import type { FlagValues, ModelDefinition, ModelOptions, UfmObjective } from "./types.ts";

/** Spherical UFM objective over (W, H[, b]). */
export class SphereUfm implements UfmObjective {
  /** The problem. */
  readonly problem: ResolvedProblem;
  /** Temperature τ. */
  readonly tau: number;
  /** Classifier, K×d, unit rows. */
  readonly W: Matrix;
  /** Features, d×N, unit columns (column j is sample j). */
  readonly H: Matrix;
  /** Free bias (K×1), or null. */
  readonly b: Matrix | null;
  /** Parameter blocks W, H (on spheres) [, b]. */
  readonly blocks: ParameterBlock[];
  /** Class indices of the samples. */
  readonly targets: LossTargets;
  readonly #logits: Matrix;
  readonly #loss: Loss;
  readonly #kernel: KernelChoice;

  constructor(problem: ResolvedProblem, options: ModelOptions) {
    this.problem = problem;
    this.tau = problem.tau!;
    const { K, d, N } = problem;
    const dtype = options.dtype ?? "f64";
    this.#kernel = options.kernel ?? "simd";
    const rng = new Rng(options.seed);
    this.W = Matrix.zeros(K, d, dtype);
    // Any scale works on the sphere (the start is normalized); `auto` draws N(0, 1).
    const std = options.initStd === "auto" ? 1 : options.initStd;
    rng.fillNormal(this.W.data, std);
    this.H = Matrix.zeros(d, N, dtype);
    rng.fillNormal(this.H.data, std);
    const rows = unitVectors("rows", this.#kernel);
    const columns = unitVectors("columns", this.#kernel);
    rows.retract(this.W);
    columns.retract(this.H);
    this.b = problem.bias === "none" ? null : Matrix.zeros(K, 1, dtype);
    this.#logits = Matrix.zeros(K, N, dtype);
    this.#loss = makeLoss(problem.loss, this.#kernel);
    this.targets = lossTargets(problem, dtype);
    this.blocks = [
      { name: "W", value: this.W, grad: Matrix.zeros(K, d, dtype), lambda: 0, constraint: rows },
      { name: "H", value: this.H, grad: Matrix.zeros(d, N, dtype), lambda: 0, constraint: columns },
    ];
    if (this.b !== null) {
      this.blocks.push({ name: "b", value: this.b, grad: Matrix.zeros(K, 1, dtype), lambda: 0 });
    }
  }

  /** The classifier W. */
  get classifier(): Matrix {
    return this.W;
  }

  /** The features H (unit columns). */
  penultimate(): Matrix {
    return this.H;
  }

  /** The logits τ·W·H (without bias). */
  forward(): Matrix {
    gemm(this.#logits, this.W, this.H, { alpha: this.tau, kernel: this.#kernel });
    return this.#logits;
  }

  /** Data term 1/N Σ L; fills the Euclidean gradients (minimize projects them). */
  evaluateData(): number {
    const N = this.problem.N;
    const kernel = this.#kernel;
    const logits = this.forward();
    const gradB = this.b === null ? null : this.blocks[2].grad;
    const total = this.#loss.evaluate(logits, this.targets, this.b, gradB);
    const scale = this.tau / N;
    gemm(this.blocks[0].grad, logits, this.H, { transB: true, alpha: scale, kernel });
    gemm(this.blocks[1].grad, this.W, logits, { transA: true, alpha: scale, kernel });
    if (gradB !== null) {
      const g = gradB.data;
      for (let k = 0; k < g.length; k++) g[k] /= N;
    }
    return total / N;
  }

  /** Releases all core memory. */
  free(): void {
    for (const block of this.blocks) {
      block.value.free();
      block.grad.free();
    }
    this.#logits.free();
    this.targets.free();
  }
}

/** Registry entry of the spherical UFM. */
export const sphere: ModelDefinition<SphereUfm> = {
  name: "sphere",
  summary: "spherical UFM: unit w_k and h_i, logits τ·⟨w_k, h_i⟩, no weight decay",
  flags: {
    tau: {
      type: "string",
      help: "temperature τ > 0 of the spherical model; it MULTIPLIES the cosine logits, " +
        "τ·⟨w_k, h_i⟩, as the Yaras and GNC code do (the GNC paper's τ divides: pass 1/τ) " +
        "(--model sphere; default 1)",
    },
  },
  rejects: {
    "lambda-w": "the spherical model has no weight decay (unit vectors)",
    "lambda-h": "the spherical model has no weight decay (unit vectors)",
    "lambda-b": "the spherical model has no weight decay (a bias is free or absent)",
    norm: "the spherical model has no λ to convert",
  },
  fromFlags(values: FlagValues): Partial<UfmProblem> {
    const raw = values.tau as string | undefined;
    return raw === undefined ? {} : {
      tau: parseNumberFlag("tau", raw, { min: 0, exclusiveMin: true }),
    };
  },
  architecture(spec: UfmProblem): Architecture {
    const tau = spec.tau ?? 1;
    if (!(tau > 0) || !Number.isFinite(tau)) {
      throw new UsageError(`--tau: must be a finite number > 0, got ${tau}`);
    }
    for (
      const [flag, value] of [
        ["lambda-w", spec.lambdaW],
        ["lambda-h", spec.lambdaH],
        ["lambda-b", spec.lambdaB],
      ] as const
    ) {
      if (value !== 0) {
        throw new UsageError(
          `--${flag}: the spherical model has no weight decay (unit vectors), got ${value}`,
        );
      }
    }
    if (spec.lambdaWs !== undefined) {
      throw new UsageError("--lambda-ws: the spherical model has no weight decay");
    }
    return { depth: 1, widths: [spec.d], relu: false, layerLambdas: [0], tau };
  },
  validate(problem: ResolvedProblem): void {
    if (problem.bias === "reg") {
      throw new UsageError("--bias: the spherical model takes a free bias or none, got 'reg'");
    }
    if (problem.labels.kind !== "single") {
      throw new UsageError(
        `--loss ${problem.loss.name}: the spherical model needs one label per sample`,
      );
    }
    if (problem.loss.name === "mse" && problem.loss.targetScale <= 0) {
      throw new UsageError("--target-scale: must be > 0");
    }
  },
  bytes(problem: ResolvedProblem, dtype) {
    const size = dtype === "f64" ? 8 : 4;
    const { K, d, N } = problem;
    return {
      total: size * (3 * (K * d + d * N + K) + 2 * K * N),
      largest: size * Math.max(d * N, K * N, K * d),
    };
  },
  create: (problem, options) => new SphereUfm(problem, options),
  theory(problem: ResolvedProblem) {
    if (problem.n === null) return null;
    return sphereTheory({
      K: problem.K,
      d: problem.d,
      tau: problem.tau!,
      loss: problem.loss,
      bias: problem.bias === "free" ? "free" : "none",
    });
  },
};
