/**
 * Runs a grid of training runs, each saved the moment it finishes, so that an interrupted grid
 * resumes where it stopped: a run whose file exists is loaded, not recomputed.
 *
 * Every run is saved atomically (lib/io/atomic.ts: temporary file + rename, so a killed process
 * leaves either no file or a complete one) as `<cacheDir>/<loss>-w<width>-e<epochs>-s<seed>-
 * <hash>.json` holding `{ key, result }`, where `key` is {@link runKey} — every setting of the
 * run, sorted, plus the protocol version — and `hash` its SHA-256 prefix. A file is reused only
 * if its stored key equals the requested one. The figure scripts use
 * `<figures dir>/runs/<figure id>/` as the cache (figures/ is not committed); delete that
 * directory to recompute everything.
 *
 * Independent runs go to Workers (one WASM core each; default: one per hardware thread), results
 * are written by this thread as they arrive, and one progress line per run goes to stderr. A saved
 * file that is unusable (not complete JSON, other settings, no result) is reported and recomputed.
 *
 * Every grid is also a list of cells for a cluster (lib/cluster/cells.ts): asked through the
 * environment, `runGrid` prints its plan, runs one cell, or only assembles saved runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateTrainConfig } from "./config.ts";
 * import { runGrid } from "./grid.ts";
 * const configs = [1, 2].map((seed) =>
 *   validateTrainConfig({ loss: "ce", width: 32, depth: 1, n: 20, epochs: 3, seed })
 * );
 * const cacheDir = await Deno.makeTempDir();
 * const options = { cacheDir, workers: 1, onProgress: () => {} };
 * const results = await runGrid(configs, options);
 * assert.equal(results.length, 2);
 * assert.ok(results.every((r) => r.test_acc > 0.1)); // better than chance on 10 classes
 * assert.deepEqual(await runGrid(configs, options), results); // the second call loads the runs
 * await Deno.remove(cacheDir, { recursive: true });
 * ```
 * @module
 */
import { basename, join } from "node:path";
import {
  cellRequestFromEnv,
  missingCellsError,
  type SavedCell,
  serveCellRequest,
} from "../cluster/cells.ts";
import { RunError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { runKey, type TrainConfig } from "./config.ts";
import { trainOnDataset, type TrainResult } from "./train.ts";

/** What happened to one run of the grid. */
export interface GridEvent {
  /** Position of the run in the grid (0-based). */
  index: number;
  /** Runs finished so far (loaded or computed), this one included. */
  done: number;
  /** Size of the grid. */
  total: number;
  /** Loaded from its saved file, or trained now. */
  status: "saved" | "computed";
  /** The run's settings. */
  config: TrainConfig;
  /** Its result. */
  result: TrainResult;
  /** Its file. */
  path: string;
}

/** Options of {@link runGrid}. */
export interface GridOptions {
  /** Directory of the saved runs (created if missing). */
  cacheDir: string;
  /** Worker count (default: min(runs to compute, hardware threads)); 1 trains in this thread. */
  workers?: number;
  /** Prefix of the progress lines (e.g. the figure id). */
  label?: string;
  /** Called once per run; default: one line on stderr. */
  onProgress?: (event: GridEvent) => void;
}

/** Saved form of a run. */
interface SavedRun {
  key: string;
  result: TrainResult;
}

/** The first 16 hex digits of the SHA-256 of {@link runKey}: the run's (and its cell's) key. */
export async function runDigest(config: TrainConfig): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(runKey(config)),
  );
  return Array.from(new Uint8Array(digest).slice(0, 8))
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The file a run with these settings is saved to (see module notes). */
export async function runPath(cacheDir: string, config: TrainConfig): Promise<string> {
  const hash = await runDigest(config);
  const name = `${config.loss}-w${config.width}-e${config.epochs}-s${config.seed}-${hash}.json`;
  return join(cacheDir, name);
}

/**
 * The state of the saved run at `path` for `config`: missing, done (with its result), or invalid
 * with the reason — not complete JSON (a file truncated by hand or by a full disk: atomic writes
 * never leave one), saved for other settings, or without a result.
 */
export async function inspectSavedRun(
  path: string,
  config: TrainConfig,
): Promise<SavedCell & { result?: TrainResult }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { status: "missing" };
    throw error;
  }
  let saved: Partial<SavedRun>;
  try {
    saved = JSON.parse(text);
  } catch (error) {
    return { status: "invalid", reason: `not complete JSON: ${(error as Error).message}` };
  }
  if (saved === null || typeof saved !== "object" || saved.key !== runKey(config)) {
    return { status: "invalid", reason: "saved for other settings" };
  }
  const result = saved.result;
  if (
    result === null || typeof result !== "object" || !Array.isArray(result.evals) ||
    !Number.isFinite(result.train_acc) || !Number.isFinite(result.test_acc) ||
    result.config === null || typeof result.config !== "object" ||
    runKey(result.config) !== saved.key
  ) {
    return { status: "invalid", reason: "no complete result" };
  }
  return { status: "done", result };
}

/** The saved result for `config` at `path`, or null if absent or invalid ({@link inspectSavedRun}). */
export async function loadSavedRun(path: string, config: TrainConfig): Promise<TrainResult | null> {
  const state = await inspectSavedRun(path, config);
  return state.status === "done" ? state.result! : null;
}

/** One progress line: `[label 3/48] ce w512 E100 seed 1: train 100.0% test 94.3% … (12.1 s)`. */
export function progressLine(event: GridEvent, label = ""): string {
  const { config, result } = event;
  const nc1 = result.terminal.nc1_final;
  const head = config.head > 0 ? `+${config.head}` : "";
  // Data set and conv blocks only when they differ from the original MNIST MLP.
  const data = config.dataset === "mnist" ? "" : `${config.dataset} `;
  const conv = config.arch === "cnn" ? `cnn ${config.channels.join(",")} ` : "";
  // Imbalance, normalization and the fixed classifier only when set.
  const imbalance = config.imbalanceRatio !== null
    ? ` R ${config.imbalanceRatio} (m ${config.minorityClasses})`
    : config.classCounts !== null
    ? ` counts ${config.classCounts.join(",")}`
    : "";
  const sphere = (config.normalizeFeatures ? ` normalized τ ${config.tau}` : "") +
    (config.etfClassifier ? " ETF classifier" : "");
  return `[${label ? `${label} ` : ""}${event.done}/${event.total}] ${data}${conv}${config.loss} ` +
    `w${config.width}×${config.depth}${head} bias ${config.bias ? "on" : "off"}` +
    `${imbalance}${sphere} wd ${config.wd} ` +
    `E${config.epochs} seed ${config.seed}: train ${(100 * result.train_acc).toFixed(1)}% ` +
    `test ${(100 * result.test_acc).toFixed(2)}% NC1 ${
      nc1 === null ? "-" : nc1.toExponential(1)
    } ` +
    (event.status === "saved" ? "(saved earlier)" : `(${result.seconds.toFixed(1)} s)`);
}

/**
 * Returns the result of every config (in order), loading saved runs and training the others
 * (on Workers), saving each as soon as it finishes. Throws a RunError naming the failed runs
 * after all others have finished and been saved.
 */
export async function runGrid(
  configs: readonly TrainConfig[],
  options: GridOptions,
): Promise<TrainResult[]> {
  await Deno.mkdir(options.cacheDir, { recursive: true });
  const report = options.onProgress ??
    ((event: GridEvent) => console.error(progressLine(event, options.label)));
  const total = configs.length;
  const results: (TrainResult | null)[] = new Array(total).fill(null);
  const paths = await Promise.all(configs.map((config) => runPath(options.cacheDir, config)));
  const label = options.label ?? basename(options.cacheDir);
  const request = cellRequestFromEnv();
  if (request !== null && request.mode !== "assemble") {
    await serveCellRequest(request, {
      label,
      keys: await Promise.all(configs.map(runDigest)),
      files: paths,
      settings: configs,
      inspect: (index) => inspectSavedRun(paths[index], configs[index]),
      compute: async (index) => {
        const result = await trainOnDataset(configs[index]);
        await writeJsonAtomic(paths[index], { key: runKey(configs[index]), result }, {
          indent: 0,
        });
        report({
          index,
          done: index + 1, // the cell's position: "[B4 3/36]" is cell index 2
          total,
          status: "computed",
          config: configs[index],
          result,
          path: paths[index],
        });
      },
    });
  }
  let done = 0;
  const pending: number[] = [];
  for (let index = 0; index < total; index++) {
    const state = await inspectSavedRun(paths[index], configs[index]);
    if (state.status === "invalid") {
      console.error(
        `${label}: saved run ${paths[index]} is unusable (${state.reason}): recomputing`,
      );
    }
    if (state.status !== "done") {
      pending.push(index);
      continue;
    }
    const saved = state.result!;
    results[index] = saved;
    done++;
    report({
      index,
      done,
      total,
      status: "saved",
      config: configs[index],
      result: saved,
      path: paths[index],
    });
  }
  if (request?.mode === "assemble" && pending.length > 0) {
    throw missingCellsError(label, pending, total);
  }
  const failures: string[] = [];
  const finish = async (index: number, result: TrainResult): Promise<void> => {
    await writeJsonAtomic(paths[index], { key: runKey(configs[index]), result }, { indent: 0 });
    results[index] = result;
    done++;
    report({
      index,
      done,
      total,
      status: "computed",
      config: configs[index],
      result,
      path: paths[index],
    });
  };
  const workerCount = Math.max(
    1,
    Math.min(options.workers ?? navigator.hardwareConcurrency ?? 1, pending.length),
  );
  if (pending.length > 0 && workerCount === 1) {
    for (const index of pending) {
      try {
        await finish(index, await trainOnDataset(configs[index]));
      } catch (error) {
        if (!(error instanceof RunError)) throw error;
        failures.push(
          `run ${index} (${configs[index].loss}, seed ${configs[index].seed}): ${error.message}`,
        );
      }
    }
  } else if (pending.length > 0) {
    await runOnWorkers(configs, pending, workerCount, finish, failures);
  }
  if (failures.length > 0) {
    throw new RunError(`${failures.length} of ${total} runs failed: ${failures.join("; ")}`);
  }
  return results as TrainResult[];
}

type WorkerReply = { index: number; result?: TrainResult; error?: string } | { ready: true };

function runOnWorkers(
  configs: readonly TrainConfig[],
  pending: number[],
  workerCount: number,
  finish: (index: number, result: TrainResult) => Promise<void>,
  failures: string[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const queue = [...pending];
    const workers: Worker[] = [];
    let outstanding = pending.length;
    let failed = false;
    const stop = (error?: unknown) => {
      for (const worker of workers) worker.terminate();
      if (error !== undefined) {
        failed = true;
        reject(error);
      } else resolve();
    };
    const next = (worker: Worker) => {
      const index = queue.shift();
      if (index !== undefined) worker.postMessage({ index, config: configs[index] });
    };
    for (let w = 0; w < workerCount; w++) {
      const worker = new Worker(new URL("./grid_worker.ts", import.meta.url).href, {
        type: "module",
      });
      workers.push(worker);
      worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        const reply = event.data;
        if ("ready" in reply) {
          next(worker);
          return;
        }
        next(worker); // keep the worker busy while this thread saves the result
        const settle = reply.result !== undefined
          ? finish(reply.index, reply.result)
          : Promise.resolve(void failures.push(`run ${reply.index}: ${reply.error}`));
        settle.then(() => {
          outstanding--;
          if (outstanding === 0 && !failed) stop();
        }, stop);
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        stop(new Error(`grid worker failed: ${event.message}`));
      };
    }
  });
}
