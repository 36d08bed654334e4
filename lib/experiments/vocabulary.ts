/**
 * One vocabulary for the quantities the UFM figures plot: a machine key (what a script reading
 * a figure's CSV matches on) and the display label (what the chart shows), the same in every
 * figure — `nc1` is "NC1" in A1 and in B1, `h_mean_sq` is "mean ‖h̄_k‖²" in A1, A2 and B2.
 * {@link quantities} makes a {@link Category} column of some of them, in the order given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantities } from "./vocabulary.ts";
 * const metric = quantities("metric", "gap", "nc1");
 * assert.deepEqual(metric.cell("nc1"), { metric: "nc1", metric_label: "NC1" });
 * assert.deepEqual(metric.labels, ["f − f*", "NC1"]);
 * ```
 * @module
 */
import { type Category, category } from "../plot/tidy.ts";

/** Every quantity of the UFM figures: key → display label. */
export const QUANTITIES = {
  // Optimization and NC metrics (lib/ufm/metrics.ts, lib/ufm/layer_metrics.ts).
  gap: "f − f*",
  nc1: "NC1",
  nc2_means: "NC2 distance",
  self_duality: "self-duality",
  nc2_w: "NC2: W (centered) vs ETF",
  nc3_w: "NC3: W vs class means",
  nc4: "NC4: ‖Wμ_G + b‖",
  nc1_h1: "NC1(H1)",
  nc1_h2_pre: "NC1(H2) pre-ReLU",
  nc1_h2: "NC1(H2)",
  of_h2: "OF distance of H̄2",
  of_h1: "OF distance of H̄1",
  cosine_min: "min cos(h̄1_k, h̄1_l)",
  cosine_max: "max cos(h̄1_k, h̄1_l)",
  // Norms and geometry of the minimizer (lib/theory/).
  h_mean_sq: "mean ‖h̄_k‖²",
  w_row_sq: "mean ‖w_k‖²",
  cos_means: "cos(h̄_k, h̄_l)",
  margin: "margin m*",
  h1_mean_sq: "mean ‖h̄1_k‖²",
  h2_mean_sq: "mean ‖h̄2_k‖²",
  w2_row_sq: "mean ‖w2_k‖²",
  // Objective values of the layered models (lib/theory/deep_linear.ts).
  f_star: "f* (global)",
  f_full_rank: "full-rank critical value f_K",
  f_1: "f_1",
  f_2: "f_2",
  f_3: "f_3",
  f_best: "best of all restarts",
  f_restart: "final f of a restart",
  // Thresholds.
  kappa_star: "κ* (zero solution is global past it)",
  local_min_bound: "bound for nonzero local minima",
  solver_low: "solver: last κ below ½",
  solver_high: "solver: first κ at ½",
  zero_threshold: "zero-solution threshold",
} as const;

/** A key of {@link QUANTITIES}. */
export type QuantityKey = keyof typeof QUANTITIES;

/**
 * A categorical column `field` over the quantities `keys`, in that order, labelled from
 * {@link QUANTITIES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const norms = quantities("quantity", "h_mean_sq", "w_row_sq");
 * assert.equal(norms.label("w_row_sq"), "mean ‖w_k‖²");
 * assert.equal(norms.labelField, "quantity_label");
 * ```
 */
export function quantities<K extends QuantityKey>(field: string, ...keys: K[]): Category<K> {
  const labels = {} as Record<K, string>;
  for (const key of keys) labels[key] = QUANTITIES[key];
  return category(field, labels);
}
