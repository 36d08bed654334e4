// Generalized-NC metrics (Jiang et al. 2024; Yaras et al. 2022; docs/metrics.md#gnc): GNC2 as the
// one-vs-rest margin of the classifier and of the class means, GNC3, Yaras' NC3 on uncentred
// means, and `metrics --normalize` (GNC1: NC1 of L2-normalized features).
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeNpy } from "../lib/io/npy.ts";
import { Matrix } from "../lib/matrix.ts";
import { GNC_MARGIN_MAX_CLASSES } from "../lib/metrics/duality.ts";
import { ncMetrics } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/rng.ts";
import { runScript } from "./run_script.ts";

/** Rows of the unit simplex ETF of K vectors in R^K. */
function etfRows(K: number): number[][] {
  const scale = Math.sqrt(K / (K - 1));
  return Array.from(
    { length: K },
    (_, k) => Array.from({ length: K }, (_, j) => scale * ((k === j ? 1 : 0) - 1 / K)),
  );
}

Deno.test("GNC metrics on a collapsed simplex ETF: margin K/(K−1), GNC3 = 0, Yaras NC3 = 0", () => {
  const K = 4, n = 3;
  const W = etfRows(K);
  const features = W.flatMap((row) => Array.from({ length: n }, () => row.map((x) => 2 * x)));
  const labels = W.flatMap((_, k) => new Array(n).fill(k));
  const m = ncMetrics({
    features: Matrix.from(K * n, K, features.flat()),
    labels,
    weights: Matrix.from(K, K, W.flat()),
  });
  assert.ok(Math.abs(m.gnc2_margin_w! - K / (K - 1)) < 1e-12, `${m.gnc2_margin_w}`);
  assert.ok(Math.abs(m.gnc2_margin_means! - K / (K - 1)) < 1e-12);
  assert.ok(Math.abs(m.gnc3!) < 1e-12);
  assert.ok(Math.abs(m.nc3_uncentered!) < 1e-12);
  // A classifier that is not an ETF: one row bent towards another lowers the margin.
  const bent = W.map((row, k) => k === 0 ? row.map((x, j) => x + 0.5 * W[1][j]) : row);
  const m2 = ncMetrics({
    features: Matrix.from(K * n, K, features.flat()),
    labels,
    weights: Matrix.from(K, K, bent.flat()),
  });
  assert.ok(m2.gnc2_margin_w! < K / (K - 1) - 1e-3);
  assert.ok(m2.gnc3! > 1e-3);
});

Deno.test("GNC margins: exact at the class cap (simplex ETF), null above it, the rest computed", () => {
  for (const K of [GNC_MARGIN_MAX_CLASSES, GNC_MARGIN_MAX_CLASSES + 1]) {
    const W = etfRows(K);
    const m = ncMetrics({
      features: Matrix.from(K, K, W.flat()),
      labels: W.map((_, k) => k),
      weights: Matrix.from(K, K, W.flat()),
    });
    if (K <= GNC_MARGIN_MAX_CLASSES) {
      assert.ok(Math.abs(m.gnc2_margin_w! - K / (K - 1)) < 1e-9, `${m.gnc2_margin_w}`);
      assert.ok(Math.abs(m.gnc2_margin_means! - K / (K - 1)) < 1e-9, `${m.gnc2_margin_means}`);
    } else {
      assert.equal(m.gnc2_margin_w, null);
      assert.equal(m.gnc2_margin_means, null);
    }
    assert.ok(Math.abs(m.gnc3!) < 1e-9, `gnc3 ${m.gnc3}`);
  }
});

Deno.test("metrics --normalize: per-sample scaling no longer matters (GNC1)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ufmlab-gnc-" });
  try {
    const rng = new Rng(5);
    const K = 3, n = 20, d = 5;
    const centres = Array.from({ length: K }, () => Array.from({ length: d }, () => rng.normal()));
    const unit: number[] = [], scaled: number[] = [], labels: number[] = [];
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < n; i++) {
        const x = centres[k].map((c) => c + 0.3 * rng.normal());
        const norm = Math.hypot(...x);
        const factor = 0.1 + 10 * rng.uniform();
        unit.push(...x.map((v) => v / norm));
        scaled.push(...x.map((v) => (v / norm) * factor));
        labels.push(k);
      }
    }
    await writeNpy(join(dir, "unit.npy"), Float64Array.from(unit), [K * n, d]);
    await writeNpy(join(dir, "scaled.npy"), Float64Array.from(scaled), [K * n, d]);
    await writeNpy(join(dir, "y.npy"), Int32Array.from(labels), [K * n], "i4");
    const run = async (file: string, extra: string[]) => {
      const out = await runScript("scripts/metrics.ts", [
        "--features",
        join(dir, file),
        "--labels",
        join(dir, "y.npy"),
        "--json",
        ...extra,
      ]);
      assert.equal(out.code, 0, out.stderr);
      return JSON.parse(out.stdout).nc1 as number;
    };
    const reference = await run("unit.npy", []);
    const normalized = await run("scaled.npy", ["--normalize"]);
    const raw = await run("scaled.npy", []);
    assert.ok(Math.abs(normalized - reference) < 1e-12 * Math.max(1, reference));
    assert.ok(Math.abs(raw - reference) > 1e-3, "without --normalize the scaling changes NC1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
