/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0): a strict reader for the arrays ufmlab
 * consumes (little-endian float32/float64 features, integer labels) and a small writer.
 *
 * The reader returns the elements as a `Float64Array` in C (row-major) order whatever the file
 * stored: float32 is widened, integers of every width are converted exactly (64-bit values
 * beyond ±(2⁵³−1) are rejected), Fortran-order data is transposed. Everything else — big-endian
 * data, object / structured / complex / bool / string dtypes, a bad magic string, a malformed
 * header, truncated data, an unexpected rank — is a {@link UsageError} naming the file and the
 * problem. Format reference: numpy/lib/format.py (NEP 1).
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
import { writeFileAtomic } from "./atomic.ts";

/** Element types the reader accepts (numpy `descr` without the byte-order character). */
export type NpyDtype = "f8" | "f4" | "i1" | "i2" | "i4" | "i8" | "u1" | "u2" | "u4" | "u8";

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
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ITEM_SIZE: Record<NpyDtype, number> = {
  f8: 8,
  f4: 4,
  i1: 1,
  i2: 2,
  i4: 4,
  i8: 8,
  u1: 1,
  u2: 2,
  u4: 4,
  u8: 8,
};

/**
 * Reads a `.npy` file (or its bytes) into an {@link NpyArray}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readNpy, writeNpy } from "./npy.ts";
 * const path = await Deno.makeTempFile({ suffix: ".npy" });
 * await writeNpy(path, [0, 1, 1], [3], "i4");
 * const labels = await readNpy(path, { rank: 1 });
 * assert.equal(labels.dtype, "i4");
 * assert.deepEqual([...labels.data], [0, 1, 1]);
 * await Deno.remove(path);
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
 * For aligned little-endian float64 C-order data, `data` is a view into `bytes` (no copy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy, parseNpy } from "./npy.ts";
 * const { data } = parseNpy(encodeNpy(new Int32Array([0, 1, 1]), [3], "i4"));
 * assert.deepEqual(data, new Float64Array([0, 1, 1]));
 * ```
 */
export function parseNpy(bytes: Uint8Array, options: ReadNpyOptions = {}): NpyArray {
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
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) {
    fail(
      `truncated header (declares ${headerLength} bytes, file has ${bytes.length - headerStart})`,
    );
  }
  // Versions 1.0 and 2.0 store the header as latin-1, version 3.0 as UTF-8.
  const headerText = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, dataStart),
  );
  const header = parseHeader(headerText, fail);
  const dtype = parseDescr(header.descr, fail);
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
  const count = shape.reduce((product, size) => product * size, 1);
  const itemSize = ITEM_SIZE[dtype];
  const expectedBytes = count * itemSize;
  const dataBytes = bytes.length - dataStart;
  if (dataBytes < expectedBytes) {
    fail(
      `truncated data: shape ${formatShape(shape)} of ${header.descr} needs ${expectedBytes} ` +
        `bytes, the file has ${dataBytes}`,
    );
  }
  if (dataBytes > expectedBytes) {
    fail(
      `${dataBytes - expectedBytes} unexpected bytes after the data of shape ${formatShape(shape)}`,
    );
  }
  const stored = decodeElements(bytes, dataStart, count, dtype, fail);
  const data = fortranOrder && shape.length > 1 ? fortranToC(stored, shape) : stored;
  return { dtype, shape, data, fortranOrder, version };
}

/**
 * Encodes `data` (C order, `shape`) as a version-1.0 little-endian `.npy` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy } from "./npy.ts";
 * const bytes: Uint8Array = encodeNpy([0, 2, 1], [3], "i4");
 * assert.equal(new TextDecoder().decode(bytes.subarray(1, 6)), "NUMPY"); // magic \x93NUMPY
 * assert.equal(bytes.length % 64, 12); // header padded to 64 bytes, then 3 × 4 data bytes
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
 * const path = await Deno.makeTempFile({ suffix: ".npy" });
 * await writeNpy(path, new Float64Array(6), [2, 3]); // numpy.load(path) gives zeros((2, 3))
 * assert.deepEqual((await readNpy(path)).shape, [2, 3]);
 * await Deno.remove(path);
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
  b: "bool",
  c: "complex",
  O: "object (pickled Python objects)",
  U: "unicode string",
  S: "byte string",
  a: "byte string",
  V: "void/raw",
  M: "datetime64",
  m: "timedelta64",
};

function parseDescr(descr: HeaderValue, fail: (problem: string) => never): NpyDtype {
  if (typeof descr !== "string") {
    return fail("structured (record) dtypes are not supported; save a plain numeric array");
  }
  const match = /^([<>|=])([a-zA-Z])(\d*)(\[\w+\])?$/.exec(descr);
  if (!match) return fail(`unsupported dtype '${descr}'`);
  const [, order, kind, sizeText] = match;
  const size = Number(sizeText);
  if (kind in UNSUPPORTED_KINDS) {
    return fail(
      `${UNSUPPORTED_KINDS[kind]} dtype '${descr}' is not supported (need float or integer)`,
    );
  }
  const dtype = `${kind}${size}` as NpyDtype;
  if (!(dtype in ITEM_SIZE)) {
    return fail(`unsupported dtype '${descr}' (supported: float32/64, (u)int8/16/32/64)`);
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

function decodeElements(
  bytes: Uint8Array,
  start: number,
  count: number,
  dtype: NpyDtype,
  fail: (problem: string) => never,
): Float64Array {
  const offset = bytes.byteOffset + start;
  // Fast path: aligned little-endian f8 is already the output format (no copy).
  if (dtype === "f8" && offset % 8 === 0) return new Float64Array(bytes.buffer, offset, count);
  const view = new DataView(bytes.buffer, offset, count * ITEM_SIZE[dtype]);
  const out = new Float64Array(count);
  switch (dtype) {
    case "f8":
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case "f4":
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case "i1":
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case "u1":
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    case "i2":
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      break;
    case "u2":
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, true);
      break;
    case "i4":
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      break;
    case "u4":
      for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, true);
      break;
    case "i8":
    case "u8":
      for (let i = 0; i < count; i++) {
        const value = dtype === "i8"
          ? view.getBigInt64(8 * i, true)
          : view.getBigUint64(8 * i, true);
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
          fail(`element ${i} = ${value} is beyond the exactly representable range ±(2^53−1)`);
        }
        out[i] = Number(value);
      }
      break;
  }
  return out;
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

function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}
