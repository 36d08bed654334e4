/**
 * A thread of lib/core/threads.ts: a second instance of the core on the main instance's shared
 * memory. It claims and runs parts of the jobs the main thread posts in the shared control
 * block (see threads.ts for the protocol) until it is told to stop. It never runs the module's
 * start function and never allocates (its scratch comes from the main instance: `thread_init`).
 * @module
 */
import { workerData } from "node:worker_threads";
import { coreImports } from "./imports.ts";

interface ThreadData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ints: Int32Array;
  floats: Float64Array;
  index: number;
  kernels: string[];
  scratch: number;
  layout: Record<
    | "WAKE"
    | "CLAIM"
    | "PENDING"
    | "FAILED"
    | "KERNEL"
    | "STOP"
    | "READY"
    | "WORKER_PARTS"
    | "MAX_PART_ARGS"
    | "RESULTS",
    number
  >;
}

// Idle time spent spinning before sleeping: back-to-back kernels (a solver's iterations, a
// training step's layers: gaps of µs) find the thread awake, while a spinning thread that has
// nothing to do soon stops taking CPU time from the main thread and other processes. Waking a
// sleeping thread costs ~50 µs on an idle machine and several ms on a loaded one (measured: it
// waits for the scheduler).
const SPIN_MS = 2;

const data = workerData as ThreadData;
const { WAKE, CLAIM, PENDING, FAILED, KERNEL, STOP, READY, WORKER_PARTS, MAX_PART_ARGS, RESULTS } =
  data.layout;
const instance = new WebAssembly.Instance(data.module, coreImports(data.memory));
const exports = instance.exports as Record<string, unknown>;
(exports.thread_init as (scratch: number) => void)(data.scratch);
const kernels = data.kernels.map((name) => exports[name] as (...args: number[]) => number);
const ints = data.ints;
const floats = data.floats;
const args: number[] = new Array(MAX_PART_ARGS).fill(0);

/** Claims and runs parts of the current job until none is left. */
function work(): void {
  for (;;) {
    const ticket = Atomics.load(ints, CLAIM);
    const index = ticket & 255;
    if (index >= ((ticket >>> 8) & 255)) return;
    if (Atomics.compareExchange(ints, CLAIM, ticket, ticket + 1) !== ticket) continue;
    // The job cannot change while one of its parts is pending.
    const id = ints[KERNEL];
    const base = index * MAX_PART_ARGS;
    for (let i = 0; i < MAX_PART_ARGS; i++) args[i] = floats[base + i];
    try {
      floats[RESULTS + index] = kernels[id](...args);
    } catch (error) {
      // The main thread reports the failure; the reason goes to stderr.
      console.error(
        `ufmlab thread ${data.index}: ${data.kernels[id]}: ${(error as Error).message}`,
      );
      Atomics.add(ints, FAILED, 1);
    }
    Atomics.add(ints, WORKER_PARTS, 1);
    if (Atomics.sub(ints, PENDING, 1) === 1) Atomics.notify(ints, PENDING);
  }
}

/** Waits for jobs and works on them until told to stop. */
function serve(): void {
  Atomics.store(ints, READY + data.index, 1);
  let seen = Atomics.load(ints, WAKE);
  for (;;) {
    let job = Atomics.load(ints, WAKE);
    if (job === seen) {
      const started = performance.now();
      let spins = 0;
      while ((job = Atomics.load(ints, WAKE)) === seen) {
        if ((++spins & 1023) === 0 && performance.now() - started > SPIN_MS) {
          Atomics.wait(ints, WAKE, seen);
        }
      }
    }
    seen = job;
    if (Atomics.load(ints, STOP) !== 0) return;
    work();
  }
}

// Serve once this module has finished loading.
setTimeout(serve, 0);
