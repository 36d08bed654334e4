// `deno task solve` as a researcher runs it: JSON fields, agreement with the closed form,
// `--help`, and one-line errors with exit code 2 for every kind of bad flag.
import assert from "node:assert/strict";
import { runScript, type ScriptOutput } from "./run_script.ts";

const solve = (args: string[]): Promise<ScriptOutput> => runScript("scripts/solve.ts", args);

Deno.test("solve --json: required fields, theory within 1e-9 in both conventions", async () => {
  // The same problem stated in TB and in Z convention (λ_W^Z = λ_W^TB/K, λ_H^Z = λ_H^TB/N).
  const tb = ["--K", "4", "--n", "5", "--d", "8", "--lambda-w", "0.1", "--lambda-h", "0.2"];
  const z = [
    "--K",
    "4",
    "--n",
    "5",
    "--d",
    "8",
    "--lambda-w",
    "0.025",
    "--lambda-h",
    "0.01",
    "--norm",
    "z",
  ];
  for (const args of [tb, z]) {
    const { code, stdout } = await solve([...args, "--bias", "free", "--json"]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    for (
      const key of [
        "objective",
        "theory",
        "metrics",
        "norms",
        "iterations",
        "grad_norm",
        "converged",
        "seconds",
      ]
    ) {
      assert.ok(key in report, `missing ${key}`);
    }
    for (const key of ["nc1", "nc2_etf", "nc2_of", "nc2_w_etf", "nc2_w_of", "nc3"]) {
      assert.equal(typeof report.metrics[key], "number", `metrics.${key}`);
    }
    assert.ok(Math.abs(report.objective - 0.0985660172) < 1e-9); // docs/ufm-mse.md#mse-free-bias
    assert.ok(Math.abs(report.theory.objective - report.objective) < 1e-9 * report.objective);
    assert.ok(report.converged);
    assert.ok(
      typeof report.norms.h_mean_sq === "number" && typeof report.norms.w_row_sq === "number",
    );
  }
});

Deno.test("solve --help lists every flag with its default", async () => {
  const { code, stdout } = await solve(["--help"]);
  assert.equal(code, 0);
  for (
    const flag of [
      "--model",
      "--loss",
      "--bias",
      "--norm",
      "--K",
      "--n",
      "--d",
      "--lambda-w",
      "--lambda-h",
      "--lambda-b",
      "--target-scale",
      "--optimizer",
      "--lr",
      "--momentum",
      "--iters",
      "--tol",
      "--seed",
      "--init-std",
      "--dtype",
      "--json",
    ]
  ) {
    assert.ok(stdout.includes(flag), `--help lacks ${flag}`);
  }
  assert.match(stdout, /--lr <value>\s+step size \(> 0\) \(default: 0\.5\)/);
});

Deno.test("solve rejects bad values with one line naming the flag, exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--K", "1"], /--K/],
    [["--K", "2.5"], /--K: expected an integer/],
    [["--n", "abc"], /--n/],
    [["--lambda-w", "-1"], /--lambda-w/],
    [["--lambda-h", "NaN"], /--lambda-h/],
    [["--bias", "maybe"], /--bias: expected one of none\|free\|reg/],
    [["--norm", "xy"], /--norm/],
    [["--loss", "hinge"], /--loss/],
    [["--loss", "ls", "--alpha", "1"], /--alpha/],
    [["--loss", "ls", "--alpha", "-0.1"], /--alpha/],
    [["--loss", "fl", "--beta", "-1"], /--beta/],
    [["--loss", "ce", "--alpha", "0.1"], /--alpha: only used with --loss ls/],
    [["--loss", "ce", "--beta", "2"], /--beta: only used with --loss fl/],
    [["--loss", "ce", "--target-scale", "15"], /--target-scale: only used with --loss mse/],
    [["--restarts", "0"], /--restarts/],
    [["--restarts", "2", "--workers", "0"], /--workers/],
    [["--optimizer", "adam"], /--optimizer/],
    [["--lr", "0"], /--lr/],
    [["--momentum", "1"], /--momentum/],
    [["--dtype", "f16"], /--dtype/],
    [["--precondition", "diag"], /--precondition/],
    [["--target-scale", "0"], /--target-scale/],
    [["--bias", "reg"], /--lambda-b/],
    [["--lambda-b", "0.1"], /--lambda-b: only used with --bias reg/],
    [["--model", "deep"], /--model/],
    [["--frobnicate"], /frobnicate/],
    [["--iters", "-5"], /--iters/],
    [["stray"], /stray|positional/i],
    [["--counts", "3,0,2"], /--counts: must be ≥ 1, got 0/],
    [["--counts", "3,-1,2"], /--counts: must be ≥ 1, got -1/],
    [["--counts", "3,2.5,2"], /--counts: expected an integer, got '2.5'/],
    [["--counts", "5"], /--counts: needs at least 2 classes/],
    [["--counts", "3,2,2", "--n", "4"], /--counts: exclusive with --n/],
    [["--counts", "3,2,2", "--K", "4"], /--K: 4 classes but --counts lists 3/],
    [["--n-multi", "2"], /--n-multi: only used with --loss pal/],
    [["--K", "-3"], /--K: must be ≥ 2, got -3/],
    [["--lambda-w", "-0.1"], /--lambda-w: must be ≥ 0, got -0.1/],
    [["--K", "3", "--K", "4"], /--K: given more than once/],
    [
      ["--K", "100", "--n", "500", "--d", "2048"],
      /needs 2\.37 GiB of WASM core memory.*--dtype f32/,
    ],
    [
      ["--model", "ext-linear", "--hidden", "30000", "--d", "30000"],
      /needs [\d.]+ GiB of WASM core/,
    ],
    [["--model", "sphere", "--tau", "0"], /--tau: must be > 0, got 0/],
    [["--model", "sphere", "--tau", "-1"], /--tau: must be > 0, got -1/],
    [["--tau", "2"], /--tau: only used with --model sphere/],
    [
      ["--model", "sphere", "--lambda-w", "0.1"],
      /--lambda-w: the spherical model has no weight decay/,
    ],
    [
      ["--model", "sphere", "--lambda-h", "0"],
      /--lambda-h: the spherical model has no weight decay/,
    ],
    [["--loss", "pal", "--n-multi", "-1"], /--n-multi: must be ≥ 0/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stdout, stderr } = await solve(args);
    assert.equal(code, 2, `${args.join(" ")}: exit ${code}, stderr ${stderr}`);
    assert.equal(stdout, "");
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${args.join(" ")}: ${stderr}`);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], pattern);
  }
});

Deno.test("a diverging run exits 1 naming --lr, with no JSON on stdout", async () => {
  const { code, stdout, stderr } = await solve([
    "--K",
    "4",
    "--n",
    "5",
    "--d",
    "8",
    "--optimizer",
    "gd",
    "--lr",
    "100",
    "--json",
  ]);
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.match(stderr, /^error: diverged at iteration \d+ .*lower the step size --lr \(now 100\)/m);
});

Deno.test("solve --restarts: best run plus the distribution of final objectives", async () => {
  const { code, stdout } = await solve([
    "--norm",
    "z",
    "--K",
    "4",
    "--n",
    "5",
    "--d",
    "8",
    "--lambda-w",
    "5e-3",
    "--lambda-h",
    "5e-3",
    "--bias",
    "reg",
    "--lambda-b",
    "5e-3",
    "--loss",
    "fl",
    "--beta",
    "3",
    "--restarts",
    "3",
    "--workers",
    "2",
    "--json",
  ]);
  assert.equal(code, 0);
  const report = JSON.parse(stdout);
  assert.deepEqual(report.restarts.seeds, [0, 1, 2]);
  assert.equal(report.restarts.objectives.length, 3);
  assert.ok(Math.abs(report.objective - 0.0747279680) < 1e-9); // docs/ufm-softmax.md#softmax-table, FL β = 3
  assert.equal(report.restarts.fraction_at_theory, 1);
});

Deno.test("solve --counts / --loss pal --json: imbalanced closed form and multi-label run", async () => {
  const imbalanced = await solve([
    "--counts",
    "20,10,5,2,2",
    "--d",
    "8",
    "--norm",
    "z",
    "--lambda-w",
    "0.05",
    "--lambda-h",
    "0.05",
    "--tol",
    "1e-12",
    "--json",
  ]);
  assert.equal(imbalanced.code, 0, imbalanced.stderr);
  const report = JSON.parse(imbalanced.stdout);
  assert.deepEqual(report.problem.class_counts, [20, 10, 5, 2, 2]);
  assert.equal(report.problem.samples, 39);
  assert.ok(report.objective_rel_error < 1e-12);
  assert.deepEqual(report.theory.per_class.collapsed, [false, false, false, true, true]);
  assert.deepEqual(report.minority.classes, [3, 4]);
  const pal = await solve([
    "--loss",
    "pal",
    "--K",
    "4",
    "--n",
    "6",
    "--n-multi",
    "3",
    "--d",
    "6",
    "--norm",
    "z",
    "--lambda-w",
    "5e-3",
    "--lambda-h",
    "5e-3",
    "--json",
  ]);
  assert.equal(pal.code, 0, pal.stderr);
  const palReport = JSON.parse(pal.stdout);
  assert.equal(palReport.problem.samples, 4 * 6 + 6 * 3);
  assert.deepEqual(palReport.problem.class_counts, [15, 15, 15, 15]);
  assert.equal(palReport.theory, null);
});

Deno.test("solve --help lists the extended/deep model flags", async () => {
  const { code, stdout } = await solve(["--help"]);
  assert.equal(code, 0);
  for (const flag of ["--depth", "--hidden", "--lambda-w2", "--lambda-w1", "--lambda-ws"]) {
    assert.ok(stdout.includes(flag), `--help lacks ${flag}`);
  }
  assert.match(stdout, /ufm\|ext-linear\|ext-relu\|deep-linear\|deep-relu/);
});

Deno.test("solve rejects bad model flags with one line naming the flag, exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--depth", "3"], /--depth: only used with --model deep-linear\|deep-relu/],
    [["--model", "deep-linear"], /--depth: required/],
    [["--model", "deep-linear", "--depth", "0"], /--depth/],
    [["--model", "deep-relu", "--depth", "1"], /--depth: must be ≥ 2/],
    [["--model", "deep-linear", "--depth", "2.5"], /--depth: expected an integer/],
    [["--model", "deep-linear", "--depth", "3", "--lambda-ws", "0.1,0.2"], /--lambda-ws/],
    [["--model", "deep-linear", "--depth", "2", "--lambda-ws", "0.1,x"], /--lambda-ws/],
    [["--model", "deep-linear", "--depth", "2", "--lambda-ws", "0.1,,0.2"], /--lambda-ws/],
    [["--model", "deep-linear", "--depth", "3", "--hidden", "8,8,8"], /--hidden/],
    [["--model", "ext-linear", "--hidden", "0"], /--hidden/],
    [["--model", "ext-relu", "--hidden", "1.5"], /--hidden/],
    [["--hidden", "8"], /--hidden: only used/],
    [["--lambda-w1", "0.1"], /--lambda-w1: only used with --model ext-linear\|ext-relu/],
    [["--model", "ext-linear", "--lambda-w2", "abc"], /--lambda-w2/],
    [["--model", "ext-linear", "--lambda-ws", "0.1"], /--lambda-ws: only used/],
    [["--model", "ext-linear", "--depth", "2"], /--depth: only used/],
    [["--model", "ext-relu", "--bias", "reg", "--lambda-b", "0.1"], /--bias/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stdout, stderr } = await solve(args);
    assert.equal(code, 2, `${args.join(" ")}: exit ${code}, stderr ${stderr}`);
    assert.equal(stdout, "");
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${args.join(" ")}: ${stderr}`);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], pattern);
  }
});

Deno.test("solve --model ext-linear/deep-linear --json: closed form, layers, restart outcomes", async () => {
  const common = ["--K", "4", "--n", "5", "--d", "8", "--init-std", "1", "--lr", "0.01"];
  const extended = await solve([
    ...common,
    "--model",
    "ext-linear",
    "--lambda-w2",
    "0.2",
    "--lambda-w1",
    "0.3",
    "--lambda-h",
    "0.4",
    "--restarts",
    "4",
    "--workers",
    "1",
    "--json",
  ]);
  assert.equal(extended.code, 0, extended.stderr);
  const report = JSON.parse(extended.stdout);
  assert.ok(Math.abs(report.objective - 0.3857423764) < 1e-9); // docs/extended-deep.md#ext-linear-table
  assert.equal(report.theory.kind, "deep-linear");
  assert.ok(Math.abs(report.theory.kappa - 0.2884499141) < 1e-9);
  assert.deepEqual(report.problem.lambdas_tb.lambdaWs, [0.3, 0.2]);
  assert.deepEqual(report.layers.features.map((f: { name: string }) => f.name), ["H1", "H2"]);
  assert.ok(Math.abs(report.layers.features[0].mean_sq - 0.5523878496) < 1e-6);
  assert.equal(report.restarts.outcomes.length, 4);
  assert.ok(report.restarts.outcome_counts.global >= 1);
  // L = 4 factors: depth 3, one λ for every weight layer (docs/extended-deep.md#l4-check).
  const deep = await solve([
    ...common.filter((_, i) => i < 6 || i > 7), // this run's own --init-std below
    "--model",
    "deep-linear",
    "--depth",
    "3",
    "--hidden",
    "8,8",
    "--lambda-ws",
    "0.2",
    "--lambda-h",
    "0.2",
    "--init-std",
    "0.6",
    "--seed",
    "1",
  ]);
  assert.equal(deep.code, 0, deep.stderr);
  assert.match(deep.stdout, /objective\s+0\.37744604/);
  assert.match(deep.stdout, /κ\*_4 = 0\.2721655270/);
  assert.match(deep.stdout, /^H3 /m);
});
