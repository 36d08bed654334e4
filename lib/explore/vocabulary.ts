/**
 * The explorer's vocabulary, shared by the worker (which fills it) and the page (which draws
 * it), with no dependency on the core: the quantities of the trace, the cosine matrices and the
 * projected point sets, each a tidy category (machine key + label, lib/plot/tidy.ts), and the
 * row types the worker sends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { traceMetrics } from "./vocabulary.ts";
 * assert.deepEqual(traceMetrics.cell("nc1"), { metric: "nc1", metric_label: "NC1" });
 * ```
 * @module
 */
import type { FigureRow } from "../plot/csv.ts";
import { category } from "../plot/tidy.ts";

/** The quantities of the trace, with their labels (legend order). */
export const traceMetrics = category("metric", {
  gap: "|f − f*|",
  grad_norm: "‖∇f‖",
  nc1: "NC1",
  nc2_etf: "NC2 (ETF)",
  nc2_of: "NC2 (OF)",
  nc3: "NC3",
  wmu_g_b: "‖Wμ_G + b‖",
  objective: "f",
});

/** A quantity of the trace. */
export type TraceMetric = (typeof traceMetrics.keys)[number];

/** One tidy row of the trace: a quantity at an observed iteration (null where undefined). */
export interface TraceRow extends FigureRow {
  /** Updates applied before the observation. */
  iteration: number;
  /** Machine key of the quantity. */
  metric: TraceMetric;
  /** Its label. */
  metric_label: string;
  /** Its value. */
  value: number | null;
}

/** The three cosine matrices, with their labels (heatmap panels, in this order). */
export const cosineMatrices = category("matrix", {
  means_centred: "class means h̄_k − h_G",
  means: "class means h̄_k (uncentred)",
  classifier: "classifier rows w_k",
});

/** Which cosine matrix a cell belongs to. */
export type CosineMatrixKey = (typeof cosineMatrices.keys)[number];

/** The two point sets of the projection, with their labels. */
export const projectionSets = category("set", {
  means: "class mean h̄_k − h_G",
  classifier: "classifier row w_k − w̄",
});

/** Which point set a projected point belongs to. */
export type ProjectionSetKey = (typeof projectionSets.keys)[number];

/** One cell of a cosine matrix: cos(v_k, v_l), null where a vector is 0. */
export interface CosineCell {
  /** Which matrix. */
  matrix: CosineMatrixKey;
  /** Its label. */
  matrix_label: string;
  /** Row class, 1 … K. */
  k: number;
  /** Column class, 1 … K. */
  l: number;
  /** The cosine (null where undefined). */
  cosine: number | null;
}

/** One projected vector: its coordinates on the first three principal axes. */
export interface ProjectedPoint {
  /** Class mean or classifier row. */
  set: ProjectionSetKey;
  /** Its label. */
  set_label: string;
  /** Class, 1 … K. */
  class: number;
  /** Coordinates on principal axes 1–3 (each set scaled so its longest vector has length 1). */
  pc1: number;
  /** See `pc1`. */
  pc2: number;
  /** See `pc1`. */
  pc3: number;
}

/** The geometry of one model state. */
export interface ModelGeometry {
  /** Classes K. */
  K: number;
  /** Cells of the three K×K cosine matrices. */
  cosines: CosineCell[];
  /** Class means and classifier rows on the principal axes of the centred class means. */
  points: ProjectedPoint[];
  /** Fraction of the centred class means' variance on principal axes 1–3. */
  explained: [number, number, number];
}
