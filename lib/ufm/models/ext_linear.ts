/**
 * The extended linear UFM W2·W1·H1 of paper A §4 (docs/extended-deep.md#extended-linear):
 * closed form for MSE, bias-free or with a free bias (per class when classes are imbalanced).
 * @module
 */
import { layeredModel, linearTheory } from "./layered.ts";

/** Registry entry of `ext-linear`. */
export const extLinear = layeredModel({
  name: "ext-linear",
  summary: "extended UFM W2·W1·H1 (paper A §4)",
  relu: false,
  fixedDepth: 2,
  theory: linearTheory,
});
