/**
 * A small typed builder for ONNX models in tests, on top of onnx-proto's protobufjs classes.
 *
 *   const m = new OnnxModelBuilder({ opset: 13 });
 *   const x = m.input('x', 'float32', [1, 3, 8, 8]);
 *   const w = m.initializer('w', 'float32', [4, 3, 3, 3], data, { encoding: 'typed' });
 *   const [y] = m.node('Conv', [x, w], { strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'conv1' });
 *   m.output(y, 'float32', [1, 4, 4, 4]);
 *   const bytes = m.encode();
 *
 * Values are referred to by name (plain strings), so '' can stand for an omitted optional input.
 * Attribute values map to ONNX attribute types by their JS shape: an integer number → INT, any other
 * number → FLOAT, `float(v)` → FLOAT even when v is integral, number[] → INTS when every element is an
 * integer (also when empty) else FLOATS, `floats([...])` → FLOATS, bigint → INT, string → STRING,
 * string[] → STRINGS, `tensor(...)` → TENSOR.
 *
 * Tensors (initializers and tensor attributes) are written with either encoding, because importers must
 * read both: 'raw' puts little-endian bytes in raw_data; 'typed' uses the field the ONNX spec assigns to
 * the element type (float_data, double_data, int64_data, or int32_data for the 8/16-bit types and bool).
 *
 * onnx-proto is CommonJS (`module.exports = $root`), so under NodeNext ESM only the default import works
 * at run time; `import { onnx } from 'onnx-proto'` type-checks but fails to link.
 */

import onnxProto from 'onnx-proto';
import { DType, TensorData, fromNumbers } from '../../src/ir/dtype.js';

const { onnx } = onnxProto;

export type ModelProto = onnxProto.onnx.IModelProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type NodeProto = onnxProto.onnx.INodeProto;
type Int64Value = NonNullable<TensorProto['int64Data']>[number];

/** Element types a model may declare: the IR's DTypes plus ONNX types the compiler must reject. */
export type ElemType = DType | 'float16' | 'bfloat16' | 'uint16' | 'uint32' | 'uint64' | 'string' | 'complex64';

/** A dimension: a size, a symbolic name (dim_param), or null for an unnamed unknown. */
export type Dim = number | string | null;

export type TensorEncoding = 'raw' | 'typed';

const ELEM_TYPE_CODE: Record<ElemType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  complex64: 14,
  bfloat16: 16,
};

/** The TensorProto.DataType code of an element type. */
export function elemTypeCode(type: ElemType): number {
  return ELEM_TYPE_CODE[type];
}

// ---------------------------------------------------------------------------------------------------
// Tensors

/** Tensor contents for initializers and tensor attributes; number[] is converted to `dtype`. */
export type TensorInit = TensorData | readonly number[] | readonly bigint[];

/** A tensor attribute value, made by `tensor()`. */
export interface TensorValue {
  readonly kind: 'tensor';
  readonly proto: TensorProto;
}

/** Converts JS numbers (or bigints, for int64) to the typed array of `dtype`; typed arrays pass through. */
export function toTensorData(dtype: DType, data: TensorInit): TensorData {
  if (ArrayBuffer.isView(data)) return data;
  if (data.length > 0 && typeof data[0] === 'bigint') {
    if (dtype !== 'int64') throw new Error(`bigint data given for a ${dtype} tensor`);
    return BigInt64Array.from(data as readonly bigint[]);
  }
  return fromNumbers(dtype, data as readonly number[]);
}

/** Little-endian bytes of `data` as an element of `dtype` (what raw_data holds). */
export function rawBytesOf(dtype: DType, data: TensorData): Uint8Array {
  const size = data.BYTES_PER_ELEMENT;
  const out = new Uint8Array(data.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const at = i * size;
    if (typeof v === 'bigint') view.setBigInt64(at, v, true);
    else if (dtype === 'float32') view.setFloat32(at, v, true);
    else if (dtype === 'float64') view.setFloat64(at, v, true);
    else if (size === 1) view.setUint8(at, v & 0xff);
    else if (size === 2) view.setInt16(at, v, true);
    else view.setInt32(at, v, true);
  }
  return out;
}

/** An int64 for protobufjs: a number when exact, else the {low, high} pair its writer accepts. */
function int64Value(v: bigint): Int64Value {
  if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  const low = Number(BigInt.asUintN(32, v)) | 0;
  const high = Number(BigInt.asUintN(32, v >> 32n)) | 0;
  return { low, high, unsigned: false } as unknown as Int64Value;
}

/** Fills the typed field the ONNX spec assigns to `dtype`. */
function setTypedField(proto: TensorProto, dtype: DType, data: TensorData): void {
  if (data instanceof BigInt64Array) {
    proto.int64Data = Array.from(data, int64Value);
  } else if (dtype === 'float32') {
    proto.floatData = Array.from(data);
  } else if (dtype === 'float64') {
    proto.doubleData = Array.from(data);
  } else {
    proto.int32Data = Array.from(data); // int8, uint8, int16, int32, bool
  }
}

/** A TensorProto named `name` holding `data` in the given encoding. */
export function makeTensorProto(
  name: string,
  dtype: DType,
  dims: readonly number[],
  init: TensorInit,
  encoding: TensorEncoding = 'raw',
): TensorProto {
  const data = toTensorData(dtype, init);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`tensor '${name}': ${data.length} values for dims [${dims.join(', ')}] (${count} needed)`);
  }
  const proto: TensorProto = { name, dataType: elemTypeCode(dtype), dims: [...dims] };
  if (encoding === 'raw') proto.rawData = rawBytesOf(dtype, data);
  else setTypedField(proto, dtype, data);
  return proto;
}

/** A tensor attribute value (e.g. Constant's `value`). */
export function tensor(
  dtype: DType,
  dims: readonly number[],
  data: TensorInit,
  encoding: TensorEncoding = 'raw',
): TensorValue {
  return { kind: 'tensor', proto: makeTensorProto('', dtype, dims, data, encoding) };
}

// ---------------------------------------------------------------------------------------------------
// Attributes

/** Forces FLOAT / FLOATS for values that happen to be integral; made by `float()` and `floats()`. */
export interface FloatValue {
  readonly kind: 'float';
  readonly value: number | readonly number[];
}

/** A FLOAT attribute even when `v` is an integer (e.g. `alpha: float(1)`). */
export function float(v: number): FloatValue {
  return { kind: 'float', value: v };
}

/** A FLOATS attribute even when every element is an integer (or the list is empty). */
export function floats(v: readonly number[]): FloatValue {
  return { kind: 'float', value: v };
}

export type AttrValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly string[]
  | FloatValue
  | TensorValue;

const AT = onnx.AttributeProto.AttributeType;

/** One AttributeProto from a JS value (see the file overview for the mapping). */
export function makeAttribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'bigint') return { name, type: AT.INT, i: int64Value(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: AT.INT, i: value } : { name, type: AT.FLOAT, f: value };
  }
  if (typeof value === 'string') return { name, type: AT.STRING, s: new TextEncoder().encode(value) };
  if (isStringArray(value)) {
    return { name, type: AT.STRINGS, strings: value.map((s) => new TextEncoder().encode(s)) };
  }
  if (isNumberArray(value)) {
    return value.every(Number.isInteger)
      ? { name, type: AT.INTS, ints: [...value] }
      : { name, type: AT.FLOATS, floats: [...value] };
  }
  if (value.kind === 'tensor') return { name, type: AT.TENSOR, t: value.proto };
  const v = value.value;
  return typeof v === 'number' ? { name, type: AT.FLOAT, f: v } : { name, type: AT.FLOATS, floats: [...v] };
}

function isStringArray(v: AttrValue): v is readonly string[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === 'string';
}

function isNumberArray(v: AttrValue): v is readonly number[] {
  return Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------
// The builder

export interface ModelOptions {
  /** Version of the default ('' = ai.onnx) opset. Default 13. */
  opset?: number;
  /** Further opset imports, e.g. { 'com.microsoft': 1 }. */
  domains?: Record<string, number>;
  /** ModelProto.ir_version. Default 8 (what onnx 1.10 writes; ORT accepts it for any opset ≤ 16). */
  irVersion?: number;
  graphName?: string;
}

export interface InitializerOptions {
  /** Default 'raw'. */
  encoding?: TensorEncoding;
  /** Also list it among the graph inputs, as models from IR version < 4 do. */
  asInput?: boolean;
}

export interface NodeOptions {
  /** Node name; default `<op>_<n>`. */
  name?: string;
  /** Operator domain, e.g. 'com.microsoft'; default '' (ai.onnx). */
  domain?: string;
  /** Output names, or how many to create as `<name>_out<i>`; default 1. */
  outputs?: number | readonly string[];
  docString?: string;
}

/** A ValueInfoProto for a tensor; `shape` undefined means "shape unknown" (no shape field at all). */
export function makeValueInfo(name: string, dtype: ElemType, shape?: readonly Dim[]): ValueInfoProto {
  const tensorType: onnxProto.onnx.TypeProto.ITensor = { elemType: elemTypeCode(dtype) };
  if (shape !== undefined) {
    tensorType.shape = {
      dim: shape.map((d) => (d === null ? {} : typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
    };
  }
  return { name, type: { tensorType } };
}

export class OnnxModelBuilder {
  private readonly opsets = new Map<string, number>();
  private readonly irVersion: number;
  private readonly graphName: string;
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly valueInfos: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly nodes: NodeProto[] = [];

  constructor(options: ModelOptions = {}) {
    this.opsets.set('', options.opset ?? 13);
    for (const [domain, version] of Object.entries(options.domains ?? {})) this.opsets.set(domain, version);
    this.irVersion = options.irVersion ?? 8;
    this.graphName = options.graphName ?? 'test_graph';
  }

  /** Adds (or replaces) the opset import of `domain`. */
  opsetImport(domain: string, version: number): this {
    this.opsets.set(domain, version);
    return this;
  }

  /** Declares a graph input and returns its name. */
  input(name: string, dtype: ElemType, shape?: readonly Dim[]): string {
    this.inputs.push(makeValueInfo(name, dtype, shape));
    return name;
  }

  /** Adds a constant tensor and returns its name. */
  initializer(
    name: string,
    dtype: DType,
    dims: readonly number[],
    data: TensorInit,
    options: InitializerOptions = {},
  ): string {
    this.initializers.push(makeTensorProto(name, dtype, dims, data, options.encoding ?? 'raw'));
    if (options.asInput) this.inputs.push(makeValueInfo(name, dtype, dims));
    return name;
  }

  /** Adds an initializer of any element type from its raw little-endian bytes (e.g. float16). */
  rawInitializer(name: string, dtype: ElemType, dims: readonly number[], bytes: Uint8Array): string {
    this.initializers.push({ name, dataType: elemTypeCode(dtype), dims: [...dims], rawData: bytes });
    return name;
  }

  /** Adds a node and returns its output names. */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, options: NodeOptions = {}) {
    const name = options.name ?? `${op}_${this.nodes.length}`;
    const spec = options.outputs ?? 1;
    const output: string[] =
      typeof spec === 'number' ? Array.from({ length: spec }, (_, i) => `${name}_out${i}`) : [...spec];
    const node: NodeProto = {
      name,
      opType: op,
      input: [...inputs],
      output,
      attribute: Object.entries(attrs).map(([k, v]) => makeAttribute(k, v)),
    };
    if (options.domain) node.domain = options.domain;
    if (options.docString) node.docString = options.docString;
    this.nodes.push(node);
    return output;
  }

  /** Declares a graph output; `shape` undefined leaves the shape unknown. */
  output(name: string, dtype: ElemType, shape?: readonly Dim[]): void {
    this.outputs.push(makeValueInfo(name, dtype, shape));
  }

  /** Adds a value_info entry (type and shape of an intermediate value). */
  valueInfo(name: string, dtype: ElemType, shape?: readonly Dim[]): void {
    this.valueInfos.push(makeValueInfo(name, dtype, shape));
  }

  /** The model as a plain protobufjs object (tests may alter it before encoding it themselves). */
  toProto(): ModelProto {
    return {
      irVersion: this.irVersion,
      producerName: 'utvm-aot-tests',
      opsetImport: [...this.opsets].map(([domain, version]) => ({ domain, version })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
        valueInfo: this.valueInfos,
      },
    };
  }

  /** The serialized model. */
  encode(): Uint8Array {
    return encodeModel(this.toProto());
  }
}

/** Serializes a ModelProto object (as a plain Uint8Array, not a Buffer). */
export function encodeModel(model: ModelProto): Uint8Array {
  const bytes = onnx.ModelProto.encode(model).finish();
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Parses a serialized model (for tests that inspect or alter a built model). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
