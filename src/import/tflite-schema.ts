/**
 * A checked reader of the TensorFlow Lite flatbuffer schema (tensorflow/compiler/mlir/lite/schema/schema.fbs,
 * schema version 3): only the tables and fields the importer needs, decoded eagerly into plain objects.
 *
 * The `flatbuffers` runtime's ByteBuffer does the little-endian reads; it checks nothing, so every
 * position is checked here before it is read: table and vtable inside the buffer, each field inside its
 * table, every offset, vector (length × element size) and string inside the buffer. Anything out of
 * range is an E_MODEL_FORMAT error naming the file and the table/field being read — never a RangeError
 * or silently wrong data. What the official flatbuffers verifier refuses is refused here too: an offset
 * of 0 (it would point at itself: read as an empty vector, a zero point of 0 instead of the model's) or
 * of 2^31 and more, tables and offsets not 4-byte aligned, vtables not 2-byte aligned, scalar fields not
 * aligned to their size, strings without their terminating 0 byte. Field ids below are the schema's declaration order (a union takes two ids:
 * its `_type` byte, then the table offset).
 */

import { ByteBuffer } from 'flatbuffers';
import { fail } from '../diagnostics.js';

// ---------------------------------------------------------------------------------------------------
// Schema constants

/** TensorType enum values. */
export const TENSOR_TYPE_NAMES = [
  'FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8',
  'FLOAT64', 'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT', 'UINT32', 'UINT16', 'INT4', 'BFLOAT16',
  'INT2', 'UINT4', 'FLOAT8_E4M3FN', 'FLOAT8_E5M2',
];
export const TensorType = { FLOAT32: 0, INT32: 2, UINT8: 3, INT64: 4, INT16: 7, INT8: 9 } as const;

/** BuiltinOperator names by code (0–161; later codes are StableHLO operators, named by number). */
const BUILTIN_NAMES = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR ' +
  'FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC ' +
  'LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX ' +
  'SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD ' +
  'UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE ' +
  'UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX ' +
  'DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER ' +
  'GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL ' +
  'NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ' +
  'ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL ' +
  'FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE ' +
  'CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE ' +
  'MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND ' +
  'SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE ' +
  'BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE HASHTABLE_FIND HASHTABLE_IMPORT ' +
  'HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ASSIGN_VARIABLE BROADCAST_ARGS ' +
  'RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU DYNAMIC_UPDATE_SLICE RELU_0_TO_1 ' +
  'UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 UNSORTED_SEGMENT_MIN SIGN ' +
  'BITCAST BITWISE_XOR RIGHT_SHIFT'
).split(' ');

/** The name of a builtin operator code, e.g. 3 → "CONV_2D". */
export function builtinName(code: number): string {
  return BUILTIN_NAMES[code] ?? `BUILTIN_${code}`;
}

/** The code of a builtin operator name (for the ones in BUILTIN_NAMES). */
export function builtinCode(name: string): number {
  const code = BUILTIN_NAMES.indexOf(name);
  if (code < 0) throw new Error(`internal: unknown TFLite builtin '${name}'`);
  return code;
}


// ---------------------------------------------------------------------------------------------------
// Decoded model

export interface TfliteQuantization {
  min: number[];
  max: number[];
  scale: number[];
  zeroPoint: number[];
  /** Union type of `details` (0 = none): other quantization schemes are not supported. */
  detailsType: number;
  quantizedDimension: number;
}

export interface TfliteTensor {
  shape: number[];
  /** TensorType enum value. */
  type: number;
  buffer: number;
  name: string;
  quantization?: TfliteQuantization;
  isVariable: boolean;
  hasSparsity: boolean;
  shapeSignature?: number[];
}

export interface TfliteOperator {
  opcodeIndex: number;
  /** Tensor indices; −1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** BuiltinOptions union type (0 = none). */
  optionsType: number;
  /** The options table's position, read with `readOptions`. */
  optionsPos?: number;
}

export interface TfliteSubgraph {
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  name: string;
}

export interface TfliteOperatorCode {
  /** max(deprecated_builtin_code, builtin_code). */
  builtinCode: number;
  customCode?: string;
  version: number;
}

export interface TfliteModel {
  version: number;
  operatorCodes: TfliteOperatorCode[];
  subgraphs: TfliteSubgraph[];
  /** Buffer data (a view into the file); empty for the sentinel and for buffers without data. */
  buffers: Uint8Array[];
  /** The reader, kept to decode operator options on demand. */
  reader: FlatReader;
}

// ---------------------------------------------------------------------------------------------------
// Checked flatbuffer access

/** A table: its position and its vtable's. */
export interface Table {
  pos: number;
  vtable: number;
  vtableSize: number;
  objectSize: number;
  what: string;
}

export class FlatReader {
  readonly bb: ByteBuffer;
  readonly size: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly fileName: string,
  ) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
  }

  corrupt(what: string): never {
    fail('E_MODEL_FORMAT', `${this.fileName}: truncated or corrupt TensorFlow Lite file: ${what}`);
  }

  private check(pos: number, bytes: number, what: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + bytes > this.size) {
      this.corrupt(`${what} at byte ${pos} (+${bytes}) is outside the ${this.size}-byte file`);
    }
  }

  /** The table at `pos`, with its vtable checked. */
  table(pos: number, what: string): Table {
    this.check(pos, 4, what);
    if (pos % 4 !== 0) this.corrupt(`${what} at byte ${pos} is not 4-byte aligned`);
    const vtable = pos - this.bb.readInt32(pos);
    this.check(vtable, 4, `${what}'s vtable`);
    if (vtable % 2 !== 0) this.corrupt(`${what}'s vtable at byte ${vtable} is not 2-byte aligned`);
    const vtableSize = this.bb.readUint16(vtable);
    const objectSize = this.bb.readUint16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0) this.corrupt(`${what}'s vtable has an invalid size ${vtableSize}`);
    this.check(vtable, vtableSize, `${what}'s vtable`);
    if (objectSize < 4) this.corrupt(`${what} has an invalid size ${objectSize}`);
    this.check(pos, objectSize, what);
    return { pos, vtable, vtableSize, objectSize, what };
  }

  /** The root table: the identifier "TFL3" must follow the root offset. */
  root(): Table {
    if (this.size < 8) this.corrupt(`the file is ${this.size} bytes long, too short for a flatbuffer`);
    if (!this.bb.__has_identifier('TFL3')) {
      const id = String.fromCharCode(...this.bytes.subarray(4, 8)).replace(/[^\x20-\x7e]/g, '?');
      fail('E_MODEL_FORMAT', `${this.fileName}: not a TensorFlow Lite model (file identifier '${id}', expected 'TFL3')`);
    }
    return this.table(this.offsetTarget(0, 'Model'), 'Model');
  }

  /** Absolute position of field `id`, or 0 when absent. */
  private field(t: Table, id: number, bytes: number): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > t.vtableSize) return 0;
    const off = this.bb.readUint16(t.vtable + slot);
    if (off === 0) return 0;
    if (off + bytes > t.objectSize) this.corrupt(`${t.what} field ${id} lies outside its table`);
    if ((t.pos + off) % bytes !== 0) this.corrupt(`${t.what} field ${id} at byte ${t.pos + off} is not ${bytes}-byte aligned`);
    return t.pos + off;
  }

  /** The position an offset stored at `p` points to: non-zero, below 2^31, inside the file. */
  private offsetTarget(p: number, what: string): number {
    const off = this.bb.readUint32(p);
    if (off === 0) this.corrupt(`${what}: offset 0 at byte ${p} (an offset may not point to itself)`);
    if (off > 0x7fffffff) this.corrupt(`${what}: offset ${off} at byte ${p} is 2^31 or more`);
    this.check(p + off, 4, what);
    return p + off;
  }

  has(t: Table, id: number): boolean {
    return this.field(t, id, 1) !== 0;
  }

  int8(t: Table, id: number, fallback = 0): number {
    const p = this.field(t, id, 1);
    return p ? this.bb.readInt8(p) : fallback;
  }

  uint8(t: Table, id: number, fallback = 0): number {
    const p = this.field(t, id, 1);
    return p ? this.bb.readUint8(p) : fallback;
  }

  bool(t: Table, id: number, fallback = false): boolean {
    const p = this.field(t, id, 1);
    return p ? this.bb.readUint8(p) !== 0 : fallback;
  }

  int32(t: Table, id: number, fallback = 0): number {
    const p = this.field(t, id, 4);
    return p ? this.bb.readInt32(p) : fallback;
  }

  uint32(t: Table, id: number, fallback = 0): number {
    const p = this.field(t, id, 4);
    return p ? this.bb.readUint32(p) : fallback;
  }

  uint64(t: Table, id: number): bigint {
    const p = this.field(t, id, 8);
    return p ? this.bb.readUint64(p) : 0n;
  }

  float32(t: Table, id: number, fallback = 0): number {
    const p = this.field(t, id, 4);
    return p ? this.bb.readFloat32(p) : fallback;
  }

  /** The target of the offset field `id` (a table, vector or string), or 0 when absent. */
  private indirect(t: Table, id: number, name: string): number {
    const p = this.field(t, id, 4);
    if (!p) return 0;
    return this.offsetTarget(p, `${t.what}.${name}`);
  }

  /** A sub-table field, or undefined when absent. */
  subtable(t: Table, id: number, name: string): Table | undefined {
    const p = this.indirect(t, id, name);
    return p ? this.table(p, `${t.what}.${name}`) : undefined;
  }

  /** Position of a table given by its absolute position (union members). */
  tableAt(pos: number, what: string): Table {
    return this.table(pos, what);
  }

  /** Union member position (for decoding on demand), or undefined when absent. */
  unionPos(t: Table, id: number, name: string): number | undefined {
    return this.indirect(t, id, name) || undefined;
  }

  /** A vector field: first element position and length (elements checked inside the file). */
  private vector(t: Table, id: number, elementBytes: number, name: string): { start: number; length: number } {
    const p = this.indirect(t, id, name);
    if (!p) return { start: 0, length: 0 };
    if (p % 4 !== 0) this.corrupt(`${t.what}.${name} at byte ${p} is not 4-byte aligned`);
    const length = this.bb.readUint32(p);
    this.check(p + 4, length * elementBytes, `${t.what}.${name} (${length} elements)`);
    return { start: p + 4, length };
  }

  int32s(t: Table, id: number, name: string): number[] {
    const v = this.vector(t, id, 4, name);
    return Array.from({ length: v.length }, (_, i) => this.bb.readInt32(v.start + 4 * i));
  }

  float32s(t: Table, id: number, name: string): number[] {
    const v = this.vector(t, id, 4, name);
    return Array.from({ length: v.length }, (_, i) => this.bb.readFloat32(v.start + 4 * i));
  }

  int64s(t: Table, id: number, name: string): number[] {
    const v = this.vector(t, id, 8, name);
    return Array.from({ length: v.length }, (_, i) => Number(this.bb.readInt64(v.start + 8 * i)));
  }

  bytesField(t: Table, id: number, name: string): Uint8Array {
    const v = this.vector(t, id, 1, name);
    return this.bytes.subarray(v.start, v.start + v.length);
  }

  tables(t: Table, id: number, name: string): Table[] {
    const v = this.vector(t, id, 4, name);
    return Array.from({ length: v.length }, (_, i) => {
      const target = this.offsetTarget(v.start + 4 * i, `${t.what}.${name}[${i}]`);
      return this.table(target, `${t.what}.${name}[${i}]`);
    });
  }

  string(t: Table, id: number, name: string): string | undefined {
    const v = this.vector(t, id, 1, name);
    if (v.start === 0) return undefined;
    const end = v.start + v.length;
    if (end >= this.size || this.bytes[end] !== 0) this.corrupt(`${t.what}.${name} (${v.length} bytes) has no terminating 0 byte`);
    return new TextDecoder().decode(this.bytes.subarray(v.start, v.start + v.length));
  }
}

// ---------------------------------------------------------------------------------------------------
// Tables

function readQuantization(r: FlatReader, t: Table): TfliteQuantization {
  return {
    min: r.float32s(t, 0, 'min'),
    max: r.float32s(t, 1, 'max'),
    scale: r.float32s(t, 2, 'scale'),
    zeroPoint: r.int64s(t, 3, 'zero_point'),
    detailsType: r.uint8(t, 4),
    quantizedDimension: r.int32(t, 6),
  };
}

function readTensor(r: FlatReader, t: Table): TfliteTensor {
  const q = r.subtable(t, 4, 'quantization');
  return {
    shape: r.int32s(t, 0, 'shape'),
    type: r.int8(t, 1),
    buffer: r.uint32(t, 2),
    name: r.string(t, 3, 'name') ?? '',
    quantization: q ? readQuantization(r, q) : undefined,
    isVariable: r.bool(t, 5),
    hasSparsity: r.has(t, 6),
    shapeSignature: r.has(t, 7) ? r.int32s(t, 7, 'shape_signature') : undefined,
  };
}

function readOperator(r: FlatReader, t: Table): TfliteOperator {
  const optionsType = r.uint8(t, 3);
  return {
    opcodeIndex: r.uint32(t, 0),
    inputs: r.int32s(t, 1, 'inputs'),
    outputs: r.int32s(t, 2, 'outputs'),
    optionsType,
    optionsPos: optionsType ? r.unionPos(t, 4, 'builtin_options') : undefined,
  };
}

function readSubgraph(r: FlatReader, t: Table): TfliteSubgraph {
  return {
    tensors: r.tables(t, 0, 'tensors').map((x) => readTensor(r, x)),
    inputs: r.int32s(t, 1, 'inputs'),
    outputs: r.int32s(t, 2, 'outputs'),
    operators: r.tables(t, 3, 'operators').map((x) => readOperator(r, x)),
    name: r.string(t, 4, 'name') ?? '',
  };
}

function readOperatorCode(r: FlatReader, t: Table): TfliteOperatorCode {
  return {
    builtinCode: Math.max(r.int8(t, 0), r.int32(t, 3)),
    customCode: r.string(t, 1, 'custom_code'),
    version: r.int32(t, 2, 1),
  };
}

function readBuffer(r: FlatReader, t: Table, index: number): Uint8Array {
  const data = r.bytesField(t, 0, 'data');
  if (data.length > 0) return data;
  // Models over 2 GB keep buffers outside the flatbuffer, at an offset from the start of the file.
  const offset = r.uint64(t, 1);
  const size = r.uint64(t, 2);
  if (offset <= 1n) return data;
  if (offset + size > BigInt(r.size)) r.corrupt(`buffer ${index} (bytes ${offset}..${offset + size}) lies outside the file`);
  return r.bytes.subarray(Number(offset), Number(offset + size));
}

/** Decodes and checks the structure of a .tflite file. Fails with E_MODEL_FORMAT on anything out of range. */
export function readTfliteModel(bytes: Uint8Array, fileName: string): TfliteModel {
  const r = new FlatReader(bytes, fileName);
  const m = r.root();
  return {
    version: r.uint32(m, 0),
    operatorCodes: r.tables(m, 1, 'operator_codes').map((t) => readOperatorCode(r, t)),
    subgraphs: r.tables(m, 2, 'subgraphs').map((t) => readSubgraph(r, t)),
    buffers: r.tables(m, 4, 'buffers').map((t, i) => readBuffer(r, t, i)),
    reader: r,
  };
}
