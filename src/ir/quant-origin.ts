/**
 * The integers a dequantized constant was computed from. The ONNX DequantizeLinear importer folds a
 * constant into float32 (src/import/onnx/quant.ts) and records here its values q − zero_point and the
 * quantization used, keyed by the float data array (shared by reshapes, never written in place); the
 * qdq pass (src/ops/int8-form.ts) reads them back to use an int32 bias exactly as the model stores it.
 * No imports: both sides depend on this module and on nothing else for it.
 */

import type { TensorData } from './dtype.js';
import type { Quant, Tensor } from './graph.js';

/** A constant's integer values before dequantization: q − zero_point, with the quantization used. */
export interface QuantizedOrigin {
  values: Int32Array;
  quant: Quant;
}

const ORIGINS = new WeakMap<TensorData, QuantizedOrigin>();

export function recordQuantizedOrigin(data: TensorData, origin: QuantizedOrigin): void {
  ORIGINS.set(data, origin);
}

/** The integers a dequantized constant was computed from (kept while its data is shared: reshapes). */
export function quantizedOrigin(t: Tensor): QuantizedOrigin | undefined {
  return t.data === undefined ? undefined : ORIGINS.get(t.data);
}
