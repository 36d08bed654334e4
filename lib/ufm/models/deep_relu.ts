/**
 * The deep ReLU UFM W_m σ(⋯σ(W_1·H1)) (DUFM, Súkeník et al. 2023; docs/extended-deep.md#dufm):
 * the linear closed form applies at depth 2 without bias (as `ext-relu`); deeper ReLU stacks can
 * beat it with lower-rank solutions, so no closed form is reported there.
 * @module
 */
import { reluTheory } from "./ext_relu.ts";
import { layeredModel } from "./layered.ts";

/** Registry entry of `deep-relu`. */
export const deepRelu = layeredModel({
  name: "deep-relu",
  summary: "deep ReLU UFM W_depth σ(⋯σ(W_1·H1))",
  relu: true,
  minDepth: 2,
  theory: reluTheory,
});
