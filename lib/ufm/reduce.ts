/**
 * The class-reduced UFM (docs/solvers.md#reduced): when every sample of a class (or of a label
 * set) shares one feature vector, the objective only sees the groups' counts. With g the greatest
 * common divisor of the group counts n_S, the full problem restricted to such collapsed points is
 * exactly the problem with n_S/g samples per group, N/g samples and λ_H·g (canonical λ):
 *
 *   (1/N) Σ_S n_S L(W h̄_S + b, S) + λ_H/2 Σ_S n_S‖h̄_S‖²
 *     = (1/N') Σ_S c_S L(W h̄_S + b, S) + (gλ_H)/2 Σ_S c_S‖h̄_S‖²,   c_S = n_S/g, N' = N/g.
 *
 * A critical point of the reduced problem lifts (every sample takes its group's mean) to a
 * critical point of the full one. For losses convex in the logits with linear layers and λ_H > 0
 * (MSE, CE, LS, PAL; plain, extended and deep linear models) every critical point of the full
 * problem is collapsed — for fixed weights each h_i minimizes a strictly convex function that
 * depends only on its label — so nothing is lost and the within-group directions of the Hessian
 * are positive definite. For focal loss, ReLU models and the sphere (LS past saturation does not
 * collapse) the reduction is only a candidate, which `solve` checks on the full problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveProblem } from "./problem.ts";
 * import { reduceProblem } from "./reduce.ts";
 * const full = resolveProblem({ K: 4, counts: [200, 100, 50, 50], d: 8, lambdaW: 1e-3,
 *   lambdaH: 1e-3, lambdaB: 0, bias: "none", norm: "z", loss: "mse", targetScale: 1 });
 * const { reduced, factor } = reduceProblem(full)!;
 * assert.equal(factor, 50);
 * assert.deepEqual(reduced.labels.counts, [4, 2, 1, 1]);
 * assert.equal(reduced.lambdas.lambdaH, 50 * 1e-3);
 * ```
 * @module
 */
import { countLabels, labelSets, type LabelStructure } from "./labels.ts";
import type { UfmObjective } from "./models/types.ts";
import type { ResolvedProblem } from "./problem.ts";

/** A problem's reduction. */
export interface Reduction {
  /** The reduced problem (group counts divided by `factor`). */
  reduced: ResolvedProblem;
  /** g: the gcd of the group counts (the factor by which N shrinks). */
  factor: number;
  /** Group (class or label set) of every sample of the full problem, as a key. */
  groupOfSample: string[];
  /** True when the reduction provably keeps every critical point (see the module notes). */
  exact: boolean;
}

/** The groups of a label structure: key of every sample, and the counts per key. */
function groups(labels: LabelStructure): { keys: string[]; counts: Map<string, number> } {
  const keys = labels.kind === "single"
    ? Array.from(labels.labels, (y) => String(y))
    : labels.sets.map((set) => set.join(","));
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return { keys, counts };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** True where the reduction provably keeps every critical point (module notes). */
export function reductionIsExact(problem: ResolvedProblem): boolean {
  return problem.model !== "sphere" && !problem.relu && problem.loss.name !== "fl" &&
    problem.lambdas.lambdaH > 0;
}

/**
 * The class-reduced problem, or null when nothing can be reduced (g = 1) or the model has no
 * per-sample free features of its own (the sphere's unit features do not scale with g).
 */
export function reduceProblem(problem: ResolvedProblem): Reduction | null {
  if (problem.model === "sphere") return null;
  const { keys, counts } = groups(problem.labels);
  const factor = [...counts.values()].reduce(gcd);
  if (factor <= 1) return null;
  let labels: LabelStructure;
  if (problem.labels.kind === "single") {
    const classes = problem.labels.counts.map((count) => count / factor);
    labels = countLabels(classes);
  } else {
    const sets: number[][] = [];
    for (const [key, count] of counts) {
      for (let i = 0; i < count / factor; i++) sets.push(key.split(",").map(Number));
    }
    labels = labelSets(sets, problem.K);
  }
  const N = problem.N / factor;
  const reduced: ResolvedProblem = {
    ...problem,
    N,
    n: problem.n === null ? null : problem.n / factor,
    labels,
    lambdas: { ...problem.lambdas, lambdaH: problem.lambdas.lambdaH * factor },
  };
  return { reduced, factor, groupOfSample: keys, exact: reductionIsExact(problem) };
}

/**
 * Copies a full model's state into the reduced model (the inverse of {@link liftSolution}):
 * weights and bias as they are, every reduced column its group's mean over the full samples.
 */
export function restrictSolution(reduction: Reduction, from: UfmObjective, to: UfmObjective): void {
  copyWeights(from, to);
  groupMeansInto(
    featureBlock(from),
    reduction.groupOfSample,
    featureBlock(to),
    groups(reduction.reduced.labels).keys,
  );
}

/**
 * Copies a reduced model's solution into the full model: every weight and the bias as they are,
 * and for every sample of the full problem the mean of its group's columns in the reduced H1.
 */
export function liftSolution(reduction: Reduction, from: UfmObjective, to: UfmObjective): void {
  copyWeights(from, to);
  groupMeansInto(
    featureBlock(from),
    groups(reduction.reduced.labels).keys,
    featureBlock(to),
    reduction.groupOfSample,
  );
}

const isFeatures = (name: string) => name === "H" || name === "H1";

function featureBlock(model: UfmObjective) {
  return model.blocks.find((block) => isFeatures(block.name))!.value;
}

function copyWeights(from: UfmObjective, to: UfmObjective): void {
  from.blocks.forEach((block, b) => {
    if (!isFeatures(block.name)) to.blocks[b].value.data.set(block.value.data);
  });
}

/** target column j ← mean of the source columns whose key equals targetKeys[j]. */
function groupMeansInto(
  source: { rows: number; cols: number; data: ArrayLike<number> },
  sourceKeys: string[],
  target: { cols: number; data: { [i: number]: number } },
  targetKeys: string[],
): void {
  const d = source.rows, sourceN = source.cols, targetN = target.cols;
  const means = new Map<string, Float64Array>();
  const seen = new Map<string, number>();
  for (let j = 0; j < sourceN; j++) {
    const key = sourceKeys[j];
    const mean = means.get(key) ?? new Float64Array(d);
    for (let r = 0; r < d; r++) mean[r] += source.data[r * sourceN + j];
    means.set(key, mean);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const [key, mean] of means) for (let r = 0; r < d; r++) mean[r] /= seen.get(key)!;
  for (let j = 0; j < targetN; j++) {
    const mean = means.get(targetKeys[j])!;
    for (let r = 0; r < d; r++) target.data[r * targetN + j] = mean[r];
  }
}
