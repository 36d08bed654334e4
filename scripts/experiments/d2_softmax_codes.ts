/**
 * Figure D2 — generalized neural collapse for K > d + 1 (Jiang et al. ICML 2024;
 * docs/sphere.md#gnc-problem): softmax codes, K unit vectors maximizing the one-vs-rest margin
 * ρ(W) = min_k dist(w_k, conv{w_j : j ≠ k}), the τ → ∞ limit of the spherical CE UFM. Left: the
 * codes found for d = 2 (K = 5, 7, 9): regular polygons. Middle: d = 3, K = 6 and 12, seen from
 * above (filled: upper half-sphere): the octahedron and the icosahedron. Right: the margin found
 * vs K for d = 2 and 3 against the known optimal codes (simplex ETF K/(K−1) for K ≤ d + 1,
 * polygons 1 − cos(2π/K), octahedron 1, icosahedron 1 − 1/√5).
 *
 *   npx deno task reproduce --only D2
 * @module
 */
import * as plot from "../../lib/plot/mod.ts";
import { type CodeCell, codeFinding } from "../../lib/experiments/findings_d.ts";
import { softmaxCode } from "../../lib/theory/softmax_code.ts";

const drawn = { 2: [5, 7, 9], 3: [6, 12] } as const;
const table = { 2: [3, 4, 5, 6, 7, 8, 9, 10], 3: [4, 5, 6, 7, 8, 9, 10, 11, 12] } as const;
const restarts = 8, tolerance = 1e-6;
const dim = plot.category("dim", { d2: "d = 2", d3: "d = 3" });
const half = plot.category("half", { upper: "z ≥ 0", lower: "z < 0" });

/** The best known margin of K unit vectors in R^d (null where no optimum is known). */
function knownMargin(d: number, K: number): number | null {
  if (K <= d + 1) return K / (K - 1); // simplex ETF
  if (d === 2) return 1 - Math.cos((2 * Math.PI) / K); // regular polygon
  if (d === 3 && K === 6) return 1; // octahedron
  if (d === 3 && K === 12) return 1 - 1 / Math.sqrt(5); // icosahedron
  return null;
}

const started = performance.now();
const rows: plot.FigureRow[] = [];
const cells: CodeCell[] = [];
for (const d of [2, 3] as const) {
  for (const K of table[d]) {
    console.error(`D2: d = ${d}, K = ${K}`);
    const code = softmaxCode({ d, K, seed: 1, restarts });
    const known = knownMargin(d, K);
    cells.push({ d, K, margin: code.margin, known });
    const at = { panel: "margin", K, ...dim.cell(d === 2 ? "d2" : "d3") };
    rows.push({ ...at, source: "solver", value: code.margin });
    if (known !== null) rows.push({ ...at, source: "known", value: known });
    if (!(drawn[d] as readonly number[]).includes(K)) continue;
    for (const w of code.W) {
      const where = { panel: `points_d${d}`, K: String(K), x: w[0], y: w[1] };
      rows.push(d === 2 ? where : { ...where, ...half.cell(w[2] >= 0 ? "upper" : "lower") });
    }
  }
}

const unitBox = (): { xDomain: [number, number]; yDomain: [number, number] } => ({
  xDomain: [-1.05, 1.05],
  yDomain: [-1.05, 1.05],
});
const square = { width: 200, height: 200 };
await plot.writeFigure({
  id: "D2",
  title: "D2 · Softmax codes (generalized neural collapse, K > d + 1): the codes and their margins",
  spec: plot.hconcat([
    plot.scatterChart({
      ...square,
      ...unitBox(),
      filter: "datum.panel === 'points_d2'",
      x: "x",
      y: "y",
      color: "K",
      colorTitle: "K",
      size: 70,
      xTitle: "w₁",
      yTitle: "w₂",
      title: "d = 2: regular polygons",
    }),
    plot.scatterChart({
      ...square,
      ...unitBox(),
      filter: "datum.panel === 'points_d3'",
      x: "x",
      y: "y",
      color: "K",
      colorTitle: "K",
      shape: half,
      size: 70,
      xTitle: "w₁",
      yTitle: "w₂",
      title: "d = 3: octahedron, icosahedron",
    }),
    plot.theoryOverlay({
      width: 260,
      height: 220,
      filter: "datum.panel === 'margin'",
      x: "K",
      color: dim,
      colorTitle: null,
      theory: "solver",
      measured: "known",
      yTitle: "one-vs-rest margin ρ",
      title: "Margin found (lines) vs known optima (circles)",
    }),
  ], {
    subtitle:
      `Riemannian ascent on a smoothed max-min, ${restarts} restarts per (d, K); exact ρ by Wolfe's minimum-norm point`,
  }),
  rows,
  meta: {
    paper: "D",
    claim: "As the temperature grows, the spherical CE UFM's classifier tends to a softmax code: " +
      "K unit vectors maximizing the one-vs-rest margin — the simplex ETF for K ≤ d + 1, the regular " +
      "polygon for d = 2, the cross-polytope for K = 2d (docs/sphere.md#margins).",
    measured: codeFinding(cells, tolerance),
    command: "npx deno task reproduce --only D2",
    theoryErrors: {
      max_abs: Math.max(
        ...cells.flatMap((c) => c.known === null ? [] : [Math.abs(c.margin - c.known)]),
      ),
    },
    seconds: (performance.now() - started) / 1000,
    parameters: { table, drawn, restarts, tolerance, margins: cells },
  },
});
