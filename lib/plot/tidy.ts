/**
 * Tidy figure tables for code as well as for people: a categorical column is written twice, as
 * a machine key (`metric = "nc1"`, `bias = "none"`, `optimizer = "heavy_ball"`) that a script
 * reading the CSV can match on, and as a display label next to it (`metric_label = "NC1"`) that
 * the chart shows. {@link category} declares such a column once: its keys in display order,
 * their labels, the row cells, and the sort order and colors the chart builders take.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { category } from "./tidy.ts";
 * const metric = category("metric", { gap: "f − f*", nc1: "NC1" });
 * assert.deepEqual(metric.cell("nc1"), { metric: "nc1", metric_label: "NC1" });
 * assert.equal(metric.labelField, "metric_label");
 * assert.deepEqual(metric.labels, ["f − f*", "NC1"]);
 * ```
 * @module
 */
import type { FigureRow } from "./csv.ts";

/** A categorical column: machine keys with display labels, in display order. */
export interface Category<K extends string> {
  /** Column of the machine key, e.g. "metric". */
  readonly field: string;
  /** Column of the display label: `<field>_label`. */
  readonly labelField: string;
  /** The keys, in display order. */
  readonly keys: readonly K[];
  /** The labels, in display order (a chart's sort order). */
  readonly labels: readonly string[];
  /** The label of `key`. */
  label(key: K): string;
  /** The two cells of a row: `{ [field]: key, [labelField]: label }`. */
  cell(key: K): FigureRow;
  /** A color scale over the labels: `colors[key]` for each key (for `colorScale`). */
  colors(colors: Readonly<Record<K, string>>): { domain: string[]; range: string[] };
}

/**
 * Declares a categorical column `field` with `labels[key]` as the display label of each key;
 * the order of `labels` is the display order. Keys must be machine-readable
 * (`[a-z0-9_.-]+`, e.g. `heavy_ball`, `std_0.1`, `ext-relu`) and labels distinct.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const optimizer = category("optimizer", { gd: "GD (lr 1)", heavy_ball: "heavy ball" });
 * assert.equal(optimizer.label("heavy_ball"), "heavy ball");
 * assert.deepEqual(optimizer.colors({ gd: "#000", heavy_ball: "#f00" }), {
 *   domain: ["GD (lr 1)", "heavy ball"], range: ["#000", "#f00"],
 * });
 * assert.throws(() => category("bias", { "Bias Free": "bias-free" }), /machine key/);
 * ```
 */
export function category<K extends string>(
  field: string,
  labels: Readonly<Record<K, string>>,
): Category<K> {
  const keys = Object.keys(labels) as K[];
  for (const key of keys) {
    if (!/^[a-z0-9_.-]+$/.test(key)) {
      throw new Error(`category ${field}: '${key}' is not a machine key ([a-z0-9_.-]+)`);
    }
  }
  const texts = keys.map((key) => labels[key]);
  if (new Set(texts).size !== texts.length) {
    throw new Error(`category ${field}: labels must be distinct (${texts.join(", ")})`);
  }
  const labelField = `${field}_label`;
  return {
    field,
    labelField,
    keys,
    labels: texts,
    label: (key) => {
      if (!Object.hasOwn(labels, key)) throw new Error(`category ${field}: unknown key '${key}'`);
      return labels[key];
    },
    cell(key) {
      return { [field]: key, [labelField]: this.label(key) };
    },
    colors: (colors) => ({ domain: texts, range: keys.map((key) => colors[key]) }),
  };
}
