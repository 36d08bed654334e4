/**
 * Test helper: runs one of the repository's scripts as a researcher would (a separate Deno
 * process with the project's deno.json and read/write/env permissions) and collects its exit
 * code and output.
 *
 * @example
 * ```ts
 * import { runScript } from "./run_script.ts";
 * const { code, stdout } = await runScript("scripts/solve.ts", ["--help"]);
 * ```
 * @module
 */

/** Exit code and decoded output of a finished script. */
export interface ScriptOutput {
  code: number;
  stdout: string;
  stderr: string;
}

const repoRoot = new URL("..", import.meta.url);

/**
 * Runs `script` (a path relative to the repository root) with `args`; `env` is added to the
 * inherited environment, with NO_COLOR=1 so that messages can be matched as plain text.
 * `allowRun` adds `--allow-run` (scripts that start subprocesses: reproduce, cell).
 */
export async function runScript(
  script: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
  { allowRun = false }: { allowRun?: boolean } = {},
): Promise<ScriptOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      new URL("deno.json", repoRoot).pathname,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      ...(allowRun ? ["--allow-run"] : []),
      new URL(script, repoRoot).pathname,
      ...args,
    ],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
