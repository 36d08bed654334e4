// Public surface of the ufmlab WebAssembly core. Every kernel takes raw addresses into this
// module's memory; lib/core/wasm.ts types them and lib/matrix.ts hands them out.
export { alloc, free } from "./memory";
export { gemm_ref_f64, gemm_ref_f32 } from "./gemm_ref";
export {
  gemm_f64, gemm_f32, gemm_path, gemm_part_f64, gemm_part_f32, thread_init, thread_scratch_bytes,
  gemm_fma_f64, gemm_fma_f32, gemm_fma_part_f64, gemm_fma_part_f32,
} from "./gemm";
export {
  opt_step_f64, opt_step_f32, opt_step_ref_f64, opt_step_ref_f32,
} from "./ufm";
export {
  class_sums_f64, class_sums_ref_f64, center_by_class_f64, center_by_class_ref_f64,
  class_sq_dev_f64, class_sq_dev_ref_f64,
} from "./stats";
export {
  loss_softmax_f64, loss_softmax_f32, loss_softmax_ref_f64, loss_softmax_ref_f32,
  loss_softmax_part_f64, loss_softmax_part_f32, loss_softmax_reduce_f64, loss_softmax_reduce_f32,
  loss_mse_f64, loss_mse_f32, loss_mse_ref_f64, loss_mse_ref_f32,
} from "./losses";
export {
  vexp_f64, vexp_f32, vlog_f64, vlog_f32, vlog1p_f64, vpow_f64, vpow_f32,
} from "./vmath";
export {
  relu_f64, relu_f32, relu_ref_f64, relu_ref_f32,
  relu_backward_f64, relu_backward_f32, relu_backward_ref_f64, relu_backward_ref_f32,
} from "./activations";
export {
  bias_act_f64, bias_act_f32, bias_act_ref_f64, bias_act_ref_f32,
  mask_row_sums_f64, mask_row_sums_f32, mask_row_sums_ref_f64, mask_row_sums_ref_f32,
  scale_f64, scale_f32, scale_ref_f64, scale_ref_f32,
  sum_sq_f64, sum_sq_f32, sum_sq_ref_f64, sum_sq_ref_f32,
} from "./nn";
export {
  loss_soft_ce_f64, loss_soft_ce_f32, loss_soft_ce_ref_f64, loss_soft_ce_ref_f32,
} from "./soft_targets";
export {
  unit_rows_project_f64, unit_rows_project_f32, unit_rows_project_ref_f64, unit_rows_project_ref_f32,
  unit_rows_normalize_f64, unit_rows_normalize_f32, unit_rows_normalize_ref_f64,
  unit_rows_normalize_ref_f32,
  unit_cols_project_f64, unit_cols_project_f32, unit_cols_project_ref_f64, unit_cols_project_ref_f32,
  unit_cols_normalize_f64, unit_cols_normalize_f32, unit_cols_normalize_ref_f64,
  unit_cols_normalize_ref_f32,
} from "./sphere";
export {
  im2col_3x3_f64, im2col_3x3_f32, im2col_3x3_ref_f64, im2col_3x3_ref_f32,
  col2im_3x3_f64, col2im_3x3_f32, col2im_3x3_ref_f64, col2im_3x3_ref_f32,
  maxpool_2x2_f64, maxpool_2x2_f32, maxpool_2x2_ref_f64, maxpool_2x2_ref_f32,
  maxpool_2x2_backward_f64, maxpool_2x2_backward_f32,
  maxpool_2x2_backward_ref_f64, maxpool_2x2_backward_ref_f32,
} from "./conv";
export { opt_step_chunks_f64, opt_step_chunks_f32 } from "./opt_chunks";
export { dot_f64, dot_ref_f64, axpy_f64, axpy_ref_f64 } from "./vectors";
