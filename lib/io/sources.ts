/**
 * Streaming readers for the arrays people save: a `.npy` file, a member of a NumPy `.npz`
 * archive (`run.npz:features`, read with fflate's streaming unzip, stored or deflated), or a
 * tensor of a `.safetensors` file (`model.safetensors:name`). A source reads its elements in
 * chunks, in storage order, decoded to f64 — a 2 GB file never sits in memory. Uncompressed
 * storage (.npy, .safetensors) also allows random access (`readAt`), which the strided layouts
 * (Fortran order, samples as columns) need.
 *
 * Every problem — missing file, a directory, empty or truncated files, a missing member or
 * tensor, unsupported element types — is a one-line {@link UsageError} naming the file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeNpy } from "./npy.ts";
 * import { openArray } from "./sources.ts";
 * const path = await Deno.makeTempFile({ suffix: ".npy" });
 * await writeNpy(path, [1, 2, 3, 4, 5, 6], [3, 2]);
 * const source = await openArray(path, { rank: 2 });
 * const rows = new Float64Array(4);
 * await source.read(rows, 0, 4); // the first two rows
 * source.close();
 * assert.deepEqual(Array.from(rows), [1, 2, 3, 4]);
 * ```
 * @module
 */
import { Unzip, UnzipInflate, UnzipPassThrough } from "fflate";
import { UsageError } from "../errors.ts";
import { decodeElements, type ElementType, ITEM_SIZE, TYPE_NAMES } from "./elements.ts";
import { formatShape, npyHeaderLength, parseNpyHeader } from "./npy.ts";

/** One array in a file, read in chunks (see the module notes). */
export interface ArraySource {
  /** Name for messages: the path, or `path:member`. */
  readonly name: string;
  /** Element type stored. */
  readonly dtype: ElementType;
  /** Shape, outermost axis first. */
  readonly shape: readonly number[];
  /** Column-major storage (.npy only). */
  readonly fortranOrder: boolean;
  /** Whether {@link ArraySource.readAt} works (uncompressed storage). */
  readonly seekable: boolean;
  /** Decodes the next `count` elements (storage order) into `out[offset …]`. */
  read(out: Float64Array, offset: number, count: number): Promise<void>;
  /** Decodes `count` elements starting at storage index `index` (seekable sources only). */
  readAt(out: Float64Array, offset: number, index: number, count: number): Promise<void>;
  /** Closes the file. */
  close(): void;
}

/** Options of {@link openArray}. */
export interface OpenArrayOptions {
  /** Allowed number(s) of dimensions. */
  rank?: number | readonly number[];
  /** Accept bool arrays (multi-hot labels). */
  allowBool?: boolean;
}

/** Largest element count of any array (2^53 − 1 bytes are addressable, far beyond any file). */
function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/**
 * `path` and optional `member` of an array argument: `run.npz:features` and
 * `model.safetensors:layer.weight` name a member; anything else is a plain path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(splitSpec("out/run.npz:features"), { path: "out/run.npz", member: "features" });
 * assert.deepEqual(splitSpec("x.npy"), { path: "x.npy", member: null });
 * ```
 */
export function splitSpec(spec: string): { path: string; member: string | null } {
  const match = /^(.*?\.(?:npz|safetensors)):(.+)$/i.exec(spec);
  return match ? { path: match[1], member: match[2] } : { path: spec, member: null };
}

/** Opens a file for reading, with one-line errors. */
async function openFile(path: string): Promise<{ file: Deno.FsFile; size: number }> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new UsageError(`${path}: no such file`);
    throw new UsageError(`${path}: cannot read (${(error as Error).message})`);
  }
  if (info.isDirectory) throw new UsageError(`${path}: is a directory, not a file`);
  try {
    return { file: await Deno.open(path, { read: true }), size: info.size };
  } catch (error) {
    throw new UsageError(`${path}: cannot read (${(error as Error).message})`);
  }
}

/** Reads exactly `buffer.length` bytes at `position` (short only at the end of the file). */
async function readFully(file: Deno.FsFile, buffer: Uint8Array, position: number): Promise<number> {
  await file.seek(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < buffer.length) {
    const read = await file.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  return filled;
}

/** Grows-on-demand byte buffer for chunk reads. */
class Scratch {
  #bytes = new Uint8Array(0);
  get(length: number): Uint8Array {
    if (this.#bytes.length < length) this.#bytes = new Uint8Array(length);
    return this.#bytes.subarray(0, length);
  }
}

/** An array stored uncompressed at a known offset of a file (.npy, .safetensors). */
class FileArray implements ArraySource {
  readonly seekable = true;
  #position = 0; // element index of the next sequential read
  readonly #scratch = new Scratch();

  constructor(
    readonly name: string,
    readonly dtype: ElementType,
    readonly shape: readonly number[],
    readonly fortranOrder: boolean,
    private readonly file: Deno.FsFile,
    private readonly dataOffset: number,
  ) {}

  async read(out: Float64Array, offset: number, count: number): Promise<void> {
    await this.readAt(out, offset, this.#position, count);
    this.#position += count;
  }

  async readAt(out: Float64Array, offset: number, index: number, count: number): Promise<void> {
    const size = ITEM_SIZE[this.dtype];
    if (index + count > elementCount(this.shape)) {
      throw new RangeError(`${this.name}: read past the last element`);
    }
    const bytes = this.#scratch.get(count * size);
    const filled = await readFully(this.file, bytes, this.dataOffset + index * size);
    if (filled < bytes.length) {
      throw new UsageError(`${this.name}: truncated data (the file ended while reading)`);
    }
    decodeElements(bytes, this.dtype, out, offset, count, (problem) => {
      throw new UsageError(`${this.name}: ${problem}`);
    }, index);
  }

  close(): void {
    try {
      this.file.close();
    } catch {
      // already closed
    }
  }
}

/** Checks that the data region [offset, offset + bytes) is exactly what the file holds. */
function checkDataSize(
  name: string,
  dtype: ElementType,
  shape: readonly number[],
  available: number,
  exact: boolean,
): void {
  const needed = elementCount(shape) * ITEM_SIZE[dtype];
  if (available < needed) {
    throw new UsageError(
      `${name}: truncated data: shape ${formatShape(shape)} of ${TYPE_NAMES[dtype]} needs ` +
        `${needed} bytes, the file has ${available}`,
    );
  }
  if (exact && available > needed) {
    throw new UsageError(
      `${name}: ${available - needed} unexpected bytes after the data of shape ${
        formatShape(shape)
      }`,
    );
  }
}

function checkRank(name: string, shape: readonly number[], options: OpenArrayOptions): void {
  if (options.rank === undefined) return;
  const allowed = typeof options.rank === "number" ? [options.rank] : options.rank;
  if (!allowed.includes(shape.length)) {
    throw new UsageError(
      `${name}: expected a ${allowed.map((r) => `${r}-D`).join(" or ")} array, got shape ` +
        formatShape(shape),
    );
  }
}

async function openNpy(path: string, options: OpenArrayOptions): Promise<ArraySource> {
  const { file, size } = await openFile(path);
  try {
    if (size === 0) throw new UsageError(`${path}: empty file (not a .npy file)`);
    let prefix = new Uint8Array(Math.min(size, 12));
    await readFully(file, prefix, 0);
    const headerBytes = npyHeaderLength(prefix);
    if (headerBytes > prefix.length && headerBytes <= size) {
      prefix = new Uint8Array(headerBytes);
      await readFully(file, prefix, 0);
    }
    const header = parseNpyHeader(prefix, { ...options, name: path });
    checkDataSize(path, header.dtype, header.shape, size - header.dataOffset, true);
    return new FileArray(
      path,
      header.dtype,
      header.shape,
      header.fortranOrder,
      file,
      header.dataOffset,
    );
  } catch (error) {
    file.close();
    throw error;
  }
}

const SAFETENSORS_TYPES: Record<string, ElementType> = {
  F64: "f8",
  F32: "f4",
  F16: "f2",
  BF16: "bf16",
  I64: "i8",
  I32: "i4",
  I16: "i2",
  I8: "i1",
  U64: "u8",
  U32: "u4",
  U16: "u2",
  U8: "u1",
  BOOL: "b1",
};

interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

async function openSafetensors(
  path: string,
  member: string | null,
  options: OpenArrayOptions,
): Promise<ArraySource> {
  const { file, size } = await openFile(path);
  try {
    const fail = (problem: string): never => {
      throw new UsageError(`${path}: ${problem}`);
    };
    if (size < 8) fail("not a .safetensors file (shorter than its 8-byte header length)");
    const lengthBytes = new Uint8Array(8);
    await readFully(file, lengthBytes, 0);
    const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
    if (headerLength > size - 8 || headerLength > 100 * 2 ** 20) {
      fail(`not a .safetensors file or truncated header (declares ${headerLength} header bytes)`);
    }
    const headerBytes = new Uint8Array(headerLength);
    await readFully(file, headerBytes, 8);
    let header: Record<string, SafetensorsEntry>;
    try {
      header = JSON.parse(new TextDecoder().decode(headerBytes));
    } catch (error) {
      return fail(`malformed header (${(error as Error).message})`);
    }
    const names = Object.keys(header).filter((key) => key !== "__metadata__");
    const list = names.slice(0, 12).join(", ") + (names.length > 12 ? ", …" : "");
    let name = member;
    if (name === null) {
      if (names.length !== 1) {
        fail(`holds ${names.length} tensors; name one as ${path}:<tensor> (tensors: ${list})`);
      }
      name = names[0];
    }
    const entry = header[name];
    if (name === "__metadata__" || entry === undefined) {
      fail(`no tensor '${name}' (tensors: ${list || "none"})`);
    }
    const label = `${path}:${name}`;
    const dtype = SAFETENSORS_TYPES[entry.dtype];
    if (dtype === undefined || (dtype === "b1" && !options.allowBool)) {
      throw new UsageError(
        `${label}: dtype ${entry.dtype} is not supported (need F16/BF16/F32/F64 or integers${
          options.allowBool ? " or BOOL" : ""
        })`,
      );
    }
    const shape = entry.shape;
    const [begin, end] = entry.data_offsets ?? [];
    if (
      !Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0) ||
      !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || end < begin
    ) {
      fail(`malformed entry for tensor '${name}'`);
    }
    checkRank(label, shape, options);
    const dataStart = 8 + headerLength;
    const needed = elementCount(shape) * ITEM_SIZE[dtype];
    if (end - begin !== needed) {
      fail(
        `tensor '${name}' has ${end - begin} bytes, shape ${formatShape(shape)} needs ${needed}`,
      );
    }
    checkDataSize(label, dtype, shape, Math.max(0, size - dataStart - begin), false);
    return new FileArray(label, dtype, shape, false, file, dataStart + begin);
  } catch (error) {
    file.close();
    throw error;
  }
}

/** Bytes pushed into the unzipper at a time (bounds the inflated burst). */
const ZIP_CHUNK = 1 << 16;

/** A member of a .npz archive, streamed through fflate (sequential reads only). */
class NpzMember implements ArraySource {
  readonly seekable = false;
  dtype: ElementType = "f8";
  shape: readonly number[] = [];
  fortranOrder = false;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #found = false;
  #done = false;
  #eof = false;
  #error: Error | null = null;
  #position = 0; // file offset of the next chunk to push
  #elements = 0; // elements read so far
  readonly #members: string[] = [];
  readonly #unzip = new Unzip();
  readonly #scratch = new Scratch();

  private constructor(
    readonly name: string,
    private readonly path: string,
    private readonly member: string,
    private readonly file: Deno.FsFile,
  ) {
    this.#unzip.register(UnzipInflate);
    this.#unzip.register(UnzipPassThrough);
    this.#unzip.onfile = (entry) => {
      this.#members.push(entry.name.replace(/\.npy$/, ""));
      const wanted = !this.#found &&
        (entry.name === `${member}.npy` || entry.name === member);
      if (wanted) this.#found = true;
      // Every member is started (unwanted ones are decoded and dropped), so that fflate never
      // buffers a skipped member in memory.
      entry.ondata = (error, data, final) => {
        if (error) {
          this.#error = error;
          return;
        }
        if (!wanted) return;
        if (data.length > 0) {
          this.#queue.push(data);
          this.#queued += data.length;
        }
        if (final) this.#done = true;
      };
      entry.start();
    };
  }

  /** Opens `path:member` and parses the member's .npy header. */
  static async open(path: string, member: string | null, options: OpenArrayOptions) {
    const { file, size } = await openFile(path);
    if (size === 0) {
      file.close();
      throw new UsageError(`${path}: empty file (not a .npz archive)`);
    }
    const source = new NpzMember(
      member === null ? path : `${path}:${member}`,
      path,
      member ?? "",
      file,
    );
    try {
      const magic = new Uint8Array(4);
      await readFully(file, magic, 0);
      if (magic[0] !== 0x50 || magic[1] !== 0x4b) {
        throw new UsageError(`${path}: not a .npz (zip) archive`);
      }
      if (member === null) {
        await source.#drain();
        throw new UsageError(
          `${path}: name a member as ${path}:<name> (members: ${source.#members.join(", ")})`,
        );
      }
      let prefix = source.#take(Math.min(12, await source.#available(12)));
      const headerBytes = npyHeaderLength(prefix);
      if (headerBytes > prefix.length) {
        const missing = headerBytes - prefix.length;
        const rest = source.#take(Math.min(missing, await source.#available(missing)));
        const joined = new Uint8Array(prefix.length + rest.length);
        joined.set(prefix);
        joined.set(rest, prefix.length);
        prefix = joined;
      }
      const header = parseNpyHeader(prefix, { ...options, name: source.name });
      if (header.fortranOrder && header.shape.length > 1) {
        throw new UsageError(
          `${source.name}: Fortran-order arrays inside .npz are not supported; save ` +
            `np.ascontiguousarray(x)`,
        );
      }
      source.dtype = header.dtype;
      source.shape = header.shape;
      return source;
    } catch (error) {
      source.close();
      throw error;
    }
  }

  /** Pushes chunks until `bytes` member bytes are queued, or the member / file ends. */
  async #available(bytes: number): Promise<number> {
    const chunk = new Uint8Array(ZIP_CHUNK);
    while (this.#queued < bytes && !this.#done && !this.#eof) {
      const filled = await readFully(this.file, chunk, this.#position);
      this.#position += filled;
      this.#eof = filled < chunk.length;
      try {
        this.#unzip.push(chunk.subarray(0, filled), this.#eof);
      } catch (error) {
        throw new UsageError(
          `${this.path}: truncated or corrupt .npz archive (${(error as Error).message})`,
        );
      }
      if (this.#error) {
        throw new UsageError(`${this.name}: cannot decompress (${this.#error.message})`);
      }
    }
    if (!this.#found && (this.#eof || this.#done)) {
      throw new UsageError(
        `${this.path}: no member '${this.member}' (members: ${this.#members.join(", ") || "none"})`,
      );
    }
    return this.#queued;
  }

  /** Reads the whole archive (to list its members). */
  async #drain(): Promise<void> {
    this.#found = true; // nothing is wanted; just run through the archive
    while (!this.#eof) await this.#available(Infinity);
  }

  /** Removes and returns `bytes` queued bytes (the caller made them available). */
  #take(bytes: number): Uint8Array {
    const out = this.#scratch.get(bytes).slice();
    let filled = 0;
    while (filled < bytes) {
      const head = this.#queue[0];
      const used = Math.min(head.length, bytes - filled);
      out.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(used);
    }
    this.#queued -= bytes;
    return out;
  }

  async read(out: Float64Array, offset: number, count: number): Promise<void> {
    const size = ITEM_SIZE[this.dtype];
    const bytes = count * size;
    if (await this.#available(bytes) < bytes) {
      throw new UsageError(
        `${this.name}: truncated data: shape ${formatShape(this.shape)} of ${
          TYPE_NAMES[this.dtype]
        } needs ${elementCount(this.shape) * size} bytes`,
      );
    }
    const chunk = this.#take(bytes);
    decodeElements(chunk, this.dtype, out, offset, count, (problem) => {
      throw new UsageError(`${this.name}: ${problem}`);
    }, this.#elements);
    this.#elements += count;
  }

  readAt(): Promise<void> {
    return Promise.reject(new Error(`${this.name}: .npz members are read sequentially`));
  }

  close(): void {
    try {
      this.file.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Opens one array for chunked reading: `x.npy`, `run.npz:member` or
 * `model.safetensors[:tensor]` (see the module notes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeNpy } from "./npy.ts";
 * const dir = await Deno.makeTempDir();
 * await writeNpy(`${dir}/labels.npy`, [0, 1, 1], [3], "i4");
 * const labels = await openArray(`${dir}/labels.npy`, { rank: [1, 2] });
 * assert.equal(labels.dtype, "i4");
 * assert.deepEqual(labels.shape, [3]);
 * labels.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function openArray(spec: string, options: OpenArrayOptions = {}): Promise<ArraySource> {
  const { path, member } = splitSpec(spec);
  if (/\.npz$/i.test(path)) return NpzMember.open(path, member, options);
  if (/\.safetensors$/i.test(path)) return openSafetensors(path, member, options);
  return openNpy(path, options);
}

/** A whole array read into memory (C order), for small arrays such as W and b. */
export interface LoadedArray {
  /** Name for messages. */
  name: string;
  /** Element type stored. */
  dtype: ElementType;
  /** Shape. */
  shape: number[];
  /** Elements in C (row-major) order. */
  data: Float64Array;
}

/**
 * Reads a whole (small) array through {@link openArray}, in C order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeNpy } from "./npy.ts";
 * const dir = await Deno.makeTempDir();
 * await writeNpy(`${dir}/bias.npy`, [1, 2], [2]);
 * const bias = await readArray(`${dir}/bias.npy`, { rank: 1 });
 * assert.deepEqual(bias.data, new Float64Array([1, 2]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readArray(
  spec: string,
  options: OpenArrayOptions = {},
): Promise<LoadedArray> {
  const source = await openArray(spec, options);
  try {
    const count = elementCount(source.shape);
    const stored = new Float64Array(count);
    await source.read(stored, 0, count);
    const shape = [...source.shape];
    let data = stored;
    if (source.fortranOrder && shape.length === 2) {
      data = new Float64Array(count);
      const [rows, cols] = shape;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) data[i * cols + j] = stored[j * rows + i];
      }
    } else if (source.fortranOrder && shape.length > 2) {
      throw new UsageError(`${source.name}: Fortran-order arrays of rank > 2 are not supported`);
    }
    return { name: source.name, dtype: source.dtype, shape, data };
  } finally {
    source.close();
  }
}
