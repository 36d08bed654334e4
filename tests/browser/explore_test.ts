/**
 * Browser test of the UFM explorer (`npx deno task test:browser`, after `npx deno task site`):
 * serves the figures directory on a loopback port, opens `explore.html?…&run=1` in Debian's
 * headless Chromium, waits for the run in the page's Web Worker, and checks against the command
 * line:
 *
 * - a plain MSE UFM, a CE UFM, an extended ReLU model (L-BFGS and momentum) and the spherical
 *   model: the final objective the page shows equals `deno task solve` with the same flags
 *   (`--json`, f64) and the command the page prints to 1e-12 (not bitwise: the engines'
 *   `Math.log`/`sin`/`cos` differ in rare last bits, docs/explorer.md#agreement); the views are
 *   drawn; the export holds the trace; no console error, no failed or non-local request;
 * - invalid settings in the URL (K = 1, λ_W = −1, an unknown model, an unknown key) and typed
 *   into the form show the shared parser's message naming the value, and the page stays usable;
 * - a 20,000-iteration run at K = 10, n = 20, d = 32 keeps the page responsive: the longest
 *   pause between animation frames during the run is reported and bounded; Stop ends a run.
 *
 * Set `UFMLAB_EXPLORE_SCREENSHOTS=<dir>` to also save full-page screenshots of the runs there.
 * Needs /usr/bin/chromium (`apt-get install -y chromium`).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultFiguresDir } from "../../lib/plot/write_figure.ts";
import { serveSite } from "../../lib/site/static_server.ts";
import { runScript } from "../run_script.ts";
import {
  attachBlankPage,
  CdpClient,
  closeBrowser,
  evaluate,
  launchChromium,
  type PageActivity,
  watchPage,
  withChromiumLog,
} from "./cdp.ts";

const RUN_TIMEOUT_MS = 180_000;

/** The page's state after a run (body data attributes and what is drawn). */
interface ExplorerState {
  runState: string;
  objective: string | null;
  command: string | null;
  iterations: string | null;
  seconds: string | null;
  maxFrameGapMs: string | null;
  longestTaskMs: string | null;
  observeSeconds: string | null;
  message: string | null;
  invalidField: string | null;
  traceMarks: number;
  cosineMarks: number;
  projectionMarks: number;
  numbers: string;
}

const STATE = `(() => {
  const drawn = globalThis.ufmExplorer?.drawnItems() ?? {};
  const message = document.getElementById("explore-message");
  const invalid = document.querySelector("#explore-fields .field.invalid");
  const data = document.body.dataset;
  return {
    runState: data.runState ?? "",
    objective: data.objective ?? null,
    command: data.command ?? null,
    iterations: data.iterations ?? null,
    seconds: data.seconds ?? null,
    maxFrameGapMs: data.maxFrameGapMs ?? null,
    longestTaskMs: data.longestTaskMs ?? null,
    observeSeconds: data.observeSeconds ?? null,
    message: message && !message.hidden ? message.textContent : null,
    invalidField: invalid ? invalid.dataset.flag : null,
    traceMarks: drawn.trace ?? 0,
    cosineMarks: drawn.cosines ?? 0,
    projectionMarks: drawn.projection ?? 0,
    numbers: document.getElementById("explore-numbers").textContent,
  };
})()`;

/** `deno task solve <args> --json` in a subprocess: its report. */
async function cliReport(args: readonly string[]): Promise<{ objective: number; seconds: number }> {
  const { code, stdout, stderr } = await runScript("scripts/solve.ts", [...args, "--json"]);
  assert.equal(code, 0, `solve ${args.join(" ")} failed: ${stderr}`);
  return JSON.parse(stdout);
}

/** The objective of `deno task solve <args> --json`. */
async function cliObjective(args: readonly string[]): Promise<number> {
  return (await cliReport(args)).objective;
}

/** The optimization seconds of `deno task solve <args> --json`. */
async function cliRun(args: readonly string[]): Promise<number> {
  return (await cliReport(args)).seconds;
}

/** `--key value` arguments of URL settings. */
function flagArgs(query: string): string[] {
  return [...new URLSearchParams(query)].filter(([key]) => key !== "run")
    .flatMap(([key, value]) => [`--${key}`, value]);
}

/** The arguments of a printed `npx deno task solve …` command (values without spaces). */
function commandArgs(command: string): string[] {
  assert.match(command, /^npx deno task solve( |$)/);
  return command.split(" ").slice(4);
}

Deno.test("UFM explorer in headless Chromium: runs equal deno task solve", async (t) => {
  const figuresDir = defaultFiguresDir();
  try {
    await Deno.stat(join(figuresDir, "explore.html"));
  } catch {
    assert.fail(`${join(figuresDir, "explore.html")} is missing: run \`npx deno task site\` first`);
  }
  const screenshots = Deno.env.get("UFMLAB_EXPLORE_SCREENSHOTS");
  const server = serveSite({ root: figuresDir, port: 0 });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | null = null;
  let cdp: CdpClient | null = null;
  try {
    chromium = await launchChromium();
    cdp = await CdpClient.connect(chromium.webSocketUrl);
    const sessionId = await attachBlankPage(cdp);
    const sessions = new Set([sessionId]);
    // The page's Web Workers: attach to each, so their console and requests are watched too.
    cdp.onEvent((event) => {
      if (event.method !== "Target.attachedToTarget") return;
      const worker = event.params.sessionId as string;
      sessions.add(worker);
      for (const domain of ["Runtime", "Network"]) {
        cdp!.send(`${domain}.enable`, {}, worker).catch(() => {});
      }
      cdp!.send("Runtime.runIfWaitingForDebugger", {}, worker).catch(() => {});
    });
    if (screenshots !== undefined) {
      // Sharper screenshots (the charts are canvases drawn at the device pixel ratio).
      await cdp.send("Emulation.setDeviceMetricsOverride", {
        width: 1400,
        height: 1000,
        deviceScaleFactor: 1.5,
        mobile: false,
      }, sessionId);
    }
    await cdp.send("Target.setAutoAttach", {
      autoAttach: true,
      waitForDebuggerOnStart: true,
      flatten: true,
    }, sessionId);

    /** Opens the explorer with `query`, waits until the page settles, returns its state. */
    const open = async (
      query: string,
      settled = (state: ExplorerState) => !["loading", "running", ""].includes(state.runState),
    ): Promise<{ state: ExplorerState; log: PageActivity }> => {
      const { activity: log, stop } = watchPage(cdp!, sessions, origin);
      try {
        const url = `${origin}/explore.html${query}`;
        const loaded = cdp!.waitForEvent(
          (event) => event.sessionId === sessionId && event.method === "Page.loadEventFired",
          `load event of ${url}`,
        );
        await cdp!.send("Page.navigate", { url }, sessionId);
        await loaded;
        const deadline = Date.now() + RUN_TIMEOUT_MS;
        let state = await evaluate<ExplorerState>(cdp!, sessionId, STATE);
        while (!settled(state)) {
          if (Date.now() > deadline) throw new Error(`${url}: still '${state.runState}'`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          state = await evaluate<ExplorerState>(cdp!, sessionId, STATE);
        }
        // Let the last throttled draw land before reading the views.
        await new Promise((resolve) => setTimeout(resolve, 600));
        return { state: await evaluate<ExplorerState>(cdp!, sessionId, STATE), log };
      } finally {
        stop();
      }
    };

    const screenshot = async (name: string) => {
      if (screenshots === undefined) return;
      const { contentSize } = await cdp!.send<{ contentSize: { width: number; height: number } }>(
        "Page.getLayoutMetrics",
        {},
        sessionId,
      );
      const { data } = await cdp!.send<{ data: string }>("Page.captureScreenshot", {
        format: "png",
        captureBeyondViewport: true,
        clip: { x: 0, y: 0, width: contentSize.width, height: contentSize.height, scale: 1 },
      }, sessionId);
      await Deno.mkdir(screenshots, { recursive: true });
      const bytes = Uint8Array.from(atob(data), (char) => char.charCodeAt(0));
      await Deno.writeFile(join(screenshots, `explore_${name}.png`), bytes);
    };

    const assertClean = (log: PageActivity, what: string) => {
      assert.deepEqual(log.consoleErrors, [], `${what}: console errors`);
      assert.deepEqual(log.failedRequests, [], `${what}: failed requests`);
      assert.deepEqual(log.foreignRequests, [], `${what}: requests not to the test server`);
      assert.ok(log.requests.some((url) => url.endsWith("/explore/worker.js")), `${what}: worker`);
      assert.ok(log.requests.some((url) => url.endsWith("/explore/ufmlab-core.wasm")), what);
    };

    const runs: [string, string][] = [
      ["mse", "?model=ufm&loss=mse&K=4&n=5&d=8&lambda-w=0.1&lambda-h=0.2&run=1"],
      ["ce", "?model=ufm&loss=ce&K=4&n=5&d=8&lambda-w=0.01&lambda-h=0.02&run=1"],
      [
        "ext_relu",
        "?model=ext-relu&K=4&n=5&d=8&hidden=16&lambda-w2=0.2&lambda-w1=0.3&lambda-h=0.4&run=1",
      ],
      ["sphere", "?model=sphere&loss=ce&K=4&n=5&d=3&tau=5&run=1"],
      [
        "ext_relu_momentum",
        "?model=ext-relu&K=4&n=5&d=8&hidden=16&lambda-w2=0.2&lambda-w1=0.3&lambda-h=0.4&" +
        "init-std=1&optimizer=momentum&lr=0.02&iters=3000&seed=3&run=1",
      ],
    ];
    for (const [name, query] of runs) {
      await t.step(`${name}: ${query}`, async () => {
        const { state, log } = await open(query);
        assert.equal(state.runState, "done", `state (message: ${state.message})`);
        assertClean(log, name);
        const page = Number(state.objective);
        assert.ok(Number.isFinite(page), `objective on the page: ${state.objective}`);
        const sameFlags = await cliObjective(flagArgs(query));
        const printed = await cliObjective(commandArgs(state.command!));
        console.log(
          `${name}: page f = ${page}, solve (same flags) ${sameFlags} (|Δ| = ` +
            `${Math.abs(page - sameFlags).toExponential(2)}), printed command ${printed} ` +
            `(|Δ| = ${Math.abs(page - printed).toExponential(2)})`,
        );
        assert.ok(Math.abs(page - sameFlags) <= 1e-12, "page vs solve with the same flags");
        // Not bitwise: the engines' Math.log/sin/cos differ in the last bit for ~0.1% of
        // arguments (docs/explorer.md), which reaches the seeded initialization.
        assert.ok(Math.abs(page - printed) <= 1e-12, "page vs the command it prints");
        assert.ok(state.traceMarks > 0, "trace drawn");
        assert.ok(state.cosineMarks > 0, "cosine heatmaps drawn");
        assert.ok(state.projectionMarks > 0, "projection drawn");
        assert.match(state.numbers, /objective f/);
        const files = await evaluate<{ csv: string; spec: string } | null>(
          cdp!,
          sessionId,
          "globalThis.ufmExplorer.exportFiles()",
        );
        assert.ok(files !== null, "export available");
        const lines = files!.csv.trimEnd().split("\n");
        assert.equal(lines[0], "iteration,metric,metric_label,value");
        const spec = JSON.parse(files!.spec);
        assert.equal(spec.datasets.trace.length, lines.length - 1, "spec rows = CSV rows");
        assert.ok(spec.datasets.cosines.length > 0 && spec.datasets.projection.length > 0);
        await screenshot(name);
      });
    }

    const invalid: [string, RegExp, string | null][] = [
      ["?K=1&n=5&run=1", /^--K: must be ≥ 2, got 1$/, "K"],
      ["?lambda-w=-1&run=1", /^--lambda-w: must be ≥ 0, got -1$/, "lambda-w"],
      ["?model=resnet&run=1", /^--model: expected one of ufm\|.*, got 'resnet'$/, "model"],
      ["?speed=3", /^Unknown option '--speed'$/, null],
      ["?model=sphere&tau=5&lambda-w=0.1", /^--lambda-w: the spherical model has no weight/, null],
    ];
    for (const [query, pattern, field] of invalid) {
      await t.step(`invalid: ${query}`, async () => {
        const { state, log } = await open(query);
        assert.equal(state.runState, "invalid");
        assert.match(state.message ?? "", pattern);
        if (field !== null) assert.equal(state.invalidField, field, "the field is marked");
        assert.deepEqual(log.consoleErrors, [], "console errors");
        assert.deepEqual(log.foreignRequests, [], "requests not to the test server");
        // Still usable: a bad value typed into the form gets the message too; fix it and run.
        if (field === "K") {
          await evaluate(
            cdp!,
            sessionId,
            `(() => { const input = document.getElementById("field-K"); input.value = "2.5";
              input.dispatchEvent(new Event("input", { bubbles: true })); })()`,
          );
          const typedDeadline = Date.now() + 10_000;
          let typed = await evaluate<ExplorerState>(cdp!, sessionId, STATE);
          while (!/2\.5/.test(typed.message ?? "") && Date.now() < typedDeadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            typed = await evaluate<ExplorerState>(cdp!, sessionId, STATE);
          }
          assert.equal(typed.message, "--K: expected an integer, got '2.5'", "typed into the form");
          assert.equal(typed.invalidField, "K");
          assert.equal(typed.runState, "invalid");
          await evaluate(
            cdp!,
            sessionId,
            `(() => { const input = document.getElementById("field-K"); input.value = "3";
              input.dispatchEvent(new Event("input", { bubbles: true }));
              document.getElementById("explore-run").click(); })()`,
          );
          const deadline = Date.now() + RUN_TIMEOUT_MS;
          let after = await evaluate<ExplorerState>(cdp!, sessionId, STATE);
          while (after.runState !== "done" && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            after = await evaluate<ExplorerState>(cdp!, sessionId, STATE);
          }
          assert.equal(after.runState, "done", `after fixing K: ${after.message}`);
          assert.match(after.command!, /--K 3 --n 5/);
        }
      });
    }

    await t.step("Stop ends a long run; the page keeps drawing", async () => {
      const query = "?K=10&n=20&d=32&optimizer=gd&iters=200000&tol=0&run=1";
      const { state } = await open(query, (s) => s.runState === "running" && s.traceMarks > 0);
      assert.equal(state.runState, "running");
      await evaluate(cdp!, sessionId, `document.getElementById("explore-stop").click()`);
      const after = await evaluate<ExplorerState>(cdp!, sessionId, STATE);
      assert.equal(after.runState, "stopped");
    });

    await t.step("20,000 iterations at K=10, n=20, d=32: the page stays responsive", async () => {
      const query = "?K=10&n=20&d=32&optimizer=gd&iters=20000&tol=0&run=1";
      const { state, log } = await open(query);
      assert.equal(state.runState, "done", `state (message: ${state.message})`);
      assertClean(log, "long run");
      assert.equal(state.iterations, "20000");
      const gap = Number(state.maxFrameGapMs);
      const longestTask = Number(state.longestTaskMs);
      const seconds = Number(state.seconds);
      const observe = Number(state.observeSeconds);
      const cli = await cliRun(commandArgs(state.command!));
      console.log(
        `20,000 iterations in the page's worker: ${seconds.toFixed(2)} s, of which ` +
          `${observe.toFixed(2)} s reading the views' metrics (solver alone ` +
          `${Math.round(20000 / (seconds - observe))} it/s; deno task solve ${cli.toFixed(2)} s, ` +
          `${Math.round(20000 / cli)} it/s); longest pause between animation frames ` +
          `${gap.toFixed(0)} ms, longest main-thread task ${longestTask.toFixed(0)} ms`,
      );
      // A frozen page would pause for the whole run (seconds); drawing pauses only briefly.
      assert.ok(gap < 1500, `longest frame gap ${gap} ms`);
      await screenshot("long_run");
    });
  } catch (error) {
    throw withChromiumLog(error, chromium);
  } finally {
    await closeBrowser(cdp, chromium, server);
  }
});
