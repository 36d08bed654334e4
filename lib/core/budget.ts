/**
 * Memory budget of the WebAssembly core. The core is 32-bit WASM: its memory can grow to
 * 4 GiB, but JavaScript receives addresses as signed i32 (an address past 2 GiB turns into a
 * negative number and `new Float64Array(buffer, -1789862480)` throws "RangeError: Start offset
 * -…"), and the TLSF allocator hands out blocks of at most 1 GiB (a larger request aborts the
 * core). So ufmlab keeps every allocation below 2 GiB and every block below 1 GiB, and checks
 * both twice:
 *
 * - up front: a command computes the bytes a run needs and calls {@link assertCoreFits} before
 *   allocating anything, so the user gets one line naming the size and what to do;
 * - at every allocation ({@link coreAlloc}, used by `Matrix` and `IntVector`): a request that
 *   would cross either limit is refused with a {@link CoreMemoryError} instead of an abort.
 *
 * Both errors are {@link UsageError}s (exit code 2 in every script).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertCoreFits, CoreMemoryError, formatBytes } from "./budget.ts";
 * assertCoreFits(100 * 2 ** 20, "a small run", "use fewer classes"); // fits: no error
 * assert.throws(
 *   () => assertCoreFits(3 * 2 ** 30, "solve --K 100 --n 500 --d 2048", "use --dtype f32"),
 *   CoreMemoryError,
 * );
 * assert.equal(formatBytes(3 * 2 ** 30), "3.00 GiB");
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { core } from "./wasm.ts";

/** Highest address (exclusive) any core allocation may reach: 2 GiB, the i32 offset limit. */
export const CORE_ADDRESS_LIMIT: number = 2 ** 31;

/**
 * Bytes a run may plan to use: the address limit minus 64 MiB for the core's static data,
 * allocator bookkeeping and fragmentation.
 */
export const CORE_BUDGET_BYTES: number = CORE_ADDRESS_LIMIT - 64 * 2 ** 20;

/** Largest single allocation the core's TLSF allocator accepts (2^30 minus its block header). */
export const CORE_BLOCK_LIMIT: number = 2 ** 30 - 64;

/** A run or an allocation that does not fit the WASM core (a {@link UsageError}: exit 2). */
export class CoreMemoryError extends UsageError {
  override name = "CoreMemoryError";
}

/**
 * Bytes as a short human-readable string in binary units ("512 B", "3.00 GiB").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(formatBytes(1536), "1.50 KiB");
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/**
 * Bytes of a rows×cols matrix of 8-byte (f64) or 4-byte (f32) elements, computed in floating
 * point so that it never wraps (unlike an i32 product).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(matrixBytes(1000, 512, "f32"), 2048000);
 * ```
 */
export function matrixBytes(rows: number, cols: number, dtype: "f64" | "f32" = "f64"): number {
  return rows * cols * (dtype === "f64" ? 8 : 4);
}

/**
 * Throws a {@link CoreMemoryError} when a run that needs `bytes` of core memory in total
 * (`largestBlock` of it in one allocation, if given) cannot fit: more than
 * {@link CORE_BUDGET_BYTES} in total, or a block larger than {@link CORE_BLOCK_LIMIT}. The
 * one-line message names `what` needs how much, the limit, and `advice` (what to do instead).
 * For `solve`, `train` and `metrics` to call before allocating.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * try {
 *   assertCoreFits(5e9, "features 1,000,000×1,250 (f32)", "read them in shards");
 * } catch (error) {
 *   assert.match((error as Error).message, /needs 4\.66 GiB .* read them in shards/);
 * }
 * ```
 */
export function assertCoreFits(
  bytes: number,
  what: string,
  advice: string,
  largestBlock?: number,
): void {
  if (!(bytes <= CORE_BUDGET_BYTES)) {
    throw new CoreMemoryError(
      `${what} needs ${formatBytes(bytes)} of WASM core memory, more than the ` +
        `${formatBytes(CORE_BUDGET_BYTES)} the 32-bit core can address; ${advice}`,
    );
  }
  if (largestBlock !== undefined && !(largestBlock <= CORE_BLOCK_LIMIT)) {
    throw new CoreMemoryError(
      `${what} needs one block of ${formatBytes(largestBlock)}, more than the 1 GiB the ` +
        `WASM core allocates at once; ${advice}`,
    );
  }
}

/**
 * Allocates `bytes` in core memory (16-byte aligned) and returns the address as a
 * non-negative number, or throws a {@link CoreMemoryError} naming `what` when the block is too
 * large, the memory cannot grow, or the block would end past 2 GiB — the last line of defence
 * behind {@link assertCoreFits}: no abort, no negative address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { core } from "./wasm.ts";
 * const ptr = coreAlloc(64, "a test block");
 * assert.ok(ptr > 0);
 * core.free(ptr);
 * assert.throws(() => coreAlloc(3 * 2 ** 30, "a 3 GiB matrix"), CoreMemoryError);
 * ```
 */
export function coreAlloc(bytes: number, what: string): number {
  const advice = "use smaller sizes (fewer classes, samples or features), f32, or stream the " +
    "data in shards";
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new RangeError(`core allocation of ${bytes} bytes for ${what}`);
  }
  if (bytes > CORE_BLOCK_LIMIT) {
    throw new CoreMemoryError(
      `cannot allocate ${what} (${formatBytes(bytes)}): the WASM core allocates at most 1 GiB ` +
        `at once; ${advice}`,
    );
  }
  let ptr: number;
  try {
    ptr = core.alloc(bytes) >>> 0;
  } catch (error) {
    // The allocator traps (unreachable) when the memory cannot grow any further.
    throw new CoreMemoryError(
      `cannot allocate ${what} (${formatBytes(bytes)}): the WASM core is out of memory ` +
        `(${formatBytes(core.memory.buffer.byteLength)} in use; ${
          (error as Error).message
        }); ${advice}`,
    );
  }
  if (ptr + bytes > CORE_ADDRESS_LIMIT) {
    core.free(ptr);
    throw new CoreMemoryError(
      `cannot allocate ${what} (${formatBytes(bytes)}): core memory would pass 2 GiB, the ` +
        `limit of 32-bit WASM offsets; ${advice}`,
    );
  }
  return ptr;
}
