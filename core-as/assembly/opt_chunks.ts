// The fused optimizer step (ufm.ts opt_step) over fixed chunks of a large parameter block, for
// threads (lib/core/split.ts): chunk c covers elements [c·OPT_CHUNK, (c+1)·OPT_CHUNK). Each
// chunk's ‖g‖² and ‖θ‖² go to partials[2c], partials[2c+1] (f64); the host adds them in chunk
// order. The updates are elementwise, so they do not depend on the chunking; the sums of
// squares depend only on the chunk size, which is fixed — not on the thread count.

import { opt_step_f32, opt_step_f64 } from "./ufm";

/** Elements per chunk (256 KiB of f32). lib/core/split.ts uses the same value. */
export const OPT_CHUNK: i32 = 65536;

/** opt_step_f64 on chunks c0 ≤ c < c1 of a block of `len` elements (see the header). */
export function opt_step_chunks_f64(
  len: i32, param: usize, grad: usize, velocity: usize,
  lambda: f64, lr: f64, mu: f64, mode: i32, partials: usize, c0: i32, c1: i32,
): f64 {
  for (let c = c0; c < c1; c++) {
    const start = <usize>c * <usize>OPT_CHUNK;
    const count = min(OPT_CHUNK, len - c * OPT_CHUNK);
    const stats = partials + (<usize>c << 4);
    store<f64>(stats, 0);
    store<f64>(stats, 0, 8);
    opt_step_f64(count, param + (start << 3), grad + (start << 3),
      velocity == 0 ? 0 : velocity + (start << 3), lambda, lr, mu, mode, stats);
  }
  return 0;
}

/** f32 version of {@link opt_step_chunks_f64}. */
export function opt_step_chunks_f32(
  len: i32, param: usize, grad: usize, velocity: usize,
  lambda: f32, lr: f32, mu: f32, mode: i32, partials: usize, c0: i32, c1: i32,
): f64 {
  for (let c = c0; c < c1; c++) {
    const start = <usize>c * <usize>OPT_CHUNK;
    const count = min(OPT_CHUNK, len - c * OPT_CHUNK);
    const stats = partials + (<usize>c << 4);
    store<f64>(stats, 0);
    store<f64>(stats, 0, 8);
    opt_step_f32(count, param + (start << 2), grad + (start << 2),
      velocity == 0 ? 0 : velocity + (start << 2), lambda, lr, mu, mode, stats);
  }
  return 0;
}
