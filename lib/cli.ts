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
import packageJson from "../package.json" with { type: "json" };

export { ReportedFailure, RunError, StopEarly, UsageError } from "./errors.ts";

/** Constraints for {@link parseNumberFlag}. */
export interface NumberConstraints {
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
  /** Exclude `min` itself. */
  exclusiveMin?: boolean;
  /** Exclude `max` itself. */
  exclusiveMax?: boolean;
  /** Require an integer. */
  integer?: boolean;
}

/** Parses a finite number for `--flag`, or throws a {@link UsageError} naming the flag. */
export function parseNumberFlag(
  flag: string,
  raw: string,
  constraints: NumberConstraints = {},
): number {
  const text = raw.trim();
  const value = text === "" ? NaN : Number(text);
  const kind = constraints.integer ? "an integer" : "a number";
  if (!Number.isFinite(value)) {
    throw new UsageError(`--${flag}: expected ${kind}, got '${raw}'`);
  }
  if (constraints.integer && !Number.isSafeInteger(value)) {
    throw new UsageError(`--${flag}: expected an integer, got '${raw}'`);
  }
  const { min, max, exclusiveMin = false, exclusiveMax = false } = constraints;
  if (min !== undefined && (exclusiveMin ? value <= min : value < min)) {
    throw new UsageError(`--${flag}: must be ${exclusiveMin ? ">" : "≥"} ${min}, got ${raw}`);
  }
  if (max !== undefined && (exclusiveMax ? value >= max : value > max)) {
    throw new UsageError(`--${flag}: must be ${exclusiveMax ? "<" : "≤"} ${max}, got ${raw}`);
  }
  return value;
}

/**
 * A comma list of numbers for `--flag`. With `count`, the list must have `count` items, or one
 * item that is repeated `count` times.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseNumberListFlag("hidden", "8", { integer: true, min: 1 }, 2), [8, 8]);
 * assert.deepEqual(parseNumberListFlag("counts", "5,3,2", { integer: true, min: 1 }), [5, 3, 2]);
 * ```
 */
export function parseNumberListFlag(
  flag: string,
  raw: string,
  constraints: NumberConstraints = {},
  count?: number,
): number[] {
  const items = raw.split(",").map((item) => parseNumberFlag(flag, item, constraints));
  if (count === undefined) return items;
  if (items.length === 1) return new Array<number>(count).fill(items[0]);
  if (items.length !== count) {
    throw new UsageError(
      `--${flag}: expected ${count} comma-separated values (or one), got ${raw}`,
    );
  }
  return items;
}

/** Checks `raw` is one of `choices`, or throws a {@link UsageError} naming the flag. */
export function parseChoiceFlag<T extends string>(
  flag: string,
  raw: string,
  choices: readonly T[],
): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${flag}: expected one of ${choices.join("|")}, got '${raw}'`);
  }
  return raw as T;
}

/** Option table entry: node's parseArgs config plus help text. */
export interface FlagSpec {
  /** `string` flags take a value; `boolean` flags do not. */
  type: "string" | "boolean";
  /** Default shown in `--help` (strings) or used (booleans). */
  default?: string | boolean;
  /** One-line description for `--help`. */
  help: string;
}

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
