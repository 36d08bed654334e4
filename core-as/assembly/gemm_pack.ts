// Packing for the blocked matrix products in gemm.ts (bluss/matrixmultiply, BLIS layout).
//
// An A block (mc × kc) is copied into MR-row panels: for each p the MR values A[i, p] of the
// panel side by side, so the micro-kernel reads one contiguous strip per step. A B block
// (kc × nc) is copied into NR-column panels: for each p the NR values B[p, j] side by side.
// Edge panels are padded with zeros, so the micro-kernel loop needs no bounds checks. Strides are
// in elements and may describe either layout of a row-major matrix, which is how transposes are
// handled. One packed B row is 32 bytes for both element types (NR = 8 f32 or 4 f64).

/** Rows of an A panel (micro-kernel height), for both element types. */
export const MR: i32 = 4;

/** Bytes of one packed B row: NR = 32 / sizeof<T>() values (8 f32, 4 f64). */
export const B_ROW_BYTES: i32 = 32;

// Consecutive B panels are this many bytes further apart than their size, so that the panels
// written together by packB do not all map to the same L1 cache set (kc·32 is a multiple of 4 KiB
// for the usual kc).
const PANEL_PAD: usize = 64;

// packB copies this many panels per visit of a B row: 8·32 = 256 contiguous bytes read, and only
// 8 write streams live at a time. Measured: 8 to 64 are equally good; 1 (panel by panel) reads
// 32 bytes per row visit and is up to 2× slower on large B.
const PACK_GROUP: i32 = 8;

/** Bytes from one packed B panel of depth kc to the next. */
// @ts-ignore: decorator
@inline export function bPanelStride(kc: i32): usize {
  return <usize>kc * <usize>B_ROW_BYTES + PANEL_PAD;
}

// Scratch buffers of this instance, grown (never shrunk) when a larger block is needed. The
// main instance allocates the largest size in its start function (gemm.ts), so in practice they
// never grow. A thread instance (threads.ts: a second instance on the same shared memory, for a
// Worker) never allocates — the heap belongs to the main instance — and is handed its buffers
// by thread_init; needing more than it was given is a bug and traps.
let scratchA: usize = 0;
let scratchACap: usize = 0;
let scratchB: usize = 0;
let scratchBCap: usize = 0;
let borrowedScratch = false;

/** A 16-byte aligned scratch area of at least `bytes` bytes for packed A. */
export function scratchForA(bytes: usize): usize {
  if (bytes > scratchACap) {
    if (borrowedScratch) unreachable();
    if (scratchA != 0) heap.free(scratchA);
    scratchA = heap.alloc(bytes);
    scratchACap = bytes;
  }
  return scratchA;
}

/** A 16-byte aligned scratch area of at least `bytes` bytes for packed B. */
export function scratchForB(bytes: usize): usize {
  if (bytes > scratchBCap) {
    if (borrowedScratch) unreachable();
    if (scratchB != 0) heap.free(scratchB);
    scratchB = heap.alloc(bytes);
    scratchBCap = bytes;
  }
  return scratchB;
}

// 256 bytes of per-instance scratch for edge tiles (gemm.ts: 128 bytes at +0; gemm_dot.ts: 64
// bytes at +128). Not static data: a thread instance re-applies the data segments when it is
// created, and all instances would share one static tile.
let tiles: usize = 0;

/** Bytes of {@link tileScratch}. */
export const TILE_SCRATCH_BYTES: usize = 256;

/** This instance's 256-byte, 16-byte aligned tile scratch. */
// @ts-ignore: decorator
@inline export function tileScratch(): usize {
  return tiles;
}

/** Sets this instance's tile scratch (the main instance allocates it at start). */
export function setTileScratch(at: usize): void {
  tiles = at;
}

/** Gives a thread instance its scratch buffers (allocated by the main instance). */
export function borrowScratch(a: usize, aBytes: usize, b: usize, bBytes: usize): void {
  scratchA = a;
  scratchACap = aBytes;
  scratchB = b;
  scratchBCap = bBytes;
  borrowedScratch = true;
}

/**
 * Packs the mc × kc block of A at `a` (element strides rsa, csa) into MR-row panels at `dst`;
 * panel r starts at dst + r·MR·kc·sizeof<T>().
 */
export function packA<T>(mc: i32, kc: i32, a: usize, rsa: i32, csa: i32, dst: usize): void {
  const size = <usize>sizeof<T>();
  const rowStep = <usize>rsa * size;
  const colStep = <usize>csa * size;
  const step = <usize>MR * size;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    let src = a + <usize>i0 * rowStep;
    if (rows == MR && rsa == 1) {
      // A is a transposed row-major matrix: the panel's column p is contiguous.
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        if (size == 8) v128.store(dst, v128.load(src, 16), 16);
        src += colStep;
        dst += step;
      }
    } else if (rows == MR) {
      const r1 = src + rowStep;
      const r2 = r1 + rowStep;
      const r3 = r2 + rowStep;
      for (let off: usize = 0, end = <usize>kc * colStep; off < end; off += colStep) {
        store<T>(dst, load<T>(src + off));
        store<T>(dst + size, load<T>(r1 + off));
        store<T>(dst + 2 * size, load<T>(r2 + off));
        store<T>(dst + 3 * size, load<T>(r3 + off));
        dst += step;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const col = src + <usize>p * colStep;
        for (let r = 0; r < MR; r++) {
          store<T>(dst + <usize>r * size, r < rows ? load<T>(col + <usize>r * rowStep) : <T>0);
        }
        dst += step;
      }
    }
  }
}

/**
 * Packs the kc × nc block of B at `b` (element strides rsb, csb) into NR-column panels at `dst`;
 * panel s starts at dst + s·bPanelStride(kc).
 */
export function packB<T>(kc: i32, nc: i32, b: usize, rsb: i32, csb: i32, dst: usize): void {
  const size = <usize>sizeof<T>();
  const nr = <i32>(<usize>B_ROW_BYTES / size);
  const rowStep = <usize>rsb * size;
  const colStep = <usize>csb * size;
  const panelStride = bPanelStride(kc);
  let j0 = 0;
  if (csb == 1) {
    // Rows of B are contiguous: copy PACK_GROUP whole panels per row visit, two vector copies
    // per panel row.
    const ncFull = nc / nr * nr;
    for (let g0 = 0; g0 < ncFull; g0 += PACK_GROUP * nr) {
      const panels = min(PACK_GROUP, (ncFull - g0) / nr);
      const groupDst = dst + <usize>(g0 / nr) * panelStride;
      for (let p = 0; p < kc; p++) {
        let src = b + <usize>p * rowStep + <usize>g0 * size;
        let out = groupDst + <usize>p * <usize>B_ROW_BYTES;
        for (let s = 0; s < panels; s++) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
          src += B_ROW_BYTES;
          out += panelStride;
        }
      }
    }
    // The partial last panel, if any, is padded below.
    j0 = ncFull;
  }
  for (; j0 < nc; j0 += nr) {
    const cols = min(nr, nc - j0);
    const src = b + <usize>j0 * colStep;
    const panel = dst + <usize>(j0 / nr) * panelStride;
    if (cols == nr && rsb == 1) {
      // B is a transposed row-major matrix: each panel column is contiguous; read it in order.
      for (let j = 0; j < nr; j++) {
        const col = src + <usize>j * colStep;
        let out = panel + <usize>j * size;
        for (let p = 0; p < kc; p++) {
          store<T>(out, load<T>(col + <usize>p * size));
          out += B_ROW_BYTES;
        }
      }
    } else {
      let out = panel;
      for (let p = 0; p < kc; p++) {
        const row = src + <usize>p * rowStep;
        for (let j = 0; j < nr; j++) {
          store<T>(out + <usize>j * size, j < cols ? load<T>(row + <usize>j * colStep) : <T>0);
        }
        out += B_ROW_BYTES;
      }
    }
  }
}
