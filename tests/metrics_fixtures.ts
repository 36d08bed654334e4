/**
 * Test helpers shared by the metrics tests: the numpy fixtures of
 * tests/fixtures/expected_metrics.json (make_fixtures.py) loaded as `NcInput`, and exact
 * simplex-ETF vertices in R^d.
 *
 * @example
 * ```ts
 * import { embeddedEtf, fixtureSpecs, loadFixture } from "./metrics_fixtures.ts";
 * const input = await loadFixture(fixtureSpecs.unbalanced);
 * const vertices = embeddedEtf(4, 6, 1); // 4 unit vectors in R^6 with pairwise cosine −1/3
 * ```
 * @module
 */
import { readNpy } from "../lib/io/npy.ts";
import { Matrix } from "../lib/matrix.ts";
import type { FeatureLayout, NcInput } from "../lib/metrics/mod.ts";
import { Rng } from "../lib/rng.ts";

const fixtures = new URL("./fixtures/", import.meta.url);

/** One dataset of expected_metrics.json. */
export interface FixtureSpec {
  features: string;
  labels: string;
  weights?: string;
  bias?: string;
  layout: FeatureLayout;
  metrics: Record<string, number | null>;
  per_class: Record<string, number[] | null>;
}

/** The datasets of expected_metrics.json by name. */
export const fixtureSpecs: Record<string, FixtureSpec> = (JSON.parse(
  await Deno.readTextFile(new URL("expected_metrics.json", fixtures)),
) as { datasets: Record<string, FixtureSpec> }).datasets;

/** The arrays of a fixture dataset as in-memory metrics input (labels as a Float64Array). */
export async function loadFixture(spec: FixtureSpec): Promise<NcInput & { labels: Float64Array }> {
  const read = (name: string, rank: number) => readNpy(new URL(name, fixtures), { rank });
  const features = await read(spec.features, 2);
  const labels = await read(spec.labels, 1);
  const weights = spec.weights ? await read(spec.weights, 2) : null;
  const bias = spec.bias ? await read(spec.bias, 1) : null;
  return {
    features: Matrix.from(features.shape[0], features.shape[1], features.data),
    layout: spec.layout,
    labels: labels.data,
    weights: weights ? Matrix.from(weights.shape[0], weights.shape[1], weights.data) : null,
    bias: bias?.data ?? null,
  };
}

/** K unit simplex-ETF vertices embedded in R^d (d ≥ K) by a random orthonormal map. */
export function embeddedEtf(classes: number, dim: number, seed: number): number[][] {
  const rng = new Rng(seed);
  // Gram–Schmidt on random vectors gives K orthonormal rows e_k in R^d.
  const basis: number[][] = [];
  while (basis.length < classes) {
    const v = Array.from({ length: dim }, () => rng.normal());
    for (const e of basis) {
      const dot = v.reduce((sum, x, j) => sum + x * e[j], 0);
      for (let j = 0; j < dim; j++) v[j] -= dot * e[j];
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((x) => x / norm));
  }
  // ETF vertex k = e_k − mean_l e_l (scaled to unit norm).
  const scale = Math.sqrt(classes / (classes - 1));
  return basis.map((e) =>
    e.map((x, j) => scale * (x - basis.reduce((sum, f) => sum + f[j], 0) / classes))
  );
}
