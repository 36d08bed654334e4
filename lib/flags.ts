/**
 * Validation of flag values with one-line errors that name the flag: numbers with ranges, comma
 * lists and choices, and the option-table entry type. Pure (no Deno or Node API), so the model
 * registry, the shared `solve` flag parser (lib/ufm/solve_flags.ts) and the browser explorer
 * (lib/explore/) use the same checks and messages as the command line; lib/cli.ts re-exports
 * everything here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChoiceFlag, parseNumberFlag } from "./flags.ts";
 * assert.equal(parseNumberFlag("lr", "0.5", { min: 0, exclusiveMin: true }), 0.5);
 * assert.throws(() => parseNumberFlag("K", "1", { integer: true, min: 2 }), /--K: must be ≥ 2, got 1/);
 * assert.equal(parseChoiceFlag("dtype", "f32", ["f64", "f32"] as const), "f32");
 * ```
 * @module
 */
import { UsageError } from "./errors.ts";

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
