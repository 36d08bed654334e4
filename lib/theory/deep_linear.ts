/**
 * Closed-form global minimizers of the extended (3-factor) and deep (L-factor) linear UFM with
 * MSE (docs/extended-deep.md#l-factor-reduction; the problems are stated at
 * docs/extended-deep.md#ext-linear-problem and docs/extended-deep.md#deep-problems), in any
 * regularization convention.
 *
 * Write the problem with L factors A_1 ⋯ A_L (the last factor is the free feature matrix H1) as
 *   N·f = ½‖A_1 ⋯ A_L − sY‖² + Σ_l (a_l/2)‖A_l‖²,      a_l = N·λ_l^Z  (canonical (Z) λ).
 * The penalty of a factorization of Z is (L/2)(Π a_l)^{1/L} Σ_i σ_i(Z)^{2/L}, so the problem
 * decouples over the singular directions of Y: class k's, with singular value s√n_k (n_k samples;
 * all equal for balanced classes). With σ = s√n_k·x each direction solves the scalar problem
 *   φ(x) = ½(1 − x)² + (L/2)·κ_k·x^{2/L},   κ_k = (Π_l a_l)^{1/L} · n_k^{1/L − 1} · s^{2/L − 2},
 * and contributes (n_k/N)·s²·φ to f. A class whose φ(x*) is not below φ(0) = ½ collapses to 0
 * (minority collapse for imbalanced classes, docs/imbalanced.md; for L = 2 and s = 1 class k
 * contributes (t√n_k − t²/2)/N with t = N√(λ_Wλ_H) if √n_k > t, else n_k/(2N)).
 * Stationary points: x^{1−2/L}(1 − x) = κ. The nonzero solution is the global one iff
 * κ < κ*_L = ((L−2)/(L−1))^{(L−2)/L}/(L−1); nonzero local minima exist while κ is below the
 * maximum of x^{1−2/L}(1 − x) (for L = 3: (3/4)·4^{−1/3}). At the optimum the factors are
 * balanced: every nonzero singular value of A_l satisfies a_l·σ_l² = (Π a)^{1/L}(s√n x)^{2/L}.
 *
 * With an unregularized last-layer bias the all-ones direction is absorbed by b = (s/K)·1, and
 * only the K − 1 centered directions remain (f scales by (K−1)/K; means are a centered ETF).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deepLinearTheory, kappaStar } from "./deep_linear.ts";
 * assert.ok(Math.abs(kappaStar(3) - 2 ** (-4 / 3)) < 1e-15);
 * // Extended linear UFM, TB λ = (0.2, 0.3, 0.4), K = 4, n = 5: canonical λ^Z = λ^TB/K (W), /N (H).
 * const t = deepLinearTheory({ counts: [5, 5, 5, 5], widths: [8, 8], lambdaWs: [0.3 / 4, 0.2 / 4],
 *   lambdaH: 0.4 / 20, bias: "none", targetScale: 1 });
 * // The tabulated value, docs/extended-deep.md#ext-linear-table:
 * assert.ok(Math.abs(t!.objective - 0.3857423764) < 1e-10);
 * ```
 * @module
 */
import { centredTargetModes } from "./imbalanced.ts";
import type { ClosedForm, PerClassPrediction } from "./types.ts";

/**
 * κ*_L: the nonzero critical point is the global minimizer iff κ < κ*_L
 * (docs/extended-deep.md#kappa-star). κ*_2 = 1 (plain UFM), κ*_3 = 2^(−4/3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(kappaStar(4) - 0.2721655270) < 1e-10);
 * assert.equal(kappaStar(2), 1);
 * ```
 */
export function kappaStar(factors: number): number {
  checkFactors(factors);
  const L = factors;
  if (L === 2) return 1;
  return ((L - 2) / (L - 1)) ** ((L - 2) / L) / (L - 1);
}

/**
 * Sup of κ for which the stationarity equation x^{1−2/L}(1 − x) = κ has a root in (0, 1], i.e.
 * nonzero local minima exist (for L ≥ 3; for L = 2 this is the threshold 1). The maximum of
 * g(x) = x^p(1 − x), p = 1 − 2/L, is at x = p/(1 + p): g_max = (p/(1+p))^p/(1+p).
 * For L = 3 this is (3/4)·4^(−1/3) = 0.4724703937 (docs/extended-deep.md#local-min-bound).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(localMinimumBound(3) - 0.75 * 4 ** (-1 / 3)) < 1e-15);
 * ```
 */
export function localMinimumBound(factors: number): number {
  checkFactors(factors);
  const p = 1 - 2 / factors;
  return (p / (1 + p)) ** p / (1 + p);
}

/**
 * The scalar objective φ(x) = ½(1 − x)² + (L/2)κx^{2/L} of one singular direction.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(scalarObjective(0, 0.3, 3), 0.5); // the origin
 * ```
 */
export function scalarObjective(x: number, kappa: number, factors: number): number {
  return 0.5 * (1 - x) ** 2 + (factors / 2) * kappa * x ** (2 / factors);
}

/**
 * The largest root x* of x^{1−2/L}(1 − x) = κ in (0, 1], or null when there is none
 * (κ ≥ {@link localMinimumBound}) or κ ≤ 0 is degenerate (κ = 0 gives x = 1).
 *
 * Robust: g(x) = x^{1−2/L}(1 − x) is strictly decreasing on [p/(1+p), 1] (p = 1 − 2/L) from g_max
 * to 0, so bisection on that bracket converges to the unique root there, down to adjacent
 * doubles; a final comparison keeps the endpoint with the smaller residual.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const x = largestRoot(0.2, 4)!; // docs/extended-deep.md#l4-check: 0.772439…
 * assert.ok(Math.abs(x ** 0.5 * (1 - x) - 0.2) < 1e-12); // solves x^{1−2/L}(1 − x) = κ
 * assert.equal(largestRoot(0.5, 3), null); // above the local-minimum bound
 * ```
 */
export function largestRoot(kappa: number, factors: number): number | null {
  checkFactors(factors);
  if (!(kappa >= 0) || !Number.isFinite(kappa)) {
    throw new RangeError(`largestRoot: κ must be a finite number ≥ 0, got ${kappa}`);
  }
  if (kappa === 0) return 1;
  if (factors === 2) return kappa < 1 ? 1 - kappa : null; // g(x) = 1 − x
  if (kappa >= localMinimumBound(factors)) return null;
  const p = 1 - 2 / factors;
  const g = (x: number): number => x ** p * (1 - x) - kappa;
  let lo = p / (1 + p); // g(lo) > 0
  let hi = 1; // g(hi) = −κ < 0
  for (let i = 0; i < 2000; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return Math.abs(g(lo)) <= Math.abs(g(hi)) ? lo : hi;
}

/** Inputs of {@link deepLinearTheory}: class sizes and λ in the canonical (Z) convention. */
export interface DeepLinearTheoryInput {
  /** Samples of each class n_k (K = counts.length; all equal for balanced classes). */
  counts: readonly number[];
  /**
   * Widths of the feature layers H_1, …, H_m (m = number of weight matrices): [d, h_1, …, h_{m−1}]
   * (the free features have d rows; W_l maps width l−1 to width l; W_m maps to K).
   */
  widths: number[];
  /** λ^Z of W_1, …, W_m (first layer on the features to the classifier W_m). */
  lambdaWs: number[];
  /** λ^Z of the free features H_1. */
  lambdaH: number;
  /** Last-layer bias: absent or free (unregularized). */
  bias: "none" | "free";
  /** MSE target scale s (targets s·e_y). */
  targetScale: number;
}

/** The predicted global minimizer of the L-factor linear UFM. */
export interface DeepLinearTheory extends ClosedForm {
  /** Which closed form this is. */
  kind: "deep-linear";
  /** Number of factors L = weight matrices + 1. */
  factors: number;
  /**
   * κ = (Π a_l)^{1/L} · n^{1/L−1} · s^{2/L−2} at the mean class size n = N/K (TB, 3 factors,
   * s = 1: (λ_W2 λ_W1 λ_H1)^{1/3}); imbalanced classes have their own κ_k (`per_class_kappa`).
   */
  kappa: number;
  /** κ*_L: a class's nonzero solution is global iff its κ < κ*_L. */
  kappa_star: number;
  /** κ below which nonzero local minima exist. */
  local_minimum_bound: number;
  /** Largest root of x^{1−2/L}(1 − x) = κ (null if none), in units of the target s. */
  root: number | null;
  /** x of the global minimizer: W_m⋯W_1H̄_1 = s·x·I (0 at the zero solution; mean class size). */
  x: number;
  /** Objective of the full-rank critical point at `root` (null if no root; balanced only). */
  nonzero_objective: number | null;
  /**
   * f_j for j = 0 … r (r = K bias-free, K − 1 with a free bias): j singular directions at `root`,
   * the others at 0 (local minima for L ≥ 3, saddles for L = 2; docs/extended-deep.md). f_0 is
   * the origin, f_r the full-rank point. Without a root, or for imbalanced classes, only f_0.
   */
  rank_values: number[];
  /** Rank of the global minimizer's product (number of classes that do not collapse). */
  rank: number;
  /** Geometry of the uncentered class means of every feature layer. */
  structure: "orthogonal frame" | "simplex ETF" | "sample-centred (imbalanced)" | "zero";
  /** Mean ‖h̄_k‖² of every feature layer H_1, …, H_m. */
  layer_h_mean_sq: number[];
  /**
   * Squared nonzero singular value of every weight matrix W_1, …, W_m (`rank` of them each); for
   * imbalanced classes the mean over classes of `per_class_layer_w_sigma_sq`.
   */
  layer_w_sigma_sq: number[];
  /** κ_k of each class (equal for balanced classes). */
  per_class_kappa: number[];
  /**
   * x_k of each class (0 where the class collapses); absent with a free bias and imbalanced
   * classes, whose singular directions mix classes (see `modes`).
   */
  per_class_x?: number[];
  /**
   * Squared singular value of W_1 … W_m along each class's direction, [layer][class]; absent
   * where `per_class_x` is.
   */
  per_class_layer_w_sigma_sq?: number[][];
  /**
   * Free bias with imbalanced classes: the singular directions of the centred target (squared
   * singular value in units of s², how many equal ones, their κ and x; docs/imbalanced.md).
   */
  modes?: { size: number; copies: number; kappa: number; x: number }[];
  /** Per-class ‖h̄_k‖², ‖w_k‖² and collapse (docs/imbalanced.md). */
  per_class: PerClassPrediction;
}

/**
 * The closed-form global minimizer (docs/extended-deep.md#l-factor; per class for imbalanced
 * classes, docs/imbalanced.md), or null where it does not apply: a λ of 0 (no minimizer or not
 * unique) or a width smaller than the rank of the solution.
 */
export function deepLinearTheory(input: DeepLinearTheoryInput): DeepLinearTheory | null {
  const { counts, widths, lambdaWs, lambdaH, bias, targetScale: s } = input;
  const K = counts.length;
  const m = lambdaWs.length;
  if (m < 1 || widths.length !== m) {
    throw new RangeError(
      `deepLinearTheory: ${m} weight λ need ${m} feature widths, got ${widths.length}`,
    );
  }
  const factors = m + 1;
  const N = counts.reduce((sum, count) => sum + count, 0);
  const balanced = counts.every((count) => count === counts[0]);
  const lambdas = [...lambdaWs, lambdaH];
  if (lambdas.some((lambda) => !(lambda > 0)) || !(s > 0)) return null;
  const a = lambdas.map((lambda) => N * lambda); // a_l of N·f (module docs)
  const logProduct = a.reduce((sum, value) => sum + Math.log(value), 0) / factors;
  const geometric = Math.exp(logProduct); // (Π a_l)^{1/L}
  const kappaOf = (n: number): number =>
    geometric * n ** (1 / factors - 1) * s ** (2 / factors - 2);
  const kappa = kappaOf(N / K);
  const kappaStarL = kappaStar(factors);
  const root = largestRoot(kappa, factors);
  // φ is per unit target; direction k of the full objective is n_k·s²φ, divided by N.
  const perDirection = (x: number, kappaK: number): number =>
    s * s * scalarObjective(x, kappaK, factors);
  const origin = 0.5 * s * s;
  if (!balanced && bias === "free") {
    return freeBiasImbalanced({ ...input, N, a, geometric, kappaOf, perDirection, root, kappa });
  }
  const directions = bias === "none" ? K : K - 1; // singular directions of the (centered) target
  // Each class's direction at its largest root, or at 0 where that is lower (minority collapse).
  const perClassKappa = counts.map(kappaOf);
  const perClassX = perClassKappa.map((kappaK) => {
    const rootK = largestRoot(kappaK, factors);
    return rootK !== null && perDirection(rootK, kappaK) < origin ? rootK : 0;
  });
  let objective: number;
  let nonzero: number | null = null;
  let rankValues: number[];
  if (balanced) {
    nonzero = root === null ? null : perDirection(root, kappa);
    rankValues = Array.from(
      { length: root === null ? 1 : directions + 1 },
      (_, j) => (j * (nonzero ?? 0) + (directions - j) * origin) / K,
    );
    const zeroAll = nonzero === null || !(nonzero < origin);
    objective = (directions * (zeroAll ? origin : nonzero!)) / K;
  } else {
    objective = counts.reduce(
      (sum, n, k) =>
        sum + (n / N) * (perClassX[k] > 0 ? perDirection(perClassX[k], perClassKappa[k]) : origin),
      0,
    );
    rankValues = [origin];
  }
  const rank = balanced
    ? (perClassX[0] > 0 ? directions : 0)
    : perClassX.filter((x) => x > 0).length;
  const zero = rank === 0;
  if (!zero && widths.some((width) => width < rank)) return null;
  const x = zero ? 0 : balanced ? root! : root ?? 0;
  // Balanced factors: a_l σ_l² = (Π a)^{1/L} (s√n_k x_k)^{2/L} for every factor l, per class.
  const sigmaSq = counts.map((n, k) => {
    const xk = balanced ? (zero ? 0 : root!) : perClassX[k];
    const common = xk === 0 ? 0 : geometric * (s * Math.sqrt(n) * xk) ** (2 / factors);
    return a.map((value) => common / value); // W_1, …, W_m, then H_1
  });
  // H_l = W_{l−1}⋯W_1H_1: along class k's direction its singular value² is the product of the
  // factors' below; with n_k equal columns, ‖h̄_k‖² = σ²/n_k.
  const centeredFraction = 1 - 1 / K;
  const perClassFraction = bias === "none" ? 1 : centeredFraction;
  const classLayerH = counts.map((n, k) => {
    const values: number[] = [];
    let product = sigmaSq[k][m] / n;
    for (let l = 0; l < m; l++) {
      values.push(product * perClassFraction);
      product *= sigmaSq[k][l];
    }
    return values;
  });
  const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
  const layerHMeanSq = Array.from({ length: m }, (_, l) => mean(classLayerH.map((v) => v[l])));
  const perClassLayerW = Array.from({ length: m }, (_, l) => sigmaSq.map((v) => v[l]));
  const layerWSigmaSq = perClassLayerW.map(mean);
  const wRows = perClassLayerW[m - 1].map((value) => value * perClassFraction);
  return {
    kind: "deep-linear",
    factors,
    kappa,
    kappa_star: kappaStarL,
    local_minimum_bound: localMinimumBound(factors),
    root,
    x,
    objective,
    nonzero_objective: nonzero === null ? null : (directions * nonzero) / K,
    rank_values: rankValues,
    rank,
    zero_solution: zero,
    structure: zero ? "zero" : bias === "none" ? "orthogonal frame" : "simplex ETF",
    h_mean_sq: layerHMeanSq[m - 1],
    h_centered_sq: (layerHMeanSq[m - 1] / perClassFraction) * centeredFraction,
    w_row_sq: mean(wRows),
    bias: bias === "none" ? 0 : s / K,
    layer_h_mean_sq: layerHMeanSq,
    layer_w_sigma_sq: layerWSigmaSq,
    per_class_kappa: perClassKappa,
    per_class_x: perClassX,
    per_class_layer_w_sigma_sq: perClassLayerW,
    per_class: {
      h_mean_sq: classLayerH.map((values) => values[m - 1]),
      w_row_sq: wRows,
      collapsed: perClassX.map((xk) => xk === 0),
    },
  };
}

/**
 * A free bias with imbalanced classes (docs/imbalanced.md#mse-free-bias, in L-factor form): the
 * bias takes b* = s·n_k/N and the K − 1 singular directions of the centred target
 * (lib/theory/imbalanced.ts `centredTargetModes`, squared singular values μ_i in units of s²)
 * each solve the scalar problem with κ(μ_i), exactly as a class of μ_i samples would without a
 * bias. Class means and classifier rows mix the directions: their norms come from the
 * directions' singular vectors.
 */
function freeBiasImbalanced(
  context: DeepLinearTheoryInput & {
    N: number;
    a: number[];
    geometric: number;
    kappaOf: (n: number) => number;
    perDirection: (x: number, kappa: number) => number;
    root: number | null;
    kappa: number;
  },
): DeepLinearTheory | null {
  const { counts, widths, targetScale: s, N, a, geometric, kappaOf, perDirection } = context;
  const K = counts.length, m = a.length - 1, factors = m + 1;
  const origin = 0.5 * s * s;
  const modes = centredTargetModes(counts).map((mode) => {
    const kappa = kappaOf(mode.size);
    const rootK = largestRoot(kappa, factors);
    const x = rootK !== null && perDirection(rootK, kappa) < origin ? rootK : 0;
    // Balanced factors along the direction: a_l σ_l² = (Π a)^{1/L}(s√μ x)^{2/L}.
    const common = x === 0 ? 0 : geometric * (s * Math.sqrt(mode.size) * x) ** (2 / factors);
    return { ...mode, kappa, x, sigmaSq: a.map((value) => common / value) };
  });
  const objective = modes.reduce(
    (sum, mode) =>
      sum +
      mode.copies * (mode.size / N) * (mode.x > 0 ? perDirection(mode.x, mode.kappa) : origin),
    0,
  );
  const rank = modes.reduce((sum, mode) => sum + (mode.x > 0 ? mode.copies : 0), 0);
  if (widths.some((width) => width < rank)) return null;
  // Gram matrix of the class means of feature layer l: Σ_i σ²_{H_l,i} (Σ v vᵀ)_kq / √(n_k n_q).
  const layerGram = (l: number): Float64Array => {
    const gram = new Float64Array(K * K);
    for (const mode of modes) {
      let sigma = mode.sigmaSq[m];
      for (let below = 0; below < l; below++) sigma *= mode.sigmaSq[below];
      for (let k = 0; k < K; k++) {
        for (let q = 0; q < K; q++) {
          gram[k * K + q] += (sigma * mode.right[k * K + q]) / Math.sqrt(counts[k] * counts[q]);
        }
      }
    }
    return gram;
  };
  const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
  const grams = Array.from({ length: m }, (_, l) => layerGram(l));
  const diagonal = (gram: Float64Array) => Array.from({ length: K }, (_, k) => gram[k * K + k]);
  const last = grams[m - 1];
  const hMean = mean(diagonal(last));
  const total = last.reduce((sum, value) => sum + value, 0);
  const wRows = counts.map((_, k) =>
    modes.reduce((sum, mode) => sum + mode.sigmaSq[m - 1] * mode.left[k * K + k], 0)
  );
  const directions = K - 1;
  const layerWSigmaSq = Array.from(
    { length: m },
    (_, l) => modes.reduce((sum, mode) => sum + mode.copies * mode.sigmaSq[l], 0) / directions,
  );
  const hClass = diagonal(last);
  return {
    kind: "deep-linear",
    factors,
    kappa: context.kappa,
    kappa_star: kappaStar(factors),
    local_minimum_bound: localMinimumBound(factors),
    root: context.root,
    x: mean(modes.map((mode) => mode.x)),
    objective,
    nonzero_objective: null,
    // f_0, the origin (b* still fits the class frequencies): every direction at 0.
    rank_values: [modes.reduce((sum, mode) => sum + mode.copies * (mode.size / N) * origin, 0)],
    rank,
    zero_solution: rank === 0,
    structure: rank === 0 ? "zero" : "sample-centred (imbalanced)",
    h_mean_sq: hMean,
    h_centered_sq: hMean - total / (K * K),
    w_row_sq: mean(wRows),
    bias: s / K, // the mean of b*_k = s·n_k/N
    layer_h_mean_sq: grams.map((gram) => mean(diagonal(gram))),
    layer_w_sigma_sq: layerWSigmaSq,
    per_class_kappa: counts.map(kappaOf),
    modes: modes.map(({ size, copies, kappa, x }) => ({ size, copies, kappa, x })),
    per_class: {
      h_mean_sq: hClass,
      w_row_sq: wRows,
      collapsed: counts.map((_, k) => hClass[k] === 0 && wRows[k] === 0),
      bias: counts.map((n) => (s * n) / N),
    },
  };
}

function checkFactors(factors: number): void {
  if (!Number.isInteger(factors) || factors < 2) {
    throw new RangeError(`the number of factors L must be an integer ≥ 2, got ${factors}`);
  }
}
