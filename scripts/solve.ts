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
import { type FlagSpec, parseFlags, runCli } from "../lib/cli.ts";
import { applyThreadsFlag, threadsFlag } from "../lib/core/threads.ts";
import { fastMathFlag, setFastMath } from "../lib/core/fast_math.ts";
import { type RestartReport, solveWithRestarts } from "../lib/ufm/restarts.ts";
import { type SolveReport, solveUfm } from "../lib/ufm/solve.ts";
import { parseSolveFlags, solveFlags } from "../lib/ufm/solve_flags.ts";
import { formatSolveReport } from "../lib/ufm/format.ts";

// The problem and solver flags and their parser are shared with the explorer
// (lib/ufm/solve_flags.ts); the options about this process are the script's own.
const flags: Record<string, FlagSpec> = {
  ...solveFlags,
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
  const { resolved, settings, restarts, cap, workers } = parseSolveFlags(values, given);
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
