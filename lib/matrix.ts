/**
 * The one matrix type of ufmlab: a dense row-major matrix stored in the WebAssembly core's
 * memory, so kernels work on it in place. Element views are re-created whenever the memory
 * grows (growth detaches old typed-array views), so `data` is always safe to use — but do not
 * keep a view across an allocation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * const a = Matrix.from(2, 2, [1, 2, 3, 4]);
 * assert.equal(a.get(1, 0), 3);
 * a.free();
 * ```
 * @module
 */
import { core } from "./core/wasm.ts";
import { coreAlloc } from "./core/budget.ts";

/** Element type of a matrix. */
export type DType = "f64" | "f32";

/** A typed view of matrix elements. */
export type Elements = Float64Array | Float32Array;

const bytesPer: Record<DType, number> = { f64: 8, f32: 4 };

const registry = new FinalizationRegistry<number>((ptr) => core.free(ptr));

/** Dense row-major matrix in WASM memory. */
export class Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Element type. */
  readonly dtype: DType;
  #ptr: number;
  #view: Elements | null = null;
  #buffer: ArrayBufferLike | null = null;

  private constructor(rows: number, cols: number, dtype: DType) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`matrix shape must be non-negative integers, got ${rows}×${cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.dtype = dtype;
    // Allocate at least one 16-byte block so that every matrix owns a distinct address.
    // coreAlloc refuses blocks past 1 GiB or 2 GiB of memory with a one-line error (budget.ts).
    this.#ptr = coreAlloc(
      Math.max(16, rows * cols * bytesPer[dtype]),
      `a ${rows}×${cols} ${dtype} matrix`,
    );
    registry.register(this, this.#ptr, this);
  }

  /** A rows×cols matrix of zeros. */
  static zeros(rows: number, cols: number, dtype: DType = "f64"): Matrix {
    const m = new Matrix(rows, cols, dtype);
    m.data.fill(0);
    return m;
  }

  /** A rows×cols matrix holding `values` (row-major, length rows·cols). */
  static from(rows: number, cols: number, values: ArrayLike<number>, dtype: DType = "f64"): Matrix {
    if (values.length !== rows * cols) {
      throw new RangeError(
        `expected ${rows}×${cols} = ${rows * cols} values, got ${values.length}`,
      );
    }
    // A view into core memory would be detached if this allocation grows the memory: copy it
    // out first.
    const source = ArrayBuffer.isView(values) && values.buffer === core.memory.buffer
      ? (values as Elements).slice()
      : values;
    const m = new Matrix(rows, cols, dtype);
    m.data.set(source);
    return m;
  }

  /** Byte address of element (0, 0) in core memory (for kernels). */
  get ptr(): number {
    if (this.#ptr === 0) throw new Error("matrix used after free()");
    return this.#ptr;
  }

  /** Number of elements. */
  get size(): number {
    return this.rows * this.cols;
  }

  /** Live element view (row-major); re-created after memory growth. */
  get data(): Elements {
    const buffer = core.memory.buffer;
    if (this.#view === null || this.#buffer !== buffer) {
      this.#view = this.dtype === "f64"
        ? new Float64Array(buffer, this.ptr, this.size)
        : new Float32Array(buffer, this.ptr, this.size);
      this.#buffer = buffer;
    }
    return this.#view;
  }

  /** Element (i, j). */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /** Sets element (i, j). */
  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  /** A copy with the given element type (default: same type). */
  clone(dtype: DType = this.dtype): Matrix {
    if (dtype !== this.dtype) return Matrix.from(this.rows, this.cols, this.data, dtype);
    // Same type: allocate first, then copy view to view within core memory (both views taken
    // after the allocation, so growth cannot detach them), with no copy on the JS heap.
    const copy = new Matrix(this.rows, this.cols, dtype);
    copy.data.set(this.data);
    return copy;
  }

  /** Copies the elements out as a Float64Array (independent of core memory). */
  toFloat64Array(): Float64Array {
    return Float64Array.from(this.data);
  }

  /** The transpose, as a new matrix. */
  transpose(): Matrix {
    const t = Matrix.zeros(this.cols, this.rows, this.dtype);
    const src = this.data;
    const dst = t.data;
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++) dst[j * this.rows + i] = src[i * this.cols + j];
    }
    return t;
  }

  /** Nested arrays, row by row (for printing and JSON). */
  toRows(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) {
      out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    }
    return out;
  }

  /** Releases the core memory now (otherwise it is released when garbage collected). */
  free(): void {
    if (this.#ptr !== 0) {
      registry.unregister(this);
      core.free(this.#ptr);
      this.#ptr = 0;
      this.#view = null;
    }
  }
}

/**
 * An int32 vector in core memory: class labels for the loss and statistics kernels. Like
 * {@link Matrix}, its view is re-created after memory growth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntVector } from "./matrix.ts";
 * const labels = IntVector.from([0, 0, 1, 1]);
 * assert.equal(labels.data[2], 1);
 * labels.free();
 * ```
 */
export class IntVector {
  /** Number of elements. */
  readonly length: number;
  #ptr: number;
  #view: Int32Array | null = null;
  #buffer: ArrayBufferLike | null = null;

  private constructor(length: number) {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`vector length must be a non-negative integer, got ${length}`);
    }
    this.length = length;
    this.#ptr = coreAlloc(Math.max(16, 4 * length), `an int32 vector of length ${length}`);
    registry.register(this, this.#ptr, this);
  }

  /** A vector holding `values` (integers). */
  static from(values: ArrayLike<number>): IntVector {
    const source = Int32Array.from(values);
    const v = new IntVector(source.length);
    v.data.set(source);
    return v;
  }

  /** Byte address of element 0 in core memory. */
  get ptr(): number {
    if (this.#ptr === 0) throw new Error("vector used after free()");
    return this.#ptr;
  }

  /** Live element view; re-created after memory growth. */
  get data(): Int32Array {
    const buffer = core.memory.buffer;
    if (this.#view === null || this.#buffer !== buffer) {
      this.#view = new Int32Array(buffer, this.ptr, this.length);
      this.#buffer = buffer;
    }
    return this.#view;
  }

  /** Releases the core memory now. */
  free(): void {
    if (this.#ptr !== 0) {
      registry.unregister(this);
      core.free(this.#ptr);
      this.#ptr = 0;
      this.#view = null;
    }
  }
}
