// Convolution helpers for the CNN of lib/nn/cnn.ts: 3×3 convolution (stride 1, zero padding 1)
// as a matrix product through im2col, and 2×2 max pooling (stride 2, an odd last row/column
// dropped as PyTorch's MaxPool2d(2) does).
//
// Layout: a feature map of C channels over a batch of B images of H×W pixels is "channel-major",
// element (c, b, y, x) at ((c·B + b)·H + y)·W + x: a C × (B·H·W) matrix, so that one row holds
// one channel over the batch (bias, batch norm and ReLU work on rows, as for dense layers).
//
//   im2col_3x3:  cols[(c·9 + ky·3 + kx), (b·H + y)·W + x] = in[c, b, y + ky − 1, x + kx − 1]
//                (0 outside the image): cols is (C·9) × (B·H·W), and the convolution with
//                weights W (C_out × C·9) is the product W·cols.
//   col2im_3x3:  the adjoint: grad[c, b, y', x'] = Σ over the cols entries that read (y', x')
//                (overwrites grad).
//   maxpool_2x2: out[c·strideC + b·strideB + y2·W2 + x2] = max of in[c, b, 2y2 + i, 2x2 + j],
//                i, j ∈ {0, 1}, with W2 = ⌊W/2⌋, H2 = ⌊H/2⌋. The strides let the last block
//                write B × (C·H2·W2) rows (PyTorch's flatten order c, y, x) for the dense head.
//   maxpool_2x2_backward: grad_in (same layout as in) ← 0, then for each window the first
//                position in the order (0,0), (0,1), (1,0), (1,1) whose input equals the pooled
//                output receives grad_out (PyTorch routes to the first maximum as well).
//
// Each optimized kernel (bulk copies, SIMD adds and maxima) has a scalar reference `*_ref_*`
// with the same contract; all indices are computed in usize (byte offsets stay below 4 GiB).

// ---------------------------------------------------------------------------------------
// im2col / col2im

@inline
function im2colImpl<T>(
  input: usize, channels: i32, batch: i32, height: i32, width: i32, cols: usize,
): void {
  const size = <usize>sizeof<T>();
  const w = <usize>width;
  const plane = <usize>height * w;
  const rowLength = <usize>batch * plane; // elements per cols row
  const rowBytes = w * size;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < 3; ky++) {
      for (let kx = 0; kx < 3; kx++) {
        const r = <usize>(c * 9 + ky * 3 + kx);
        const shift = kx - 1;
        for (let b = 0; b < batch; b++) {
          const src = input + ((<usize>c * <usize>batch + <usize>b) * plane) * size;
          const dstImage = cols + (r * rowLength + <usize>b * plane) * size;
          for (let y = 0; y < height; y++) {
            const dst = dstImage + <usize>y * rowBytes;
            const yy = y + ky - 1;
            if (yy < 0 || yy >= height) {
              memory.fill(dst, 0, rowBytes);
              continue;
            }
            const srcRow = src + <usize>yy * rowBytes;
            if (shift == 0) {
              memory.copy(dst, srcRow, rowBytes);
            } else if (shift < 0) {
              store<T>(dst, <T>0);
              memory.copy(dst + size, srcRow, rowBytes - size);
            } else {
              memory.copy(dst, srcRow + size, rowBytes - size);
              store<T>(dst + rowBytes - size, <T>0);
            }
          }
        }
      }
    }
  }
}

@inline
function im2colRefImpl<T>(
  input: usize, channels: i32, batch: i32, height: i32, width: i32, cols: usize,
): void {
  const size = <usize>sizeof<T>();
  const n = <usize>batch * <usize>height * <usize>width;
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < 9; k++) {
      const ky = k / 3, kx = k % 3;
      const r = <usize>(c * 9 + k);
      for (let b = 0; b < batch; b++) {
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const yy = y + ky - 1, xx = x + kx - 1;
            const column = (<usize>b * <usize>height + <usize>y) * <usize>width + <usize>x;
            let v: T = <T>0;
            if (yy >= 0 && yy < height && xx >= 0 && xx < width) {
              v = load<T>(
                input + (((<usize>c * <usize>batch + <usize>b) * <usize>height + <usize>yy) *
                        <usize>width + <usize>xx) * size,
              );
            }
            store<T>(cols + (r * n + column) * size, v);
          }
        }
      }
    }
  }
}

/** dst[0..n) += src[0..n) (SIMD; unaligned loads and stores). */
@inline
function addRun<T>(dst: usize, src: usize, n: i32): void {
  const size = <usize>sizeof<T>();
  const lanes = sizeof<T>() == 4 ? 4 : 2;
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const off = <usize>i * size;
    if (sizeof<T>() == 4) {
      v128.store(dst + off, f32x4.add(v128.load(dst + off), v128.load(src + off)));
    } else {
      v128.store(dst + off, f64x2.add(v128.load(dst + off), v128.load(src + off)));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i * size;
    store<T>(dst + off, load<T>(dst + off) + load<T>(src + off));
  }
}

@inline
function col2imImpl<T>(
  cols: usize, channels: i32, batch: i32, height: i32, width: i32, grad: usize,
): void {
  const size = <usize>sizeof<T>();
  const w = <usize>width;
  const plane = <usize>height * w;
  const rowLength = <usize>batch * plane;
  memory.fill(grad, 0, <usize>channels * rowLength * size);
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < 3; ky++) {
      for (let kx = 0; kx < 3; kx++) {
        const r = <usize>(c * 9 + ky * 3 + kx);
        const shift = kx - 1;
        for (let b = 0; b < batch; b++) {
          const dstImage = grad + ((<usize>c * <usize>batch + <usize>b) * plane) * size;
          const srcImage = cols + (r * rowLength + <usize>b * plane) * size;
          for (let y = 0; y < height; y++) {
            const yy = y + ky - 1;
            if (yy < 0 || yy >= height) continue;
            const src = srcImage + <usize>y * w * size;
            const dst = dstImage + <usize>yy * w * size;
            // cols (y, x) read input (yy, x + shift): add the run back where it came from.
            if (shift == 0) addRun<T>(dst, src, width);
            else if (shift < 0) addRun<T>(dst, src + size, width - 1);
            else addRun<T>(dst + size, src, width - 1);
          }
        }
      }
    }
  }
}

@inline
function col2imRefImpl<T>(
  cols: usize, channels: i32, batch: i32, height: i32, width: i32, grad: usize,
): void {
  const size = <usize>sizeof<T>();
  const n = <usize>batch * <usize>height * <usize>width;
  for (let i: usize = 0; i < <usize>channels * n; i++) store<T>(grad + i * size, <T>0);
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < 9; k++) {
      const ky = k / 3, kx = k % 3;
      const r = <usize>(c * 9 + k);
      for (let b = 0; b < batch; b++) {
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const yy = y + ky - 1, xx = x + kx - 1;
            if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
            const column = (<usize>b * <usize>height + <usize>y) * <usize>width + <usize>x;
            const target = grad +
              (((<usize>c * <usize>batch + <usize>b) * <usize>height + <usize>yy) *
                  <usize>width + <usize>xx) * size;
            store<T>(target, load<T>(target) + load<T>(cols + (r * n + column) * size));
          }
        }
      }
    }
  }
}

/** im2col of a channel-major f64 map (see the header). */
export function im2col_3x3_f64(
  input: usize, channels: i32, batch: i32, height: i32, width: i32, cols: usize,
): void {
  im2colImpl<f64>(input, channels, batch, height, width, cols);
}
/** im2col of a channel-major f32 map. */
export function im2col_3x3_f32(
  input: usize, channels: i32, batch: i32, height: i32, width: i32, cols: usize,
): void {
  im2colImpl<f32>(input, channels, batch, height, width, cols);
}
/** Scalar reference of im2col_3x3_f64. */
export function im2col_3x3_ref_f64(
  input: usize, channels: i32, batch: i32, height: i32, width: i32, cols: usize,
): void {
  im2colRefImpl<f64>(input, channels, batch, height, width, cols);
}
/** Scalar reference of im2col_3x3_f32. */
export function im2col_3x3_ref_f32(
  input: usize, channels: i32, batch: i32, height: i32, width: i32, cols: usize,
): void {
  im2colRefImpl<f32>(input, channels, batch, height, width, cols);
}
/** col2im (adjoint of im2col, overwrites grad), f64. */
export function col2im_3x3_f64(
  cols: usize, channels: i32, batch: i32, height: i32, width: i32, grad: usize,
): void {
  col2imImpl<f64>(cols, channels, batch, height, width, grad);
}
/** col2im, f32. */
export function col2im_3x3_f32(
  cols: usize, channels: i32, batch: i32, height: i32, width: i32, grad: usize,
): void {
  col2imImpl<f32>(cols, channels, batch, height, width, grad);
}
/** Scalar reference of col2im_3x3_f64. */
export function col2im_3x3_ref_f64(
  cols: usize, channels: i32, batch: i32, height: i32, width: i32, grad: usize,
): void {
  col2imRefImpl<f64>(cols, channels, batch, height, width, grad);
}
/** Scalar reference of col2im_3x3_f32. */
export function col2im_3x3_ref_f32(
  cols: usize, channels: i32, batch: i32, height: i32, width: i32, grad: usize,
): void {
  col2imRefImpl<f32>(cols, channels, batch, height, width, grad);
}

// ---------------------------------------------------------------------------------------
// 2×2 max pooling

@inline
function maxOf<T>(a: T, b: T): T {
  return b > a ? b : a;
}

/** Scalar pooling of windows x2 ∈ [from, w2) of one output row. */
@inline
function poolRowTail<T>(top: usize, bottom: usize, out: usize, from: i32, w2: i32): void {
  const size = <usize>sizeof<T>();
  for (let x2 = from; x2 < w2; x2++) {
    const off = (<usize>x2 << 1) * size;
    const m = maxOf<T>(
      maxOf<T>(load<T>(top + off), load<T>(top + off + size)),
      maxOf<T>(load<T>(bottom + off), load<T>(bottom + off + size)),
    );
    store<T>(out + <usize>x2 * size, m);
  }
}

@inline
function maxpoolImpl<T>(
  input: usize, channels: i32, batch: i32, height: i32, width: i32,
  out: usize, strideC: i32, strideB: i32, simd: bool,
): void {
  const size = <usize>sizeof<T>();
  const h2 = height >> 1, w2 = width >> 1;
  const rowBytes = <usize>width * size;
  for (let c = 0; c < channels; c++) {
    for (let b = 0; b < batch; b++) {
      const image = input + ((<usize>c * <usize>batch + <usize>b) * <usize>height) * rowBytes;
      const target = out + (<usize>c * <usize>strideC + <usize>b * <usize>strideB) * size;
      for (let y2 = 0; y2 < h2; y2++) {
        const top = image + (<usize>(y2 << 1)) * rowBytes;
        const bottom = top + rowBytes;
        const row = target + <usize>y2 * <usize>w2 * size;
        let x2 = 0;
        if (simd) {
          if (sizeof<T>() == 4) {
            // 4 windows: 8 inputs per image row; vertical max, then max of even and odd lanes.
            for (; x2 + 4 <= w2; x2 += 4) {
              const off = (<usize>x2 << 1) * size;
              const lo = f32x4.max(v128.load(top + off), v128.load(bottom + off));
              const hi = f32x4.max(v128.load(top + off + 16), v128.load(bottom + off + 16));
              const even = v128.shuffle<f32>(lo, hi, 0, 2, 4, 6);
              const odd = v128.shuffle<f32>(lo, hi, 1, 3, 5, 7);
              v128.store(row + <usize>x2 * size, f32x4.max(even, odd));
            }
          } else {
            for (; x2 + 2 <= w2; x2 += 2) {
              const off = (<usize>x2 << 1) * size;
              const lo = f64x2.max(v128.load(top + off), v128.load(bottom + off));
              const hi = f64x2.max(v128.load(top + off + 16), v128.load(bottom + off + 16));
              const even = v128.shuffle<f64>(lo, hi, 0, 2);
              const odd = v128.shuffle<f64>(lo, hi, 1, 3);
              v128.store(row + <usize>x2 * size, f64x2.max(even, odd));
            }
          }
        }
        poolRowTail<T>(top, bottom, row, x2, w2);
      }
    }
  }
}

/** Scalar routing of windows x2 ∈ [from, w2) of one output row (see the header). */
@inline
function unpoolRowTail<T>(
  top: usize, bottom: usize, pooled: usize, gradOut: usize,
  gradTop: usize, gradBottom: usize, from: i32, w2: i32,
): void {
  const size = <usize>sizeof<T>();
  for (let x2 = from; x2 < w2; x2++) {
    const off = (<usize>x2 << 1) * size;
    const m = load<T>(pooled + <usize>x2 * size);
    const g = load<T>(gradOut + <usize>x2 * size);
    if (load<T>(top + off) == m) store<T>(gradTop + off, g);
    else if (load<T>(top + off + size) == m) store<T>(gradTop + off + size, g);
    else if (load<T>(bottom + off) == m) store<T>(gradBottom + off, g);
    else if (load<T>(bottom + off + size) == m) store<T>(gradBottom + off + size, g);
  }
}

@inline
function maxpoolBackwardImpl<T>(
  input: usize, pooled: usize, gradOut: usize, channels: i32, batch: i32, height: i32,
  width: i32, strideC: i32, strideB: i32, gradIn: usize, simd: bool,
): void {
  const size = <usize>sizeof<T>();
  const h2 = height >> 1, w2 = width >> 1;
  const rowBytes = <usize>width * size;
  const total = <usize>channels * <usize>batch * <usize>height * rowBytes;
  if (simd) memory.fill(gradIn, 0, total);
  else for (let i: usize = 0; i < total; i += size) store<T>(gradIn + i, <T>0);
  for (let c = 0; c < channels; c++) {
    for (let b = 0; b < batch; b++) {
      const imageOffset = ((<usize>c * <usize>batch + <usize>b) * <usize>height) * rowBytes;
      const pooledOffset = (<usize>c * <usize>strideC + <usize>b * <usize>strideB) * size;
      for (let y2 = 0; y2 < h2; y2++) {
        const rowOffset = imageOffset + (<usize>(y2 << 1)) * rowBytes;
        const top = input + rowOffset, bottom = top + rowBytes;
        const gradTop = gradIn + rowOffset, gradBottom = gradTop + rowBytes;
        const p = pooled + pooledOffset + <usize>y2 * <usize>w2 * size;
        const g = gradOut + pooledOffset + <usize>y2 * <usize>w2 * size;
        let x2 = 0;
        if (simd && sizeof<T>() == 4) {
          for (; x2 + 4 <= w2; x2 += 4) {
            const off = (<usize>x2 << 1) * size;
            const t0 = v128.load(top + off), t1 = v128.load(top + off + 16);
            const b0 = v128.load(bottom + off), b1 = v128.load(bottom + off + 16);
            const m = v128.load(p + <usize>x2 * size);
            const gv = v128.load(g + <usize>x2 * size);
            // Window corners of 4 windows: (0,0), (0,1), (1,0), (1,1).
            const c00 = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6);
            const c01 = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
            const c10 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
            const c11 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
            const m00 = f32x4.eq(c00, m);
            let taken = m00;
            const m01 = v128.andnot(f32x4.eq(c01, m), taken);
            taken = v128.or(taken, m01);
            const m10 = v128.andnot(f32x4.eq(c10, m), taken);
            taken = v128.or(taken, m10);
            const m11 = v128.andnot(f32x4.eq(c11, m), taken);
            const g00 = v128.and(gv, m00), g01 = v128.and(gv, m01);
            const g10 = v128.and(gv, m10), g11 = v128.and(gv, m11);
            v128.store(gradTop + off, v128.shuffle<f32>(g00, g01, 0, 4, 1, 5));
            v128.store(gradTop + off + 16, v128.shuffle<f32>(g00, g01, 2, 6, 3, 7));
            v128.store(gradBottom + off, v128.shuffle<f32>(g10, g11, 0, 4, 1, 5));
            v128.store(gradBottom + off + 16, v128.shuffle<f32>(g10, g11, 2, 6, 3, 7));
          }
        } else if (simd) {
          for (; x2 + 2 <= w2; x2 += 2) {
            const off = (<usize>x2 << 1) * size;
            const t0 = v128.load(top + off), t1 = v128.load(top + off + 16);
            const b0 = v128.load(bottom + off), b1 = v128.load(bottom + off + 16);
            const m = v128.load(p + <usize>x2 * size);
            const gv = v128.load(g + <usize>x2 * size);
            const c00 = v128.shuffle<f64>(t0, t1, 0, 2);
            const c01 = v128.shuffle<f64>(t0, t1, 1, 3);
            const c10 = v128.shuffle<f64>(b0, b1, 0, 2);
            const c11 = v128.shuffle<f64>(b0, b1, 1, 3);
            const m00 = f64x2.eq(c00, m);
            let taken = m00;
            const m01 = v128.andnot(f64x2.eq(c01, m), taken);
            taken = v128.or(taken, m01);
            const m10 = v128.andnot(f64x2.eq(c10, m), taken);
            taken = v128.or(taken, m10);
            const m11 = v128.andnot(f64x2.eq(c11, m), taken);
            const g00 = v128.and(gv, m00), g01 = v128.and(gv, m01);
            const g10 = v128.and(gv, m10), g11 = v128.and(gv, m11);
            v128.store(gradTop + off, v128.shuffle<f64>(g00, g01, 0, 2));
            v128.store(gradTop + off + 16, v128.shuffle<f64>(g00, g01, 1, 3));
            v128.store(gradBottom + off, v128.shuffle<f64>(g10, g11, 0, 2));
            v128.store(gradBottom + off + 16, v128.shuffle<f64>(g10, g11, 1, 3));
          }
        }
        unpoolRowTail<T>(top, bottom, p, g, gradTop, gradBottom, x2, w2);
      }
    }
  }
}

/** 2×2 max pooling of a channel-major f64 map into strided output (see the header). */
export function maxpool_2x2_f64(
  input: usize, channels: i32, batch: i32, height: i32, width: i32,
  out: usize, strideC: i32, strideB: i32,
): void {
  maxpoolImpl<f64>(input, channels, batch, height, width, out, strideC, strideB, true);
}
/** 2×2 max pooling, f32. */
export function maxpool_2x2_f32(
  input: usize, channels: i32, batch: i32, height: i32, width: i32,
  out: usize, strideC: i32, strideB: i32,
): void {
  maxpoolImpl<f32>(input, channels, batch, height, width, out, strideC, strideB, true);
}
/** Scalar reference of maxpool_2x2_f64. */
export function maxpool_2x2_ref_f64(
  input: usize, channels: i32, batch: i32, height: i32, width: i32,
  out: usize, strideC: i32, strideB: i32,
): void {
  maxpoolImpl<f64>(input, channels, batch, height, width, out, strideC, strideB, false);
}
/** Scalar reference of maxpool_2x2_f32. */
export function maxpool_2x2_ref_f32(
  input: usize, channels: i32, batch: i32, height: i32, width: i32,
  out: usize, strideC: i32, strideB: i32,
): void {
  maxpoolImpl<f32>(input, channels, batch, height, width, out, strideC, strideB, false);
}
/** Backward of maxpool_2x2_f64: routes grad_out to the first maximum (overwrites grad_in). */
export function maxpool_2x2_backward_f64(
  input: usize, pooled: usize, gradOut: usize, channels: i32, batch: i32, height: i32,
  width: i32, strideC: i32, strideB: i32, gradIn: usize,
): void {
  maxpoolBackwardImpl<f64>(
    input, pooled, gradOut, channels, batch, height, width, strideC, strideB, gradIn, true,
  );
}
/** Backward of maxpool_2x2_f32. */
export function maxpool_2x2_backward_f32(
  input: usize, pooled: usize, gradOut: usize, channels: i32, batch: i32, height: i32,
  width: i32, strideC: i32, strideB: i32, gradIn: usize,
): void {
  maxpoolBackwardImpl<f32>(
    input, pooled, gradOut, channels, batch, height, width, strideC, strideB, gradIn, true,
  );
}
/** Scalar reference of maxpool_2x2_backward_f64. */
export function maxpool_2x2_backward_ref_f64(
  input: usize, pooled: usize, gradOut: usize, channels: i32, batch: i32, height: i32,
  width: i32, strideC: i32, strideB: i32, gradIn: usize,
): void {
  maxpoolBackwardImpl<f64>(
    input, pooled, gradOut, channels, batch, height, width, strideC, strideB, gradIn, false,
  );
}
/** Scalar reference of maxpool_2x2_backward_f32. */
export function maxpool_2x2_backward_ref_f32(
  input: usize, pooled: usize, gradOut: usize, channels: i32, batch: i32, height: i32,
  width: i32, strideC: i32, strideB: i32, gradIn: usize,
): void {
  maxpoolBackwardImpl<f32>(
    input, pooled, gradOut, channels, batch, height, width, strideC, strideB, gradIn, false,
  );
}
