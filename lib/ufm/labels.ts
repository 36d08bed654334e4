/**
 * Label structures of a UFM instance: which classes each sample (column of H) belongs to.
 *
 * - **single**: one class index per sample, any class sizes n_k ≥ 1 (balanced, imbalanced
 *   — docs/imbalanced.md — or in any column order);
 * - **multi**: a label set S_i ⊆ {0, …, K−1} per sample, |S_i| ≥ 1 (multi-label learning with the
 *   pick-all-label loss, docs/multilabel.md).
 *
 * The constructors below lay samples out class-major (all of class 0, then class 1, …; label
 * sets after the single labels), which keeps the balanced problems bitwise identical to the
 * historical hard-wired layout; nothing downstream relies on that order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countLabels, pairLabels } from "./labels.ts";
 * const imbalanced = countLabels([3, 1]);
 * assert.deepEqual(Array.from(imbalanced.labels), [0, 0, 0, 1]);
 * const multi = pairLabels(3, 1, 2); // 1 single per class, 2 samples per pair of classes
 * assert.equal(multi.sets.length, 3 + 3 * 2);
 * assert.deepEqual(multi.sets[3], [0, 1]);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";

/** One class index per sample. */
export interface SingleLabels {
  /** Discriminant. */
  kind: "single";
  /** Number of classes K. */
  classes: number;
  /** Class of sample i, in 0 … K−1. */
  labels: Int32Array;
  /** n_k, samples of class k (every n_k ≥ 1). */
  counts: number[];
}

/** A label set per sample (multi-label). */
export interface MultiLabels {
  /** Discriminant. */
  kind: "multi";
  /** Number of classes K. */
  classes: number;
  /** Label set of sample i, ascending class indices, non-empty. */
  sets: number[][];
  /** Multi-hot matrix, N×K row-major, 1 where class k ∈ S_i. */
  multiHot: Uint8Array;
  /** Samples whose set contains class k (every class appears at least once). */
  counts: number[];
}

/** Which classes each sample belongs to. */
export type LabelStructure = SingleLabels | MultiLabels;

/** Number of samples N. */
export function labelSampleCount(labels: LabelStructure): number {
  return labels.kind === "single" ? labels.labels.length : labels.sets.length;
}

/** n when every class of a single-label structure has n samples, else null. */
export function balancedCount(labels: LabelStructure): number | null {
  if (labels.kind !== "single") return null;
  const n = labels.counts[0];
  return labels.counts.every((count) => count === n) ? n : null;
}

/**
 * `n` samples of each of `classes` classes, class-major.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(Array.from(balancedLabels(2, 2).labels), [0, 0, 1, 1]);
 * ```
 */
export function balancedLabels(classes: number, n: number): SingleLabels {
  return countLabels(new Array<number>(classes).fill(n));
}

/**
 * n_k samples of class k (K = counts.length ≥ 2), class-major. Throws a {@link UsageError} naming
 * `--counts` for a count that is not an integer ≥ 1.
 */
export function countLabels(counts: readonly number[], flag = "counts"): SingleLabels {
  if (counts.length < 2) {
    throw new UsageError(`--${flag}: needs at least 2 classes, got ${counts.length}`);
  }
  for (const [k, count] of counts.entries()) {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new UsageError(`--${flag}: class ${k} needs an integer count ≥ 1, got ${count}`);
    }
  }
  const total = counts.reduce((sum, count) => sum + count, 0);
  const labels = new Int32Array(total);
  let at = 0;
  for (const [k, count] of counts.entries()) {
    labels.fill(k, at, at + count);
    at += count;
  }
  return { kind: "single", classes: counts.length, labels, counts: [...counts] };
}

/**
 * Explicit per-sample classes in any order (K classes, each present at least once).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(sampleLabels([1, 0, 1], 2).counts, [1, 2]);
 * ```
 */
export function sampleLabels(values: ArrayLike<number>, classes: number): SingleLabels {
  const labels = new Int32Array(values.length);
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new UsageError(
        `labels: sample ${i} has label ${y}, expected an integer in 0…${classes - 1}`,
      );
    }
    labels[i] = y;
    counts[y]++;
  }
  const empty = counts.findIndex((count) => count === 0);
  if (empty >= 0) throw new UsageError(`labels: class ${empty} has no sample`);
  return { kind: "single", classes, labels, counts };
}

/**
 * Multi-label layout of the pick-all-label experiments (docs/multilabel.md): `n` single-label
 * samples per class (class-major), then `nMulti` samples for every unordered pair {k, l}, k < l,
 * pairs in lexicographic order.
 */
export function pairLabels(classes: number, n: number, nMulti: number): MultiLabels {
  const sets: number[][] = [];
  for (let k = 0; k < classes; k++) for (let i = 0; i < n; i++) sets.push([k]);
  for (let k = 0; k < classes; k++) {
    for (let l = k + 1; l < classes; l++) for (let i = 0; i < nMulti; i++) sets.push([k, l]);
  }
  return labelSets(sets, classes);
}

/**
 * A multi-label structure from label sets (each non-empty, classes in 0 … K−1; duplicates are
 * merged). Throws a {@link UsageError} naming the first sample without a label.
 */
export function labelSets(sets: readonly (readonly number[])[], classes: number): MultiLabels {
  const N = sets.length;
  const multiHot = new Uint8Array(N * classes);
  const counts = new Array<number>(classes).fill(0);
  const clean: number[][] = [];
  for (let i = 0; i < N; i++) {
    for (const k of sets[i]) {
      if (!Number.isInteger(k) || k < 0 || k >= classes) {
        throw new UsageError(`labels: sample ${i} has label ${k}, expected 0…${classes - 1}`);
      }
      multiHot[i * classes + k] = 1;
    }
    const set: number[] = [];
    for (let k = 0; k < classes; k++) {
      if (multiHot[i * classes + k]) {
        set.push(k);
        counts[k]++;
      }
    }
    if (set.length === 0) throw new UsageError(`labels: sample ${i} has no label`);
    clean.push(set);
  }
  const empty = counts.findIndex((count) => count === 0);
  if (empty >= 0) throw new UsageError(`labels: class ${empty} has no sample`);
  return { kind: "multi", classes, sets: clean, multiHot, counts };
}
