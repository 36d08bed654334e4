/**
 * The deep linear UFM W_m⋯W_1·H1 with `--depth` m weight matrices (L = m + 1 factors,
 * docs/extended-deep.md#l-factor; Dang et al. 2023): closed form for MSE, bias-free or with a
 * free bias.
 * @module
 */
import { layeredModel, linearTheory } from "./layered.ts";

/** Registry entry of `deep-linear`. */
export const deepLinear = layeredModel({
  name: "deep-linear",
  summary: "deep linear UFM W_depth⋯W_1·H1",
  relu: false,
  minDepth: 1,
  theory: linearTheory,
});
