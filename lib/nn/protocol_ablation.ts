/**
 * Panel d of figure B4 (docs/experiments.md#b4): the same network trained with B4's protocol
 * ("collapse": BatchNorm, lr 0.1, weight decay 5e-3) and with the plain scaled-down protocol of
 * docs/experiments.md#paper-b-cpu ("plain": no BatchNorm, lr 0.05, weight decay 5e-4), one run
 * per loss, so that every build measures how much of the collapse the protocol makes. Rows,
 * summaries, the text and the chart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protocolText, type ProtocolSummary } from "./protocol_ablation.ts";
 * const run = (drop: number): ProtocolSummary => ({ nc1_drop_from_peak: drop,
 *   nc1_drop_after_100: null, nc1_final: 0.01, train_acc: 1, test_acc: 0.97 });
 * assert.equal(
 *   protocolText({ CE: { collapse: run(250), plain: run(3.4) } }),
 *   "plain: no BatchNorm, lr 0.05, wd 5e-4: CE ×3.4; B4: BatchNorm, lr 0.1, wd 5e-3: CE ×250",
 * );
 * ```
 * @module
 */
import { lineChart } from "../plot/charts.ts";
import type { FigureRow } from "../plot/csv.ts";
import type { SeriesOptions } from "../plot/layout.ts";
import type { FigureSpec } from "../plot/write_figure.ts";
import type { TrainConfig } from "./config.ts";
import { epochPanelAxes, type LossLabel } from "./loss_grid_figure.ts";
import type { TrainResult } from "./train.ts";

/** B4's protocol ("collapse") or the plain scaled-down one. */
export type Protocol = "collapse" | "plain";

/** The protocols in legend order (B4's, drawn solid, first). */
export const PROTOCOLS: readonly Protocol[] = ["collapse", "plain"];

/** Legend label of each protocol. */
export const protocolLabels: Readonly<Record<Protocol, string>> = {
  collapse: "B4: BatchNorm, lr 0.1, wd 5e-3",
  plain: "plain: no BatchNorm, lr 0.05, wd 5e-4",
};

/**
 * What each protocol changes in B4's settings (lib/experiments/paper_b_losses.ts
 * `lossGridProtocol`, which is the "collapse" protocol).
 */
export const protocolSettings: Readonly<Record<Protocol, Partial<TrainConfig>>> = {
  collapse: {},
  plain: { batchNorm: false, lr: 0.05, wd: 5e-4 },
};

/** The end of one run of the comparison. */
export interface ProtocolSummary {
  /** NC1 peak / final (null: undefined). */
  nc1_drop_from_peak: number | null;
  /** NC1 fall after 100% training accuracy (null: never reached). */
  nc1_drop_after_100: number | null;
  /** Final NC1. */
  nc1_final: number | null;
  /** Final training accuracy. */
  train_acc: number;
  /** Final test accuracy. */
  test_acc: number;
}

/** The {@link ProtocolSummary} of a run. */
export function protocolSummary(
  run: Pick<TrainResult, "terminal" | "train_acc" | "test_acc">,
): ProtocolSummary {
  return {
    nc1_drop_from_peak: run.terminal.nc1_drop,
    nc1_drop_after_100: run.terminal.nc1_drop_in_tpt,
    nc1_final: run.terminal.nc1_final,
    train_acc: run.train_acc,
    test_acc: run.test_acc,
  };
}

/** Rows `{ kind: "ablation", loss, protocol, epoch, value: NC1 }` of one run (NC1 ≤ 0: null). */
export function protocolRows(
  label: string,
  protocol: Protocol,
  run: Pick<TrainResult, "evals">,
  blank: FigureRow,
): FigureRow[] {
  return run.evals.map((e) => ({
    ...blank,
    kind: "ablation",
    loss: label,
    protocol: protocolLabels[protocol],
    epoch: e.epoch,
    value: e.nc1 !== null && e.nc1 > 0 ? e.nc1 : null,
  }));
}

/**
 * Each protocol's NC1 falls as "protocol: CE ×3.4, LS ×…", the plain protocol first, one factor
 * per loss (keyed by legend label) with one decimal below 10.
 */
export function protocolText(
  byLoss: Readonly<Record<string, Readonly<Record<Protocol, ProtocolSummary>>>>,
): string {
  return [...PROTOCOLS].reverse().map((protocol) =>
    `${protocolLabels[protocol]}: ` + Object.entries(byLoss).map(([label, summaries]) => {
      const drop = summaries[protocol].nc1_drop_from_peak;
      return `${label} ×${drop === null ? "-" : drop.toFixed(drop < 10 ? 1 : 0)}`;
    }).join(", ")
  ).join("; ");
}

/** Rows, summaries (keyed by legend label) and text of the comparison, one run per loss. */
export function compareProtocols(
  losses: readonly LossLabel[],
  runOf: (loss: string, protocol: Protocol) => TrainResult,
  blank: FigureRow,
): {
  rows: FigureRow[];
  byLoss: Record<string, Record<Protocol, ProtocolSummary>>;
  text: string;
} {
  const rows: FigureRow[] = [];
  const byLoss: Record<string, Record<Protocol, ProtocolSummary>> = {};
  for (const { loss, label } of losses) {
    const [collapse, plain] = PROTOCOLS.map((protocol) => {
      const run = runOf(loss, protocol);
      rows.push(...protocolRows(label, protocol, run, blank));
      return protocolSummary(run);
    });
    byLoss[label] = { collapse, plain };
  }
  return { rows, byLoss, text: protocolText(byLoss) };
}

/** The run both protocols train: its width, epoch budget and seed (the chart's title). */
export interface ProtocolRun {
  /** Hidden width. */
  width: number;
  /** Epoch budget. */
  epochs: number;
  /** Training seed. */
  seed: number;
}

/** Panel d: NC1 vs epoch per loss, B4's protocol solid and the plain one dashed. */
export function protocolChart(
  run: ProtocolRun,
  losses: readonly LossLabel[],
  series: SeriesOptions,
): FigureSpec {
  return lineChart({
    title: `d · NC1 at width ${run.width}, ${run.epochs} epochs, seed ${run.seed}: B4's ` +
      "protocol (solid) vs the plain scaled-down one (dashed)",
    filter: "datum.kind === 'ablation'",
    ...epochPanelAxes(series),
    x: "epoch",
    facet: "loss",
    facetSort: losses.map((l) => l.label),
    y: "value",
    yTitle: "NC1 (log)",
    logY: true,
    independentY: false,
    columns: 4,
    width: 150,
    height: 130,
    strokeDash: "protocol",
    strokeDashTitle: "protocol",
    strokeDashSort: PROTOCOLS.map((protocol) => protocolLabels[protocol]),
    strokeDashLegend: { symbolType: "stroke", labelLimit: 400 },
  });
}
