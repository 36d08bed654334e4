/// <reference lib="dom" />
/**
 * The explorer page's script (bundled to `explore/app.js`; the page is written by
 * lib/explore/page.ts). It builds the form from the flag table the worker sends, keeps the
 * settings in the URL, and draws what the worker streams — it never solves or validates
 * anything itself: settings go to the worker's shared `solve` parser as typed, runs happen in
 * the worker (lib/explore/worker.ts), and this thread only updates the vega-embed views, at most
 * every {@link DRAW_EVERY_MS} ms, so the page stays responsive during long runs.
 *
 * State for tests and tools is on `<body>`: `data-run-state` (loading | idle | running | done |
 * invalid | failed | stopped | crashed), `data-objective` (the final f, full precision),
 * `data-command`, `data-iterations`, `data-seconds`, `data-max-frame-gap-ms` (the longest
 * pause between animation frames during the last run) and `data-longest-task-ms` (the longest
 * task of this thread during it).
 * @module
 */
import { rowsToCsv } from "../plot/csv.ts";
import { FIGURE_CONFIG } from "../plot/theme.ts";
import {
  FIELD_LABELS,
  fieldApplies,
  flagOfMessage,
  FORM_GROUPS,
  formEntries,
  groupOf,
  parseQuery,
  queryString,
  selectDefault,
} from "./form.ts";
import type { ExplorerEntries, ExplorerFlag, ExplorerTable, WorkerReply } from "./protocol.ts";
import type { ModelGeometry, TraceMetric, TraceRow } from "./vocabulary.ts";
import type { SolveReport } from "../ufm/solve.ts";
import type { Theory } from "../theory/mod.ts";
import {
  COSINE_DATA,
  cosineSpec,
  exportSpec,
  iterationRange,
  PRINT_VALUES_MAX_K,
  PROJECTION_DATA,
  projectionSpec,
  SHOW_VALUES_SIGNAL,
  TRACE_DATA,
  traceSignals,
  traceSpec,
  X_DOMAIN_SIGNAL,
} from "./views.ts";

/** Least time between two redraws of the views while a run streams data. */
export const DRAW_EVERY_MS = 300;

interface VegaChangeset {
  insert(rows: readonly unknown[]): VegaChangeset;
  remove(predicate: (row: unknown) => boolean): VegaChangeset;
}
/** A mark of a view's scene graph (items are groups of marks for group marks). */
interface SceneMark {
  marktype: string;
  role?: string;
  items: { items?: SceneMark[] }[];
}
interface VegaView {
  scenegraph(): { root: SceneMark };
  change(name: string, changes: VegaChangeset): VegaView;
  signal(name: string, value: unknown): VegaView;
  runAsync(): Promise<VegaView>;
}
interface EmbedResult {
  view: VegaView;
  finalize(): void;
}
/** The vendored vega bundles' globals (vendor/vega*.min.js). */
const vendor = globalThis as unknown as {
  vegaEmbed(element: HTMLElement, spec: unknown, options: unknown): Promise<EmbedResult>;
  vega: { changeset(): VegaChangeset; Error: number };
};

type RunState =
  | "loading"
  | "idle"
  | "running"
  | "done"
  | "invalid"
  | "failed"
  | "stopped"
  | "crashed";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`explore.html has no #${id}`);
  return found as T;
}

const body = document.body;
const form = element<HTMLFormElement>("explore-form");
const fieldsBox = element<HTMLDivElement>("explore-fields");
const runButton = element<HTMLButtonElement>("explore-run");
const stopButton = element<HTMLButtonElement>("explore-stop");
const csvButton = element<HTMLButtonElement>("explore-export-csv");
const specButton = element<HTMLButtonElement>("explore-export-spec");
const message = element<HTMLParagraphElement>("explore-message");
const progress = element<HTMLProgressElement>("explore-progress");
const status = element<HTMLSpanElement>("explore-status");
const commandBox = element<HTMLElement>("explore-command");
const shareLink = element<HTMLAnchorElement>("explore-share");
const numbers = element<HTMLDivElement>("explore-numbers");
const reportText = element<HTMLElement>("explore-report");
const traceBox = element<HTMLDivElement>("explore-trace");
const cosineBox = element<HTMLDivElement>("explore-cosines");
const projectionBox = element<HTMLDivElement>("explore-projection");
const geometryNote = element<HTMLParagraphElement>("explore-geometry-note");

/** Everything the page knows about the current run. */
interface Run {
  entries: ExplorerEntries;
  command: string;
  iters: number;
  theory: Theory | null;
  plotted: TraceMetric[];
  rows: TraceRow[];
  pendingRows: TraceRow[];
  geometry: ModelGeometry | null;
  geometryDirty: boolean;
  K: number;
  report: SolveReport | null;
  maxFrameGap: number;
  longestTask: number;
}

let table: ExplorerTable | null = null;
let worker: Worker | null = null;
let workerReady = false;
let busy = false;
let run: Run | null = null;
let pendingRun: ExplorerEntries | null = null;
/** The three views, embedded once per page load; runs only change their data and signals. */
let views: { trace: EmbedResult; cosines: EmbedResult; projection: EmbedResult } | null = null;
let viewsReady: Promise<void> = Promise.resolve();
let checkTimer: ReturnType<typeof setTimeout> | undefined;

function setState(state: RunState): void {
  body.dataset.runState = state;
  const running = state === "running";
  runButton.disabled = table === null;
  stopButton.disabled = !running;
  const exportable = run !== null && run.rows.length > 0 && !running;
  csvButton.disabled = !exportable;
  specButton.disabled = !exportable;
}

function showMessage(text: string | null, kind: "invalid" | "failed" | "warning" = "invalid") {
  message.textContent = text ?? "";
  message.hidden = text === null;
  message.dataset.kind = kind;
  for (const field of fieldsBox.querySelectorAll(".field.invalid")) {
    field.classList.remove("invalid");
  }
  const flag = text === null || table === null ? null : flagOfMessage(table, text);
  if (flag !== null) fieldsBox.querySelector(`[data-flag="${flag}"]`)?.classList.add("invalid");
}

// ---- worker ----------------------------------------------------------------------------------

function startWorker(): void {
  workerReady = false;
  busy = false;
  worker = new Worker(new URL("explore/worker.js", document.baseURI), { type: "module" });
  worker.onmessage = (event: MessageEvent<WorkerReply>) => onReply(event.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    // The next Run starts a fresh worker.
    worker?.terminate();
    worker = null;
    busy = false;
    setState("crashed");
    showMessage(
      `The solver could not start: ${event.message || "see the browser console"}`,
      "failed",
    );
  };
}

function send(request: { type: "check" | "run"; entries: ExplorerEntries }): void {
  busy = true;
  worker!.postMessage(request);
}

function onReply(reply: WorkerReply): void {
  switch (reply.type) {
    case "ready":
      workerReady = true;
      if (table === null) initialise(reply.table);
      if (pendingRun !== null) {
        const entries = pendingRun;
        pendingRun = null;
        void beginRun(entries);
      }
      return;
    case "checked":
      busy = false;
      showMessage(reply.message);
      if (reply.command !== null) showCommand(reply.command, null);
      if (body.dataset.runState !== "running") {
        if (reply.message !== null) setState("invalid");
        else if (body.dataset.runState === "invalid") setState("idle");
      }
      return;
    case "crashed":
      busy = false;
      setState("crashed");
      showMessage(`Internal error (please report it): ${reply.message}`, "failed");
      return;
    case "invalid":
      busy = false;
      setState("invalid");
      showMessage(reply.message);
      return;
    case "failed":
      busy = false;
      setState("failed");
      showMessage(reply.message, "failed");
      return;
    case "warning":
      showMessage(reply.message, "warning");
      return;
    case "start":
      if (run === null) return;
      Object.assign(run, {
        command: reply.command,
        iters: reply.iters,
        theory: reply.theory,
        plotted: reply.plotted,
        K: reply.K,
      });
      progress.max = Math.max(1, reply.iters);
      showCommand(reply.command, run.entries);
      configureViews(reply.plotted, reply.K);
      return;
    case "trace":
      if (run === null) return;
      run.rows.push(...reply.rows);
      run.pendingRows.push(...reply.rows);
      updateProgress(reply.rows[0].iteration, reply.rows);
      scheduleDraw();
      return;
    case "geometry":
      if (run === null) return;
      run.geometry = reply.geometry;
      run.geometryDirty = true;
      geometryNote.textContent = geometryCaption(reply.geometry);
      scheduleDraw();
      return;
    case "progress":
      updateProgress(reply.iteration);
      status.textContent = `iteration ${reply.iteration} · f = ${reply.objective.toPrecision(10)}` +
        ` · ‖∇f‖ = ${reply.gradNorm.toExponential(2)}`;
      return;
    case "done":
      busy = false;
      if (run === null) return;
      run.report = reply.report;
      finishRun(run, reply.report, reply.text, reply.observeSeconds);
      return;
  }
}

// ---- form ------------------------------------------------------------------------------------

function formValues(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[name]")) {
    values[input.name] = input.value;
  }
  return values;
}

function fieldHtmlId(flag: ExplorerFlag): string {
  return `field-${flag.name}`;
}

function buildField(flag: ExplorerFlag, summaries: Record<string, string>): HTMLElement {
  const wrapper = document.createElement("div");
  wrapper.className = "field";
  wrapper.dataset.flag = flag.name;
  const label = document.createElement("label");
  label.htmlFor = fieldHtmlId(flag);
  label.textContent = FIELD_LABELS[flag.name] ?? flag.name;
  const code = document.createElement("code");
  code.textContent = flag.name;
  label.append(" ", code);
  label.title = flag.spec.help;
  let input: HTMLInputElement | HTMLSelectElement;
  if (flag.choices !== null) {
    const select = document.createElement("select");
    if (selectDefault(flag) === "") {
      select.append(new Option(`default: ${flag.spec.default ?? "none"}`, ""));
    }
    for (const choice of flag.choices) {
      const option = new Option(choice, choice);
      // The model's summary is too long for the closed select: a note below shows it.
      if (flag.name === "model") option.title = summaries[choice] ?? "";
      select.append(option);
    }
    select.value = selectDefault(flag);
    input = select;
  } else {
    const text = document.createElement("input");
    text.type = "text";
    text.inputMode = "decimal";
    text.autocomplete = "off";
    text.spellcheck = false;
    text.placeholder = typeof flag.spec.default === "string"
      ? flag.spec.default
      : /\(default:? ([^)]*)\)/.exec(flag.spec.help)?.[1] ?? "";
    input = text;
  }
  input.id = fieldHtmlId(flag);
  input.name = flag.name;
  input.title = flag.spec.help;
  wrapper.append(label, input);
  if (flag.name === "model") {
    const note = document.createElement("p");
    note.id = "explore-model-summary";
    note.className = "field-note";
    wrapper.append(note);
  }
  return wrapper;
}

function initialise(received: ExplorerTable): void {
  table = received;
  const groups = new Map<string, HTMLFieldSetElement>();
  for (const { title } of FORM_GROUPS) {
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = title;
    fieldset.append(legend);
    groups.set(title, fieldset);
    fieldsBox.append(fieldset);
  }
  for (const flag of received.flags) {
    groups.get(groupOf(flag))!.append(buildField(flag, received.summaries));
  }
  const { entries, run: runOnLoad } = parseQuery(location.search);
  for (const [name, value] of entries) {
    const input = form.querySelector<HTMLInputElement | HTMLSelectElement>(
      `[name="${CSS.escape(name)}"]`,
    );
    if (input === null) continue;
    if (input instanceof HTMLSelectElement && ![...input.options].some((o) => o.value === value)) {
      // Keep the URL's value selectable, so the form shows what the message is about.
      input.append(new Option(`${value} (invalid)`, value));
    }
    input.value = value;
  }
  updateVisibility();
  form.addEventListener("input", onFormInput);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runFromForm();
  });
  stopButton.addEventListener("click", stopRun);
  csvButton.addEventListener("click", () => downloadExport("csv"));
  specButton.addEventListener("click", () => downloadExport("spec"));
  viewsReady = embedViews();
  setState("idle");
  message.hidden = true;
  status.textContent = "Ready: choose the settings and press Run.";
  // The URL's settings exactly as given (the form would drop values equal to a default).
  if (runOnLoad) void beginRun(entries);
  else if (entries.length > 0) send({ type: "check", entries });
  else showCommand("npx deno task solve", []);
}

function updateVisibility(): void {
  if (table === null) return;
  const values = formValues();
  const summary = document.getElementById("explore-model-summary");
  if (summary !== null) summary.textContent = table.summaries[values.model] ?? "";
  for (const flag of table.flags) {
    const field = fieldsBox.querySelector<HTMLElement>(`[data-flag="${flag.name}"]`);
    if (field !== null) field.hidden = !fieldApplies(flag, values);
  }
  // A group with nothing to set (the sphere's regularization) goes too.
  for (const fieldset of fieldsBox.querySelectorAll("fieldset")) {
    fieldset.hidden = [...fieldset.querySelectorAll<HTMLElement>(".field")].every((f) => f.hidden);
  }
}

function onFormInput(): void {
  updateVisibility();
  if (table === null) return;
  const entries = formEntries(table, formValues());
  showCommand(null, entries);
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => {
    if (workerReady && !busy) send({ type: "check", entries });
  }, 250);
}

function runFromForm(): void {
  if (table === null) return;
  void beginRun(formEntries(table, formValues()));
}

// ---- runs ------------------------------------------------------------------------------------

async function beginRun(entries: ExplorerEntries): Promise<void> {
  if (busy || !workerReady) {
    // A running solve cannot be interrupted: a fresh worker takes the new run.
    if (busy) worker?.terminate();
    if (busy || worker === null) startWorker();
    pendingRun = entries;
    return;
  }
  history.replaceState(null, "", queryString(entries) || location.pathname);
  busy = true;
  run = {
    entries,
    command: "",
    iters: 0,
    theory: null,
    plotted: [],
    rows: [],
    pendingRows: [],
    geometry: null,
    geometryDirty: false,
    K: 0,
    report: null,
    maxFrameGap: 0,
    longestTask: 0,
  };
  for (
    const key of [
      "objective",
      "iterations",
      "seconds",
      "observeSeconds",
      "maxFrameGapMs",
      "longestTaskMs",
    ]
  ) {
    delete body.dataset[key];
  }
  showMessage(null);
  numbers.replaceChildren();
  reportText.textContent = "";
  geometryNote.textContent = "";
  progress.value = 0;
  status.textContent = "Starting…";
  setState("running");
  const current = run;
  await viewsReady;
  clearViews();
  if (run !== current) return;
  watchFrames(current);
  send({ type: "run", entries });
}

function stopRun(): void {
  if (run === null || body.dataset.runState !== "running") return;
  worker?.terminate();
  startWorker();
  setState("stopped");
  const last = run.rows.at(-1)?.iteration ?? 0;
  status.textContent = `Stopped at iteration ${last} (the views show the run up to there).`;
  draw();
}

function updateProgress(iteration: number, rows?: readonly TraceRow[]): void {
  progress.value = Math.min(iteration, progress.max);
  if (rows === undefined) return;
  const objective = rows.find((row) => row.metric === "objective")?.value;
  const gradient = rows.find((row) => row.metric === "grad_norm")?.value;
  if (objective != null && gradient != null) {
    status.textContent = `iteration ${iteration} · f = ${objective.toPrecision(10)} · ` +
      `‖∇f‖ = ${gradient.toExponential(2)}`;
  }
}

/**
 * Records, while `current` runs, the longest gap between animation frames and the longest task
 * on this thread (Long Tasks API, where the browser has it): the page's responsiveness.
 */
function watchFrames(current: Run): void {
  let last = performance.now();
  const tick = (time: number) => {
    current.maxFrameGap = Math.max(current.maxFrameGap, time - last);
    last = time;
    if (run === current && body.dataset.runState === "running") requestAnimationFrame(tick);
    else observer?.disconnect();
  };
  requestAnimationFrame(tick);
  let observer: PerformanceObserver | null = null;
  if (PerformanceObserver.supportedEntryTypes?.includes("longtask")) {
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        current.longestTask = Math.max(current.longestTask, entry.duration);
      }
    });
    observer.observe({ type: "longtask" });
  }
}

function finishRun(current: Run, report: SolveReport, text: string, observeSeconds: number): void {
  draw();
  setState("done");
  body.dataset.objective = String(report.objective);
  body.dataset.iterations = String(report.iterations);
  body.dataset.seconds = String(report.seconds);
  body.dataset.observeSeconds = String(observeSeconds);
  body.dataset.maxFrameGapMs = current.maxFrameGap.toFixed(1);
  body.dataset.longestTaskMs = current.longestTask.toFixed(1);
  progress.value = progress.max;
  status.textContent = `${report.converged ? "Converged" : "Stopped at --iters"} after ` +
    `${report.iterations} iterations in ${report.seconds.toFixed(2)} s; f = ` +
    `${report.objective.toPrecision(12)}.`;
  if (!report.converged) {
    showMessage(
      `Not converged within --iters ${report.settings.iters} (‖∇f‖ = ` +
        `${report.grad_norm.toExponential(2)} > --tol ${report.settings.tol}): the numbers ` +
        "describe the last iterate, not a minimum.",
      "warning",
    );
  }
  numbers.replaceChildren(numbersTable(report, observeSeconds));
  reportText.textContent = text;
}

// ---- views -----------------------------------------------------------------------------------

/** Resolves at the next animation frame (lets the browser paint between long steps). */
function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

/**
 * Embeds the three views (empty) once, one per frame so that the page paints in between; every
 * run then only streams data into them.
 */
async function embedViews(): Promise<void> {
  // Canvas: live updates redraw pixels instead of recreating hundreds of SVG elements.
  const options = { actions: false, renderer: "canvas", logLevel: vendor.vega.Error };
  const embed = async (box: HTMLElement, spec: Record<string, unknown>) => {
    await nextFrame();
    // Re-fit the padding when streamed data widens axis labels and legends.
    const autosize = { type: "pad", resize: true };
    return await vendor.vegaEmbed(box, { ...spec, autosize, config: FIGURE_CONFIG }, options);
  };
  const trace = await embed(traceBox, traceSpec());
  const cosines = await embed(cosineBox, cosineSpec());
  const projection = await embed(projectionBox, projectionSpec());
  await nextFrame();
  views = { trace, cosines, projection };
}

/** Empties the views for a new run. */
function clearViews(): void {
  if (views === null) return;
  const empty = () => vendor.vega.changeset().remove(() => true);
  void views.trace.view.change(TRACE_DATA, empty()).runAsync();
  void views.cosines.view.change(COSINE_DATA, empty()).runAsync();
  void views.projection.view.change(PROJECTION_DATA, empty()).runAsync();
}

/** Sets the run's signals: the quantities drawn, the x range, whether cosines are printed. */
function configureViews(plotted: readonly TraceMetric[], K: number): void {
  if (views === null) return;
  shownRange = "";
  for (const [name, value] of Object.entries(traceSignals(plotted))) {
    views.trace.view.signal(name, value);
  }
  void views.trace.view.runAsync();
  void views.cosines.view.signal(SHOW_VALUES_SIGNAL, K <= PRINT_VALUES_MAX_K).runAsync();
}

function geometryCaption(geometry: ModelGeometry): string {
  const etf = -1 / (geometry.K - 1);
  const shares = geometry.explained.map((share) => `${(100 * share).toFixed(1)}%`).join(", ");
  return `K = ${geometry.K}: a simplex ETF has cosine −1/(K−1) = ${etf.toFixed(4)} between ` +
    `distinct centred class means. Variance of the centred class means on PC1, PC2, PC3: ` +
    `${shares}.`;
}

let frameRequested = false;
let lastDraw = -Infinity;

function scheduleDraw(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame((time) => {
    frameRequested = false;
    if (time - lastDraw < DRAW_EVERY_MS) {
      scheduleDraw();
      return;
    }
    lastDraw = time;
    draw();
  });
}

/** The trace's current x range (as text), to move the axis only when the decade changes. */
let shownRange = "";

/** View updates waiting for a frame: one per frame, so no single task redraws everything. */
const drawQueue: (() => Promise<unknown>)[] = [];
let pumping = false;

function pump(): void {
  if (pumping) return;
  pumping = true;
  const step = async () => {
    const job = drawQueue.shift();
    if (job !== undefined) await job();
    if (drawQueue.length > 0) requestAnimationFrame(step);
    else pumping = false;
  };
  requestAnimationFrame(step);
}

/** Queues the rows and geometry that arrived since the last draw for the views. */
function draw(): void {
  const current = run;
  if (current === null || views === null) return;
  const { trace, cosines, projection } = views;
  if (current.pendingRows.length > 0) {
    const rows = current.pendingRows.map((row) => ({ ...row }));
    current.pendingRows = [];
    const range = iterationRange(rows[rows.length - 1].iteration);
    const changed = String(range) !== shownRange;
    shownRange = String(range);
    drawQueue.push(() => {
      if (changed) trace.view.signal(X_DOMAIN_SIGNAL, range);
      return trace.view.change(TRACE_DATA, vendor.vega.changeset().insert(rows)).runAsync();
    });
  }
  if (current.geometryDirty) {
    current.geometryDirty = false;
    const geometry = current.geometry!;
    const replace = (rows: readonly object[]) =>
      vendor.vega.changeset().remove(() => true).insert(rows.map((row) => ({ ...row })));
    drawQueue.push(
      () => cosines.view.change(COSINE_DATA, replace(geometry.cosines)).runAsync(),
      () => projection.view.change(PROJECTION_DATA, replace(geometry.points)).runAsync(),
    );
  }
  pump();
}

// ---- numbers, command, export ----------------------------------------------------------------

function showCommand(command: string | null, entries: ExplorerEntries | null): void {
  if (command !== null) {
    commandBox.textContent = command;
    body.dataset.command = command;
  }
  if (entries !== null) shareLink.href = `explore.html${queryString(entries, true)}`;
}

const fmt = (value: number | null | undefined): string =>
  value === null || value === undefined || Number.isNaN(value) ? "—" : value.toPrecision(10);

function numbersTable(report: SolveReport, observeSeconds: number): HTMLElement {
  const theory = report.theory;
  const mean = (values: readonly number[] | null): number | null =>
    values === null || values.length === 0
      ? null
      : values.reduce((sum, value) => sum + value, 0) / values.length;
  const rows: [string, number | null, number | null][] = [
    ["objective f", report.objective, theory?.objective ?? null],
    ["mean ‖h̄_k‖²", report.norms.h_mean_sq, theory?.h_mean_sq ?? null],
    ["mean ‖h̄_k − h_G‖²", report.norms.h_centered_sq, theory?.h_centered_sq ?? null],
    ["mean ‖w_k‖²", report.norms.w_row_sq, theory?.w_row_sq ?? null],
  ];
  if (report.norms.bias !== null) {
    rows.push(["mean bias b_k", mean(report.norms.bias), theory?.bias ?? null]);
  }
  const tableElement = document.createElement("table");
  tableElement.className = "theory";
  const head = tableElement.createTHead().insertRow();
  for (const text of ["", "ufmlab", "closed form", "|difference|"]) {
    const cell = document.createElement("th");
    cell.textContent = text;
    head.append(cell);
  }
  const tbody = tableElement.createTBody();
  const addRow = (cells: string[], key?: string) => {
    const row = tbody.insertRow();
    if (key !== undefined) row.dataset.key = key;
    cells.forEach((text, i) => {
      const cell = i === 0 ? document.createElement("th") : row.insertCell();
      cell.textContent = text;
      if (i === 0) row.append(cell);
    });
  };
  for (const [label, value, predicted] of rows) {
    const difference = value === null || predicted === null ? null : Math.abs(value - predicted);
    addRow([
      label,
      fmt(value),
      theory === null ? "no closed form" : fmt(predicted),
      difference === null ? "—" : difference.toExponential(2),
    ]);
  }
  addRow(["geometry", "", theory?.structure ?? "—", ""]);
  const m = report.metrics;
  const note = report.metrics_note ?? "";
  const nc: [string, number | null][] = [
    ["NC1 = Tr(Σ_W Σ_B⁺)/K", m.nc1],
    ["NC2: dist(M̃M̃ᵀ, ETF)", m.nc2_etf],
    ["NC2: dist(MMᵀ, OF)", m.nc2_of],
    ["NC3: dist(WM̃ᵀ, ETF)", m.nc3],
    ["‖Wμ_G + b‖", m.wmu_g_b_norm],
  ];
  const ncTable = document.createElement("table");
  ncTable.className = "theory";
  const ncBody = ncTable.createTBody();
  for (const [label, value] of nc) {
    const row = ncBody.insertRow();
    const th = document.createElement("th");
    th.textContent = label;
    row.append(th);
    row.insertCell().textContent = note === "" ? fmt(value) : note;
  }
  const run = document.createElement("table");
  run.className = "theory";
  const runBody = run.createTBody();
  const facts: [string, string][] = [
    ["iterations", String(report.iterations)],
    ["‖∇f‖ at the end", report.grad_norm.toExponential(2)],
    ["converged", String(report.converged)],
    [
      "seconds (in this browser)",
      `${report.seconds.toFixed(3)} (of which ${observeSeconds.toFixed(3)} reading the views' ` +
      "metrics)",
    ],
    ["certificate", report.certificate?.classification ?? "not computed"],
  ];
  for (const [label, value] of facts) {
    const row = runBody.insertRow();
    const th = document.createElement("th");
    th.textContent = label;
    row.append(th);
    row.insertCell().textContent = value;
  }
  const box = document.createElement("div");
  box.className = "numbers";
  const headings = ["Against the closed form", "Neural collapse at the end", "The run"];
  [tableElement, ncTable, run].forEach((part, i) => {
    const section = document.createElement("div");
    const heading = document.createElement("h3");
    heading.textContent = headings[i];
    section.append(heading, part);
    box.append(section);
  });
  return box;
}

/** The run's CSV (the tidy trace) and its self-contained Vega-Lite spec, as text. */
export function exportFiles(): { csv: string; spec: string; name: string } | null {
  if (run === null || run.rows.length === 0) return null;
  const csv = rowsToCsv(run.rows);
  const spec = JSON.stringify(
    exportSpec({
      trace: run.rows,
      plotted: run.plotted,
      geometry: run.geometry,
      title: run.command,
    }),
    null,
    2,
  ) + "\n";
  const name = "ufm-explorer-" + (run.entries.map(([key, value]) => `${key}${value}`).join("_") ||
    "defaults").replace(/[^A-Za-z0-9_.-]+/g, "-").slice(0, 120);
  return { csv, spec, name };
}

function downloadExport(kind: "csv" | "spec"): void {
  const files = exportFiles();
  if (files === null) return;
  const [text, type, extension] = kind === "csv"
    ? [files.csv, "text/csv", "csv"]
    : [files.spec, "application/json", "vl.json"];
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = `${files.name}.${extension}`;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Items drawn by data marks in a scene-graph mark and the groups below it. */
function markItems(mark: SceneMark): number {
  let count = mark.role === "mark" ? mark.items.length : 0;
  if (mark.marktype === "group") {
    for (const item of mark.items) for (const child of item.items ?? []) count += markItems(child);
  }
  return count;
}

/** How many data-mark items each view draws right now (lines, cells, points, rules). */
export function drawnItems(): Record<string, number> | null {
  if (views === null) return null;
  return Object.fromEntries(
    Object.entries(views).map((
      [name, embedded],
    ) => [name, markItems(embedded.view.scenegraph().root)]),
  );
}

// For tests and the curious: the export without a download, and what the views draw.
(globalThis as unknown as { ufmExplorer: unknown }).ufmExplorer = { exportFiles, drawnItems };

setState("loading");
status.textContent = "Loading the solver (WebAssembly core)…";
startWorker();
