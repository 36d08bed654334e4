/**
 * A tiny static file server for previewing the site (`deno task serve`) and for the browser
 * test: GET/HEAD only, content types by extension, `index.html` for directories, and nothing
 * outside the root directory (no `..`, no dot files, symlinks resolved and checked). It listens
 * on the loopback interface only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveSite } from "./static_server.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/index.html`, "<h1>figures</h1>");
 * const server = serveSite({ root, port: 0 }); // 0: any free port
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * assert.equal(await response.text(), "<h1>figures</h1>");
 * await server.shutdown();
 * await Deno.remove(root, { recursive: true });
 * ```
 * @module
 */
import { extname, join, resolve, sep } from "node:path";

/** The only interface the server binds to. */
export const LOOPBACK_HOST = "127.0.0.1";

/** Content type by lower-case file extension. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".ttf": "font/ttf",
  ".woff2": "font/woff2",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
};

/**
 * The content type of `path` by its extension; `application/octet-stream` when unknown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(contentTypeFor("A1.vl.json"), "application/json; charset=utf-8");
 * ```
 */
export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

function textResponse(status: number, text: string, headers: HeadersInit = {}): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * A request handler serving the files below `root`. Responses: 200 with the file; 301 to add
 * the trailing slash of a directory; 400 for an undecodable path; 404 for anything missing,
 * hidden (a segment starting with `.`) or outside `root`; 405 for methods other than GET/HEAD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/index.html`, "<h1>figures</h1>");
 * const handler = createStaticHandler(root);
 * const response = await handler(new Request("http://127.0.0.1/index.html"));
 * assert.equal(response.status, 200);
 * assert.equal(await response.text(), "<h1>figures</h1>");
 * const escape = await handler(new Request("http://127.0.0.1/%2e%2e/etc/passwd"));
 * assert.notEqual(escape.status, 200); // never leaves its root
 * await escape.body?.cancel();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function createStaticHandler(root: string): (request: Request) => Promise<Response> {
  const rootPath = resolve(root);
  let realRoot: Promise<string> | null = null;
  return async (request: Request): Promise<Response> => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return textResponse(405, "method not allowed", { allow: "GET, HEAD" });
    }
    const url = new URL(request.url);
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return textResponse(400, "bad path");
    }
    const segments = pathname.split("/").filter((segment) => segment !== "");
    // Dot segments (also `..` smuggled in as %2e%2e), dot files, backslashes and NUL never map
    // to a file of the site.
    if (
      segments.some((segment) =>
        segment.startsWith(".") || segment.includes("\\") || segment.includes("\0")
      )
    ) {
      return textResponse(404, "not found");
    }
    realRoot ??= Deno.realPath(rootPath);
    let filePath: string;
    let info: Deno.FileInfo;
    try {
      const base = await realRoot;
      filePath = await Deno.realPath(join(rootPath, ...segments));
      // A symlink inside the root may point anywhere: check where it really leads.
      if (!isInside(base, filePath)) return textResponse(404, "not found");
      info = await Deno.stat(filePath);
      if (info.isDirectory) {
        if (!url.pathname.endsWith("/")) {
          return new Response(null, { status: 301, headers: { location: `${url.pathname}/` } });
        }
        filePath = join(filePath, "index.html");
        info = await Deno.stat(filePath);
      }
    } catch {
      return textResponse(404, "not found");
    }
    if (!info.isFile) return textResponse(404, "not found");
    const headers = {
      "content-type": contentTypeFor(filePath),
      "content-length": String(info.size),
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    };
    if (request.method === "HEAD") return new Response(null, { status: 200, headers });
    return new Response(await Deno.readFile(filePath), { status: 200, headers });
  };
}

/** Options for {@link serveSite}. */
export interface ServeSiteOptions {
  /** Directory to serve. */
  root: string;
  /** TCP port; 0 picks a free one (read it from `server.addr`). */
  port: number;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
  /** Called once listening (default: silent). */
  onListen?: (address: Deno.NetAddr) => void;
}

/**
 * Serves `root` on {@link LOOPBACK_HOST}:`port` with {@link createStaticHandler}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const server = serveSite({ root: await Deno.makeTempDir(), port: 0 });
 * assert.ok(server.addr.port > 0); // the port the OS picked
 * await server.shutdown();
 * ```
 */
export function serveSite(options: ServeSiteOptions): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: LOOPBACK_HOST,
    port: options.port,
    signal: options.signal,
    onListen: options.onListen ?? (() => {}),
  }, createStaticHandler(options.root));
}
