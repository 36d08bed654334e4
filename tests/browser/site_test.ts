/**
 * Browser test of the figure site (`npx deno task test:browser`, after
 * `npx deno task reproduce && npx deno task site`): serves the figures directory on a free
 * loopback port, loads the index and every page it links to in Debian's headless Chromium over
 * the DevTools protocol, and asserts for each page: no console errors or uncaught exceptions, no
 * failed request (network error or HTTP ≥ 400), no request to anything but the local server,
 * only relative links. Then every figure that has a `<id>.meta.json` (listed here from the
 * directory, independently of the site builder) must be rendered exactly once by vega-embed as an
 * SVG with data marks, and every registry figure without one must show a "not available" notice.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); fails with that hint if it is missing.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { experiments } from "../../lib/plot/registry.ts";
import { defaultFiguresDir } from "../../lib/plot/write_figure.ts";
import { serveSite } from "../../lib/site/static_server.ts";
import {
  attachBlankPage,
  CdpClient,
  closeBrowser,
  evaluate,
  launchChromium,
  watchPage,
  withChromiumLog,
} from "./cdp.ts";

/** What one figure section looks like after the page settled. */
interface FigureReport {
  id: string;
  missing: boolean;
  state: string | null;
  /** Vega's root `<svg class="marks">` elements in the section's embed container. */
  chartCount: number;
  /** Elements drawn by data marks (`g.role-mark > *`): lines, symbols, rects… */
  markCount: number;
  fallbackVisible: boolean;
}

interface PageReport {
  url: string;
  consoleErrors: string[];
  failedRequests: string[];
  foreignRequests: string[];
  requestCount: number;
  /** Every `href`/`src` attribute on the page. */
  references: string[];
  figures: FigureReport[];
}

const NAVIGATION_TIMEOUT_MS = 30_000;
const RENDER_TIMEOUT_MS = 60_000;

/** Figure ids with a meta file, read straight from the directory (not via lib/site). */
async function builtFigureIds(dir: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".meta.json")) ids.push(entry.name.slice(0, -10));
  }
  return ids.sort();
}

const SETTLED = `document.readyState === "complete" &&
  (document.querySelector("section[data-spec]") === null ||
    document.body.dataset.figuresState === "done")`;

const REPORT = `(() => ({
  references: Array.from(document.querySelectorAll("[href], [src]"))
    .map((element) => element.getAttribute("href") ?? element.getAttribute("src")),
  figures: Array.from(document.querySelectorAll("section[data-figure-id]")).map((section) => {
    const fallback = section.querySelector(".figure-fallback");
    return {
      id: section.dataset.figureId,
      missing: section.dataset.missing === "true",
      state: section.dataset.renderState ?? null,
      chartCount: section.querySelectorAll(".figure-embed svg.marks").length,
      markCount: section.querySelectorAll(".figure-embed svg.marks g.role-mark > *").length,
      fallbackVisible: fallback !== null && !fallback.hidden,
    };
  }),
}))()`;

/** Loads `url` in the attached page and collects everything the assertions need. */
async function visitPage(
  cdp: CdpClient,
  sessionId: string,
  url: string,
  origin: string,
): Promise<PageReport> {
  const report: PageReport = {
    url,
    consoleErrors: [],
    failedRequests: [],
    foreignRequests: [],
    requestCount: 0,
    references: [],
    figures: [],
  };
  const { activity, stop: stopListening } = watchPage(cdp, new Set([sessionId]), origin);
  try {
    const loaded = cdp.waitForEvent(
      (event) => event.sessionId === sessionId && event.method === "Page.loadEventFired",
      `load event of ${url}`,
      NAVIGATION_TIMEOUT_MS,
    );
    const navigation = await cdp.send<{ errorText?: string }>("Page.navigate", { url }, sessionId);
    if (navigation.errorText) {
      loaded.catch(() => {});
      throw new Error(`navigation to ${url} failed: ${navigation.errorText}`);
    }
    await loaded;
    const deadline = Date.now() + RENDER_TIMEOUT_MS;
    while (!await evaluate<boolean>(cdp, sessionId, SETTLED)) {
      if (Date.now() > deadline) {
        throw new Error(`${url}: figures did not finish rendering in ${RENDER_TIMEOUT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { references, figures } = await evaluate<Pick<PageReport, "references" | "figures">>(
      cdp,
      sessionId,
      REPORT,
    );
    report.references = references;
    report.figures = figures;
    report.consoleErrors = activity.consoleErrors;
    report.failedRequests = activity.failedRequests;
    report.foreignRequests = activity.foreignRequests;
    report.requestCount = activity.requests.length;
    return report;
  } finally {
    stopListening();
  }
}

function isRelativeReference(reference: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(reference) && !reference.startsWith("/");
}

function assertCleanPage(report: PageReport): void {
  assert.deepEqual(report.foreignRequests, [], `${report.url}: requests not to the test server`);
  assert.deepEqual(report.failedRequests, [], `${report.url}: failed requests`);
  assert.deepEqual(report.consoleErrors, [], `${report.url}: console errors`);
  assert.ok(report.requestCount > 0, `${report.url}: no network request was observed at all`);
  const absolute = report.references.filter((reference) => !isRelativeReference(reference));
  assert.deepEqual(absolute, [], `${report.url}: non-relative links`);
}

Deno.test("figure site in headless Chromium: clean pages, every figure rendered", async (t) => {
  const figuresDir = defaultFiguresDir();
  try {
    await Deno.stat(join(figuresDir, "index.html"));
  } catch {
    assert.fail(
      `${join(figuresDir, "index.html")} is missing: run ` +
        "`npx deno task reproduce && npx deno task site` first",
    );
  }
  const built = await builtFigureIds(figuresDir);
  const missing = experiments.map((entry) => entry.id).filter((id) => !built.includes(id));
  assert.ok(built.length > 0, `no <id>.meta.json in ${figuresDir}`);

  const server = serveSite({ root: figuresDir, port: 0 });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | null = null;
  let cdp: CdpClient | null = null;
  try {
    chromium = await launchChromium();
    cdp = await CdpClient.connect(chromium.webSocketUrl);
    const sessionId = await attachBlankPage(cdp);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true }, sessionId);

    const reports: PageReport[] = [];
    const indexUrl = `${origin}/index.html`;
    let pageUrls: string[] = [];
    await t.step("index.html", async () => {
      const report = await visitPage(cdp!, sessionId, indexUrl, origin);
      reports.push(report);
      assertCleanPage(report);
      pageUrls = [
        ...new Set(
          report.references
            .map((reference) => new URL(reference, indexUrl))
            .filter((url) => url.origin === origin && url.pathname.endsWith(".html"))
            .map((url) => `${origin}${url.pathname}`)
            .filter((url) => url !== indexUrl),
        ),
      ];
      assert.ok(pageUrls.length > 0, "the index links to no paper page");
    });
    for (const pageUrl of pageUrls) {
      await t.step(new URL(pageUrl).pathname.slice(1), async () => {
        const report = await visitPage(cdp!, sessionId, pageUrl, origin);
        reports.push(report);
        assertCleanPage(report);
        for (const figure of report.figures.filter((figure) => !figure.missing)) {
          assert.equal(figure.state, "ok", `${figure.id}: vega-embed state`);
          assert.equal(figure.chartCount, 1, `${figure.id}: rendered <svg class="marks">`);
          assert.ok(figure.markCount > 0, `${figure.id}: the SVG has no data marks`);
          assert.equal(figure.fallbackVisible, false, `${figure.id}: static fallback still shown`);
        }
      });
    }
    await t.step(`every figure counted (${built.length} built, ${missing.length} missing)`, () => {
      const sections = reports.flatMap((report) => report.figures);
      const rendered = sections
        .filter((figure) => !figure.missing && figure.state === "ok" && figure.markCount > 0)
        .map((figure) => figure.id).sort();
      assert.deepEqual(rendered, built, "figures rendered once each vs <id>.meta.json files");
      const notices = sections.filter((figure) => figure.missing).map((figure) => figure.id);
      assert.deepEqual(notices.sort(), [...missing].sort(), "'not available' sections");
      console.log(
        `rendered ${rendered.length} of ${built.length} figures on ${reports.length} pages ` +
          `(${reports.reduce((sum, report) => sum + report.requestCount, 0)} requests, all local)`,
      );
    });
  } catch (error) {
    throw withChromiumLog(error, chromium);
  } finally {
    await closeBrowser(cdp, chromium, server);
  }
});
