/**
 * Statistics of a loss × width × epoch-budget × seed grid of test accuracies (paper B's
 * "test accuracy equivalence" experiment, docs/experiments.md#paper-b-figures) and the finding text
 * read off them: whether the gaps |Acc_CE − Acc_X| exceed seed noise, and whether they shrink with
 * width and with epochs. Figures B4 and B6 use it, so that the text of a figure always says what
 * its data say.
 *
 * Conventions (accuracies in percentage points, pp):
 * - A cell is one (loss, width, budget) with one test accuracy per seed; its gap to the reference
 *   loss is |mean_ref − mean_X| over the seeds (nc_loss plot_heatmap.py).
 * - Seed noise σ is the mean over all cells of the seed-to-seed sample standard deviation (n − 1)
 *   of a test accuracy; a gap, a difference of two S-seed means, has standard deviation
 *   σ_gap = σ·√(2/S).
 * - Under pure noise a gap is |N(0, σ_gap²)|: mean σ_gap·√(2/π), exceeding 2σ_gap in 4.6% of
 *   cells. The gaps "exceed seed noise" if their mean is above that noise mean by more than two
 *   standard errors, σ_gap·√(1 − 2/π)/√m over m cells.
 * - A trend (width or epochs) compares the mean gap at the smallest and at the largest value of
 *   that axis (each over the other axis and the losses, m cells): it is resolved only if the change
 *   exceeds 2σ_gap·√(2/m) — conservative, since |gap| varies no more than the gap itself and the
 *   cells are treated as independent although the losses of a cell share the reference mean.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeGaps, type GridCell } from "./findings.ts";
 * const cells: GridCell[] = [];
 * for (const width of [64, 512]) {
 *   for (const epochs of [50, 200]) {
 *     const gap = width === 64 ? 0.03 : 0; // MSE 3 pp behind CE at width 64 only
 *     for (const [loss, shift] of [["ce", 0], ["mse", -gap]] as const) {
 *       cells.push({ loss, width, epochs, accuracies: [0.8, 0.802, 0.798].map((a) => a + shift) });
 *     }
 *   }
 * }
 * const analysis = analyzeGaps(cells, "ce");
 * assert.equal(analysis.exceedsNoise, true);
 * assert.equal(analysis.width.verdict, "shrinks");
 * assert.equal(analysis.epochs.verdict, "no resolvable trend");
 * ```
 * @module
 */

/** One (loss, width, budget) cell of a grid: test accuracy (fraction) of each seed. */
export interface GridCell {
  /** Loss name. */
  loss: string;
  /** Network width. */
  width: number;
  /** Epoch budget. */
  epochs: number;
  /** Test accuracy per seed, in [0, 1], same seeds in every cell. */
  accuracies: readonly number[];
}

/** Mean gap at the two ends of one axis, and what that says. */
export interface GapTrend {
  /** Axis value at the small end (narrowest width / shortest budget). */
  from: number;
  /** Axis value at the large end. */
  to: number;
  /** Mean gap (pp) over the cells at `from`. */
  gapFrom: number;
  /** Mean gap (pp) over the cells at `to`. */
  gapTo: number;
  /** Two standard deviations of gapTo − gapFrom under seed noise (pp). */
  resolution: number;
  /** The reading. */
  verdict: "shrinks" | "grows" | "no resolvable trend";
}

/** Everything {@link analyzeGaps} reads off a grid. */
export interface GapAnalysis {
  /** The reference loss (CE). */
  reference: string;
  /** The other losses, in cell order. */
  losses: string[];
  /** Widths and budgets, ascending. */
  widths: number[];
  /** See `widths`. */
  budgets: number[];
  /** Seeds per cell S. */
  seeds: number;
  /** Seed noise σ of one test accuracy (pp). */
  noise: number;
  /** σ_gap = σ·√(2/S): standard deviation of a gap under seed noise (pp). */
  gapNoise: number;
  /** Gap (pp) per loss, keyed `w<width>/E<epochs>`. */
  gaps: Record<string, Record<string, number>>;
  /** Cells (loss, width, budget) whose gap exceeds 2σ_gap, and how many there are. */
  cellsAboveTwoSigma: number;
  /** Number of gap cells m. */
  cellCount: number;
  /** Mean gap over all cells (pp). */
  meanGap: number;
  /** Mean gap expected from seed noise alone, σ_gap·√(2/π) (pp). */
  noiseMeanGap: number;
  /** Whether the mean gap exceeds the noise mean by more than two standard errors. */
  exceedsNoise: boolean;
  /**
   * Per loss: mean and largest gap, the mean signed difference Acc_X − Acc_ref (pp; > 0: more
   * accurate than the reference), and whether its gaps exceed seed noise (same test, its cells).
   */
  byLoss: {
    loss: string;
    meanGap: number;
    maxGap: number;
    meanDifference: number;
    exceedsNoise: boolean;
  }[];
  /** Trend over width. */
  width: GapTrend;
  /** Trend over epochs. */
  epochs: GapTrend;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Seed noise σ (pp): the mean over `cells` of the seed-to-seed standard deviation. */
export function seedNoise(cells: readonly GridCell[]): number {
  return mean(cells.map((c) => sampleStd(c.accuracies.map((a) => 100 * a))));
}

/** Standard deviation of a difference of two `seeds`-seed means, σ·√(2/S) (pp). */
export function gapNoiseOf(noise: number, seeds: number): number {
  return noise * Math.sqrt(2 / seeds);
}

/** Key of a cell in the gap tables: `w<width>/E<epochs>`. */
export function cellKey(width: number, epochs: number): string {
  return `w${width}/E${epochs}`;
}

/**
 * |mean_ref − mean_X| in pp for every loss X ≠ reference and every (width, budget) of the grid,
 * keyed by loss, then {@link cellKey}. Throws if a cell is missing.
 */
export function gapsToReference(
  cells: readonly GridCell[],
  reference: string,
): Record<string, Record<string, number>> {
  const meanOf = new Map(
    cells.map((c) => [`${c.loss}|${cellKey(c.width, c.epochs)}`, mean(c.accuracies)]),
  );
  const gaps: Record<string, Record<string, number>> = {};
  for (const cell of cells) {
    if (cell.loss === reference) continue;
    const key = cellKey(cell.width, cell.epochs);
    const ref = meanOf.get(`${reference}|${key}`);
    if (ref === undefined) throw new RangeError(`gaps: no ${reference} cell at ${key}`);
    (gaps[cell.loss] ??= {})[key] = 100 * Math.abs(ref - mean(cell.accuracies));
  }
  return gaps;
}

/** Mean of the gaps whose (width, budget) satisfy `pick`, over every loss. */
export function meanGap(
  gaps: Record<string, Record<string, number>>,
  widths: readonly number[],
  budgets: readonly number[],
  pick: (width: number, epochs: number) => boolean,
): number {
  return mean(
    Object.values(gaps).flatMap((table) =>
      widths.flatMap((w) => budgets.filter((e) => pick(w, e)).map((e) => table[cellKey(w, e)]))
    ),
  );
}

/** Mean over the grid's cells of Acc_loss − Acc_reference (seed means, pp). */
function meanDifference(cells: readonly GridCell[], loss: string, reference: string): number {
  const ref = new Map(
    cells.filter((c) => c.loss === reference).map((c) => [
      cellKey(c.width, c.epochs),
      mean(c.accuracies),
    ]),
  );
  const own = cells.filter((c) => c.loss === loss);
  return mean(own.map((c) => 100 * (mean(c.accuracies) - ref.get(cellKey(c.width, c.epochs))!)));
}

const ascending = (values: Iterable<number>) => [...new Set(values)].sort((a, b) => a - b);

/** Reads the grid (see module notes); `reference` is the loss the gaps are taken to. */
export function analyzeGaps(cells: readonly GridCell[], reference: string): GapAnalysis {
  const widths = ascending(cells.map((c) => c.width));
  const budgets = ascending(cells.map((c) => c.epochs));
  const losses = [...new Set(cells.map((c) => c.loss))].filter((l) => l !== reference);
  const seeds = cells[0]?.accuracies.length ?? 0;
  if (seeds < 2 || cells.some((c) => c.accuracies.length !== seeds)) {
    throw new RangeError("analyzeGaps: every cell needs the same number (≥ 2) of seeds");
  }
  const noise = seedNoise(cells);
  const gapNoise = gapNoiseOf(noise, seeds);
  const gaps = gapsToReference(cells, reference);
  const all = Object.values(gaps).flatMap((table) => Object.values(table));
  const noiseMeanGap = gapNoise * Math.sqrt(2 / Math.PI);
  const exceeds = (values: number[]) =>
    mean(values) >
      noiseMeanGap + 2 * gapNoise * Math.sqrt(1 - 2 / Math.PI) / Math.sqrt(values.length);
  const trend = (axis: number[], pick: (value: number, w: number, e: number) => boolean) => {
    const from = axis[0], to = axis[axis.length - 1];
    const gapFrom = meanGap(gaps, widths, budgets, (w, e) => pick(from, w, e));
    const gapTo = meanGap(gaps, widths, budgets, (w, e) => pick(to, w, e));
    const m = all.length / axis.length; // cells at one end of the axis
    const resolution = 2 * gapNoise * Math.sqrt(2 / m);
    const verdict: GapTrend["verdict"] = gapFrom - gapTo > resolution
      ? "shrinks"
      : gapTo - gapFrom > resolution
      ? "grows"
      : "no resolvable trend";
    return { from, to, gapFrom, gapTo, resolution, verdict };
  };
  return {
    reference,
    losses,
    widths,
    budgets,
    seeds,
    noise,
    gapNoise,
    gaps,
    cellsAboveTwoSigma: all.filter((g) => g > 2 * gapNoise).length,
    cellCount: all.length,
    meanGap: mean(all),
    noiseMeanGap,
    exceedsNoise: exceeds(all),
    byLoss: losses.map((loss) => {
      const values = Object.values(gaps[loss]);
      return {
        loss,
        meanGap: mean(values),
        maxGap: Math.max(...values),
        meanDifference: meanDifference(cells, loss, reference),
        exceedsNoise: exceeds(values),
      };
    }),
    width: trend(widths, (value, w) => w === value),
    epochs: trend(budgets, (value, _w, e) => e === value),
  };
}

/**
 * The finding as one paragraph: gaps vs seed noise (overall and per loss), then the width and
 * epoch trends with their resolution. `labelOf` names losses (default: the loss name).
 */
export function gapFindingText(
  analysis: GapAnalysis,
  labelOf: (loss: string) => string = (loss) => loss,
): string {
  const pp = (v: number) => `${v.toFixed(2)} pp`;
  const a = analysis;
  const ref = labelOf(a.reference);
  const signed = (v: number) => `${v >= 0 ? "+" : "−"}${pp(Math.abs(v))}`;
  const perLoss = a.byLoss.map((l) =>
    `${labelOf(l.loss)} mean ${pp(l.meanGap)}, max ${pp(l.maxGap)}` +
    (l.exceedsNoise ? " (above noise" : " (within noise") +
    `; Acc − Acc_${ref} ${signed(l.meanDifference)} on average)`
  ).join("; ");
  const noiseText = a.exceedsNoise
    ? `The test-accuracy gaps to ${ref} exceed seed noise`
    : `The test-accuracy gaps to ${ref} do not exceed seed noise`;
  const trendText = (name: string, t: GapTrend, unit: (v: number) => string) => {
    const change = `${pp(t.gapFrom)} at ${unit(t.from)} → ${pp(t.gapTo)} at ${unit(t.to)}`;
    const reading = t.verdict === "no resolvable trend"
      ? `no trend resolvable against seed noise (a change must exceed ${pp(t.resolution)})`
      : `they ${t.verdict === "shrinks" ? "shrink" : "grow"} (by more than the ${
        pp(t.resolution)
      } seed noise allows)`;
    return `with ${name}: ${change}, ${reading}`;
  };
  return `${noiseText}: mean gap ${pp(a.meanGap)} against ${
    pp(a.noiseMeanGap)
  } expected from seed noise alone (σ = ${pp(a.noise)} per run, σ_gap = ${
    pp(a.gapNoise)
  } for a difference of two ${a.seeds}-seed means); ${a.cellsAboveTwoSigma} of ${a.cellCount} ` +
    `cells exceed 2σ_gap (≈ ${(0.0455 * a.cellCount).toFixed(1)} expected by chance). Per loss: ` +
    `${perLoss}. Trend ${trendText("width", a.width, (w) => `width ${w}`)}; ${
      trendText("epochs", a.epochs, (e) => `${e} epochs`)
    }.`;
}

/** What {@link trainingFitText} reads of a run. */
export interface FitRun {
  /** Final training accuracy in [0, 1]. */
  train_acc: number;
  /** The run's identity. */
  config: { loss: string; width: number; epochs: number; seed: number };
}

/**
 * How many runs fit their training set: "Training accuracy reached 100% in k of m runs" and,
 * if not all did, the lowest final training accuracies (at most `show`) with their runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainingFitText } from "./findings.ts";
 * const config = { loss: "fl", width: 64, epochs: 50, seed: 2 };
 * assert.equal(
 *   trainingFitText([{ train_acc: 1, config }, { train_acc: 0.9985, config }]),
 *   "Training accuracy reached 100% in 1 of 2 runs (lowest: fl w64 E50 seed 2 99.85%)",
 * );
 * ```
 */
export function trainingFitText(runs: readonly FitRun[], show = 4): string {
  const fitted = runs.filter((r) => r.train_acc === 1).length;
  const lowest = runs.filter((r) => r.train_acc < 1).sort((a, b) => a.train_acc - b.train_acc)
    .slice(0, show).map(({ config: c, train_acc }) =>
      `${c.loss} w${c.width} E${c.epochs} seed ${c.seed} ${(100 * train_acc).toFixed(2)}%`
    );
  return `Training accuracy reached 100% in ${fitted} of ${runs.length} runs` +
    (lowest.length > 0 ? ` (lowest: ${lowest.join(", ")})` : "");
}
