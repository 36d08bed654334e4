/**
 * The model registry: every UFM model ufmlab solves, by its `--model` name. `solve`, restarts,
 * the experiments and the explorer look models up here; a new model is one module exporting a
 * {@link ModelDefinition} plus one line below.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelDefinition, modelNames } from "./mod.ts";
 * assert.ok(modelNames.includes("ext-relu"));
 * assert.equal(modelDefinition("deep-linear").name, "deep-linear");
 * ```
 * @module
 */
import { UsageError } from "../../errors.ts";
import { deepLinear } from "./deep_linear.ts";
import { deepRelu } from "./deep_relu.ts";
import { extLinear } from "./ext_linear.ts";
import { extRelu } from "./ext_relu.ts";
import { sphere } from "./sphere.ts";
import type { ModelDefinition, UfmObjective } from "./types.ts";
import { ufm } from "./ufm.ts";

export type { FlagValues, ModelDefinition, ModelOptions, UfmObjective } from "./types.ts";
export { type Precondition, preconditions } from "./types.ts";

/** Every registered model, in `--help` order. */
const registry = {
  ufm,
  "ext-linear": extLinear,
  "ext-relu": extRelu,
  "deep-linear": deepLinear,
  "deep-relu": deepRelu,
  sphere,
} as const;

/** A registered model name. */
export type ModelName = keyof typeof registry;

/** Every registered model name. */
export const modelNames: readonly ModelName[] = Object.keys(registry) as ModelName[];

/** The definition of `name`, or a UsageError naming `--model`. */
export function modelDefinition(name: string): ModelDefinition<UfmObjective> {
  if (!Object.hasOwn(registry, name)) {
    throw new UsageError(`--model: expected one of ${modelNames.join("|")}, got '${name}'`);
  }
  return registry[name as ModelName] as ModelDefinition<UfmObjective>;
}
