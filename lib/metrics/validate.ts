/**
 * Input checks for `ncMetrics` and the streaming `NcAccumulator`: every problem with the
 * caller's data is a {@link UsageError} with a message that says what is wrong and where, never
 * a NaN later on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * import { validateInput } from "./validate.ts";
 * const checked = validateInput({ features: Matrix.from(2, 1, [0, 1]), labels: [0, 1] });
 * assert.equal(checked.classes, 2);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { Matrix } from "../matrix.ts";
import { type FeatureLayout, featureStrides } from "./class_stats.ts";

/** Input of {@link ncMetrics}. */
export interface NcInput {
  /** Features: N×d with samples as rows (default), or d×N with `layout: "samples-as-columns"`. */
  features: Matrix;
  /** Sample layout of `features` (default `"samples-as-rows"`). */
  layout?: FeatureLayout;
  /** Class labels, integers in [0, K). */
  labels: ArrayLike<number>;
  /** Number of classes K (default max(label) + 1). */
  classes?: number;
  /** Classifier W, K×d (rows w_k); metrics that need it are null without it. */
  weights?: Matrix | null;
  /** Classifier bias b (length K); needs `weights`. Treated as 0 when absent. */
  bias?: ArrayLike<number> | null;
}

/** Checked input: Int32 labels, K resolved, f64 classifier. */
export interface CheckedInput {
  /** The features as given (f64 or f32; the accumulator widens f32 block by block). */
  features: Matrix;
  /** Sample layout. */
  layout: FeatureLayout;
  /** Labels as Int32. */
  labels: Int32Array;
  /** Number of classes K. */
  classes: number;
  /** f64 classifier (K×d) or null; a converted copy when the input was f32. */
  weights: Matrix | null;
  /** Bias (length K) or null. */
  bias: Float64Array | null;
}

/**
 * Validates and normalizes {@link NcInput}; throws a {@link UsageError} for non-integer or
 * out-of-range labels, an empty class, K < 2, any shape mismatch and non-finite classifier
 * values. (Non-finite features are found by the accumulator, which scans every batch.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "../errors.ts";
 * import { Matrix } from "../matrix.ts";
 * const features = Matrix.from(3, 2, [0, 0, 1, 1, 2, 2]);
 * assert.throws(() => validateInput({ features, labels: [0, 1, 1.5] }), (error) => {
 *   assert.ok(error instanceof UsageError);
 *   assert.match(error.message, /labels\[2\] = 1\.5/);
 *   return true;
 * });
 * ```
 */
export function validateInput(input: NcInput): CheckedInput {
  const layout = input.layout ?? "samples-as-rows";
  if (layout !== "samples-as-rows" && layout !== "samples-as-columns") {
    throw new UsageError(`layout: expected samples-as-rows|samples-as-columns, got '${layout}'`);
  }
  const { samples, dim } = featureStrides(input.features, layout);
  const shape = `${input.features.rows}×${input.features.cols}`;
  if (samples < 1 || dim < 1) throw new UsageError(`features: empty matrix (${shape})`);
  if (input.labels.length !== samples) {
    throw new UsageError(
      `features have ${samples} samples (${shape}, ${layout}) but labels have ` +
        `${input.labels.length} entries`,
    );
  }
  checkLabels(input.labels, Infinity); // integers ≥ 0 first, so the messages below hold
  let largest = -1;
  for (let i = 0; i < samples; i++) largest = Math.max(largest, input.labels[i]);
  let classes = Number.isFinite(largest) ? Math.min(largest, 2 ** 31 - 2) + 1 : 0;
  if (input.classes !== undefined) {
    if (!Number.isInteger(input.classes)) {
      throw new UsageError(`classes: expected an integer, got ${input.classes}`);
    }
    classes = input.classes;
  }
  if (classes > samples) {
    const at = Array.prototype.indexOf.call(input.labels, largest);
    throw new UsageError(
      input.classes === undefined
        ? `labels[${at}] = ${largest} implies K = ${classes} classes for ${samples} samples ` +
          `(every class needs one); fix the labels or pass the number of classes`
        : `K = ${classes} classes but only ${samples} samples (every class needs one)`,
    );
  }
  const labels = checkLabels(input.labels, Math.max(classes, 1));
  if (classes < 2) throw new UsageError(`need at least 2 classes, got K = ${classes}`);
  const counts = new Int32Array(classes);
  for (const label of labels) counts[label]++;
  const empty = counts.indexOf(0);
  if (empty >= 0) throw emptyClassError(empty, classes);
  const { weights, bias } = validateClassifier(
    input.weights ?? null,
    input.bias ?? null,
    classes,
    dim,
  );
  return { features: input.features, layout, labels, classes, weights, bias };
}

/**
 * The error for class `k` without samples (class means and Σ_B need every class).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(emptyClassError(4, 10).message, /^class 4 has no samples \(K = 10\)/);
 * ```
 */
export function emptyClassError(k: number, classes: number): UsageError {
  return new UsageError(
    `class ${k} has no samples (K = ${classes}); class means and Σ_B need every class`,
  );
}

/**
 * Labels as Int32, checked to be integers in [0, classes); the message names the offending
 * entry as `labels[first + i]` (first: index of the batch's first sample).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(Array.from(checkLabels([0, 2, 1], 3)), [0, 2, 1]);
 * assert.throws(() => checkLabels([0, 3], 3), /labels\[1\] = 3 is out of range for K = 3/);
 * ```
 */
export function checkLabels(labels: ArrayLike<number>, classes: number, first = 0): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label >= 0 && label < classes && Number.isInteger(label)) {
      out[i] = label;
      continue;
    }
    const at = `labels[${first + i}] = ${label}`;
    if (!Number.isInteger(label)) throw new UsageError(`labels must be integers; ${at}`);
    if (label < 0) throw new UsageError(`labels must be ≥ 0; ${at}`);
    throw new UsageError(
      `${at} is out of range for K = ${classes} classes (0..${classes - 1})`,
    );
  }
  return out;
}

/**
 * Checks the classifier W (K×d) and bias b (K) and returns f64 copies where needed (W is
 * cloned when it is f32: the caller frees a clone, see `ownsWeights`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const W = Matrix.from(2, 1, [1, -1]);
 * const { weights, bias } = validateClassifier(W, [0, 0], 2, 1);
 * assert.equal(weights, W); // already f64: no copy
 * assert.deepEqual(bias, new Float64Array([0, 0]));
 * assert.throws(() => validateClassifier(Matrix.from(1, 2, [1, -1]), null, 2, 1), /transposed\?/);
 * ```
 */
export function validateClassifier(
  weights: Matrix | null,
  bias: ArrayLike<number> | null,
  classes: number,
  dim: number,
): { weights: Matrix | null; bias: Float64Array | null; ownsWeights: boolean } {
  let checked: Matrix | null = null;
  if (weights) {
    if (weights.rows !== classes || weights.cols !== dim) {
      const transposed = weights.rows === dim && weights.cols === classes && dim !== classes
        ? " (transposed? W must be K×d, as torch's nn.Linear.weight)"
        : "";
      throw new UsageError(
        `weights: expected K×d = ${classes}×${dim} (classes × features), got ` +
          `${weights.rows}×${weights.cols}${transposed}`,
      );
    }
    requireFinite(
      weights.data,
      "weights",
      (index) => `row ${Math.floor(index / dim)}, column ${index % dim}`,
    );
    checked = weights.dtype === "f64" ? weights : weights.clone("f64");
  }
  let checkedBias: Float64Array | null = null;
  if (bias) {
    if (!checked) throw new UsageError("bias given without weights");
    if (bias.length !== classes) {
      throw new UsageError(
        `bias: expected ${classes} entries (one per class), got ${bias.length}`,
      );
    }
    checkedBias = Float64Array.from(bias);
    requireFinite(checkedBias, "bias", (index) => `entry ${index}`);
  }
  return { weights: checked, bias: checkedBias, ownsWeights: checked !== weights };
}

/**
 * Throws a {@link UsageError} naming sample and feature for the first NaN or ±Infinity in a
 * feature matrix; `describe(i)` names sample i (default `sample ${i}`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * requireFiniteFeatures(Matrix.from(1, 2, [0, 1]), "samples-as-rows"); // fine
 * assert.throws(
 *   () => requireFiniteFeatures(Matrix.from(1, 2, [0, NaN]), "samples-as-rows"),
 *   /sample 0, feature 1/,
 * );
 * ```
 */
export function requireFiniteFeatures(
  features: Matrix,
  layout: FeatureLayout,
  describe: (sample: number) => string = (sample) => `sample ${sample}`,
): void {
  requireFinite(features.data, "features", (index) => {
    const [row, col] = [Math.floor(index / features.cols), index % features.cols];
    const [sample, feature] = layout === "samples-as-rows" ? [row, col] : [col, row];
    return `${describe(sample)}, feature ${feature}`;
  });
}

/**
 * Throws a {@link UsageError} `<what> contain <value> (<where>); all values must be finite` for
 * the first NaN or ±Infinity in `values`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * requireFinite([1, 2], "bias", (i) => `entry ${i}`); // fine
 * assert.throws(() => requireFinite([1, Infinity], "bias", (i) => `entry ${i}`), /entry 1/);
 * ```
 */
export function requireFinite(
  values: ArrayLike<number>,
  what: string,
  where: (index: number) => string,
): void {
  for (let i = 0; i < values.length; i++) {
    // x − x is NaN exactly when x is NaN or ±Inf; one test per element keeps the scan cheap.
    if (values[i] - values[i] !== 0) {
      throw new UsageError(`${what} contain ${values[i]} (${where(i)}); all values must be finite`);
    }
  }
}
