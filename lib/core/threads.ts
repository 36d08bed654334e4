/**
 * Both cores in one solve: a pool of thread Workers, each running a second instance of the WASM
 * core on the main instance's shared memory, so a kernel can be split into parts that run at
 * the same time on memory the main thread allocated. Dispatch costs no message: the main thread
 * writes a part's arguments into a shared control block and bumps a sequence number; the worker
 * spins on it for a moment (a UFM iteration is 45 µs: waking a sleeping thread takes longer),
 * then sleeps in `Atomics.wait`. The main thread runs the first part itself and waits for the
 * others the same way.
 *
 * Results never depend on the thread count: callers split work into parts whose arithmetic is
 * that of the undivided kernel (lib/gemm.ts: column or row panels of C on the path chosen for
 * the whole product) or into fixed chunks reduced in a fixed order. Work below a size threshold
 * stays on one thread.
 *
 * A thread instance re-applies the module's data segments to the shared memory when it is
 * created: they hold read-only tables (math constants, strings) and the list heads of the
 * AssemblyScript garbage collector, which the core never uses (kernels take raw addresses and
 * allocate with the TLSF heap only); mutable per-instance state lives in WASM globals and in
 * scratch buffers the main instance allocates for each thread (`thread_init`).
 *
 * The library default is one thread, so tests and library users are never surprised by
 * Workers; scripts opt in with the `--threads` flag ({@link threadsFlag}, default: all
 * cores). Inside Workers of restarts and grids the default stays one: they already use the
 * cores one instance each. The pool starts in the background; until its Workers are ready,
 * kernels run on the main thread (with the same results).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setThreads, threadCount, threadsReady } from "./threads.ts";
 * setThreads(2);
 * await threadsReady();
 * assert.equal(threadCount(), 2);
 * setThreads(1); // back to one thread (the idle pool sleeps)
 * ```
 * @module
 */
import { Worker } from "node:worker_threads";
import { UsageError } from "../cli.ts";
import type { FlagSpec } from "../cli.ts";
import { core, coreModule } from "./wasm.ts";
import { setPartRunner } from "./split.ts";

/** Kernels a thread can run, by index in the control block (the same list is sent to workers). */
export const threadKernels: readonly string[] = [
  "gemm_part_f64",
  "gemm_part_f32",
  "gemm_fma_part_f64",
  "gemm_fma_part_f32",
  "loss_softmax_part_f64",
  "loss_softmax_part_f32",
  "opt_step_chunks_f64",
  "opt_step_chunks_f32",
];

/** Most arguments of one part. */
export const MAX_PART_ARGS = 16;
/** Most parts of one job. */
export const MAX_PARTS = 64;

// Control block (Int32 fields a cache line apart, so that writers do not share a line):
// - WAKE: job number; workers spin on it for a while after their last part, then sleep on it.
// - CLAIM: (job number mod 2¹⁶) << 16 | parts << 8 | next part. A thread claims part i with a
//   compare-exchange i → i + 1, so each part runs exactly once, on whichever thread is free
//   first — the main thread takes the parts of a worker that is late (on a loaded machine a
//   woken thread can wait milliseconds for a core), and a stale worker can never claim a part
//   of a later job (its compare-exchange fails).
// - PENDING: parts not finished yet; FAILED: parts that threw.
// - KERNEL: index into threadKernels; READY + w: worker w is instantiated; STOP: workers exit.
// f64 area: MAX_PARTS × MAX_PART_ARGS arguments, then MAX_PARTS results.
const WAKE = 0;
const CLAIM = 16;
const PENDING = 32;
const FAILED = 48;
const KERNEL = 64;
const STOP = 80;
const WORKER_PARTS = 88; // parts run by workers so far (for tests and benchmarks)
const READY = 96;
const RESULTS = MAX_PARTS * MAX_PART_ARGS;

/**
 * How long the main thread spins waiting for parts claimed by workers before it sleeps in
 * 1 ms steps: parts are balanced, so the wait is short unless the machine is overloaded.
 */
const MAIN_SPIN_MS = 50;

interface Pool {
  workers: Worker[];
  ints: Int32Array;
  floats: Float64Array;
  job: number;
  scratch: number[];
  /** Workers known to be ready. */
  ready: number;
  failed: string | null;
}

let requested = 1;
let pool: Pool | null = null;
let mainTakesParts = true;

/**
 * Whether the main thread claims parts too (default true). Tests turn it off to make the pool
 * Workers run every part; then the main thread only waits.
 */
export function setMainTakesParts(flag: boolean): void {
  mainTakesParts = flag;
}

/** Hardware threads of this machine (navigator.hardwareConcurrency, at least 1). */
export function hardwareThreads(): number {
  return Math.max(1, navigator.hardwareConcurrency ?? 1);
}

/** True inside a Worker (restarts, grids, thread workers): threads stay at 1 there by default. */
function insideWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";
}

/**
 * Sets the number of threads kernels may use (1 = main thread only, the default). Starts or
 * resizes the pool of `n − 1` Workers in the background; returns at once.
 */
export function setThreads(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`threads: expected an integer ≥ 1, got ${n}`);
  }
  requested = n;
  // A smaller count keeps the pool (its idle Workers sleep): only growing restarts it.
  if (n - 1 <= (pool?.workers.length ?? 0)) return;
  stopPool();
  pool = startPool(n - 1);
  setPartRunner({ threads: activeThreads, run: runParts });
}

/** Stops the pool's Workers and frees their scratch (threads = 1 afterwards). */
export function stopThreads(): void {
  stopPool();
  requested = 1;
}

/** The thread count set by {@link setThreads} (1 by default). */
export function threadCount(): number {
  return requested;
}

/** Threads usable right now: the main thread plus ready pool Workers, at most threadCount(). */
export function activeThreads(): number {
  if (pool === null || requested === 1) return 1;
  if (backoffUntil > 0) {
    if (performance.now() < backoffUntil) return 1;
    backoffUntil = 0;
  }
  refreshReady(pool);
  return Math.min(requested, 1 + pool.ready);
}

// Back-off on an overloaded machine: a Worker that is descheduled while it holds a part makes
// the main thread wait for a whole scheduler time slice (milliseconds), so two threads become
// slower than one (measured at load 6 on 2 cores: 2×). When the main thread waits longer than
// it worked in BACKOFF_STRIKES jobs out of the last few, kernels run on one thread for
// BACKOFF_MS, then threads are tried again. Results are the same either way.
const BACKOFF_STRIKES = 3;
const BACKOFF_MS = 200;
/** Waiting counts as a strike when it exceeds the main thread's own work by this much (ms). */
const BACKOFF_SLACK_MS = 0.05;
let strikes = 0;
let backoffUntil = 0;
let backoffs = 0;

/** Times the pool backed off to one thread because the machine was overloaded. */
export function backoffCount(): number {
  return backoffs;
}

let backoffEnabled = true;

/**
 * Turns the overload back-off on or off (on by default) and clears any back-off in progress.
 * Tests that must see a product split over both threads turn it off: on a busy machine it would
 * otherwise, correctly, keep the kernels on one thread for a while.
 */
export function setOverloadBackoff(enabled: boolean): void {
  backoffEnabled = enabled;
  backoffUntil = 0;
  strikes = 0;
}

function recordWait(workedMs: number, waitedMs: number): void {
  if (!backoffEnabled) return;
  if (waitedMs > workedMs + BACKOFF_SLACK_MS) {
    if (++strikes >= BACKOFF_STRIKES) {
      strikes = 0;
      backoffs++;
      backoffUntil = performance.now() + BACKOFF_MS;
    }
  } else if (strikes > 0) {
    strikes--;
  }
}

/** Parts run by pool Workers since the pool started (0 without a pool). */
export function workerPartCount(): number {
  return pool === null ? 0 : Atomics.load(pool.ints, WORKER_PARTS);
}

/** Resolves once every pool Worker is ready (or rejects if one failed to start). */
export async function threadsReady(timeoutMs = 60_000): Promise<void> {
  const started = performance.now();
  while (pool !== null) {
    refreshReady(pool);
    if (pool.failed !== null) throw new Error(`thread pool: ${pool.failed}`);
    if (pool.ready + 1 >= requested) return;
    if (performance.now() - started > timeoutMs) {
      throw new Error(`thread pool: workers not ready after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function refreshReady(p: Pool): void {
  if (p.ready === p.workers.length) return;
  let ready = 0;
  for (let w = 0; w < p.workers.length; w++) {
    if (Atomics.load(p.ints, READY + w) === 1) ready++;
  }
  p.ready = ready;
}

function startPool(size: number): Pool {
  const ints = new Int32Array(new SharedArrayBuffer(4 * (READY + size)));
  const floats = new Float64Array(new SharedArrayBuffer(8 * (RESULTS + MAX_PARTS)));
  const scratchBytes = (core.thread_scratch_bytes as () => number)();
  const p: Pool = { workers: [], ints, floats, job: 0, scratch: [], ready: 0, failed: null };
  for (let w = 0; w < size; w++) {
    const scratch = core.alloc(scratchBytes);
    p.scratch.push(scratch);
    const worker = new Worker(new URL("./thread_worker.ts", import.meta.url), {
      workerData: {
        module: coreModule,
        memory: core.memory,
        ints,
        floats,
        index: w,
        kernels: threadKernels,
        scratch,
        layout: {
          WAKE,
          CLAIM,
          PENDING,
          FAILED,
          KERNEL,
          STOP,
          READY,
          WORKER_PARTS,
          MAX_PART_ARGS,
          RESULTS,
        },
      },
    });
    worker.on("error", (error: Error) => {
      p.failed = `worker ${w}: ${error.message}`;
    });
    // The pool never keeps the process alive: a finished script exits with its workers.
    worker.unref();
    p.workers.push(worker);
  }
  return p;
}

function stopPool(): void {
  if (pool === null) return;
  const p = pool;
  pool = null;
  setPartRunner(null);
  // No job is running (runParts returns only when all parts are done): stop and release.
  Atomics.store(p.ints, STOP, 1);
  Atomics.store(p.ints, WAKE, ++p.job);
  Atomics.notify(p.ints, WAKE);
  for (const worker of p.workers) void worker.terminate();
  for (const scratch of p.scratch) core.free(scratch);
}

/** Claims and runs parts of the current job until none is left (main thread side). */
function runClaimed(
  p: Pool,
  run: (...args: number[]) => number,
  parts: readonly (readonly number[])[],
) {
  const ints = p.ints;
  let failure: unknown = null;
  for (;;) {
    const ticket = Atomics.load(ints, CLAIM);
    const index = ticket & 255;
    if (index >= ((ticket >>> 8) & 255)) return failure;
    if (Atomics.compareExchange(ints, CLAIM, ticket, ticket + 1) !== ticket) continue;
    try {
      p.floats[RESULTS + index] = run(...parts[index]);
    } catch (error) {
      failure ??= error;
      Atomics.add(ints, FAILED, 1);
    }
    Atomics.sub(ints, PENDING, 1);
  }
}

/**
 * Runs `kernel` (one of {@link threadKernels}) once per entry of `parts`, spread over the main
 * thread and the ready pool Workers (each part on whichever thread claims it first). Returns
 * the kernels' results in the order of `parts`. Without a ready pool, runs them in order here.
 */
export function runParts(kernel: string, parts: readonly (readonly number[])[]): number[] {
  const id = threadKernels.indexOf(kernel);
  if (id < 0) throw new Error(`threads: ${kernel} is not a thread kernel`);
  if (parts.length > MAX_PARTS) throw new Error(`threads: more than ${MAX_PARTS} parts`);
  const run = core[kernel] as (...args: number[]) => number;
  const p = pool;
  if (p === null || activeThreads() === 1 || parts.length === 1) {
    return parts.map((args) => run(...args));
  }
  const { ints, floats } = p;
  for (let i = 0; i < parts.length; i++) {
    const args = parts[i];
    if (args.length > MAX_PART_ARGS) throw new Error(`threads: too many arguments for ${kernel}`);
    const base = i * MAX_PART_ARGS;
    for (let a = 0; a < args.length; a++) floats[base + a] = args[a];
  }
  const job = ++p.job;
  ints[KERNEL] = id;
  Atomics.store(ints, FAILED, 0);
  Atomics.store(ints, PENDING, parts.length);
  Atomics.store(ints, CLAIM, ((job & 0xffff) << 16) | (parts.length << 8));
  Atomics.store(ints, WAKE, job);
  Atomics.notify(ints, WAKE);
  const posted = performance.now();
  const failure = mainTakesParts ? runClaimed(p, run, parts) : null;
  const worked = performance.now();
  // Parts claimed by workers may still be running.
  let spins = 0;
  let started = -1;
  while (Atomics.load(ints, PENDING) !== 0) {
    if ((++spins & 1023) === 0) {
      const now = performance.now();
      if (started < 0) started = now;
      else if (now - started > MAIN_SPIN_MS) {
        Atomics.wait(ints, PENDING, Atomics.load(ints, PENDING), 1);
      }
    }
  }
  if (mainTakesParts) recordWait(worked - posted, performance.now() - worked);
  if (failure !== null) throw failure;
  if (Atomics.load(ints, FAILED) !== 0) throw new Error(`threads: ${kernel} failed in a worker`);
  return Array.from(floats.subarray(RESULTS, RESULTS + parts.length));
}

/**
 * The `--threads` option of scripts. Default: all hardware threads (the value shown in --help
 * is this machine's).
 */
export const threadsFlag: FlagSpec = {
  type: "string",
  default: "all cores",
  help: "threads per solve / training run (1 = single-threaded; results are identical for " +
    "every count)",
};

/**
 * Parses a `--threads` value (`all cores` = the default, or an integer ≥ 1), applies it with
 * {@link setThreads} and returns the count. Throws a UsageError naming the flag.
 */
export function applyThreadsFlag(raw: string | boolean | undefined): number {
  let n: number;
  if (raw === undefined || raw === threadsFlag.default) {
    n = hardwareThreads();
  } else {
    const text = String(raw).trim();
    n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new UsageError(`--threads: expected an integer ≥ 1, got '${raw}'`);
    }
    if (n > 256) throw new UsageError(`--threads: at most 256, got ${n}`);
  }
  setThreads(insideWorker() ? 1 : n);
  return n;
}
