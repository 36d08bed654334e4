/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0): a strict reader for the arrays ufmlab
 * consumes (little-endian float16/32/64 features, integer labels, bool multi-hot labels on
 * request) and a small writer. The header parser is shared with the streaming readers of
 * sources.ts, which read large files in chunks.
 *
 * The reader returns the elements as a `Float64Array` in C (row-major) order whatever the file
 * stored: floats are widened, integers of every width are converted exactly (64-bit values
 * beyond ±(2⁵³−1) are rejected), Fortran-order data is transposed. Everything else — big-endian
 * data, object / structured / complex / string dtypes, bool unless allowed, a bad magic string,
 * a malformed header, truncated data, an unexpected rank — is a {@link UsageError} naming the
 * file and the problem. Format reference: numpy/lib/format.py (NEP 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy, parseNpy } from "./npy.ts";
 * const bytes = encodeNpy(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * const array = parseNpy(bytes, { name: "example.npy", rank: 2 });
 * assert.deepEqual(array.shape, [2, 3]);
 * assert.equal(array.data[5], 6);
 * ```
 * @module
 */
import { UsageError } from "../errors.ts";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic.ts";
import { decodeElements, type ElementType, ITEM_SIZE } from "./elements.ts";

/** Element types the reader accepts (numpy `descr` without the byte-order character). */
export type NpyDtype = Exclude<ElementType, "bf16">;

/** A decoded `.npy` array. */
export interface NpyArray {
  /** Element type stored in the file. */
  dtype: NpyDtype;
  /** Shape, outermost axis first. */
  shape: number[];
  /** The elements in C (row-major) order, converted to f64 (exact for every accepted dtype). */
  data: Float64Array;
  /** Whether the file stored the data in Fortran (column-major) order (`data` is C order). */
  fortranOrder: boolean;
  /** Format version of the file, e.g. "1.0". */
  version: string;
}

/** Options of {@link readNpy} and {@link parseNpy}. */
export interface ReadNpyOptions {
  /** Name used in error messages (default: the path, or "<bytes>"). */
  name?: string;
  /** Allowed number(s) of dimensions; anything else is a {@link UsageError}. */
  rank?: number | readonly number[];
  /** Accept numpy bool arrays (multi-hot labels); rejected by default. */
  allowBool?: boolean;
}

/** The header of a `.npy` file: element type, shape, order, and where the data starts. */
export interface NpyHeader {
  /** Element type. */
  dtype: NpyDtype;
  /** Shape, outermost axis first. */
  shape: number[];
  /** Column-major storage. */
  fortranOrder: boolean;
  /** Byte offset of the first element. */
  dataOffset: number;
  /** Format version, e.g. "1.0". */
  version: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/**
 * Bytes needed to parse a `.npy` header: the whole header once the first 12 bytes are known
 * (magic, version, header length), else 12.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy } from "./npy.ts";
 * assert.equal(npyHeaderLength(encodeNpy([1], [1])), 128);
 * ```
 */
export function npyHeaderLength(prefix: Uint8Array): number {
  if (prefix.length < 12) return 12;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  return prefix[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
}

/**
 * Parses the header of a `.npy` file from its first bytes (at least {@link npyHeaderLength}),
 * with the same checks and messages as {@link parseNpy}, including `options.rank`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy } from "./npy.ts";
 * const header = parseNpyHeader(encodeNpy([1, 2, 3, 4], [2, 2]), { name: "x.npy" });
 * assert.deepEqual(header.shape, [2, 2]);
 * ```
 */
export function parseNpyHeader(bytes: Uint8Array, options: ReadNpyOptions = {}): NpyHeader {
  const name = options.name ?? "<bytes>";
  const fail = (problem: string): never => {
    throw new UsageError(`${name}: ${problem}`);
  };
  if (bytes.length < 10 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    fail("not a .npy file (missing the \\x93NUMPY magic string)");
  }
  const major = bytes[6];
  const minor = bytes[7];
  const version = `${major}.${minor}`;
  if (![1, 2, 3].includes(major) || minor !== 0) {
    fail(`unsupported .npy format version ${version} (expected 1.0, 2.0 or 3.0)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail("truncated header");
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  const dataOffset = headerStart + headerLength;
  if (bytes.length < dataOffset) {
    fail(
      `truncated header (declares ${headerLength} bytes, file has ${bytes.length - headerStart})`,
    );
  }
  // Versions 1.0 and 2.0 store the header as latin-1, version 3.0 as UTF-8.
  const headerText = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, dataOffset),
  );
  const header = parseHeader(headerText, fail);
  const dtype = parseDescr(header.descr, fail, options.allowBool ?? false);
  const { shape, fortranOrder } = header;
  if (options.rank !== undefined) {
    const allowed = typeof options.rank === "number" ? [options.rank] : options.rank;
    if (!allowed.includes(shape.length)) {
      fail(
        `expected a ${allowed.map((r) => `${r}-D`).join(" or ")} array, got shape ` +
          formatShape(shape),
      );
    }
  }
  return { dtype, shape, fortranOrder, dataOffset, version };
}

/**
 * Reads a `.npy` file (or its bytes) into an {@link NpyArray}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readNpy, writeNpy } from "./npy.ts";
 * const dir = await Deno.makeTempDir();
 * await writeNpy(`${dir}/labels.npy`, [0, 1, 1], [3], "i4");
 * const labels = await readNpy(`${dir}/labels.npy`, { rank: 1 });
 * assert.equal(labels.dtype, "i4");
 * assert.deepEqual(labels.data, new Float64Array([0, 1, 1]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readNpy(
  source: string | URL | Uint8Array,
  options: ReadNpyOptions = {},
): Promise<NpyArray> {
  if (source instanceof Uint8Array) return parseNpy(source, options);
  const name = options.name ?? (source instanceof URL ? source.pathname : source);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(source);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new UsageError(`${name}: no such file`);
    throw new UsageError(`${name}: cannot read (${(error as Error).message})`);
  }
  return parseNpy(bytes, { ...options, name });
}

/**
 * Decodes the bytes of a `.npy` file (synchronous core of {@link readNpy}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy, parseNpy } from "./npy.ts";
 * const array = parseNpy(encodeNpy(new Int32Array([0, 1, 1]), [3], "i4"));
 * assert.deepEqual(array.data, new Float64Array([0, 1, 1]));
 * ```
 */
export function parseNpy(bytes: Uint8Array, options: ReadNpyOptions = {}): NpyArray {
  const name = options.name ?? "<bytes>";
  const fail = (problem: string): never => {
    throw new UsageError(`${name}: ${problem}`);
  };
  const { dtype, shape, fortranOrder, dataOffset, version } = parseNpyHeader(bytes, options);
  const count = shape.reduce((product, size) => product * size, 1);
  const itemSize = ITEM_SIZE[dtype];
  const expectedBytes = count * itemSize;
  const dataBytes = bytes.length - dataOffset;
  const descr = `${itemSize === 1 ? "|" : "<"}${dtype}`;
  if (dataBytes < expectedBytes) {
    fail(
      `truncated data: shape ${formatShape(shape)} of ${descr} needs ${expectedBytes} ` +
        `bytes, the file has ${dataBytes}`,
    );
  }
  if (dataBytes > expectedBytes) {
    fail(
      `${dataBytes - expectedBytes} unexpected bytes after the data of shape ${formatShape(shape)}`,
    );
  }
  const stored = new Float64Array(count);
  decodeElements(bytes.subarray(dataOffset), dtype, stored, 0, count, fail);
  const data = fortranOrder && shape.length > 1 ? fortranToC(stored, shape) : stored;
  return { dtype, shape, data, fortranOrder, version };
}

/**
 * Encodes `data` (C order, `shape`) as a version-1.0 little-endian `.npy` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy, parseNpy } from "./npy.ts";
 * const bytes: Uint8Array = encodeNpy([0, 2, 1], [3], "i4");
 * assert.equal((bytes.length - 3 * 4) % 64, 0); // the data starts 64-byte aligned
 * assert.deepEqual(parseNpy(bytes).data, new Float64Array([0, 2, 1]));
 * ```
 */
export function encodeNpy(
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: "f8" | "i4" = "f8",
): Uint8Array {
  const count = shape.reduce((product, size) => product * size, 1);
  if (count !== data.length) {
    throw new RangeError(
      `encodeNpy: shape ${formatShape(shape)} needs ${count} values, got ${data.length}`,
    );
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that magic + version + length + header + "\n" is a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const itemSize = ITEM_SIZE[dtype];
  const bytes = new Uint8Array(10 + header.length + count * itemSize);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < count; i++) {
    if (dtype === "f8") view.setFloat64(start + 8 * i, data[i], true);
    else view.setInt32(start + 4 * i, data[i], true);
  }
  return bytes;
}

/**
 * Writes `data` (C order, `shape`) to `path` as a version-1.0 `.npy` file, atomically (a reader
 * or an interrupted run never sees half a file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readNpy, writeNpy } from "./npy.ts";
 * const dir = await Deno.makeTempDir();
 * await writeNpy(`${dir}/zeros.npy`, new Float64Array(6), [2, 3]); // numpy: zeros((2, 3))
 * const array = await readNpy(`${dir}/zeros.npy`);
 * assert.deepEqual([array.dtype, array.shape, array.data], ["f8", [2, 3], new Float64Array(6)]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeNpy(
  path: string | URL,
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: "f8" | "i4" = "f8",
): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape, dtype));
}

/**
 * {@link writeNpy}, synchronously (for hooks inside a synchronous training loop).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNpy, writeNpySync } from "./npy.ts";
 * const dir = Deno.makeTempDirSync();
 * writeNpySync(`${dir}/bias.npy`, [1, 2], [2]);
 * assert.deepEqual(parseNpy(Deno.readFileSync(`${dir}/bias.npy`)).data, new Float64Array([1, 2]));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function writeNpySync(
  path: string | URL,
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: "f8" | "i4" = "f8",
): void {
  writeFileAtomicSync(path, encodeNpy(data, shape, dtype));
}

// ---------------------------------------------------------------------------------------------
// Header: a Python dict literal such as {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }

type HeaderValue = string | boolean | number | null | HeaderValue[];

interface Header {
  descr: HeaderValue;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, fail: (problem: string) => never): Header {
  const tokens = text.trim().match(/'[^']*'|"[^"]*"|-?\d+L?|[A-Za-z_]+|[{}()[\]:,]|\S/g) ?? [];
  let position = 0;
  const bad = (what: string): never => fail(`malformed header (${what}): ${text.trim()}`);
  const peek = (): string | undefined => tokens[position];
  const next = (): string => tokens[position++] ?? bad("unexpected end");
  const expect = (token: string): void => {
    if (next() !== token) bad(`expected '${token}'`);
  };
  const value = (): HeaderValue => {
    const token = next();
    if (token === "(" || token === "[") {
      const close = token === "(" ? ")" : "]";
      const items: HeaderValue[] = [];
      while (peek() !== close) {
        items.push(value());
        if (peek() === ",") next();
        else if (peek() !== close) bad(`expected ',' or '${close}'`);
      }
      next();
      return items;
    }
    if (/^['"]/.test(token)) return token.slice(1, -1);
    if (/^-?\d+L?$/.test(token)) return Number(token.replace("L", ""));
    if (token === "True") return true;
    if (token === "False") return false;
    if (token === "None") return null;
    return bad(`unexpected '${token}'`);
  };

  expect("{");
  const entries = new Map<string, HeaderValue>();
  while (peek() !== "}") {
    const key = value();
    if (typeof key !== "string") bad("keys must be strings");
    expect(":");
    entries.set(key as string, value());
    if (peek() === ",") next();
    else if (peek() !== "}") bad("expected ',' or '}'");
  }
  next();
  if (position !== tokens.length) bad("text after the closing '}'");

  const keys = [...entries.keys()].sort().join(", ");
  if (keys !== "descr, fortran_order, shape") {
    bad(`expected the keys descr, fortran_order, shape; got ${keys || "none"}`);
  }
  const fortranOrder = entries.get("fortran_order");
  if (typeof fortranOrder !== "boolean") bad("fortran_order must be True or False");
  const shape = entries.get("shape");
  if (
    !Array.isArray(shape) ||
    !shape.every((size) => typeof size === "number" && Number.isSafeInteger(size) && size >= 0)
  ) {
    bad("shape must be a tuple of non-negative integers");
  }
  return {
    descr: entries.get("descr") as HeaderValue,
    fortranOrder: fortranOrder as boolean,
    shape: shape as number[],
  };
}

const UNSUPPORTED_KINDS: Record<string, string> = {
  c: "complex",
  O: "object (pickled Python objects)",
  U: "unicode string",
  S: "byte string",
  a: "byte string",
  V: "void/raw",
  M: "datetime64",
  m: "timedelta64",
};

function parseDescr(
  descr: HeaderValue,
  fail: (problem: string) => never,
  allowBool: boolean,
): NpyDtype {
  if (typeof descr !== "string") {
    return fail("structured (record) dtypes are not supported; save a plain numeric array");
  }
  const match = /^([<>|=])([a-zA-Z])(\d*)(\[\w+\])?$/.exec(descr);
  if (!match) return fail(`unsupported dtype '${descr}'`);
  const [, order, kind, sizeText] = match;
  const size = Number(sizeText);
  if (kind === "b" && !allowBool) {
    return fail(`bool dtype '${descr}' is not supported here (need float or integer)`);
  }
  if (kind in UNSUPPORTED_KINDS) {
    return fail(
      `${UNSUPPORTED_KINDS[kind]} dtype '${descr}' is not supported (need float or integer)`,
    );
  }
  const dtype = `${kind}${size}` as NpyDtype;
  if (!(dtype in ITEM_SIZE) || (dtype as string) === "bf16") {
    return fail(
      `unsupported dtype '${descr}' (supported: float16/32/64, (u)int8/16/32/64${
        allowBool ? ", bool" : ""
      })`,
    );
  }
  if (order === ">" && size > 1) {
    return fail(`big-endian dtype '${descr}' is not supported; save with arr.astype('<${dtype}')`);
  }
  if (order === "=" && size > 1) {
    return fail(`native-order dtype '${descr}' is ambiguous; save with an explicit '<${dtype}'`);
  }
  if (order === "|" && size > 1) return fail(`invalid dtype '${descr}' ('|' is for 1-byte types)`);
  return dtype;
}

/** Reorders column-major (Fortran) elements of `shape` into row-major (C) order. */
function fortranToC(stored: Float64Array, shape: readonly number[]): Float64Array {
  const rank = shape.length;
  const out = new Float64Array(stored.length);
  if (stored.length === 0) return out;
  const strides = new Array<number>(rank); // Fortran strides: the first axis is contiguous
  let stride = 1;
  for (let axis = 0; axis < rank; axis++) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = stored[source];
    // Odometer over the C-order multi-index, last axis fastest.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      source += strides[axis];
      if (index[axis] < shape[axis]) break;
      source -= strides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return out;
}

/**
 * A shape as numpy prints it: `(3,)`, `(2, 3)`, `()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(formatShape([200]), "(200,)");
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}
