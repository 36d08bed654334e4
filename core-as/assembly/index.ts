// Public surface of the ufmlab WebAssembly core. Every kernel takes raw addresses into this
// module's memory; lib/core/wasm.ts types them and lib/matrix.ts hands them out.
export { alloc, free } from "./memory";
export { gemm_ref_f64, gemm_ref_f32 } from "./gemm_ref";
export { gemm_f64, gemm_f32 } from "./gemm";
