/**
 * ONNX TensorProto and AttributeProto decoding.
 *
 * TensorProto stores data either as little-endian `raw_data` or in a typed field whose choice depends on
 * the element type (float_data; int32_data also for int8/uint8/int16/bool; int64_data; double_data).
 * Both are read here into the typed arrays of src/ir/dtype.ts.
 */

import onnxProto from 'onnx-proto';
import { DType, TensorData, allocData } from '../../ir/dtype.js';
import { Tensor, elementCount } from '../../ir/graph.js';
import { fail } from '../../diagnostics.js';
import type { OnnxAttributes } from '../../ops/op.js';
import { checkTensorShape } from '../limits.js';

const { onnx } = onnxProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

const ONNX_TYPES: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  11: 'float64',
};

const ONNX_TYPE_NAMES: Record<number, string> = {
  4: 'uint16', 8: 'string', 10: 'float16', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128',
  16: 'bfloat16', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz',
  21: 'uint4', 22: 'int4', 23: 'float4e2m1', 24: 'float8e8m0', 25: 'uint2', 26: 'int2',
};

/** Maps an ONNX element type code to a DType, or fails naming `what`. */
export function onnxDType(code: number, what: string): DType {
  const t = ONNX_TYPES[code];
  if (!t) {
    const name = ONNX_TYPE_NAMES[code] ?? `type code ${code}`;
    fail('E_UNSUPPORTED_TYPE', `${what} has element type ${name}; supported: float32, float64, int8, uint8, int16, int32, int64, bool`);
  }
  return t;
}

function fromRaw(dtype: DType, raw: Uint8Array, count: number, what: string): TensorData {
  const out = allocData(dtype, count);
  const bytes = new Uint8Array(out.buffer);
  if (raw.length !== bytes.length) {
    fail('E_MODEL_FORMAT', `${what}: raw_data holds ${raw.length} bytes, expected ${bytes.length}`);
  }
  bytes.set(raw); // little-endian host assumed (x86-64, Arm)
  return out;
}

function fromTyped(dtype: DType, t: ITensorProto, count: number, what: string): TensorData {
  const out = allocData(dtype, count);
  let src: ArrayLike<number | bigint | { toString(): string }> | null | undefined;
  switch (dtype) {
    case 'float32':
      src = t.floatData;
      break;
    case 'float64':
      src = t.doubleData;
      break;
    case 'int64':
      src = t.int64Data;
      break;
    default:
      src = t.int32Data;
  }
  const values = src ?? [];
  if (values.length !== count) fail('E_MODEL_FORMAT', `${what}: holds ${values.length} values, expected ${count}`);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (out instanceof BigInt64Array) out[i] = BigInt(v.toString());
    else out[i] = Number(v.toString());
  }
  return out;
}

/** Decodes one TensorProto (initializer, Constant value, test data file). */
export function decodeTensorProto(t: ITensorProto, what: string): Tensor {
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0) {
    fail('E_MODEL_FORMAT', `${what}: external tensor data is not supported; save the model with its weights inside`);
  }
  const dtype = onnxDType(t.dataType ?? 0, what);
  const shape = (t.dims ?? []).map((d) => Number(d));
  checkTensorShape(shape, dtype, what, { allowZero: true });
  const count = elementCount(shape);
  const raw = t.rawData;
  const data = raw && raw.length > 0 ? fromRaw(dtype, raw, count, what) : fromTyped(dtype, t, count, what);
  return { name: t.name ?? '', dtype, shape, data };
}

/** Decodes a serialized TensorProto file (the conformance tests' input_K.pb / output_K.pb). */
export function decodeTensorProtoBytes(bytes: Uint8Array, what: string): Tensor {
  let t: onnxProto.onnx.TensorProto;
  try {
    t = onnx.TensorProto.decode(bytes);
  } catch (e) {
    fail('E_INPUT_FILE', `${what}: not a serialized ONNX tensor (${(e as Error).message})`);
  }
  return decodeTensorProto(t, what);
}

/** An attribute reader for one node. `ctx.invalid` reports type mismatches against the current node. */
export function makeAttributeReader(attrs: IAttributeProto[], ctx: { invalid(what: string): never }): OnnxAttributes {
  const byName = new Map<string, IAttributeProto>();
  for (const a of attrs) byName.set(a.name ?? '', a);
  const AT = onnx.AttributeProto.AttributeType;
  const get = (name: string, type: number, label: string): IAttributeProto | undefined => {
    const a = byName.get(name);
    if (a && a.type !== undefined && a.type !== null && a.type !== type && a.type !== AT.UNDEFINED) {
      ctx.invalid(`attribute '${name}' should be ${label}`);
    }
    return a;
  };
  const missing = (name: string): never => ctx.invalid(`required attribute '${name}' is missing`);
  return {
    has: (name) => byName.has(name),
    int(name, fallback) {
      const a = get(name, AT.INT, 'an int');
      if (!a) return fallback ?? missing(name);
      return Number(a.i ?? 0);
    },
    ints(name, fallback) {
      const a = get(name, AT.INTS, 'a list of ints');
      if (!a) return fallback ?? missing(name);
      return (a.ints ?? []).map((v) => Number(v));
    },
    float(name, fallback) {
      const a = get(name, AT.FLOAT, 'a float');
      if (!a) return fallback ?? missing(name);
      return a.f ?? 0;
    },
    floats(name, fallback) {
      const a = get(name, AT.FLOATS, 'a list of floats');
      if (!a) return fallback ?? missing(name);
      return [...(a.floats ?? [])];
    },
    string(name, fallback) {
      const a = get(name, AT.STRING, 'a string');
      if (!a) return fallback ?? missing(name);
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    },
    strings(name, fallback) {
      const a = get(name, AT.STRINGS, 'a list of strings');
      if (!a) return fallback ?? missing(name);
      return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    },
    tensor(name) {
      const a = get(name, AT.TENSOR, 'a tensor');
      return a?.t ? decodeTensorProto(a.t, `attribute '${name}'`) : undefined;
    },
  };
}
