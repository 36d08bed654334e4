/**
 * The text report of `deno task solve`: one screen with the objective against the closed form,
 * convergence (loudly when not reached), norms, NC metrics ("undefined" where they are, never
 * NaN), the certificate, per-layer and per-class values and the restart outcomes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solveUfm } from "./solve.ts";
 * import { formatSolveReport } from "./format.ts";
 * const report = solveUfm({ K: 3, n: 2, d: 4, lambdaW: 2, lambdaH: 2, lambdaB: 0, bias: "none",
 *   norm: "tb", loss: "mse", targetScale: 1 }); // past the zero threshold
 * const text = formatSolveReport(report);
 * assert.match(text, /NC metrics\s+undefined \(zero solution\)/);
 * assert.doesNotMatch(text, /NaN/);
 * ```
 * @module
 */
import type { RestartReport } from "./restarts.ts";
import type { SolveReport } from "./solve.ts";

/** The text report (see the module notes). */
export function formatSolveReport(report: SolveReport | RestartReport): string {
  const fmt = (x: number | null): string =>
    x === null ? "—" : Number.isNaN(x) ? "undefined" : x.toPrecision(10);
  const t = report.theory;
  const m = report.metrics;
  const lines = [
    `objective      ${fmt(report.objective)}   theory ${t ? fmt(t.objective) : "none"}` +
    (report.objective_rel_error === null
      ? ""
      : `   rel. error ${report.objective_rel_error.toExponential(2)}`),
    `path           ${
      report.reduction
        ? `class-reduced: ${report.reduction.reduced_samples} of ${report.problem.samples} ` +
          `samples (÷${report.reduction.factor}), lifted; ${report.reduction.note}`
        : "full problem"
    }`,
    `iterations     ${report.iterations}   ‖∇f‖ ${report.grad_norm.toExponential(2)}   ` +
    `converged ${report.converged}   ${report.seconds.toFixed(3)} s` +
    (report.converged
      ? ""
      : `   NOT CONVERGED (‖∇f‖ above tol ${report.settings.tol}: raise --iters or --tol)`),
    `‖h̄_k‖² mean    ${fmt(report.norms.h_mean_sq)}   theory ${t ? fmt(t.h_mean_sq) : "—"}`,
    `‖w_k‖² mean    ${fmt(report.norms.w_row_sq)}   theory ${t ? fmt(t.w_row_sq) : "—"}`,
    `structure      ${t ? t.structure : "no closed form"}` +
    (t?.kind === "mse"
      ? `   c = ${fmt(t.c)}`
      : t?.kind === "softmax"
      ? `   margin m* = ${fmt(t.margin)}`
      : t?.kind === "deep-linear"
      ? `   κ = ${fmt(t.kappa)}   κ*_${t.factors} = ${fmt(t.kappa_star)}   x* = ${fmt(t.x)}`
      : ""),
    report.metrics_note
      ? `NC metrics     ${report.metrics_note}`
      : `NC1 ${fmt(m.nc1)}  NC2 ETF ${fmt(m.nc2_etf)}  NC2 OF ${fmt(m.nc2_of)}  ` +
        `NC2(W) ETF ${fmt(m.nc2_w_etf)}  NC2(W) OF ${fmt(m.nc2_w_of)}  NC3 ${fmt(m.nc3)}`,
  ];
  if (report.step_halvings) {
    lines.push(
      `step size      halved ${report.step_halvings}× after divergence (restarted from the ` +
        `initialization): lr ${report.settings.lr} → ${report.final_lr}`,
    );
  }
  const c = report.certificate;
  if (c) {
    lines.push(
      `certificate    ${c.classification}   λ_min(∇²f) ${
        c.smallest_eigenvalues.map((value) => value.toExponential(3)).join(", ")
      } (Lanczos, ${c.lanczos_steps} steps${
        report.path === "reduced" ? ", on the class-reduced problem" : ""
      })` +
        (c.negative_curvature === null ? "" : `   negative curvature ${fmt(c.negative_curvature)}`),
    );
  }
  if (t?.note) lines.push(`theory note    ${t.note}`);
  if (t?.per_class && report.problem.counts !== undefined) {
    const list = (values: number[]) => values.map((value) => fmt(value)).join(", ");
    lines.push(
      `per class      n_k ${report.problem.class_counts.join(", ")}`,
      `‖h̄_k‖²         ${list(report.norms.h_class_sq)}   theory ${list(t.per_class.h_mean_sq)}`,
      `‖w_k‖²         ${list(report.norms.w_class_sq)}   theory ${list(t.per_class.w_row_sq)}`,
    );
  }
  if (report.multilabel) {
    const ml = report.multilabel;
    lines.push(
      `multi-label    tag-wise cos min ${fmt(ml.tagwise_cosine_min)}   c_m ${
        Object.entries(ml.scale_by_multiplicity).map(([m, c]) =>
          `m=${m}: ${fmt(c.mean)} [${fmt(c.min)}, ${fmt(c.max)}]`
        ).join("; ")
      }   NC1(m1) ${fmt(ml.nc1_m1)}`,
    );
  }
  if (report.minority) {
    const minority = report.minority;
    lines.push(
      `minority       classes ${minority.classes.join(", ")} (ratio ${
        fmt(minority.imbalance_ratio)
      })` +
        `   mean cos(w_k, w_l) ${fmt(minority.classifier_cosine)}`,
    );
  }
  if (report.layers) {
    const layers = report.layers;
    for (const layer of layers.features) {
      lines.push(
        `${layer.name.padEnd(14)} NC1 ${fmt(layer.nc1)}  OF dist. ${fmt(layer.nc2_of)}  ` +
          `mean ‖h̄_k‖² ${fmt(layer.mean_sq)}  cos(h̄_k, h̄_l) ∈ [${fmt(layer.cosine_min)}, ` +
          `${fmt(layer.cosine_max)}]`,
      );
    }
    lines.push(
      `classifier     alignment with H̄ ${fmt(layers.classifier_alignment)}  ` +
        `OF dist. of W Wᵀ ${fmt(layers.classifier_of)}  of W H̄ ${fmt(layers.logits_of)}`,
    );
  }
  if ("restarts" in report) {
    const r = report.restarts;
    lines.push(
      `restarts       ${r.count}   best seed ${r.best_seed}   ` +
        (r.fraction_at_theory === null
          ? ""
          : `reached f* (rel. ${r.tolerance.toExponential(0)}): ${
            (100 * r.fraction_at_theory).toFixed(0)
          }%   `) +
        `objectives min ${fmt(Math.min(...r.objectives))} max ${fmt(Math.max(...r.objectives))}` +
        (r.failures.length ? `   failed: ${r.failures.length}` : ""),
      `outcomes       ${
        Object.entries(r.outcome_counts).map(([name, count]) => `${name} ${count}`).join(", ")
      }`,
      `end values     ${
        r.distinct.map((end) =>
          `${fmt(end.objective)} ×${end.count} (${end.outcome}` +
          Object.keys(end.classifications).map((verdict) => `, ${verdict}`).join("") + ")"
        ).join("; ")
      }` + (r.stopped_by === "count" ? "" : `   stopped: ${r.stopped_by}`),
    );
  }
  return lines.join("\n");
}
