/**
 * `npx deno task serve`: previews the figure site (built by `npx deno task site`) at
 * http://127.0.0.1:<port>/ — loopback only, static files of the figures directory only.
 * Stop it with Ctrl-C.
 *
 * Flags: `--port 8000` (0 picks a free port), `--help`.
 *
 * @example
 * ```sh
 * npx deno task serve --port 8080
 * ```
 * @module
 */
import { join } from "node:path";
import { parseFlags, parseNumberFlag, runCli, RunError } from "../lib/cli.ts";
import { defaultFiguresDir } from "../lib/plot/write_figure.ts";
import { serveSite } from "../lib/site/mod.ts";

const usage = "Usage: npx deno task serve [--port 8000]\n\n" +
  "Serves the figure site from the figures directory on 127.0.0.1.";

/** Entry point: starts the server and returns it (null for `--help`). */
export async function main(args: string[]): Promise<Deno.HttpServer<Deno.NetAddr> | null> {
  const flags = parseFlags(args, {
    port: { type: "string", default: "8000", help: "TCP port on 127.0.0.1 (0 = any free port)" },
  }, usage);
  if (flags === null) return null;
  const port = parseNumberFlag("port", flags.port as string, { min: 0, max: 65535, integer: true });
  const root = defaultFiguresDir();
  try {
    await Deno.stat(join(root, "index.html"));
  } catch {
    console.error(`note: ${join(root, "index.html")} does not exist yet: run npx deno task site`);
  }
  try {
    return serveSite({
      root,
      port,
      onListen: ({ hostname, port }) =>
        console.log(`serving ${root} at http://${hostname}:${port}/ (Ctrl-C to stop)`),
    });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new RunError(`--port ${port} is in use: pick another, e.g. --port ${port + 1}`);
    }
    throw error;
  }
}

if (import.meta.main) await runCli(async () => void await main(Deno.args));
