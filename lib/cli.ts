/**
 * Command-line plumbing shared by every script: option validation with one-line errors that
 * name the flag, and a runner that turns those errors into exit code 2 (usage) or 1 (failure)
 * instead of a stack trace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNumberFlag, runCli } from "./cli.ts";
 * import { UsageError } from "./errors.ts";
 * let lr = NaN;
 * await runCli(() => {
 *   lr = parseNumberFlag("lr", "0.5", { min: 0, exclusiveMin: true });
 * });
 * assert.equal(lr, 0.5);
 * assert.throws(() => parseNumberFlag("lr", "-1", { min: 0 }), UsageError);
 * ```
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ReportedFailure, RunError, StopEarly, UsageError } from "./errors.ts";
import type { FlagSpec } from "./flags.ts";
import packageJson from "../package.json" with { type: "json" };

export { ReportedFailure, RunError, StopEarly, UsageError } from "./errors.ts";
export {
  type FlagSpec,
  type NumberConstraints,
  parseChoiceFlag,
  parseNumberFlag,
  parseNumberListFlag,
} from "./flags.ts";

/**
 * Parses `args` strictly against `flags` (unknown flags and stray positionals are usage
 * errors). Returns the values with defaults applied, or null when `--help` was requested
 * (after printing the help text).
 */
export function parseFlags(
  args: string[],
  flags: Record<string, FlagSpec>,
  usage: string,
): Record<string, string | boolean> | null {
  // `deno task X -- --flag` forwards the separator itself; it carries no meaning here.
  if (args[0] === "--") args = args.slice(1);
  args = attachNegativeValues(args, flags);
  const options: ParseArgsConfig["options"] = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  };
  for (const [name, spec] of Object.entries(flags)) {
    options[name] = spec.default === undefined
      ? { type: spec.type }
      : { type: spec.type, default: spec.default as never };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
    const seen = new Set<string>();
    for (const token of parsed.tokens ?? []) {
      if (token.kind !== "option") continue;
      if (seen.has(token.name)) throw new UsageError(`--${token.name}: given more than once`);
      seen.add(token.name);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
  if (values.help) {
    console.log(helpText(flags, usage));
    return null;
  }
  if (values.version) {
    console.log(versionText());
    return null;
  }
  const out: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && name !== "help" && name !== "version") out[name] = value;
  }
  return out;
}

/**
 * `--flag -3` → `--flag=-3` for value flags followed by a negative number, so that the number
 * reaches the flag's own range check ("must be ≥ …") instead of node's "argument is ambiguous".
 */
function attachNegativeValues(args: string[], flags: Record<string, FlagSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : null;
    const next = args[i + 1];
    if (
      name !== null && flags[name]?.type === "string" && next !== undefined &&
      /^-(\d|\.\d|Infinity|NaN)/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * The `--version` line: ufmlab's version and the runtime's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(versionText(), /^ufmlab \d+\.\d+\.\d+ \(deno /);
 * ```
 */
export function versionText(): string {
  return `ufmlab ${packageJson.version} (deno ${Deno.version.deno}, v8 ${Deno.version.v8})`;
}

/** The `--help` text: usage line, then every flag with its default. */
export function helpText(flags: Record<string, FlagSpec>, usage: string): string {
  const rows = Object.entries(flags).map(([name, spec]) => {
    const left = spec.type === "string" ? `--${name} <value>` : `--${name}`;
    const def = spec.default === undefined || spec.default === false
      ? ""
      : ` (default: ${spec.default})`;
    return `  ${left.padEnd(26)} ${spec.help}${def}`;
  });
  return [
    usage,
    "",
    "Options:",
    ...rows,
    `  ${"--help, -h".padEnd(26)} show this help`,
    `  ${"--version".padEnd(26)} print the version`,
  ].join("\n");
}

/**
 * Runs a script's main function: a {@link UsageError} prints `error: …` and exits 2, a
 * {@link RunError} prints `error: …` and exits 1, a {@link StopEarly} (the work ended early by
 * request) returns quietly, a {@link ReportedFailure} (already reported by a subprocess) exits with
 * its code; anything else is a bug and keeps its trace.
 */
export async function runCli(main: () => void | Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      Deno.exit(2);
    }
    if (error instanceof RunError) {
      console.error(`error: ${error.message}`);
      Deno.exit(1);
    }
    if (error instanceof StopEarly) return;
    if (error instanceof ReportedFailure) Deno.exit(error.code);
    throw error;
  }
}
