/**
 * Entry of the explorer's Web Worker (bundled to `explore/worker.js` with the import map that
 * swaps in the browser's core loader, lib/explore/core_source.ts). Importing it loads the core;
 * then it announces the form's table and serves the page's requests: `check` validates settings
 * through the shared `solve` parser, `run` runs them (lib/explore/session.ts) and streams the
 * messages. A run blocks the worker until it ends; the page stops one by terminating the worker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answer } from "./worker.ts";
 * const replies: unknown[] = [];
 * answer({ type: "check", entries: [["K", "1"]] }, (reply) => replies.push(reply));
 * assert.deepEqual(replies, [{ type: "checked", message: "--K: must be ≥ 2, got 1", command: null }]);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import type { PageRequest, WorkerReply } from "./protocol.ts";
import { explorerConfig, explorerTable, runExplorer } from "./session.ts";

/** Serves one request of the page, sending the replies to `post`. */
export function answer(request: PageRequest, post: (reply: WorkerReply) => void): void {
  try {
    if (request.type === "check") {
      try {
        const { command } = explorerConfig(request.entries);
        post({ type: "checked", message: null, command });
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        post({ type: "checked", message: error.message, command: null });
      }
    } else {
      runExplorer(request.entries, post);
    }
  } catch (error) {
    // A bug, not a setting: the page shows it instead of waiting forever.
    post({ type: "crashed", message: (error as Error).stack ?? String(error) });
  }
}

/** The worker's global scope (typed here: lib/ does not compile against the DOM). */
interface WorkerScope {
  postMessage(reply: WorkerReply): void;
  onmessage: ((event: { data: PageRequest }) => void) | null;
}

// In a Web Worker (not when Deno imports this module for tests), serve the page.
const scope = globalThis as unknown as WorkerScope & { WorkerGlobalScope?: unknown };
if (scope.WorkerGlobalScope !== undefined && typeof Deno === "undefined") {
  scope.onmessage = (event) => answer(event.data, (reply) => scope.postMessage(reply));
  scope.postMessage({ type: "ready", table: explorerTable() });
}
