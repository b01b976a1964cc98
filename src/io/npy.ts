/**
 * NumPy .npy files: parse (format versions 1.0, 2.0, 3.0) and encode (version 1.0). Pure: bytes in,
 * bytes out; the CLI does the disk I/O.
 *
 * Layout: the magic "\x93NUMPY", major and minor version bytes, the header length (uint16 LE in 1.0,
 * uint32 LE in 2.0/3.0), then the header — a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }
 * (latin-1 in 1.0/2.0, UTF-8 in 3.0) padded with spaces and ending in '\n' — then the raw elements in C
 * order. `encodeNpy` writes the header exactly as numpy.save does (numpy ≥ 1.24: sorted keys, 21 - digits
 * spaces of room to grow the first axis, padding so the data starts at a multiple of 64 bytes), so a file
 * written here equals numpy's byte for byte.
 *
 * Supported element types: <f4 <f8 |i1 |u1 <i2 <i4 <i8 |b1. Big-endian data, other types and Fortran
 * order are rejected with E_INPUT_FILE; so are files whose data is shorter or longer than the shape says.
 */

import { fail } from '../diagnostics.js';
import { DType, TensorData, allocData, bytesOf } from '../ir/dtype.js';

export interface NpyArray {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

const DESCR_TO_DTYPE: Record<string, DType> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '|i1': 'int8',
  '|u1': 'uint8',
  '<i2': 'int16',
  '<i4': 'int32',
  '<i8': 'int64',
  '|b1': 'bool',
};

const DTYPE_TO_DESCR: Record<DType, string> = {
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  bool: '|b1',
};

/** The numpy descr ('<f4', '|b1', ...) of a dtype. */
export function npyDescrOf(dtype: DType): string {
  return DTYPE_TO_DESCR[dtype];
}

// ---------------------------------------------------------------------------------------------------
// Parsing

/** Parses a .npy file; `fileName` only names the file in error messages. */
export function parseNpy(bytes: Uint8Array, fileName: string): NpyArray {
  const bad: Bad = (what) => fail('E_INPUT_FILE', `${fileName}: ${what}`);
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) bad('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0) {
    bad(`unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are supported)`);
  }
  const lengthSize = major === 1 ? 2 : 4;
  const start = 8 + lengthSize;
  if (bytes.length < start) bad(`truncated .npy file (${bytes.length} bytes, header length missing)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < start + headerLength) {
    bad(`truncated .npy file (header needs ${start + headerLength} bytes, file has ${bytes.length})`);
  }
  const headerBytes = bytes.subarray(start, start + headerLength);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { dtype, shape } = interpretHeader(header, bad);
  const data = readElements(bytes.subarray(start + headerLength), dtype, shape, bad);
  return { dtype, shape, data };
}

type Bad = (what: string) => never;

/** Checks the header dict's keys and values and maps descr to a DType. */
function interpretHeader(header: string, bad: Bad): { dtype: DType; shape: number[] } {
  const dict = parseHeaderDict(header, bad);
  const keys = Object.keys(dict).sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    bad(`malformed .npy header: keys are {${keys}}, expected {descr, fortran_order, shape}`);
  }
  const { descr, fortran_order: fortranOrder, shape } = dict;
  if (typeof descr !== 'string') bad('malformed .npy header: descr is not a string');
  if (typeof fortranOrder !== 'boolean') bad('malformed .npy header: fortran_order is not True or False');
  if (!Array.isArray(shape)) bad('malformed .npy header: shape is not a tuple');
  const dtype = DESCR_TO_DTYPE[descr as string];
  if (dtype === undefined) {
    bad(`unsupported dtype '${descr}' (supported: ${Object.keys(DESCR_TO_DTYPE).join(' ')})`);
  }
  if (fortranOrder) {
    bad('fortran_order arrays are not supported; save a C-ordered array (numpy.ascontiguousarray)');
  }
  return { dtype, shape: shape as number[] };
}

/** Copies the element bytes into a typed array (the data may sit at any alignment within `bytes`). */
function readElements(body: Uint8Array, dtype: DType, shape: number[], bad: Bad): TensorData {
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * bytesOf(dtype);
  const what = `shape (${shape.join(', ')}) of ${DTYPE_TO_DESCR[dtype]} needs ${need} data bytes`;
  if (body.length < need) bad(`truncated .npy data: ${what}, file has ${body.length}`);
  if (body.length > need) bad(`unexpected bytes after the .npy data: ${what}, file has ${body.length}`);
  const data = allocData(dtype, count);
  const view = new DataView(body.buffer, body.byteOffset, need);
  for (let i = 0; i < count; i++) data[i] = readElement(view, dtype, i) as never;
  return data;
}

function readElement(view: DataView, dtype: DType, i: number): number | bigint {
  switch (dtype) {
    case 'float32':
      return view.getFloat32(i * 4, true);
    case 'float64':
      return view.getFloat64(i * 8, true);
    case 'int8':
      return view.getInt8(i);
    case 'uint8':
    case 'bool':
      return view.getUint8(i);
    case 'int16':
      return view.getInt16(i * 2, true);
    case 'int32':
      return view.getInt32(i * 4, true);
    case 'int64':
      return view.getBigInt64(i * 8, true);
  }
}

// ---------------------------------------------------------------------------------------------------
// The header dict: a tiny parser for the Python literals numpy writes there

type HeaderValue = string | boolean | number[];

/** Parses `{'key': value, ...}` where value is a quoted string, True/False or a tuple of integers. */
function parseHeaderDict(text: string, bad: Bad): Record<string, HeaderValue> {
  return new HeaderParser(text, bad).dict();
}

class HeaderParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly bad: Bad,
  ) {}

  dict(): Record<string, HeaderValue> {
    const dict: Record<string, HeaderValue> = {};
    this.expect('{');
    while (this.peek() !== '}') {
      if (this.pos >= this.text.length) this.malformed("missing '}'");
      const key = this.string();
      this.expect(':');
      dict[key] = this.value();
      this.separator('}');
    }
    this.pos++;
    if (this.text.slice(this.pos).trim() !== '') this.malformed('text after the closing brace');
    return dict;
  }

  private value(): HeaderValue {
    const ch = this.peek();
    if (ch === "'" || ch === '"') return this.string();
    if (ch === '(') return this.tuple();
    if (ch === '[') this.bad('unsupported dtype: structured arrays are not supported');
    const word = this.match(/^(True|False)\b/, 'True, False, a string or a tuple');
    return word === 'True';
  }

  private string(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') this.malformed(`expected a quoted string at ${this.where()}`);
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) this.malformed('unterminated string');
    const s = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return s;
  }

  private tuple(): number[] {
    this.expect('(');
    const dims: number[] = [];
    while (this.peek() !== ')') {
      dims.push(Number(this.match(/^\d+/, 'a dimension')));
      this.separator(')');
    }
    this.pos++;
    return dims;
  }

  /** Consumes a ',' or stops before `close`. */
  private separator(close: string): void {
    const ch = this.peek();
    if (ch === ',') this.pos++;
    else if (ch !== close) this.malformed(`expected ',' or '${close}' at ${this.where()}`);
  }

  private match(re: RegExp, what: string): string {
    this.peek();
    const m = re.exec(this.text.slice(this.pos));
    if (!m) return this.malformed(`expected ${what} at ${this.where()}`);
    this.pos += m[0].length;
    return m[0];
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) this.malformed(`expected '${ch}' at ${this.where()}`);
    this.pos++;
  }

  /** Skips white space and returns the next character ('' at the end). */
  private peek(): string {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
    return this.text.charAt(this.pos);
  }

  /** Where the parser stands, for messages. */
  private where(): string {
    return this.pos >= this.text.length ? 'the end' : `offset ${this.pos}`;
  }

  private malformed(why: string): never {
    return this.bad(`malformed .npy header: ${why}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Encoding

/** The header text numpy.save writes for version 1.0, padded and ending in '\n'. */
function headerText(dtype: DType, shape: readonly number[]): string {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let text = `{'descr': '${DTYPE_TO_DESCR[dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) text += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const preamble = MAGIC.length + 2 + 2;
  const pad = ALIGN - ((preamble + text.length + 1) % ALIGN);
  return text + ' '.repeat(pad % ALIGN) + '\n';
}

/** A version 1.0 .npy file of `data` (C order). Misuse (wrong array type or length) throws Error. */
export function encodeNpy(dtype: DType, shape: readonly number[], data: TensorData): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`encodeNpy: bad shape [${shape}]`);
  if (data.length !== count) throw new Error(`encodeNpy: ${data.length} elements for shape [${shape}]`);
  if (data.constructor !== allocData(dtype, 0).constructor) {
    throw new Error(`encodeNpy: ${data.constructor.name} does not hold ${dtype}`);
  }
  const header = headerText(dtype, shape);
  if (header.length > 0xffff) throw new Error('encodeNpy: header too long for format version 1.0');
  const start = 10 + header.length;
  const out = new Uint8Array(start + count * bytesOf(dtype));
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[8 + 2 + i] = header.charCodeAt(i);
  for (let i = 0; i < count; i++) writeElement(view, start, dtype, i, data[i]);
  return out;
}

function writeElement(view: DataView, start: number, dtype: DType, i: number, v: number | bigint): void {
  const at = start + i * bytesOf(dtype);
  if (typeof v === 'bigint') view.setBigInt64(at, v, true);
  else if (dtype === 'float32') view.setFloat32(at, v, true);
  else if (dtype === 'float64') view.setFloat64(at, v, true);
  else if (dtype === 'int16') view.setInt16(at, v, true);
  else if (dtype === 'int32') view.setInt32(at, v, true);
  else view.setUint8(at, v & 0xff);
}
