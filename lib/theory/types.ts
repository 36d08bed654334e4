/**
 * The one interface every closed-form prediction of a UFM global minimizer shares, so reports,
 * restarts and figures read any theory the same way (lib/theory/mse.ts, softmax.ts,
 * deep_linear.ts).
 * @module
 */

/** A predicted global minimizer. */
export interface ClosedForm {
  /** Optimal objective f*. */
  objective: number;
  /** True when every factor vanishes at the minimizer. */
  zero_solution: boolean;
  /** Geometry of the uncentered class means of the penultimate features. */
  structure: string;
  /** Mean over classes of ‖h̄_k‖² (penultimate features, uncentered). */
  h_mean_sq: number;
  /** Mean over classes of ‖h̄_k − h_G‖² (h_G = mean of class means). */
  h_centered_sq: number;
  /** Mean over classes of ‖w_k‖² (classifier rows). */
  w_row_sq: number;
  /** Common bias entry b*_k (0 without bias). */
  bias: number;
  /** Per-class values where classes differ (imbalanced problems). */
  per_class?: PerClassPrediction;
  /** Critical values of rank-deficient points (restart outcome classes f_j), if known. */
  rank_values?: number[];
  /** Where the prediction is used beyond its derivation. */
  note?: string;
}

/** Per-class predictions (index = class). */
export interface PerClassPrediction {
  /** ‖h̄_k‖² of the penultimate features. */
  h_mean_sq: number[];
  /** ‖w_k‖² of the classifier rows. */
  w_row_sq: number[];
  /** True where class k's mean and classifier row are exactly 0 (minority collapse). */
  collapsed: boolean[];
  /** b*_k where the bias differs per class (a free bias with imbalanced classes: s·n_k/N). */
  bias?: number[];
}
