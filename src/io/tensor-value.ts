/**
 * A tensor value with its data: what `run` reads from input files and writes to output files, and its
 * raw little-endian bytes (the form the host runner and the firmware read and write).
 */

import { DType, TensorData, allocData } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';

export interface TensorValue {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** The value's data as bytes (a view, not a copy). */
export function toBytes(v: TensorValue): Uint8Array {
  return new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);
}

/** A value of `t`'s dtype and shape holding a copy of `bytes`. */
export function fromBytes(t: { dtype: DType; shape: number[] }, bytes: Uint8Array): TensorValue {
  const data = allocData(t.dtype, elementCount(t.shape));
  new Uint8Array(data.buffer).set(bytes);
  return { dtype: t.dtype, shape: [...t.shape], data };
}
