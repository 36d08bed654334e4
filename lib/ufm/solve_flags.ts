/**
 * The options of `deno task solve` in one place: the flag table ({@link solveFlags}) and the one
 * parser from flag values to a solve configuration ({@link parseSolveFlags}). The command line
 * (scripts/solve.ts) and the browser explorer (lib/explore/, whose URL query and form are keyed
 * by the same flag names without the dashes) both go through it, so a setting is accepted or
 * refused — with the same one-line message naming the flag — in exactly the same way.
 *
 * The table covers the problem and the solver; options about the process itself (`--json`,
 * `--threads`, `--fast-math`) stay in the script.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSolveFlags, solveFlagValues } from "./solve_flags.ts";
 * const { values, given } = solveFlagValues([["K", "4"], ["n", "5"], ["d", "8"]]);
 * const config = parseSolveFlags(values, given);
 * assert.equal(config.resolved.N, 20);
 * assert.equal(config.settings.optimizer, "lbfgs");
 * assert.throws(() => parseSolveFlags(solveFlagValues([["K", "1"]]).values, new Set(["K"])),
 *   /^UsageError: --K: must be ≥ 2, got 1$/);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { type FlagSpec, parseChoiceFlag, parseNumberFlag, parseNumberListFlag } from "../flags.ts";
import { optimizerMethods } from "../optim/minimize.ts";
import { type FlagValues, modelDefinition, preconditions } from "./models/mod.ts";
import {
  biasModes,
  conventions,
  lossNames,
  type ModelName,
  modelNames,
  type ResolvedProblem,
  resolveProblem,
  type UfmProblem,
} from "./problem.ts";
import type { SolverSettings } from "./solve.ts";

/** Each model's own flags, merged (a flag several models share appears once). */
const modelFlags: Record<string, FlagSpec> = {};
/** Which models accept each model flag. */
const modelsOfFlag: Record<string, ModelName[]> = {};
for (const name of modelNames) {
  for (const [flag, spec] of Object.entries(modelDefinition(name).flags)) {
    modelFlags[flag] ??= spec;
    (modelsOfFlag[flag] ??= []).push(name);
  }
}

/**
 * The models that accept a model-specific flag (`tau` → `["sphere"]`), or null for a flag every
 * model reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(flagModels("depth"), ["deep-linear", "deep-relu"]);
 * assert.equal(flagModels("K"), null);
 * ```
 */
export function flagModels(flag: string): readonly ModelName[] | null {
  return Object.hasOwn(modelsOfFlag, flag) ? modelsOfFlag[flag] : null;
}

/** The choices of every choice-valued solve flag (the parser checks against these lists). */
export const solveFlagChoices: Readonly<Record<string, readonly string[]>> = {
  model: modelNames,
  loss: lossNames,
  bias: biasModes,
  norm: conventions,
  optimizer: optimizerMethods,
  dtype: ["f64", "f32"],
  precondition: preconditions,
  path: ["auto", "full", "reduced"],
  certify: ["yes", "no", "auto"],
};

/** The flag table of `deno task solve` (problem and solver), in `--help` order. */
export const solveFlags: Readonly<Record<string, FlagSpec>> = {
  model: {
    type: "string",
    default: "ufm",
    help: `model: ${modelNames.join("|")} — ${
      modelNames.map((name) => `${name}: ${modelDefinition(name).summary}`).join("; ")
    }`,
  },
  ...modelFlags,
  loss: {
    type: "string",
    default: "mse",
    help: `loss: ${lossNames.join("|")} (pal: pick-all-label CE for multi-label samples)`,
  },
  bias: { type: "string", default: "none", help: `classifier bias: ${biasModes.join("|")}` },
  norm: {
    type: "string",
    default: "tb",
    help: "regularization convention: tb (Tirer–Bruna) | z (Zhu/Zhou)",
  },
  K: { type: "string", default: "10", help: "number of classes (≥ 2; the length of --counts)" },
  n: { type: "string", help: "samples per class (≥ 1) (default: 20)" },
  counts: {
    type: "string",
    help: "samples of each class, comma list (imbalanced classes; K = its length; not with --n)",
  },
  "n-multi": {
    type: "string",
    help: "samples for every unordered pair of classes (--loss pal; default 0)",
  },
  d: { type: "string", default: "32", help: "feature dimension (≥ 1)" },
  "lambda-w": { type: "string", default: "0.05", help: "classifier weight decay λ_W (≥ 0)" },
  "lambda-h": { type: "string", default: "0.05", help: "feature weight decay λ_H (≥ 0)" },
  "lambda-b": { type: "string", default: "0", help: "bias weight decay λ_b (--bias reg only)" },
  "target-scale": { type: "string", default: "1", help: "MSE target scale s (targets s·e_k)" },
  alpha: { type: "string", help: "label smoothing α ∈ [0, 1) (--loss ls; default 0.05)" },
  beta: { type: "string", help: "focal loss β ≥ 0 (--loss fl; default 3)" },
  restarts: {
    type: "string",
    default: "1",
    help: "seeded initializations (seed, seed+1, …), or auto: draw seeds until the best " +
      "objective is reached twice or meets the closed form (at most --max-restarts); reports " +
      "the best run and every distinct end value with its count",
  },
  "max-restarts": { type: "string", default: "64", help: "cap of --restarts auto" },
  workers: { type: "string", help: "parallel workers for --restarts (default: CPU threads)" },
  optimizer: {
    type: "string",
    default: "lbfgs (f64), nesterov (f32)",
    help: `${optimizerMethods.join("|")}: L-BFGS with a strong-Wolfe line search needs no step ` +
      "size; gd/momentum/nesterov use --lr and --momentum (momentum methods restart from the " +
      "initialization with half the step size if they diverge)",
  },
  lr: { type: "string", default: "0.5", help: "step size (> 0)" },
  momentum: { type: "string", default: "0.9", help: "momentum μ ∈ [0, 1)" },
  iters: { type: "string", default: "20000", help: "maximum iterations" },
  tol: { type: "string", default: "1e-10 (f64), 1e-5 (f32)", help: "stop when ‖∇f‖ < tol" },
  seed: { type: "string", default: "0", help: "initialization seed (integer)" },
  "init-std": {
    type: "string",
    default: "auto",
    help: "std of the N(0, std²) initialization, or auto: every factor at the scale of the " +
      "solution (depth- and λ-aware)",
  },
  dtype: { type: "string", default: "f64", help: "element type: f64|f32" },
  precondition: {
    type: "string",
    default: "none",
    help: "block step sizes: none | balanced (H steps × Kλ_W/λ_H: N-independent convergence, " +
      "same minimizer; plain UFM only)",
  },
  path: {
    type: "string",
    default: "auto",
    help: "full | reduced | auto: solve the class-reduced problem (one column per class or " +
      "label set, up to the gcd of the counts), lift it and check it on the full problem; auto " +
      "does so where that keeps every critical point (convex loss, linear layers)",
  },
  certify: {
    type: "string",
    default: "auto",
    help: "certify the end point with the Hessian's smallest eigenvalues (Lanczos): yes | no | " +
      "auto (f64 problems with at most 20,000 parameters)",
  },
};

/** Solver settings as `solve` passes them (everything but the kernel choice). */
export type SolveFlagSettings = Omit<SolverSettings, "kernel">;

/** What {@link parseSolveFlags} makes of the flags. */
export interface SolveConfig {
  /** The problem as stated (λ in the stated convention). */
  problem: UfmProblem;
  /** The problem resolved and validated once (lib/ufm/problem.ts). */
  resolved: ResolvedProblem;
  /** Solver settings. */
  settings: SolveFlagSettings;
  /** `--restarts`: a number of seeds, or `auto`. */
  restarts: number | "auto";
  /** `--max-restarts` (the cap of `auto`). */
  cap: number;
  /** `--workers`, when given. */
  workers: number | undefined;
}

/**
 * Flag values → solve configuration, validating every value and every combination; throws a
 * {@link UsageError} whose message names the flag (the `error: …` line of `solve`).
 *
 * @param values every flag of {@link solveFlags} that has a value (defaults filled in, as
 *   `parseFlags` of lib/cli.ts or {@link solveFlagValues} return them); extra keys are ignored.
 * @param given the flags the user typed (defaults excluded), for the rules about flags that do
 *   not apply.
 */
export function parseSolveFlags(values: FlagValues, given: ReadonlySet<string>): SolveConfig {
  const str = (name: string): string => values[name] as string;
  const num = (name: string, c: Parameters<typeof parseNumberFlag>[2] = {}): number =>
    parseNumberFlag(name, str(name), c);
  const model = parseChoiceFlag("model", str("model"), modelNames);
  const definition = modelDefinition(model);
  for (const flag of Object.keys(modelFlags)) {
    if (values[flag] !== undefined && !(flag in definition.flags)) {
      throw new UsageError(
        `--${flag}: only used with --model ${modelsOfFlag[flag].join("|")} (model is '${model}')`,
      );
    }
  }
  for (const [flag, reason] of Object.entries(definition.rejects ?? {})) {
    if (given.has(flag)) throw new UsageError(`--${flag}: ${reason}`);
  }
  const dtype = parseChoiceFlag("dtype", str("dtype"), ["f64", "f32"] as const);
  const loss = parseChoiceFlag("loss", str("loss"), lossNames);
  if (values["n-multi"] !== undefined && loss !== "pal") {
    throw new UsageError(`--n-multi: only used with --loss pal (loss is '${loss}')`);
  }
  const counts = values.counts === undefined
    ? undefined
    : parseNumberListFlag("counts", str("counts"), { integer: true, min: 1 });
  if (counts !== undefined && values.n !== undefined) {
    throw new UsageError("--counts: exclusive with --n (K is the length of --counts)");
  }
  if (
    counts !== undefined && values.K !== solveFlags.K.default && Number(str("K")) !== counts.length
  ) {
    throw new UsageError(
      `--K: ${str("K")} classes but --counts lists ${counts.length} (K is the list's length)`,
    );
  }
  const problem: UfmProblem = {
    K: counts?.length ?? num("K", { integer: true, min: 2 }),
    ...(counts === undefined
      ? {
        n: values.n === undefined ? 20 : num("n", { integer: true, min: loss === "pal" ? 0 : 1 }),
      }
      : { counts }),
    ...(values["n-multi"] === undefined
      ? {}
      : { nMulti: num("n-multi", { integer: true, min: 0 }) }),
    d: num("d", { integer: true, min: 1 }),
    // A model without weight decay rejects the λ flags (above); its λ are 0.
    lambdaW: definition.rejects?.["lambda-w"] ? 0 : num("lambda-w", { min: 0 }),
    lambdaH: definition.rejects?.["lambda-h"] ? 0 : num("lambda-h", { min: 0 }),
    lambdaB: num("lambda-b", { min: 0 }),
    bias: parseChoiceFlag("bias", str("bias"), biasModes),
    norm: parseChoiceFlag("norm", str("norm"), conventions),
    loss,
    targetScale: num("target-scale", { min: 0, exclusiveMin: true }),
    alpha: values.alpha === undefined
      ? undefined
      : num("alpha", { min: 0, max: 1, exclusiveMax: true }),
    beta: values.beta === undefined ? undefined : num("beta", { min: 0 }),
    ...(model === "ufm" ? {} : { model }),
    ...definition.fromFlags(values),
  };
  const restarts = str("restarts") === "auto" ? "auto" : num("restarts", { integer: true, min: 1 });
  if (given.has("max-restarts") && restarts !== "auto") {
    throw new UsageError("--max-restarts: only used with --restarts auto");
  }
  const cap = num("max-restarts", { integer: true, min: 1, max: 100000 });
  const workers = values.workers === undefined
    ? undefined
    : num("workers", { integer: true, min: 1, max: 64 });
  const tolRaw = str("tol") === solveFlags.tol.default
    ? (dtype === "f64" ? "1e-10" : "1e-5")
    : str("tol");
  const settings: SolveFlagSettings = {
    optimizer: str("optimizer") === solveFlags.optimizer.default
      ? (dtype === "f64" ? "lbfgs" as const : "nesterov" as const)
      : parseChoiceFlag("optimizer", str("optimizer"), optimizerMethods),
    lr: num("lr", { min: 0, exclusiveMin: true }),
    momentum: num("momentum", { min: 0, max: 1, exclusiveMax: true }),
    iters: num("iters", { integer: true, min: 0 }),
    tol: parseNumberFlag("tol", tolRaw, { min: 0 }),
    seed: num("seed", { integer: true }),
    initStd: str("init-std") === "auto"
      ? "auto" as const
      : num("init-std", { min: 0, exclusiveMin: true }),
    dtype,
    precondition: parseChoiceFlag("precondition", str("precondition"), preconditions),
    path: parseChoiceFlag("path", str("path"), ["auto", "full", "reduced"] as const),
    certify: ({ yes: true, no: false, auto: "auto" } as const)[
      parseChoiceFlag("certify", str("certify"), ["yes", "no", "auto"] as const)
    ],
  };
  if (problem.bias === "reg" && problem.lambdaB === 0) {
    throw new UsageError("--lambda-b: --bias reg needs λ_b > 0 (use --bias free for λ_b = 0)");
  }
  const resolved = resolveProblem(problem);
  return { problem, resolved, settings, restarts, cap, workers };
}

/**
 * Flag values from name/value pairs (a URL query, a form), as the command line's `parseFlags`
 * builds them from arguments: every {@link solveFlags} default filled in, the given values on
 * top. An unknown name or a name given twice is a {@link UsageError} with the command line's
 * message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { values, given } = solveFlagValues([["lambda-w", "0.1"]]);
 * assert.equal(values["lambda-w"], "0.1");
 * assert.equal(values.K, "10"); // the default
 * assert.deepEqual([...given], ["lambda-w"]);
 * assert.throws(() => solveFlagValues([["speed", "1"]]), /Unknown option '--speed'/);
 * ```
 */
export function solveFlagValues(
  entries: Iterable<readonly [string, string]>,
): { values: Record<string, string>; given: Set<string> } {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(solveFlags)) {
    if (typeof spec.default === "string") values[name] = spec.default;
  }
  const given = new Set<string>();
  for (const [name, value] of entries) {
    if (!Object.hasOwn(solveFlags, name)) throw new UsageError(`Unknown option '--${name}'`);
    if (given.has(name)) throw new UsageError(`--${name}: given more than once`);
    given.add(name);
    values[name] = value;
  }
  return { values, given };
}

/**
 * The `npx deno task solve …` command line for name/value pairs, in {@link solveFlags} order,
 * each value shell-quoted where needed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(solveCommand([["n", "5"], ["K", "4"], ["counts", "3, 2"]]),
 *   "npx deno task solve --K 4 --n 5 --counts '3, 2'");
 * ```
 */
export function solveCommand(entries: Iterable<readonly [string, string]>): string {
  const order = Object.keys(solveFlags);
  const rank = (name: string): number => {
    const index = order.indexOf(name);
    return index === -1 ? order.length : index;
  };
  const sorted = [...entries].sort((a, b) => rank(a[0]) - rank(b[0]));
  return ["npx deno task solve", ...sorted.map(([name, value]) => `--${name} ${shellWord(value)}`)]
    .join(" ");
}

/** `value` as one POSIX shell word (single-quoted unless it is plainly safe). */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_.,:+=@%/-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
