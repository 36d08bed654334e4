// `deno task solve` as a researcher runs it: JSON fields, agreement with the closed form,
// `--help`, and one-line errors with exit code 2 for every kind of bad flag.
import assert from "node:assert/strict";

const script = new URL("../scripts/solve.ts", import.meta.url).pathname;

async function solve(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", script, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

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
    assert.ok(Math.abs(report.objective - 0.0985660172) < 1e-9); // science.md §3.2
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
    [["--target-scale", "0"], /--target-scale/],
    [["--bias", "reg"], /--lambda-b/],
    [["--lambda-b", "0.1"], /--lambda-b: only used with --bias reg/],
    [["--model", "deep"], /--model/],
    [["--frobnicate"], /frobnicate/],
    [["--iters", "-5"], /--iters/],
    [["stray"], /stray|positional/i],
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
  assert.ok(Math.abs(report.objective - 0.0747279680) < 1e-9); // science.md §3.6, FL β = 3
  assert.equal(report.restarts.fraction_at_theory, 1);
});
