// SIMD exponential for the softmax losses. exp(x) = 2^k · e^r with k = round(x / ln 2) and
// r = x − k·ln 2 ∈ [−ln2/2, ln2/2] (Cody–Waite split of ln 2), e^r by its Taylor series
// (degree 13 for f64: truncation < 4e-18; degree 7 for f32: < 6e-9), 2^k built in the
// exponent bits. Inputs are clamped below (−708 f64, −87 f32) so 2^k stays normal: the
// softmax only ever feeds x = z − max z ≤ 0, where e^x < 1e-307 is negligible against e^0 = 1.
// No fused multiply-add, so results are bitwise reproducible.

const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;

@inline
export function exp_f64x2(x: v128): v128 {
  x = f64x2.min(f64x2.max(x, f64x2.splat(-708.0)), f64x2.splat(709.0));
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  const r = f64x2.sub(
    f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))),
    f64x2.mul(k, f64x2.splat(LN2_LO)),
  );
  // Horner: Σ_{i=0}^{13} r^i / i!
  let p = f64x2.splat(1.6059043836821613e-10); // 1/13!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.08767569878681e-9)); // 1/12!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.505210838544172e-8)); // 1/11!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.755731922398589e-7)); // 1/10!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.7557319223985893e-6)); // 1/9!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.48015873015873e-5)); // 1/8!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.984126984126984e-4)); // 1/7!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.388888888888889e-3)); // 1/6!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(8.333333333333333e-3)); // 1/5!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(4.1666666666666664e-2)); // 1/4!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.16666666666666666)); // 1/3!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return f64x2.mul(p, scale);
}

const LOG2E_F: f32 = 1.44269504;
const LN2_HI_F: f32 = 0.693145751953125;
const LN2_LO_F: f32 = 1.428606765330187e-6;

@inline
export function exp_f32x4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const k = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E_F)));
  const r = f32x4.sub(
    f32x4.sub(x, f32x4.mul(k, f32x4.splat(LN2_HI_F))),
    f32x4.mul(k, f32x4.splat(LN2_LO_F)),
  );
  let p = f32x4.splat(1.984127e-4); // 1/7!
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3888889e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.333333e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1666668e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.16666667));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** exp of n f64 values from src into dst (for tests of exp_f64x2; n even or odd). */
export function vexp_f64(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    v128.store(dst + (<usize>i << 3), exp_f64x2(v128.load(src + (<usize>i << 3))));
  }
  if (i < n) {
    const last = exp_f64x2(f64x2.splat(load<f64>(src + (<usize>i << 3))));
    store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(last, 0));
  }
}

/** exp of n f32 values from src into dst (for tests of exp_f32x4). */
export function vexp_f32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(dst + (<usize>i << 2), exp_f32x4(v128.load(src + (<usize>i << 2))));
  }
  for (; i < n; i++) {
    const last = exp_f32x4(f32x4.splat(load<f32>(src + (<usize>i << 2))));
    store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(last, 0));
  }
}
