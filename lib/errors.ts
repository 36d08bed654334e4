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

/**
 * Not a failure: the script's work ended early by request — a grid was asked only for its plan of
 * cells, or to run a single cell (lib/cluster/cells.ts). `runCli` exits 0 without a message.
 */
export class StopEarly extends Error {
  override name = "StopEarly";
}

/**
 * A failure already reported on stderr in one line (by a subprocess, e.g. a figure script asked
 * for a cell that its grid does not have): `runCli` exits with {@link ReportedFailure.code} and
 * adds no second message.
 */
export class ReportedFailure extends Error {
  override name = "ReportedFailure";
  /** The exit code to leave with (2: bad input, 1: a failed run). */
  readonly code: number;
  /** `message` is for logs and tests; `code` is the exit code. */
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}
