/**
 * The two kinds of failure every ufmlab command reports in one line instead of a stack trace
 * (lib/cli.ts `runCli` maps them to exit codes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunError, UsageError } from "./errors.ts";
 * assert.equal(new UsageError("--K: must be ≥ 2").name, "UsageError");
 * assert.ok(new RunError("diverged") instanceof Error);
 * ```
 * @module
 */

/** A bad flag or input file: reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A run that could not finish (divergence, NaN): reported in one line, exit code 1. */
export class RunError extends Error {
  override name = "RunError";
}
