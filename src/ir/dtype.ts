/**
 * Element types of the IR.
 *
 * Runtime tensors (in the arena) are float32 or int8/uint8/int16/int32, and int64 (TFLite's ARG_MAX /
 * ARG_MIN indices, 8-byte aligned like every arena offset); float64 and bool appear only as compile-time
 * constants (shapes, axes, ONNX attributes given as tensors) and must fold away before code generation.
 * An operator whose lowering meets an element type it has no kernel for says so (E_UNSUPPORTED_TYPE). Constant data is held in the typed array of `arrayTypeOf(dtype)`; int64 uses BigInt64Array.
 */

export type DType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool';

export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | BigInt64Array;

const BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
};

/** Size in bytes of one element. */
export function bytesOf(dtype: DType): number {
  return BYTES[dtype];
}

/** The C type used for an element in generated code. */
export function cTypeOf(dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return 'float';
    case 'float64':
      return 'double';
    case 'int8':
      return 'int8_t';
    case 'uint8':
    case 'bool':
      return 'uint8_t';
    case 'int16':
      return 'int16_t';
    case 'int32':
      return 'int32_t';
    case 'int64':
      return 'int64_t';
  }
}

/** The numeric code of the runtime's `utvm_dtype` enum (runtime-c/include/utvm/types.h). */
export function dtypeEnumName(dtype: DType): string {
  return `UTVM_${dtype.toUpperCase()}`;
}

/** Allocates a zeroed typed array for `count` elements of `dtype`. */
export function allocData(dtype: DType, count: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(count);
    case 'float64':
      return new Float64Array(count);
    case 'int8':
      return new Int8Array(count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(count);
    case 'int16':
      return new Int16Array(count);
    case 'int32':
      return new Int32Array(count);
    case 'int64':
      return new BigInt64Array(count);
  }
}

/** Reads element `i` of constant data as a JS number (int64 converted; exact below 2^53). */
export function numberAt(data: TensorData, i: number): number {
  const v = data[i];
  return typeof v === 'bigint' ? Number(v) : v;
}

/** All elements of constant data as JS numbers. */
export function toNumbers(data: TensorData): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = numberAt(data, i);
  return out;
}

/** Builds typed data of `dtype` from JS numbers (rounding/wrapping as the typed array does). */
export function fromNumbers(dtype: DType, values: ArrayLike<number>): TensorData {
  const data = allocData(dtype, values.length);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < values.length; i++) data[i] = BigInt(Math.trunc(values[i]));
  } else {
    for (let i = 0; i < values.length; i++) data[i] = values[i];
  }
  return data;
}

/** True for dtypes that may live in the arena and reach a C kernel. */
/** The element types a tensor computed at run time may have (the rest only fold at compile time). */
export const RUNTIME_DTYPES: readonly DType[] = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64'];

export function isRuntimeDType(dtype: DType): boolean {
  return RUNTIME_DTYPES.includes(dtype);
}
