// Unit-sphere constraints for the spherical UFM (docs/sphere.md): project a gradient onto the
// tangent space of every unit vector, g ← g − ⟨g, x⟩·x, and retract, x ← x/‖x‖. The vectors are
// the rows (`_rows_`: W, K×d, vectors contiguous) or the columns (`_cols_`: H, d×N, vectors
// strided; element e of columns j, j+1, … is contiguous) of a row-major rows×cols matrix.
// SIMD kernels work along the vector (rows) or across 2 (f64) / 4 (f32) vectors at once (cols);
// each has a scalar reference `*_ref_*`. Sums run in the storage type for f64 and in f64 for f32.

// ---------------------------------------------------------------------------------------
// Scalar references

/** g ← g − ⟨g, x⟩x for every row x of x (rows×cols), f64. */
export function unit_rows_project_ref_f64(x: usize, g: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * cols) << 3;
    let dot: f64 = 0;
    for (let c = 0; c < cols; c++) {
      dot += load<f64>(x + base + (<usize>c << 3)) * load<f64>(g + base + (<usize>c << 3));
    }
    for (let c = 0; c < cols; c++) {
      const at = g + base + (<usize>c << 3);
      store<f64>(at, load<f64>(at) - dot * load<f64>(x + base + (<usize>c << 3)));
    }
  }
}

/** g ← g − ⟨g, x⟩x for every row, f32 storage. */
export function unit_rows_project_ref_f32(x: usize, g: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * cols) << 2;
    let dot: f64 = 0;
    for (let c = 0; c < cols; c++) {
      dot += <f64>load<f32>(x + base + (<usize>c << 2)) * <f64>load<f32>(g + base + (<usize>c << 2));
    }
    const d = <f32>dot;
    for (let c = 0; c < cols; c++) {
      const at = g + base + (<usize>c << 2);
      store<f32>(at, load<f32>(at) - d * load<f32>(x + base + (<usize>c << 2)));
    }
  }
}

/** x ← x/‖x‖ for every row (a zero row is left as it is), f64. */
export function unit_rows_normalize_ref_f64(x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = x + (<usize>(r * cols) << 3);
    let sq: f64 = 0;
    for (let c = 0; c < cols; c++) sq += load<f64>(base + (<usize>c << 3)) ** 2;
    if (sq == 0) continue;
    const scale = 1 / Math.sqrt(sq);
    for (let c = 0; c < cols; c++) {
      const at = base + (<usize>c << 3);
      store<f64>(at, load<f64>(at) * scale);
    }
  }
}

/** x ← x/‖x‖ for every row, f32 storage. */
export function unit_rows_normalize_ref_f32(x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = x + (<usize>(r * cols) << 2);
    let sq: f64 = 0;
    for (let c = 0; c < cols; c++) sq += <f64>load<f32>(base + (<usize>c << 2)) ** 2;
    if (sq == 0) continue;
    const scale = <f32>(1 / Math.sqrt(sq));
    for (let c = 0; c < cols; c++) {
      const at = base + (<usize>c << 2);
      store<f32>(at, load<f32>(at) * scale);
    }
  }
}

/** g ← g − ⟨g, x⟩x for every column x of x (rows×cols), f64. */
export function unit_cols_project_ref_f64(x: usize, g: usize, rows: i32, cols: i32): void {
  for (let c = 0; c < cols; c++) {
    let dot: f64 = 0;
    for (let r = 0; r < rows; r++) {
      const offset = <usize>(r * cols + c) << 3;
      dot += load<f64>(x + offset) * load<f64>(g + offset);
    }
    for (let r = 0; r < rows; r++) {
      const offset = <usize>(r * cols + c) << 3;
      store<f64>(g + offset, load<f64>(g + offset) - dot * load<f64>(x + offset));
    }
  }
}

/** g ← g − ⟨g, x⟩x for every column, f32 storage. */
export function unit_cols_project_ref_f32(x: usize, g: usize, rows: i32, cols: i32): void {
  for (let c = 0; c < cols; c++) {
    let dot: f64 = 0;
    for (let r = 0; r < rows; r++) {
      const offset = <usize>(r * cols + c) << 2;
      dot += <f64>load<f32>(x + offset) * <f64>load<f32>(g + offset);
    }
    const d = <f32>dot;
    for (let r = 0; r < rows; r++) {
      const offset = <usize>(r * cols + c) << 2;
      store<f32>(g + offset, load<f32>(g + offset) - d * load<f32>(x + offset));
    }
  }
}

/** x ← x/‖x‖ for every column (a zero column is left as it is), f64. */
export function unit_cols_normalize_ref_f64(x: usize, rows: i32, cols: i32): void {
  for (let c = 0; c < cols; c++) {
    let sq: f64 = 0;
    for (let r = 0; r < rows; r++) sq += load<f64>(x + (<usize>(r * cols + c) << 3)) ** 2;
    if (sq == 0) continue;
    const scale = 1 / Math.sqrt(sq);
    for (let r = 0; r < rows; r++) {
      const at = x + (<usize>(r * cols + c) << 3);
      store<f64>(at, load<f64>(at) * scale);
    }
  }
}

/** x ← x/‖x‖ for every column, f32 storage. */
export function unit_cols_normalize_ref_f32(x: usize, rows: i32, cols: i32): void {
  for (let c = 0; c < cols; c++) {
    let sq: f64 = 0;
    for (let r = 0; r < rows; r++) sq += <f64>load<f32>(x + (<usize>(r * cols + c) << 2)) ** 2;
    if (sq == 0) continue;
    const scale = <f32>(1 / Math.sqrt(sq));
    for (let r = 0; r < rows; r++) {
      const at = x + (<usize>(r * cols + c) << 2);
      store<f32>(at, load<f32>(at) * scale);
    }
  }
}

// ---------------------------------------------------------------------------------------
// SIMD: along the row (rows kernels) or across neighbouring columns (cols kernels).

/** SIMD of unit_rows_project_ref_f64 (pairs of elements; odd tail scalar). */
export function unit_rows_project_f64(x: usize, g: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * cols) << 3;
    let acc = f64x2.splat(0);
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      const offset = base + (<usize>c << 3);
      acc = f64x2.add(acc, f64x2.mul(v128.load(x + offset), v128.load(g + offset)));
    }
    let dot = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; c < cols; c++) {
      dot += load<f64>(x + base + (<usize>c << 3)) * load<f64>(g + base + (<usize>c << 3));
    }
    const vdot = f64x2.splat(dot);
    c = 0;
    for (; c + 2 <= cols; c += 2) {
      const offset = base + (<usize>c << 3);
      v128.store(g + offset, f64x2.sub(v128.load(g + offset), f64x2.mul(vdot, v128.load(x + offset))));
    }
    for (; c < cols; c++) {
      const at = g + base + (<usize>c << 3);
      store<f64>(at, load<f64>(at) - dot * load<f64>(x + base + (<usize>c << 3)));
    }
  }
}

/** SIMD of unit_rows_normalize_ref_f64. */
export function unit_rows_normalize_f64(x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = x + (<usize>(r * cols) << 3);
    let acc = f64x2.splat(0);
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      const v = v128.load(base + (<usize>c << 3));
      acc = f64x2.add(acc, f64x2.mul(v, v));
    }
    let sq = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; c < cols; c++) sq += load<f64>(base + (<usize>c << 3)) ** 2;
    if (sq == 0) continue;
    const scale = 1 / Math.sqrt(sq);
    const vscale = f64x2.splat(scale);
    c = 0;
    for (; c + 2 <= cols; c += 2) {
      const at = base + (<usize>c << 3);
      v128.store(at, f64x2.mul(v128.load(at), vscale));
    }
    for (; c < cols; c++) {
      const at = base + (<usize>c << 3);
      store<f64>(at, load<f64>(at) * scale);
    }
  }
}

/** f32 rows: same as the reference (sums in f64 need the scalar path for identical results). */
export function unit_rows_project_f32(x: usize, g: usize, rows: i32, cols: i32): void {
  unit_rows_project_ref_f32(x, g, rows, cols);
}

/** f32 rows: same as the reference (see unit_rows_project_f32). */
export function unit_rows_normalize_f32(x: usize, rows: i32, cols: i32): void {
  unit_rows_normalize_ref_f32(x, rows, cols);
}

/** SIMD of unit_cols_project_ref_f64: two columns per vector. */
export function unit_cols_project_f64(x: usize, g: usize, rows: i32, cols: i32): void {
  let c = 0;
  for (; c + 2 <= cols; c += 2) {
    let dot = f64x2.splat(0);
    for (let r = 0; r < rows; r++) {
      const offset = <usize>(r * cols + c) << 3;
      dot = f64x2.add(dot, f64x2.mul(v128.load(x + offset), v128.load(g + offset)));
    }
    for (let r = 0; r < rows; r++) {
      const offset = <usize>(r * cols + c) << 3;
      v128.store(g + offset, f64x2.sub(v128.load(g + offset), f64x2.mul(dot, v128.load(x + offset))));
    }
  }
  for (; c < cols; c++) {
    let dot: f64 = 0;
    for (let r = 0; r < rows; r++) {
      const offset = <usize>(r * cols + c) << 3;
      dot += load<f64>(x + offset) * load<f64>(g + offset);
    }
    for (let r = 0; r < rows; r++) {
      const offset = <usize>(r * cols + c) << 3;
      store<f64>(g + offset, load<f64>(g + offset) - dot * load<f64>(x + offset));
    }
  }
}

/** SIMD of unit_cols_normalize_ref_f64: two columns per vector. */
export function unit_cols_normalize_f64(x: usize, rows: i32, cols: i32): void {
  let c = 0;
  for (; c + 2 <= cols; c += 2) {
    let sq = f64x2.splat(0);
    for (let r = 0; r < rows; r++) {
      const v = v128.load(x + (<usize>(r * cols + c) << 3));
      sq = f64x2.add(sq, f64x2.mul(v, v));
    }
    // A zero column keeps scale 1 (left as it is), like the reference.
    const zero = f64x2.eq(sq, f64x2.splat(0));
    const scale = v128.bitselect(
      f64x2.splat(1),
      f64x2.div(f64x2.splat(1), f64x2.sqrt(sq)),
      zero,
    );
    for (let r = 0; r < rows; r++) {
      const at = x + (<usize>(r * cols + c) << 3);
      v128.store(at, f64x2.mul(v128.load(at), scale));
    }
  }
  if (c < cols) unit_cols_normalize_tail_f64(x, rows, cols, c);
}

function unit_cols_normalize_tail_f64(x: usize, rows: i32, cols: i32, c: i32): void {
  let sq: f64 = 0;
  for (let r = 0; r < rows; r++) sq += load<f64>(x + (<usize>(r * cols + c) << 3)) ** 2;
  if (sq == 0) return;
  const scale = 1 / Math.sqrt(sq);
  for (let r = 0; r < rows; r++) {
    const at = x + (<usize>(r * cols + c) << 3);
    store<f64>(at, load<f64>(at) * scale);
  }
}

/** f32 columns: same as the reference (f64 sums; see unit_rows_project_f32). */
export function unit_cols_project_f32(x: usize, g: usize, rows: i32, cols: i32): void {
  unit_cols_project_ref_f32(x, g, rows, cols);
}

/** f32 columns: same as the reference. */
export function unit_cols_normalize_f32(x: usize, rows: i32, cols: i32): void {
  unit_cols_normalize_ref_f32(x, rows, cols);
}
