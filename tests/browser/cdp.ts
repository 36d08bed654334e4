/**
 * Just enough of the Chrome DevTools Protocol to test the figure site in Debian's Chromium: start
 * the browser headless with a fresh profile and `--remote-debugging-port=0`, read the WebSocket
 * address it prints on stderr, and talk to it with Deno's built-in WebSocket (no puppeteer, no
 * browser download). Every wait has a timeout, and {@link ChromiumProcess.close} always ends the
 * browser and deletes its profile.
 *
 * @example
 * ```ts
 * import { CdpClient, launchChromium } from "./cdp.ts";
 * const chromium = await launchChromium();
 * const cdp = await CdpClient.connect(chromium.webSocketUrl);
 * const { targetId } = await cdp.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
 * await cdp.close();
 * await chromium.close();
 * ```
 * @module
 */

/** Debian's Chromium launcher (package `chromium`). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Flags for a quiet, isolated headless browser: no sandbox (runs as root in containers), no GPU,
 * and none of the background traffic (component updates, sync, QUIC, proxies) that could leave
 * the machine.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--disable-extensions",
  "--disable-default-apps",
  "--disable-dev-shm-usage",
  "--no-proxy-server",
  "--no-first-run",
  "--no-default-browser-check",
  "--mute-audio",
  "--hide-scrollbars",
  "--window-size=1400,1000",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

/** A CDP event; `sessionId` names the attached page it came from. */
export interface CdpEvent {
  /** e.g. "Network.requestWillBeSent". */
  method: string;
  /** Event parameters. */
  params: Record<string, unknown>;
  /** Session of the target that sent it (flattened sessions). */
  sessionId?: string;
}

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Resolves after `ms`, or never settles the race when cleared; for bounded waits. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A DevTools protocol connection (browser endpoint, flattened target sessions). */
export class CdpClient {
  #socket: WebSocket;
  #nextId = 1;
  #pending = new Map<number, PendingCall>();
  #listeners = new Set<(event: CdpEvent) => void>();
  #closed: Promise<void>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
    socket.addEventListener("message", (message) => this.#onMessage(String(message.data)));
    socket.addEventListener("close", () => {
      for (const [id, call] of this.#pending) {
        clearTimeout(call.timer);
        call.reject(new Error(`DevTools connection closed during ${call.method}`));
        this.#pending.delete(id);
      }
    });
  }

  /** Opens the WebSocket at `url` (from {@link launchChromium}). */
  static async connect(url: string, timeoutMs = 10_000): Promise<CdpClient> {
    const socket = new WebSocket(url);
    const opened = new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener(
        "error",
        (event) => reject(new Error(`cannot connect to ${url}: ${(event as ErrorEvent).message}`)),
        { once: true },
      );
    });
    try {
      await withTimeout(opened, timeoutMs, `connecting to ${url}`);
    } catch (error) {
      socket.close();
      throw error;
    }
    return new CdpClient(socket);
  }

  #onMessage(text: string): void {
    const message = JSON.parse(text) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      method?: string;
      params?: Record<string, unknown>;
      sessionId?: string;
    };
    if (message.id !== undefined) {
      const call = this.#pending.get(message.id);
      if (call === undefined) return;
      this.#pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.error) call.reject(new Error(`${call.method}: ${message.error.message}`));
      else call.resolve(message.result);
      return;
    }
    if (message.method !== undefined) {
      const event: CdpEvent = {
        method: message.method,
        params: message.params ?? {},
        sessionId: message.sessionId,
      };
      for (const listener of this.#listeners) listener(event);
    }
  }

  /** Sends a command (to a page when `sessionId` is given) and resolves with its result. */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs = 15_000,
  ): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`timed out after ${timeoutMs} ms: ${method}`));
      }, timeoutMs);
      this.#pending.set(id, {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
    });
  }

  /** Calls `listener` for every event until the returned function is called. */
  onEvent(listener: (event: CdpEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first event matching `predicate`, or rejects after `timeoutMs`. */
  waitForEvent(predicate: (event: CdpEvent) => boolean, what: string, timeoutMs = 30_000) {
    let stop = (): void => {};
    const found = new Promise<CdpEvent>((resolve) => {
      stop = this.onEvent((event) => {
        if (predicate(event)) resolve(event);
      });
    });
    return withTimeout(found, timeoutMs, what).finally(() => stop());
  }

  /** Closes the connection and waits until it is closed. */
  async close(): Promise<void> {
    if (this.#socket.readyState !== WebSocket.CLOSED) this.#socket.close();
    await withTimeout(this.#closed, 5_000, "closing the DevTools connection").catch(() => {});
  }
}

/** A running headless Chromium. */
export interface ChromiumProcess {
  /** Browser-level DevTools endpoint, `ws://127.0.0.1:<port>/devtools/browser/<id>`. */
  webSocketUrl: string;
  /** Last lines Chromium wrote on stderr (for failure messages). */
  stderrTail(): string;
  /** Ends the browser (SIGTERM, then SIGKILL after 5 s) and deletes its profile directory. */
  close(): Promise<void>;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Starts Chromium headless with a fresh `--user-data-dir` and waits (at most `timeoutMs`) for
 * "DevTools listening on ws://…" on its stderr.
 *
 * @throws {Error} if Chromium is not installed (saying how to install it), exits early, or does
 * not announce its DevTools address in time. The process is ended in every failure case.
 */
export async function launchChromium(
  path: string = CHROMIUM_PATH,
  timeoutMs = 30_000,
): Promise<ChromiumProcess> {
  if (!await isExecutable(path)) {
    throw new Error(
      `Chromium not found at ${path}: install Debian's package with ` +
        "`apt-get update && apt-get install -y chromium` (the CI script does this)",
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "ufmlab-chromium-" });
  const child = new Deno.Command(path, {
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();

  // Keep reading stderr for the whole life of the process: a full pipe would block Chromium.
  let stderr = "";
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((resolve) => announce = resolve);
  const drained = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-20_000);
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match) announce(match[1]);
    }
  })();
  const exited = child.status.then((status) => {
    throw new Error(`Chromium exited with code ${status.code} before opening DevTools`);
  });

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    try {
      await withTimeout(child.status, 5_000, "Chromium to exit");
    } catch {
      try {
        child.kill("SIGKILL");
      } catch {
        // Exited in the meantime.
      }
      await child.status;
    }
    await drained.catch(() => {});
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };

  try {
    const webSocketUrl = await withTimeout(
      Promise.race([announced, exited]),
      timeoutMs,
      "Chromium to print its DevTools address",
    );
    exited.catch(() => {}); // From now on an exit is reported by the failing DevTools calls.
    return { webSocketUrl, stderrTail: () => stderr.slice(-4_000), close };
  } catch (error) {
    exited.catch(() => {});
    await close();
    throw new Error(`${(error as Error).message}\nChromium stderr:\n${stderr.slice(-4_000)}`);
  }
}

/** What a page did while it was watched (see {@link watchPage}). */
export interface PageActivity {
  /** Console errors and assertions, uncaught exceptions, error entries of the browser log. */
  consoleErrors: string[];
  /** Requests that failed (network error) or answered HTTP ≥ 400. */
  failedRequests: string[];
  /** Requests to anything but `origin` (data: and blob: URLs are made by the page itself). */
  foreignRequests: string[];
  /** Every requested URL, in order. */
  requests: string[];
}

function remoteText(value: { value?: unknown; description?: string }): string {
  return value.description ?? (typeof value.value === "string" ? value.value : String(value.value));
}

/**
 * Records what the targets of `sessions` (a page's session, and those of its workers when they
 * are attached) do — see {@link PageActivity} — until `stop` is called. Enable the Runtime, Log
 * and Network domains of each session first.
 */
export function watchPage(
  cdp: CdpClient,
  sessions: ReadonlySet<string>,
  origin: string,
): { activity: PageActivity; stop: () => void } {
  const activity: PageActivity = {
    consoleErrors: [],
    failedRequests: [],
    foreignRequests: [],
    requests: [],
  };
  const urls = new Map<string, string>();
  const stop = cdp.onEvent((event: CdpEvent) => {
    if (event.sessionId === undefined || !sessions.has(event.sessionId)) return;
    const params = event.params as Record<string, never>;
    switch (event.method) {
      case "Runtime.consoleAPICalled":
        if (params.type === "error" || params.type === "assert") {
          activity.consoleErrors.push(
            `console.${params.type}: ${(params.args as []).map(remoteText).join(" ")}`,
          );
        }
        break;
      case "Runtime.exceptionThrown": {
        const details = params.exceptionDetails as { text: string; exception?: never };
        const exception = details.exception as { description?: string } | undefined;
        activity.consoleErrors.push(`uncaught: ${exception?.description ?? details.text}`);
        break;
      }
      case "Log.entryAdded": {
        const entry = params.entry as { level: string; text: string; url?: string };
        if (entry.level === "error") {
          activity.consoleErrors.push(`${entry.text}${entry.url ? ` (${entry.url})` : ""}`);
        }
        break;
      }
      case "Network.requestWillBeSent": {
        const url = (params.request as { url: string }).url;
        activity.requests.push(url);
        urls.set(params.requestId, url);
        const parsed = new URL(url);
        if (!["data:", "blob:"].includes(parsed.protocol) && parsed.origin !== origin) {
          activity.foreignRequests.push(url);
        }
        break;
      }
      case "Network.responseReceived": {
        const response = params.response as { url: string; status: number };
        if (response.status >= 400) {
          activity.failedRequests.push(`HTTP ${response.status} ${response.url}`);
        }
        break;
      }
      case "Network.loadingFailed":
        activity.failedRequests.push(
          `${params.errorText} ${urls.get(params.requestId) ?? params.requestId}`,
        );
        break;
    }
  });
  return { activity, stop };
}

/** Runs `expression` in the page of `sessionId` (promises awaited) and returns its JSON value. */
export async function evaluate<T>(
  cdp: CdpClient,
  sessionId: string,
  expression: string,
): Promise<T> {
  const { result, exceptionDetails } = await cdp.send<{
    result: { value?: T };
    exceptionDetails?: { text: string };
  }>("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId);
  if (exceptionDetails) throw new Error(`page script failed: ${exceptionDetails.text}`);
  return result.value as T;
}

/**
 * Opens a blank page, attaches to it (flattened session) and enables `domains` on it; returns
 * the page's session id.
 */
export async function attachBlankPage(
  cdp: CdpClient,
  domains: readonly string[] = ["Page", "Runtime", "Log", "Network"],
): Promise<string> {
  const { targetId } = await cdp.send<{ targetId: string }>("Target.createTarget", {
    url: "about:blank",
  });
  const { sessionId } = await cdp.send<{ sessionId: string }>("Target.attachToTarget", {
    targetId,
    flatten: true,
  });
  for (const domain of domains) await cdp.send(`${domain}.enable`, {}, sessionId);
  return sessionId;
}

/** The test's error with Chromium's last stderr lines appended (the first clue when a page fails). */
export function withChromiumLog(error: unknown, chromium: ChromiumProcess | null): Error {
  const tail = chromium?.stderrTail() ?? "";
  return new Error(`${(error as Error).message}${tail ? `\nChromium stderr:\n${tail}` : ""}`);
}

/** Closes the browser, then Chromium, then the static server; each step runs if an earlier failed. */
export async function closeBrowser(
  cdp: CdpClient | null,
  chromium: ChromiumProcess | null,
  server: { shutdown(): Promise<void> },
): Promise<void> {
  if (cdp !== null) {
    await cdp.send("Browser.close", {}, undefined, 5_000).catch(() => {});
    await cdp.close();
  }
  await chromium?.close();
  await server.shutdown();
}
