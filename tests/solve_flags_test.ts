/**
 * The shared `solve` flag parser (lib/ufm/solve_flags.ts): the command line (arguments through
 * `parseFlags`) and the explorer (URL/form name–value pairs through `solveFlagValues`) reach the
 * same configuration or the same one-line error, and `deno task solve` prints that error.
 */
import assert from "node:assert/strict";
import { parseFlags } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";
import { explorerConfig } from "../lib/explore/session.ts";
import {
  flagModels,
  parseSolveFlags,
  solveCommand,
  type SolveConfig,
  solveFlagChoices,
  solveFlags,
  solveFlagValues,
} from "../lib/ufm/solve_flags.ts";
import { modelDefinition, modelNames } from "../lib/ufm/models/mod.ts";
import { runScript } from "./run_script.ts";

/** Settings as the explorer's URL holds them. */
type Entries = [string, string][];

/** The command line of the same settings (`--name value`). */
function argsOf(entries: Entries): string[] {
  return entries.flatMap(([name, value]) => [`--${name}`, value]);
}

/** The outcome of a parse: the configuration, or the usage error's message. */
function outcome(parse: () => SolveConfig): SolveConfig | string {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
}

function viaCommandLine(entries: Entries): SolveConfig | string {
  return outcome(() => {
    const args = argsOf(entries);
    const values = parseFlags(args, solveFlags, "usage")!;
    const given = new Set(args.filter((arg) => arg.startsWith("--")).map((arg) => arg.slice(2)));
    return parseSolveFlags(values, given);
  });
}

function viaUrl(entries: Entries): SolveConfig | string {
  return outcome(() => {
    const { values, given } = solveFlagValues(entries);
    return parseSolveFlags(values, given);
  });
}

const cases: Entries[] = [
  [],
  [["K", "4"], ["n", "5"], ["d", "8"], ["lambda-w", "0.1"], ["lambda-h", "0.2"]],
  [["model", "ext-relu"], ["hidden", "16"], ["lambda-w2", "0.2"], ["lambda-w1", "0.3"]],
  [["model", "deep-linear"], ["depth", "3"], ["lambda-ws", "0.2,0.1,0.3"], ["norm", "z"]],
  [["model", "sphere"], ["tau", "5"], ["loss", "ce"], ["d", "3"], ["bias", "free"]],
  [["loss", "pal"], ["K", "3"], ["n", "2"], ["n-multi", "1"]],
  [["counts", "5,3,2"], ["dtype", "f32"], ["optimizer", "nesterov"], ["lr", "0.1"]],
  [["loss", "ls"], ["alpha", "0.1"], ["bias", "reg"], ["lambda-b", "0.2"]],
  [["restarts", "auto"], ["max-restarts", "8"], ["path", "full"], ["certify", "no"]],
  // Invalid settings: the same message either way.
  [["K", "1"]],
  [["lambda-w", "-1"]],
  [["model", "resnet"]],
  [["model", "sphere"], ["lambda-w", "0.1"]],
  [["tau", "3"]],
  [["counts", "3,2"], ["n", "4"]],
  [["K", "3"], ["counts", "2,2"]],
  [["max-restarts", "3"]],
  [["bias", "reg"]],
  [["alpha", "0.1"]],
  [["optimizer", "adam"]],
  [["n", "0"]],
  [["d", "2.5"]],
  [["model", "deep-linear"]],
  [["model", "ext-relu"], ["hidden", "3,4"]],
  [["precondition", "balanced"], ["model", "ext-linear"]],
  [["tol", "abc"]],
  [["momentum", "1"]],
  [["K", ""]],
];

Deno.test("command line and URL settings reach the same configuration or the same error", () => {
  for (const entries of cases) {
    const url = viaUrl(entries);
    assert.deepEqual(url, viaCommandLine(entries), JSON.stringify(entries));
  }
  assert.equal(viaUrl([["K", "1"]]), "--K: must be ≥ 2, got 1");
  assert.equal(viaUrl([["lambda-w", "-1"]]), "--lambda-w: must be ≥ 0, got -1");
  assert.match(viaUrl([["model", "resnet"]]) as string, /^--model: expected one of ufm\|/);
});

Deno.test("URL-only problems: unknown and repeated names get the command line's words", () => {
  assert.throws(() => solveFlagValues([["speed", "1"]]), /^UsageError: Unknown option '--speed'$/);
  assert.throws(() => solveFlagValues([["K", "4"], ["K", "5"]]), /--K: given more than once/);
  assert.throws(() => parseFlags(["--K", "4", "--K", "5"], solveFlags, ""), /--K: given more than/);
});

Deno.test("solveCommand prints settings that parse back to the same configuration", () => {
  for (const entries of cases) {
    const config = viaUrl(entries);
    if (typeof config === "string") continue;
    const words = solveCommand(entries).split(" ");
    assert.deepEqual(words.slice(0, 4), ["npx", "deno", "task", "solve"]);
    const args = words.slice(4).map((word) => word.replace(/^'(.*)'$/, "$1"));
    const values = parseFlags(args, solveFlags, "")!;
    const given = new Set(args.filter((arg) => arg.startsWith("--")).map((arg) => arg.slice(2)));
    assert.deepEqual(parseSolveFlags(values, given), config, solveCommand(entries));
  }
});

Deno.test("the flag table covers every model's flags, choices and rejections", () => {
  for (const name of modelNames) {
    const definition = modelDefinition(name);
    for (const flag of Object.keys(definition.flags)) {
      assert.ok(flag in solveFlags, `${name}: --${flag} in the table`);
      assert.ok(flagModels(flag)!.includes(name));
    }
    for (const flag of Object.keys(definition.rejects ?? {})) assert.ok(flag in solveFlags);
  }
  for (const [flag, choices] of Object.entries(solveFlagChoices)) {
    const spec = solveFlags[flag];
    assert.ok(spec !== undefined, flag);
    // Every choice passes the parser (the lists are the parser's own).
    for (const choice of choices) {
      const result = viaUrl([[flag, choice]]);
      if (typeof result === "string") {
        assert.doesNotMatch(result, new RegExp(`^--${flag}: expected`));
      }
    }
  }
});

Deno.test("deno task solve prints the shared parser's message (exit 2)", async () => {
  for (
    const entries of [[["K", "1"]], [["model", "resnet"]], [["model", "sphere"], ["norm", "z"]]]
  ) {
    const message = outcome(() => explorerConfig(entries as Entries)) as string;
    const { code, stderr } = await runScript("scripts/solve.ts", argsOf(entries as Entries));
    assert.equal(code, 2);
    assert.equal(stderr.trim(), `error: ${message}`);
  }
});
