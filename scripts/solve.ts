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
  runCli,
  UsageError,
} from "../lib/cli.ts";
import { optimizerMethods } from "../lib/optim/minimize.ts";
import { preconditions } from "../lib/ufm/model.ts";
import {
  biasModes,
  conventions,
  lossNames,
  modelNames,
  type UfmProblem,
  validateProblem,
} from "../lib/ufm/problem.ts";
import { type RestartReport, solveWithRestarts } from "../lib/ufm/restarts.ts";
import { type SolveReport, solveUfm } from "../lib/ufm/solve.ts";
import { applyThreadsFlag, threadsFlag } from "../lib/core/threads.ts";
import { fastMathFlag, setFastMath } from "../lib/core/fast_math.ts";

const flags: Record<string, FlagSpec> = {
  model: { type: "string", default: "ufm", help: `model: ${modelNames.join("|")}` },
  depth: {
    type: "string",
    help: "weight layers on top of the features H1 (deep-linear|deep-relu; ext-* have 2)",
  },
  hidden: {
    type: "string",
    help: "widths of H2…H_depth, comma list or one value (extended/deep models; default --d)",
  },
  "lambda-w2": { type: "string", help: "λ of the classifier W2 (ext-*; default --lambda-w)" },
  "lambda-w1": { type: "string", help: "λ of W1 (ext-*; default --lambda-w)" },
  "lambda-ws": {
    type: "string",
    help: "λ of W_1,…,W_depth, first layer → classifier, comma list or one value " +
      "(deep-*; default --lambda-w)",
  },
  loss: { type: "string", default: "mse", help: `loss: ${lossNames.join("|")}` },
  bias: { type: "string", default: "none", help: `classifier bias: ${biasModes.join("|")}` },
  norm: {
    type: "string",
    default: "tb",
    help: "regularization convention: tb (Tirer–Bruna) | z (Zhu/Zhou)",
  },
  K: { type: "string", default: "10", help: "number of classes (≥ 2)" },
  n: { type: "string", default: "20", help: "samples per class (≥ 1)" },
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
    help: "seeded initializations (seed, seed+1, …); reports the best and all objectives",
  },
  workers: { type: "string", help: "parallel workers for --restarts (default: CPU threads)" },
  optimizer: { type: "string", default: "nesterov", help: `${optimizerMethods.join("|")}` },
  lr: { type: "string", default: "0.5", help: "step size (> 0)" },
  momentum: { type: "string", default: "0.9", help: "momentum μ ∈ [0, 1)" },
  iters: { type: "string", default: "20000", help: "maximum iterations" },
  tol: { type: "string", default: "1e-10 (f64), 1e-5 (f32)", help: "stop when ‖∇f‖ < tol" },
  seed: { type: "string", default: "0", help: "initialization seed (integer)" },
  "init-std": { type: "string", default: "0.1", help: "std of the N(0, std²) init of W, H" },
  dtype: { type: "string", default: "f64", help: "element type: f64|f32" },
  precondition: {
    type: "string",
    default: "none",
    help: "block step sizes: none | balanced (H steps × Kλ_W/λ_H: N-independent convergence, " +
      "same minimizer; plain UFM only)",
  },
  json: { type: "boolean", default: false, help: "print one JSON object on stdout" },
  threads: threadsFlag,
  "fast-math": fastMathFlag,
};

const usage = "Usage: deno task solve [options]\n\n" +
  "Solves the regularized UFM (MSE, cross-entropy, label smoothing or focal loss) to its\n" +
  "global minimum and compares with the closed form (science.md §3).";

await runCli(async () => {
  const values = parseFlags(Deno.args, flags, usage);
  if (values === null) return;
  applyThreadsFlag(values.threads);
  setFastMath(values["fast-math"] === true);
  const str = (name: string): string => values[name] as string;
  const num = (name: string, c: Parameters<typeof parseNumberFlag>[2] = {}): number =>
    parseNumberFlag(name, str(name), c);
  const model = parseChoiceFlag("model", str("model"), modelNames);
  const dtype = parseChoiceFlag("dtype", str("dtype"), ["f64", "f32"] as const);
  const problem: UfmProblem = {
    K: num("K", { integer: true, min: 2 }),
    n: num("n", { integer: true, min: 1 }),
    d: num("d", { integer: true, min: 1 }),
    lambdaW: num("lambda-w", { min: 0 }),
    lambdaH: num("lambda-h", { min: 0 }),
    lambdaB: num("lambda-b", { min: 0 }),
    bias: parseChoiceFlag("bias", str("bias"), biasModes),
    norm: parseChoiceFlag("norm", str("norm"), conventions),
    loss: parseChoiceFlag("loss", str("loss"), lossNames),
    targetScale: num("target-scale", { min: 0, exclusiveMin: true }),
    alpha: values.alpha === undefined
      ? undefined
      : num("alpha", { min: 0, max: 1, exclusiveMax: true }),
    beta: values.beta === undefined ? undefined : num("beta", { min: 0 }),
    ...modelFields(model, values),
  };
  const restarts = num("restarts", { integer: true, min: 1 });
  const workers = values.workers === undefined
    ? undefined
    : num("workers", { integer: true, min: 1 });
  const tolRaw = str("tol") === flags.tol.default
    ? (dtype === "f64" ? "1e-10" : "1e-5")
    : str("tol");
  const settings = {
    optimizer: parseChoiceFlag("optimizer", str("optimizer"), optimizerMethods),
    lr: num("lr", { min: 0, exclusiveMin: true }),
    momentum: num("momentum", { min: 0, max: 1, exclusiveMax: true }),
    iters: num("iters", { integer: true, min: 0 }),
    tol: parseNumberFlag("tol", tolRaw, { min: 0 }),
    seed: num("seed", { integer: true }),
    initStd: num("init-std", { min: 0, exclusiveMin: true }),
    dtype,
    precondition: parseChoiceFlag("precondition", str("precondition"), preconditions),
  };
  if (problem.bias === "reg" && problem.lambdaB === 0) {
    throw new UsageError("--lambda-b: --bias reg needs λ_b > 0 (use --bias free for λ_b = 0)");
  }
  validateProblem(problem);
  let lastPrint = performance.now();
  const report: SolveReport | RestartReport = restarts === 1
    ? solveUfm(problem, settings, {
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
    : await solveWithRestarts(problem, settings, restarts, {
      workers,
      onProgress: (done, total) => console.error(`restart ${done}/${total} done`),
    });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatReport(report));
});

/** The model fields of the problem from --model, --depth, --hidden and the per-layer λ flags. */
function modelFields(
  model: (typeof modelNames)[number],
  values: Record<string, string | boolean>,
): Partial<UfmProblem> {
  const given = (flag: string): string | undefined => values[flag] as string | undefined;
  const extended = model === "ext-linear" || model === "ext-relu";
  const deep = model === "deep-linear" || model === "deep-relu";
  const only = (flag: string, allowed: boolean, models: string): void => {
    if (given(flag) !== undefined && !allowed) {
      throw new UsageError(`--${flag}: only used with --model ${models} (model is '${model}')`);
    }
  };
  only("depth", deep, "deep-linear|deep-relu");
  only("lambda-ws", deep, "deep-linear|deep-relu");
  only("lambda-w1", extended, "ext-linear|ext-relu");
  only("lambda-w2", extended, "ext-linear|ext-relu");
  only("hidden", extended || deep, "ext-*|deep-*");
  if (model === "ufm") return {};
  const fields: Partial<UfmProblem> = { model };
  if (deep) {
    const raw = given("depth");
    if (raw === undefined) {
      throw new UsageError(`--depth: required with --model ${model} (weight layers on top of H1)`);
    }
    fields.depth = parseNumberFlag("depth", raw, {
      integer: true,
      min: model === "deep-relu" ? 2 : 1,
      max: 64,
    });
  }
  const depth = fields.depth ?? 2;
  const lambdaW = parseNumberFlag("lambda-w", values["lambda-w"] as string, { min: 0 });
  if (extended) {
    const layer = (flag: string): number =>
      given(flag) === undefined ? lambdaW : parseNumberFlag(flag, given(flag)!, { min: 0 });
    fields.lambdaWs = [layer("lambda-w1"), layer("lambda-w2")];
  } else if (given("lambda-ws") !== undefined) {
    fields.lambdaWs = parseListFlag("lambda-ws", given("lambda-ws")!, depth, { min: 0 });
  }
  if (given("hidden") !== undefined) {
    fields.hidden = parseListFlag("hidden", given("hidden")!, depth - 1, {
      integer: true,
      min: 1,
    });
  }
  return fields;
}

/** A comma list of `count` numbers for `--flag` (one value is repeated `count` times). */
function parseListFlag(
  flag: string,
  raw: string,
  count: number,
  constraints: Parameters<typeof parseNumberFlag>[2],
): number[] {
  const items = raw.split(",").map((item) => parseNumberFlag(flag, item, constraints));
  if (items.length === 1) return new Array<number>(count).fill(items[0]);
  if (items.length !== count) {
    throw new UsageError(
      `--${flag}: expected ${count} comma-separated values (or one), got ${raw}`,
    );
  }
  return items;
}

function formatReport(report: SolveReport | RestartReport): string {
  const fmt = (x: number | null): string => (x === null ? "—" : x.toPrecision(10));
  const t = report.theory;
  const m = report.metrics;
  const lines = [
    `objective      ${fmt(report.objective)}   theory ${t ? fmt(t.objective) : "none"}` +
    (report.objective_rel_error === null
      ? ""
      : `   rel. error ${report.objective_rel_error.toExponential(2)}`),
    `iterations     ${report.iterations}   ‖∇f‖ ${report.grad_norm.toExponential(2)}   ` +
    `converged ${report.converged}   ${report.seconds.toFixed(3)} s`,
    `‖h̄_k‖² mean    ${fmt(report.norms.h_mean_sq)}   theory ${t ? fmt(t.h_mean_sq) : "—"}`,
    `‖w_k‖² mean    ${fmt(report.norms.w_row_sq)}   theory ${t ? fmt(t.w_row_sq) : "—"}`,
    `structure      ${t ? t.structure : "no closed form"}` +
    (t && "c" in t
      ? `   c = ${fmt(t.c)}`
      : t && "margin" in t
      ? `   margin m* = ${fmt(t.margin)}`
      : t && "kappa" in t
      ? `   κ = ${fmt(t.kappa)}   κ*_${t.factors} = ${fmt(t.kappa_star)}   x* = ${fmt(t.x)}`
      : ""),
    `NC1 ${fmt(m.nc1)}  NC2 ETF ${fmt(m.nc2_etf)}  NC2 OF ${fmt(m.nc2_of)}  ` +
    `NC2(W) ETF ${fmt(m.nc2_w_etf)}  NC2(W) OF ${fmt(m.nc2_w_of)}  NC3 ${fmt(m.nc3)}`,
  ];
  if (t && "note" in t && t.note) lines.push(`theory note    ${t.note}`);
  if (report.layers) {
    const layers = report.layers;
    for (const layer of layers.features) {
      lines.push(
        `${layer.name.padEnd(14)} NC1 ${fmt(layer.nc1)}  OF dist. ${fmt(layer.nc2_of)}  ` +
          `mean ‖h̄_k‖² ${fmt(layer.mean_sq)}  cos(h̄_k, h̄_l) ∈ [${fmt(layer.cosine_min)}, ` +
          `${fmt(layer.cosine_max)}]`,
      );
    }
    lines.push(
      `classifier     alignment with H̄ ${fmt(layers.classifier_alignment)}  ` +
        `OF dist. of W Wᵀ ${fmt(layers.classifier_of)}  of W H̄ ${fmt(layers.logits_of)}`,
    );
  }
  if ("restarts" in report) {
    const r = report.restarts;
    lines.push(
      `restarts       ${r.count}   best seed ${r.best_seed}   ` +
        (r.fraction_at_theory === null
          ? ""
          : `reached f* (rel. ${r.tolerance.toExponential(0)}): ${
            (100 * r.fraction_at_theory).toFixed(0)
          }%   `) +
        `objectives min ${fmt(Math.min(...r.objectives))} max ${fmt(Math.max(...r.objectives))}` +
        (r.failures.length ? `   failed: ${r.failures.length}` : ""),
      `outcomes       ${
        Object.entries(r.outcome_counts).map(([name, count]) => `${name} ${count}`).join(", ")
      }`,
    );
  }
  return lines.join("\n");
}
