// SIMD exponential, logarithm and power for the softmax losses (losses.ts).
//
// Exponential. exp(x) = 2^k · e^r with k = round(x / ln 2) and
// r = x − k·ln 2 ∈ [−ln2/2, ln2/2] (Cody–Waite split of ln 2), e^r by its Taylor series
// (degree 13 for f64: truncation < 4e-18; degree 7 for f32: < 6e-9), 2^k built in the
// exponent bits. Inputs are clamped below (−708 f64, −87 f32) so 2^k stays normal: the
// softmax only ever feeds x = z − max z ≤ 0, where e^x < 1e-307 is negligible against e^0 = 1.
// No fused multiply-add, so results are bitwise reproducible.
// Accuracy (tests/losses_test.ts, against Math.exp over [−80, 10]): relative error < 1e-15 (f64),
// < 5e-7 (f32).

const LOG2E: f64 = 1.4426950408889634;
// 1.5·2⁵² and 1.5·2²³: adding them to an integer-valued float leaves the integer in the low bits.
const MAGIC_F64: f64 = 6755399441055744.0;
const MAGIC_F32: f32 = 12582912.0;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;

// exp_f64x2's constants as splatted vectors in memory (see EXP_F32_TABLE). Read-only.
const EXP_F64_TABLE: usize = memory.data<f64>([
  -708.0, -708.0, 709.0, 709.0, LOG2E, LOG2E, LN2_HI, LN2_HI, LN2_LO, LN2_LO,
  1.6059043836821613e-10, 1.6059043836821613e-10, // 1/13!
  2.08767569878681e-9, 2.08767569878681e-9, // 1/12!
  2.505210838544172e-8, 2.505210838544172e-8, // 1/11!
  2.755731922398589e-7, 2.755731922398589e-7, // 1/10!
  2.7557319223985893e-6, 2.7557319223985893e-6, // 1/9!
  2.48015873015873e-5, 2.48015873015873e-5, // 1/8!
  1.984126984126984e-4, 1.984126984126984e-4, // 1/7!
  1.388888888888889e-3, 1.388888888888889e-3, // 1/6!
  8.333333333333333e-3, 8.333333333333333e-3, // 1/5!
  4.1666666666666664e-2, 4.1666666666666664e-2, // 1/4!
  0.16666666666666666, 0.16666666666666666, // 1/3!
  0.5, 0.5, 1.0, 1.0, MAGIC_F64, MAGIC_F64,
], 16);

@inline
export function exp_f64x2(x: v128): v128 {
  const t = EXP_F64_TABLE;
  // pmin/pmax (one instruction each; min/max also order ±0 and NaN, which costs ~6): a NaN x
  // stays NaN, so its result is NaN either way.
  x = f64x2.pmin(f64x2.pmax(x, v128.load(t)), v128.load(t, 16));
  const k = f64x2.nearest(f64x2.mul(x, v128.load(t, 32)));
  const r = f64x2.sub(
    f64x2.sub(x, f64x2.mul(k, v128.load(t, 48))),
    f64x2.mul(k, v128.load(t, 64)),
  );
  // Horner: Σ_{i=0}^{13} r^i / i!
  let p = v128.load(t, 80);
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 96));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 112));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 128));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 144));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 160));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 176));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 192));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 208));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 224));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 240));
  p = f64x2.add(f64x2.mul(p, r), v128.load(t, 256));
  const one = v128.load(t, 272);
  p = f64x2.add(f64x2.mul(p, r), one);
  p = f64x2.add(f64x2.mul(p, r), one);
  // k as an integer: k + 1.5·2⁵² has k in its low mantissa bits (exact for |k| < 2⁵¹); cheaper
  // than trunc_sat, same value.
  const magic = v128.load(t, 288);
  const ki = i64x2.sub(f64x2.add(k, magic), magic);
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return f64x2.mul(p, scale);
}

const LOG2E_F: f32 = 1.44269504;
const LN2_HI_F: f32 = 0.693145751953125;
const LN2_LO_F: f32 = 1.428606765330187e-6;

// The f32 constants as splatted vectors in memory: one load each is cheaper than building a
// v128 constant in registers (measured: exp ~20% faster). Read-only.
const EXP_F32_TABLE: usize = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0,
  88.0, 88.0, 88.0, 88.0,
  LOG2E_F, LOG2E_F, LOG2E_F, LOG2E_F,
  LN2_HI_F, LN2_HI_F, LN2_HI_F, LN2_HI_F,
  LN2_LO_F, LN2_LO_F, LN2_LO_F, LN2_LO_F,
  1.984127e-4, 1.984127e-4, 1.984127e-4, 1.984127e-4,
  1.3888889e-3, 1.3888889e-3, 1.3888889e-3, 1.3888889e-3,
  8.333333e-3, 8.333333e-3, 8.333333e-3, 8.333333e-3,
  4.1666668e-2, 4.1666668e-2, 4.1666668e-2, 4.1666668e-2,
  0.16666667, 0.16666667, 0.16666667, 0.16666667,
  0.5, 0.5, 0.5, 0.5,
  1.0, 1.0, 1.0, 1.0,
  MAGIC_F32, MAGIC_F32, MAGIC_F32, MAGIC_F32,
], 16);

@inline
export function exp_f32x4(x: v128): v128 {
  const t = EXP_F32_TABLE;
  x = f32x4.pmin(f32x4.pmax(x, v128.load(t)), v128.load(t, 16));
  const k = f32x4.nearest(f32x4.mul(x, v128.load(t, 32)));
  const r = f32x4.sub(
    f32x4.sub(x, f32x4.mul(k, v128.load(t, 48))),
    f32x4.mul(k, v128.load(t, 64)),
  );
  let p = v128.load(t, 80); // 1/7!
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 96));
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 112));
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 128));
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 144));
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 160));
  const one = v128.load(t, 176);
  p = f32x4.add(f32x4.mul(p, r), one);
  p = f32x4.add(f32x4.mul(p, r), one);
  const magic = v128.load(t, 192);
  const ki = i32x4.sub(f32x4.add(k, magic), magic);
  const scale = i32x4.shl(i32x4.add(ki, i32x4.splat(127)), 23);
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

// ---------------------------------------------------------------------------------------------
// Logarithm (fdlibm's e_log.c / e_logf.c, vectorised). x = 2^k·m with m ∈ [√½, √2), f = m − 1,
// s = f/(2 + f): log(1 + f) = f − f²/2 + s·(f²/2 + R(s²)), R the minimax polynomial of fdlibm
// (degree 14 in s for f64, 8 for f32: error < 2^-58.45 and 2^-34.24), and k·ln 2 in two parts.
// Subnormal inputs are scaled by 2^54 (2^25) first; log 0 = −∞, log of a negative number or NaN
// = NaN, log ∞ = ∞. Division is the one exactly rounded SIMD division; no fused multiply-add.
// Accuracy (tests/losses_test.ts, against Math.log over [1e-300, 1e300] and the softmax range):
// < 1 ulp (relative error < 2.5e-16 f64, < 1.2e-7 f32).

const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;
const SQRT2: f64 = 1.4142135623730951;

// log_f64x2's constants as splatted vectors in memory (see EXP_F32_TABLE). Read-only.
const LOG_F64_TABLE: usize = memory.data<f64>([
  2.2250738585072014e-308, 2.2250738585072014e-308, 18014398509481984.0, 18014398509481984.0,
  54.0, 54.0, SQRT2, SQRT2, 0.5, 0.5, 1.0, 1.0, 2.0, 2.0,
  LG1, LG1, LG2, LG2, LG3, LG3, LG4, LG4, LG5, LG5, LG6, LG6, LG7, LG7, LN2_HI, LN2_HI,
  LN2_LO, LN2_LO,
], 16);

@inline
export function log_f64x2(x: v128): v128 {
  const t = LOG_F64_TABLE;
  // Subnormals: scale by 2^54 into the normal range.
  const tiny = f64x2.lt(x, v128.load(t));
  const bits = v128.bitselect(f64x2.mul(x, v128.load(t, 16)), x, tiny);
  // Exponent k (as f64) and mantissa m ∈ [1, 2).
  const exponent = i64x2.sub(i64x2.shr_u(bits, 52), i64x2.splat(1023));
  let m = v128.or(v128.and(bits, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  // Low 32 bits of each i64 lane → two i32 lanes → f64.
  let k = f64x2.convert_low_i32x4_s(i32x4.shuffle(exponent, exponent, 0, 2, 0, 2));
  k = f64x2.sub(k, v128.and(v128.load(t, 32), tiny));
  // m ∈ [√2, 2): halve it, k + 1.
  const big = f64x2.ge(m, v128.load(t, 48));
  const one = v128.load(t, 80);
  m = v128.bitselect(f64x2.mul(m, v128.load(t, 64)), m, big);
  k = f64x2.add(k, v128.and(one, big));
  const f = f64x2.sub(m, one);
  const s = f64x2.div(f, f64x2.add(v128.load(t, 96), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(v128.load(t, 128),
    f64x2.mul(w, f64x2.add(v128.load(t, 160), f64x2.mul(w, v128.load(t, 192))))));
  const t2 = f64x2.mul(z, f64x2.add(v128.load(t, 112), f64x2.mul(w, f64x2.add(v128.load(t, 144),
    f64x2.mul(w, f64x2.add(v128.load(t, 176), f64x2.mul(w, v128.load(t, 208))))))));
  const r = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(v128.load(t, 64), f64x2.mul(f, f));
  // k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)
  let y = f64x2.sub(
    f64x2.mul(k, v128.load(t, 224)),
    f64x2.sub(
      f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(k, v128.load(t, 240)))),
      f,
    ),
  );
  // Special values: x = 0 → −∞; x < 0 or NaN → NaN; x = ∞ → ∞.
  const zero = f64x2.splat(0);
  y = v128.bitselect(f64x2.splat(-Infinity), y, f64x2.eq(x, zero));
  y = v128.bitselect(f64x2.splat(NaN), y, v128.not(f64x2.ge(x, zero)));
  y = v128.bitselect(x, y, f64x2.eq(x, f64x2.splat(Infinity)));
  return y;
}

/**
 * log(1 + x) for x ≥ 0 (also accurate when 1 + x rounds to 1): with u = 1 + x rounded,
 * log1p(x) = log(u) − ((u − 1) − x)/u (the rounding error of u, to first order).
 */
@inline
export function log1p_f64x2(x: v128): v128 {
  const u = f64x2.add(f64x2.splat(1.0), x);
  const correction = f64x2.div(f64x2.sub(f64x2.sub(u, f64x2.splat(1.0)), x), u);
  // u = 1: log(u) = 0 and the correction is −x/1 = −x: log1p(x) = x.
  return f64x2.sub(log_f64x2(u), correction);
}

const LG1_F: f32 = 0.66666662693;
const LG2_F: f32 = 0.40000972152;
const LG3_F: f32 = 0.28498786688;
const LG4_F: f32 = 0.24279078841;
const LN2_HI_LOG_F: f32 = 6.9313812256e-01;
const LN2_LO_LOG_F: f32 = 9.0580006145e-06;
const SQRT2_F: f32 = 1.4142135;

@inline
export function log_f32x4(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const bits = v128.bitselect(f32x4.mul(x, f32x4.splat(33554432.0)), x, tiny); // 2^25
  let k = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127)));
  k = f32x4.sub(k, v128.and(f32x4.splat(25.0), tiny));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.ge(m, f32x4.splat(SQRT2_F));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  k = f32x4.add(k, v128.and(f32x4.splat(1.0), big));
  const f = f32x4.sub(m, f32x4.splat(1.0));
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
  const z = f32x4.mul(s, s);
  const w = f32x4.mul(z, z);
  const t1 = f32x4.mul(w, f32x4.add(f32x4.splat(LG2_F), f32x4.mul(w, f32x4.splat(LG4_F))));
  const t2 = f32x4.mul(z, f32x4.add(f32x4.splat(LG1_F), f32x4.mul(w, f32x4.splat(LG3_F))));
  const r = f32x4.add(t2, t1);
  const hfsq = f32x4.mul(f32x4.splat(0.5), f32x4.mul(f, f));
  let y = f32x4.sub(
    f32x4.mul(k, f32x4.splat(LN2_HI_LOG_F)),
    f32x4.sub(
      f32x4.sub(hfsq,
        f32x4.add(f32x4.mul(s, f32x4.add(hfsq, r)), f32x4.mul(k, f32x4.splat(LN2_LO_LOG_F)))),
      f,
    ),
  );
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  y = v128.bitselect(f32x4.splat(NaN), y, v128.not(f32x4.ge(x, f32x4.splat(0))));
  y = v128.bitselect(x, y, f32x4.eq(x, f32x4.splat(Infinity)));
  return y;
}

// Power x^y = exp(y·log x) for x ≥ 0 (the focal weight (1 − p_y)^β): 0^y = 0 for y > 0 and
// x^0 = 1. The log's error ε (< 1 ulp) becomes a relative error |y·log x|·ε of the result, plus
// exp's own: < (2 + |y·log x|)·2.2e-16 for f64, (2 + |y·log x|)·6e-7 for f32 (tests), for
// results above exp's clamp (e^−708 f64, e^−87 f32; smaller results are not promised).

@inline
export function pow_f64x2(x: v128, y: v128): v128 {
  let r = exp_f64x2(f64x2.mul(y, log_f64x2(x)));
  // exp_f64x2 clamps its argument at −708: 0^y must be exactly 0.
  r = v128.bitselect(f64x2.splat(0), r, f64x2.eq(x, f64x2.splat(0)));
  return v128.bitselect(f64x2.splat(1.0), r, f64x2.eq(y, f64x2.splat(0)));
}

@inline
export function pow_f32x4(x: v128, y: v128): v128 {
  let r = exp_f32x4(f32x4.mul(y, log_f32x4(x)));
  r = v128.bitselect(f32x4.splat(0), r, f32x4.eq(x, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(1.0), r, f32x4.eq(y, f32x4.splat(0)));
}

/** log of n f64 values from src into dst (tests of log_f64x2). */
export function vlog_f64(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    v128.store(dst + (<usize>i << 3), log_f64x2(v128.load(src + (<usize>i << 3))));
  }
  if (i < n) {
    const last = log_f64x2(f64x2.splat(load<f64>(src + (<usize>i << 3))));
    store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(last, 0));
  }
}

/** log of n f32 values from src into dst (tests of log_f32x4). */
export function vlog_f32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(dst + (<usize>i << 2), log_f32x4(v128.load(src + (<usize>i << 2))));
  }
  for (; i < n; i++) {
    const last = log_f32x4(f32x4.splat(load<f32>(src + (<usize>i << 2))));
    store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(last, 0));
  }
}

/** log1p of n f64 values (x ≥ 0) from src into dst (tests of log1p_f64x2). */
export function vlog1p_f64(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = log1p_f64x2(f64x2.splat(load<f64>(src + (<usize>i << 3))));
    store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(v, 0));
  }
}

/** x^y elementwise for n f64 pairs (x ≥ 0) into dst (tests of pow_f64x2). */
export function vpow_f64(x: usize, y: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 3;
    const v = pow_f64x2(f64x2.splat(load<f64>(x + at)), f64x2.splat(load<f64>(y + at)));
    store<f64>(dst + at, f64x2.extract_lane(v, 0));
  }
}

/** x^y elementwise for n f32 pairs (x ≥ 0) into dst (tests of pow_f32x4). */
export function vpow_f32(x: usize, y: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const v = pow_f32x4(f32x4.splat(load<f32>(x + at)), f32x4.splat(load<f32>(y + at)));
    store<f32>(dst + at, f32x4.extract_lane(v, 0));
  }
}
