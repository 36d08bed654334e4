// The measured sentences of C1 and C3 follow the data: each changes when the data contradicts
// the claim (lib/experiments/findings_c.ts).
import assert from "node:assert/strict";
import { minorityCollapseText, palText } from "../lib/experiments/findings_c.ts";

Deno.test("C1 text: merging, orthogonal and inconsistent-threshold cases read off the data", () => {
  const ratios = [1, 10, 100];
  const merging = minorityCollapseText({
    ratios,
    maxError: 0,
    losses: [{ label: "CE", norms: [5, 1, 0.5], cosines: [-0.1, 0.5, 0.9995] }],
  });
  assert.match(merging, /rises .* \(the minority classifiers merge\); they do not vanish/);
  const notMerging = minorityCollapseText({
    ratios,
    maxError: 0,
    losses: [{ label: "CE", norms: [5, 1, 0.5], cosines: [-0.1, 0.5, 0.2] }],
  });
  assert.match(notMerging, /is not monotone/);
  assert.doesNotMatch(notMerging, /merge/);
  const early = minorityCollapseText({
    ratios,
    maxError: 0,
    losses: [{ label: "MSE", norms: [1, 0, 0], cosines: [0, NaN, NaN], threshold: 45 }],
  });
  assert.match(early, /vanish from R = 10 on \(closed form: R\* = 45\.0, INCONSISTENT\)/);
});

Deno.test("C3 text: tag-wise averages and the ETF hold or not, c_2's trend from the data", () => {
  const base = { lambdas: [1e-3, 1e-2], spread: [0, 0], etf: [1e-12, 2e-12], finalNc1: 1e-30 };
  const holds = palText({ ...base, cosine: [1, 1], mean: [1.5, 1.8] });
  assert.match(holds, /^At every λ.*a simplex ETF \(largest ETF distance 2\.0e-12\).*rises/);
  assert.match(
    palText({ ...base, cosine: [1, 0.99], mean: [1.8, 1.5] }),
    /^NOT at every λ.*falls/,
  );
  assert.match(
    palText({ ...base, etf: [1e-12, 0.2], cosine: [1, 1], mean: [1.5, 1.5] }),
    /NOT a simplex ETF/,
  );
});
