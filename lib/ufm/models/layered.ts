/**
 * Shared definition logic of the dense-layer models (lib/ufm/dense.ts): how their depth,
 * hidden widths and per-layer λ are stated, validated and read from flags, and which closed
 * form applies. Each model module (ufm.ts, ext_linear.ts, …) is one call of
 * {@link layeredModel}.
 * @module
 */
import { type FlagSpec, parseNumberFlag, parseNumberListFlag } from "../../flags.ts";
import { UsageError } from "../../errors.ts";
import type { Theory } from "../../theory/mod.ts";
import { deepLinearTheory } from "../../theory/deep_linear.ts";
import { DenseUfm } from "../dense.ts";
import { layerMetrics } from "../layer_metrics.ts";
import type { DType } from "../../matrix.ts";
import type { Architecture, ResolvedProblem, UfmProblem } from "../problem.ts";
import type { FlagValues, ModelDefinition } from "./types.ts";

/** How a layered model is stacked. */
export interface LayeredModelOptions {
  /** Registry name. */
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** ReLUs between the weight layers. */
  relu: boolean;
  /** A fixed number of weight layers (1 plain, 2 extended); undefined: `--depth` is required. */
  fixedDepth?: number;
  /** Smallest `--depth` (models without a fixed depth). */
  minDepth?: number;
  /** The closed form of a resolved problem of this model, or null. */
  theory: (problem: ResolvedProblem) => Theory | null;
}

/** Largest `--depth` accepted. */
const maxDepth = 64;

/** `--hidden`, shared by every model with hidden layers. */
const hiddenFlag: FlagSpec = {
  type: "string",
  help: "widths of H2…H_depth, comma list or one value (ext-*: the width of H2; default --d)",
};

/** A registry entry for a dense-layer model. */
export function layeredModel(options: LayeredModelOptions): ModelDefinition<DenseUfm> {
  const { name, fixedDepth } = options;
  const minDepth = options.minDepth ?? 1;
  const flags: Record<string, FlagSpec> = {};
  if (fixedDepth !== 1) flags.hidden = hiddenFlag;
  if (fixedDepth === 2) {
    flags["lambda-w2"] = {
      type: "string",
      help: "λ of the classifier W2 (ext-*; default --lambda-w)",
    };
    flags["lambda-w1"] = { type: "string", help: "λ of W1 (ext-*; default --lambda-w)" };
  } else if (fixedDepth === undefined) {
    flags.depth = {
      type: "string",
      help: "weight layers on top of the features H1 (deep-linear|deep-relu; ext-* have 2)",
    };
    flags["lambda-ws"] = {
      type: "string",
      help: "λ of W_1,…,W_depth, first layer → classifier, comma list or one value " +
        "(deep-*; default --lambda-w)",
    };
  }
  return {
    name,
    summary: options.summary,
    flags,
    fromFlags(values: FlagValues): Partial<UfmProblem> {
      const given = (flag: string): string | undefined => values[flag] as string | undefined;
      const fields: Partial<UfmProblem> = {};
      if (fixedDepth === 1) return fields;
      let depth = fixedDepth;
      if (depth === undefined) {
        const raw = given("depth");
        if (raw === undefined) {
          throw new UsageError(
            `--depth: required with --model ${name} (weight layers on top of H1)`,
          );
        }
        depth = parseNumberFlag("depth", raw, { integer: true, min: minDepth, max: maxDepth });
        fields.depth = depth;
      }
      if (fixedDepth === 2) {
        const lambdaW = parseNumberFlag("lambda-w", values["lambda-w"] as string, { min: 0 });
        const layer = (flag: string): number =>
          given(flag) === undefined ? lambdaW : parseNumberFlag(flag, given(flag)!, { min: 0 });
        fields.lambdaWs = [layer("lambda-w1"), layer("lambda-w2")];
      } else if (given("lambda-ws") !== undefined) {
        fields.lambdaWs = parseNumberListFlag("lambda-ws", given("lambda-ws")!, { min: 0 }, depth);
      }
      if (given("hidden") !== undefined) {
        fields.hidden = parseNumberListFlag(
          "hidden",
          given("hidden")!,
          { integer: true, min: 1 },
          depth - 1,
        );
      }
      return fields;
    },
    architecture(spec: UfmProblem): Architecture {
      if (fixedDepth === 1) {
        for (
          const [flag, value] of [
            ["depth", spec.depth],
            ["lambda-ws", spec.lambdaWs],
            ["hidden", spec.hidden],
          ] as const
        ) {
          if (value !== undefined) {
            throw new UsageError(
              `--${flag}: only used with the extended/deep models (model is '${name}')`,
            );
          }
        }
        return { depth: 1, widths: [spec.d], relu: false, layerLambdas: [spec.lambdaW] };
      }
      let depth: number;
      if (fixedDepth !== undefined) {
        if (spec.depth !== undefined && spec.depth !== fixedDepth) {
          throw new UsageError(
            `--depth: model '${name}' has ${fixedDepth} weight layers (use deep-${
              name.slice(4)
            } for other depths), got ${spec.depth}`,
          );
        }
        depth = fixedDepth;
      } else {
        if (spec.depth === undefined) {
          throw new UsageError(
            `--depth: model '${name}' needs --depth (weight layers on top of H1)`,
          );
        }
        if (!Number.isSafeInteger(spec.depth) || spec.depth < minDepth || spec.depth > maxDepth) {
          throw new UsageError(
            `--depth: model '${name}' needs an integer in [${minDepth}, ${maxDepth}], got ${spec.depth}`,
          );
        }
        depth = spec.depth;
      }
      if (spec.lambdaWs !== undefined) {
        const flag = fixedDepth === 2 ? "lambda-w1/--lambda-w2" : "lambda-ws";
        if (spec.lambdaWs.length !== depth) {
          throw new UsageError(
            `--${flag}: expected ${depth} values (W_1 … W_${depth}), got ${spec.lambdaWs.length}`,
          );
        }
        for (const value of spec.lambdaWs) {
          if (!Number.isFinite(value) || value < 0) {
            throw new UsageError(`--${flag}: every λ must be a finite number ≥ 0, got ${value}`);
          }
        }
      }
      if (spec.hidden !== undefined) {
        if (spec.hidden.length !== depth - 1) {
          throw new UsageError(
            `--hidden: expected ${depth - 1} width(s) (H2 … H${depth}), got ${spec.hidden.length}`,
          );
        }
        for (const width of spec.hidden) {
          if (!Number.isSafeInteger(width) || width < 1) {
            throw new UsageError(`--hidden: widths must be integers ≥ 1, got ${width}`);
          }
        }
      }
      return {
        depth,
        widths: [spec.d, ...(spec.hidden ?? new Array<number>(depth - 1).fill(spec.d))],
        relu: options.relu,
        layerLambdas: spec.lambdaWs ?? new Array<number>(depth).fill(spec.lambdaW),
      };
    },
    validate(problem: ResolvedProblem): void {
      if (problem.depth > 1 && problem.bias === "reg") {
        throw new UsageError(
          `--bias: model '${name}' supports a last-layer bias none|free, got 'reg'`,
        );
      }
    },
    bytes(problem: ResolvedProblem, dtype: DType) {
      const size = dtype === "f64" ? 8 : 4;
      const out = [...problem.widths, problem.K];
      const weights = out.slice(1).reduce((sum, rows, l) => sum + rows * out[l], 0);
      const features = problem.widths[0] * problem.N;
      // value, gradient and momentum buffer of every block; pre/post/backward buffers of every
      // hidden layer; logits and targets.
      const hidden = problem.widths.slice(1).reduce((sum, width) => sum + 3 * width * problem.N, 0);
      const total = size *
        (3 * (weights + features + problem.K) + hidden + 2 * problem.K * problem.N);
      const largest = size *
        Math.max(features, ...problem.widths.map((w) => w * problem.N), problem.K * problem.N);
      return { total, largest };
    },
    create: (problem, modelOptions) => new DenseUfm(problem, modelOptions),
    theory: options.theory,
    layers: fixedDepth === 1 ? undefined : layerMetrics,
  };
}

/**
 * The L-factor linear closed form (docs/extended-deep.md#l-factor) for a resolved MSE problem
 * with no bias or a free bias, L = depth + 1; per class for imbalanced classes (bias-free).
 * Null otherwise (other losses, a regularized bias, multi-label targets).
 */
export function linearTheory(problem: ResolvedProblem): ReturnType<typeof deepLinearTheory> {
  if (problem.loss.name !== "mse" || problem.bias === "reg") return null;
  if (problem.labels.kind !== "single") return null;
  return deepLinearTheory({
    counts: problem.labels.counts,
    widths: problem.widths,
    lambdaWs: problem.weightLambdas,
    lambdaH: problem.lambdas.lambdaH,
    bias: problem.bias,
    targetScale: problem.loss.targetScale,
  });
}
