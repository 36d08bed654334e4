// Each peer convention has its own key: numbers computed from the peers' published formulas
// (tests/fixtures/make_convention_fixtures.py: rhubarbwu/neural-collapse, the Papyan colab,
// tding1) on imbalanced classes, where the sample mean and the mean of class means differ.
import assert from "node:assert/strict";
import { readNpy } from "../lib/io/npy.ts";
import { Matrix } from "../lib/matrix.ts";
import { metricDefinitions, type NcMetrics, ncMetrics } from "../lib/metrics/mod.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const expected = JSON.parse(
  await Deno.readTextFile(new URL("expected_conventions.json", fixtures)),
);

async function metricsOf(options: { cdnvExponent?: number } = {}): Promise<NcMetrics> {
  const read = (name: string) => readNpy(new URL(name, fixtures));
  const [x, y, w, b] = await Promise.all(
    [expected.features, expected.labels, expected.weights, expected.bias].map(read),
  );
  return ncMetrics({
    features: Matrix.from(x.shape[0], x.shape[1], x.data),
    labels: y.data,
    weights: Matrix.from(w.shape[0], w.shape[1], w.data),
    bias: b.data,
  }, options);
}

function close(actual: number | null, value: number, what: string): void {
  assert.ok(actual !== null, `${what} is null`);
  assert.ok(
    Math.abs(actual - value) <= 1e-9 * Math.abs(value) + 1e-14,
    `${what}: ${actual} vs ${value}`,
  );
}

Deno.test("rhubarbwu's measures (mean of class means) each have a key that reproduces them", async () => {
  const metrics = await metricsOf();
  const peer = expected.rhubarbwu;
  close(metrics.nc1_mean_of_means, peer.nc1_pinv, "nc1_pinv");
  close(metrics.nc1_mean_of_means, peer.nc1_svd, "nc1_svd (full rank K−1)");
  close(metrics.nc1_quotient_mean_of_means, peer.nc1_quot, "nc1_quot");
  close(metrics.cdnv, peer.nc1_cdnv, "nc1_cdnv");
  assert.equal(metrics.cdnv_distance_exponent, 1);
  close(metrics.nc2_etf, peer.nc2_etf_err, "nc2_etf_err");
  close(metrics.uniformity_dist_var, peer.nc2g_dist, "nc2g_dist");
  close(metrics.uniformity_dist_mean, peer.nc2g_dist_mean, "dist kernel mean");
  close(metrics.uniformity_log_var, peer.nc2g_log, "nc2g_log");
  close(metrics.uniformity_log_mean, peer.nc2g_log_mean, "log kernel mean");
  close(metrics.uniformity_riesz_mean, peer.riesz_mean, "riesz mean");
  close(metrics.uniformity_riesz_var, peer.riesz_var, "riesz variance");
  assert.equal(metrics.uniformity_riesz_s, peer.riesz_s);
  close(metrics.nc3_mean_of_means, peer.nc3_dual_err, "nc3_dual_err");
  close(metrics.unc3, peer.nc3u_uni_dual, "nc3u_uni_dual");
  close(metrics.ncc_agreement_no_bias, peer.nc4_agree, "nc4_agree");
  const squared = await metricsOf({ cdnvExponent: 2 });
  close(squared.cdnv, peer.nc1_cdnv_dist_exp_2, "nc1_cdnv, dist_exp = 2");
  assert.equal(squared.cdnv_distance_exponent, 2);
});

Deno.test("Papyan colab, tding1 and NCC accuracy keys; the two global means really differ here", async () => {
  const metrics = await metricsOf();
  close(metrics.sw_invsb_papyan, expected.papyan.Sw_invSb, "Sw_invSb");
  close(metrics.ncc_mismatch, expected.papyan.NCC_mismatch, "NCC_mismatch");
  close(metrics.nc1, expected.tding1.collapse_metric, "collapse_metric");
  close(metrics.nc3, expected.tding1.WH_relation_metric, "WH_relation_metric");
  close(metrics.ncc_accuracy, expected.ncc_accuracy, "NCC accuracy");
  assert.ok(expected.sample_mean_differs_by > 0.5);
  assert.ok(Math.abs(metrics.nc1 - metrics.nc1_mean_of_means) > 0.01 * metrics.nc1);
  // Every scalar key states its centring (what --help and the JSON print).
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === "number" || value === null) {
      assert.ok(key in metricDefinitions, `no definition for ${key}`);
      assert.ok(metricDefinitions[key].centring.length > 0);
    }
  }
});
