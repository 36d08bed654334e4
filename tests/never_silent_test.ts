// Issue 13 step 4: nothing fails silently. Each case below was seen by a new user: a run that
// stops unconverged, NC numbers from noise at the zero solution, NaN in text output, the
// requested seed lost with restarts, `build` with a stack trace, `reproduce --only ""` running
// everything, and a task without `--version`.
import assert from "node:assert/strict";
import { formatSolveReport } from "../lib/ufm/format.ts";
import { solveWithRestarts } from "../lib/ufm/restarts.ts";
import { solveUfm } from "../lib/ufm/solve.ts";
import { runScript } from "./run_script.ts";

Deno.test("a run that stops without converging says so on stderr and in the report", async () => {
  const { code, stdout, stderr } = await runScript("scripts/solve.ts", [
    "--K",
    "4",
    "--n",
    "5",
    "--d",
    "8",
    "--iters",
    "5",
  ]);
  assert.equal(code, 0);
  assert.match(stdout, /converged false .*NOT CONVERGED/);
  assert.match(stderr, /^warning: not converged within --iters 5/m);
  const json = await runScript("scripts/solve.ts", ["--iters", "5", "--json"]);
  assert.equal(JSON.parse(json.stdout).converged, false);
  assert.match(json.stderr, /warning: not converged/);
});

Deno.test("at the zero solution the NC metrics are undefined, not numbers from noise", () => {
  const report = solveUfm({
    K: 3,
    n: 2,
    d: 4,
    lambdaW: 2,
    lambdaH: 2,
    lambdaB: 0,
    bias: "none",
    norm: "tb",
    loss: "mse",
    targetScale: 1,
  });
  assert.equal(report.theory!.zero_solution, true);
  assert.equal(report.metrics_note, "undefined (zero solution)");
  const text = formatSolveReport(report);
  assert.match(text, /NC metrics\s+undefined \(zero solution\)/);
  assert.doesNotMatch(text, /NC1 /);
});

Deno.test("no NaN in text output (ext-relu --hidden 1: cosines of zero means)", async () => {
  const { code, stdout } = await runScript("scripts/solve.ts", [
    "--model",
    "ext-relu",
    "--K",
    "4",
    "--n",
    "5",
    "--d",
    "8",
    "--hidden",
    "1",
  ]);
  assert.equal(code, 0);
  assert.doesNotMatch(stdout, /NaN/);
  assert.match(stdout, /cos\(h̄_k, h̄_l\) ∈ \[undefined, undefined\]/);
});

Deno.test("settings.seed echoes the requested seed with restarts (best_seed says which won)", async () => {
  const problem = {
    K: 3,
    n: 2,
    d: 4,
    lambdaW: 0.1,
    lambdaH: 0.1,
    lambdaB: 0,
    bias: "none" as const,
    norm: "tb" as const,
    loss: "mse" as const,
    targetScale: 1,
  };
  const result = await solveWithRestarts(problem, { seed: 40 }, 3, { workers: 1 });
  assert.equal(result.settings.seed, 40);
  assert.ok([40, 41, 42].includes(result.restarts.best_seed));
});

Deno.test("build: --help prints usage, an unknown flag is one line with exit 2", async () => {
  const help = await runScript("scripts/build_core.ts", ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: npx deno task build/);
  const bad = await runScript("scripts/build_core.ts", ["--frobnicate"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
  assert.match(bad.stderr, /^error: .*frobnicate/);
});

Deno.test("reproduce --only with no figure id is an error, not the whole registry", async () => {
  for (const only of ["", " , "]) {
    const { code, stderr } = await runScript("scripts/reproduce.ts", ["--only", only]);
    assert.equal(code, 2, `--only '${only}'`);
    assert.match(stderr, /^error: --only: no figure id given/);
  }
});

Deno.test("--version on every task", async () => {
  for (
    const script of [
      "scripts/solve.ts",
      "scripts/metrics.ts",
      "scripts/reproduce.ts",
      "scripts/cell.ts",
      "scripts/train.ts",
      "scripts/bench.ts",
      "scripts/build_core.ts",
      "scripts/site.ts",
      "scripts/serve.ts",
    ]
  ) {
    const { code, stdout } = await runScript(script, ["--version"]);
    assert.equal(code, 0, script);
    assert.match(stdout, /^ufmlab \d+\.\d+\.\d+ \(deno \d/, script);
  }
});

Deno.test("bench: a bad --rounds is one line with exit 2, before anything is timed", async () => {
  const cases: [string, RegExp][] = [["0", /must be ≥ 1, got 0/], ["2.5", /expected an integer/]];
  for (const [value, message] of cases) {
    const { code, stdout, stderr } = await runScript("scripts/bench.ts", ["--rounds", value]);
    assert.equal(code, 2, `--rounds ${value}`);
    assert.equal(stdout, "", "no table is printed before the flag is checked");
    assert.match(stderr, message);
    assert.equal(stderr.trim().split("\n").length, 1);
  }
});
