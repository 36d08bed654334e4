/**
 * `deno task solve`: solve one UFM instance to its global minimum and compare with theory.
 *
 *   npx deno task solve --K 4 --n 5 --d 8 --lambda-w 0.1 --lambda-h 0.2 --json
 *   npx deno task solve --model ext-relu --K 4 --n 5 --d 8 --hidden 16 --lambda-w2 0.2 \
 *     --lambda-w1 0.3 --lambda-h 0.4 --init-std 1 --lr 0.02 --optimizer momentum --restarts 8
 *   npx deno task solve --model deep-linear --depth 3 --lambda-ws 0.2 --lambda-h 0.2 ...
 *
 * Progress goes to stderr; `--json` prints one JSON object on stdout (objective, theory,
 * metrics, norms, iterations, grad_norm, converged, seconds). Invalid flags exit with code 2,
 * a diverging run with code 1.
 * @module
 */
import {
  type FlagSpec,
  parseChoiceFlag,
  parseFlags,
  parseNumberFlag,
  parseNumberListFlag,
  runCli,
  UsageError,
} from "../lib/cli.ts";
import { optimizerMethods } from "../lib/optim/minimize.ts";
import { modelDefinition, preconditions } from "../lib/ufm/models/mod.ts";
import {
  biasModes,
  conventions,
  lossNames,
  type ModelName,
  modelNames,
  resolveProblem,
  type UfmProblem,
} from "../lib/ufm/problem.ts";
import { type RestartReport, solveWithRestarts } from "../lib/ufm/restarts.ts";
import { type SolveReport, solveUfm } from "../lib/ufm/solve.ts";
import { formatSolveReport } from "../lib/ufm/format.ts";

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
import { applyThreadsFlag, threadsFlag } from "../lib/core/threads.ts";
import { fastMathFlag, setFastMath } from "../lib/core/fast_math.ts";

const flags: Record<string, FlagSpec> = {
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
  json: { type: "boolean", default: false, help: "print one JSON object on stdout" },
  threads: threadsFlag,
  "fast-math": fastMathFlag,
};

const usage = "Usage: deno task solve [options]\n\n" +
  "Solves the regularized UFM (MSE, cross-entropy, label smoothing, focal or pick-all-label\n" +
  "loss; balanced, imbalanced or multi-label classes) to its\n" +
  "global minimum and compares with the closed form (docs/README.md#formula-sheet).";

await runCli(async () => {
  const values = parseFlags(Deno.args, flags, usage);
  // Flags typed on the command line (defaults excluded), for rules about flags that do not apply.
  const given = new Set(
    Deno.args.filter((arg) => arg.startsWith("--")).map((arg) => arg.slice(2).split("=")[0]),
  );
  if (values === null) return;
  applyThreadsFlag(values.threads);
  setFastMath(values["fast-math"] === true);
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
  if (counts !== undefined && values.K !== flags.K.default && Number(str("K")) !== counts.length) {
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
  const tolRaw = str("tol") === flags.tol.default
    ? (dtype === "f64" ? "1e-10" : "1e-5")
    : str("tol");
  const settings = {
    optimizer: str("optimizer") === flags.optimizer.default
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
  let lastPrint = performance.now();
  const report: SolveReport | RestartReport = restarts === 1
    ? solveUfm(resolved, settings, {
      onProgress: (info) => {
        const now = performance.now();
        if (now - lastPrint > 1000) {
          lastPrint = now;
          console.error(
            `iter ${info.iteration}  f = ${info.objective.toExponential(10)}  ` +
              `‖∇f‖ = ${info.gradNorm.toExponential(3)}`,
          );
        }
      },
    })
    : await solveWithRestarts(resolved, settings, restarts, {
      workers,
      cap,
      onProgress: (done, total) =>
        console.error(
          restarts === "auto"
            ? `restart ${done} done (auto: at most ${total})`
            : `restart ${done}/${total} done`,
        ),
    });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatSolveReport(report));
  if (!report.converged) {
    console.error(
      `warning: not converged within --iters ${report.settings.iters} (‖∇f‖ = ` +
        `${report.grad_norm.toExponential(2)} > --tol ${report.settings.tol}); the numbers above ` +
        "describe the last iterate, not a minimum",
    );
  }
});
