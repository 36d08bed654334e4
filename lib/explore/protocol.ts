/**
 * What the explorer page and its Web Worker say to each other (types only: the page bundle
 * imports nothing that loads the core). The page sends settings keyed by the `solve` flag names
 * without dashes; the worker answers with the form's table once the core is loaded, checks
 * settings on request, and streams a run's {@link ExplorerMessage}s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PageRequest } from "./protocol.ts";
 * const request: PageRequest = { type: "check", entries: [["K", "4"]] };
 * assert.equal(request.type, "check");
 * ```
 * @module
 */
import type { ExplorerEntries, ExplorerMessage, ExplorerTable } from "./session.ts";

export type { ExplorerEntries, ExplorerFlag, ExplorerMessage, ExplorerTable } from "./session.ts";

/** Page → worker: validate settings only, or run them. */
export type PageRequest =
  | { type: "check"; entries: ExplorerEntries }
  | { type: "run"; entries: ExplorerEntries };

/** Worker → page. */
export type WorkerReply =
  | { type: "ready"; table: ExplorerTable }
  | { type: "checked"; message: string | null; command: string | null }
  | { type: "crashed"; message: string }
  | ExplorerMessage;
