/**
 * Input checks for {@link ncMetrics}: every problem with the caller's data is a
 * {@link UsageError} with a message that says what is wrong and where, never a NaN later on.
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

/** Checked input: f64 features, Int32 labels, K resolved. */
export interface CheckedInput {
  /** f64 features (a converted copy when the input was f32; see `ownsFeatures`). */
  features: Matrix;
  /** True when `features` is a copy made here (the caller frees it). */
  ownsFeatures: boolean;
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
 * Validates and normalizes {@link NcInput}; throws a {@link UsageError} for NaN/Inf values,
 * non-integer or out-of-range labels, an empty class, K < 2 and any shape mismatch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../matrix.ts";
 * const features = Matrix.from(3, 2, [0, 0, 1, 1, NaN, 2]);
 * assert.throws(() => validateInput({ features, labels: [0, 1, 1] }), /NaN \(sample 2, feature 0\)/);
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
  requireFinite(input.features.data, "features", (index) => {
    const [row, col] = [Math.floor(index / input.features.cols), index % input.features.cols];
    const [sample, feature] = layout === "samples-as-rows" ? [row, col] : [col, row];
    return `sample ${sample}, feature ${feature}`;
  });

  const labels = new Int32Array(samples);
  let largest = -1;
  for (let i = 0; i < samples; i++) {
    const label = input.labels[i];
    if (!Number.isInteger(label)) {
      throw new UsageError(`labels must be integers; labels[${i}] = ${label}`);
    }
    if (label < 0) throw new UsageError(`labels must be ≥ 0; labels[${i}] = ${label}`);
    if (label > 2 ** 31 - 1) throw new UsageError(`labels[${i}] = ${label} is too large`);
    labels[i] = label;
    largest = Math.max(largest, label);
  }
  let classes = largest + 1;
  if (input.classes !== undefined) {
    if (!Number.isInteger(input.classes)) {
      throw new UsageError(`classes: expected an integer, got ${input.classes}`);
    }
    classes = input.classes;
    if (largest >= classes) {
      const at = labels.findIndex((label) => label >= classes);
      throw new UsageError(
        `labels[${at}] = ${labels[at]} is out of range for K = ${classes} classes (0..${
          classes - 1
        })`,
      );
    }
  }
  if (classes < 2) throw new UsageError(`need at least 2 classes, got K = ${classes}`);
  const counts = new Int32Array(classes);
  for (const label of labels) counts[label]++;
  const empty = counts.indexOf(0);
  if (empty >= 0) {
    throw new UsageError(
      `class ${empty} has no samples (K = ${classes}); class means and Σ_B need every class`,
    );
  }

  let weights: Matrix | null = null;
  if (input.weights) {
    const w = input.weights;
    if (w.rows !== classes || w.cols !== dim) {
      throw new UsageError(
        `weights: expected K×d = ${classes}×${dim} (classes × features), got ${w.rows}×${w.cols}`,
      );
    }
    requireFinite(
      w.data,
      "weights",
      (index) => `row ${Math.floor(index / dim)}, column ${index % dim}`,
    );
    weights = w.dtype === "f64" ? w : w.clone("f64");
  }
  let bias: Float64Array | null = null;
  if (input.bias) {
    if (!weights) throw new UsageError("bias given without weights");
    if (input.bias.length !== classes) {
      throw new UsageError(
        `bias: expected ${classes} entries (one per class), got ${input.bias.length}`,
      );
    }
    bias = Float64Array.from(input.bias);
    requireFinite(bias, "bias", (index) => `entry ${index}`);
  }
  const ownsFeatures = input.features.dtype !== "f64";
  const features = ownsFeatures ? input.features.clone("f64") : input.features;
  return { features, ownsFeatures, layout, labels, classes, weights, bias };
}

function requireFinite(
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
