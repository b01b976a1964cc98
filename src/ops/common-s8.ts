/**
 * What the int8 lowerings of every operator share: reading a tensor's per-tensor quantization (with a
 * clear error when it is missing), the fused activation's int8 range, and the parameters of a
 * requantization from one int8 quantization to another (TFLite's QUANTIZE int8 → int8, Concat).
 */

import { describeNode, fail } from '../diagnostics.js';
import type { SourceRef, Tensor } from '../ir/graph.js';
import { quantizeMultiplier, quantizedActivationRange } from '../ir/quant.js';
import type { Clamp } from './op.js';

export interface PerTensorQuant {
  /** Float32 scale (a JS number holding a float32 value). */
  scale: number;
  zeroPoint: number;
}

/** The per-tensor quantization of an int8 tensor; E_MODEL_INVALID when it has none. */
export function perTensorQuant(t: Tensor, source: SourceRef): PerTensorQuant {
  const q = t.quant;
  if (!q || q.scale.length === 0) {
    fail('E_MODEL_INVALID', `${describeNode(source)}: int8 tensor '${t.name}' has no quantization parameters`);
  }
  if (q.scale.length !== 1 || q.zeroPoint.length > 1) {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: tensor '${t.name}' is quantized per channel; this operator needs one scale and zero point`);
  }
  const scale = Math.fround(q.scale[0]);
  const zeroPoint = q.zeroPoint[0] ?? 0;
  if (!(scale > 0) || !Number.isFinite(scale)) {
    fail('E_MODEL_INVALID', `${describeNode(source)}: tensor '${t.name}' has scale ${q.scale[0]}, which is not a positive number`);
  }
  if (!Number.isInteger(zeroPoint) || zeroPoint < -128 || zeroPoint > 127) {
    fail('E_MODEL_INVALID', `${describeNode(source)}: int8 tensor '${t.name}' has zero point ${zeroPoint}, outside [-128, 127]`);
  }
  return { scale, zeroPoint };
}

/** The int8 output range of a fused activation (TFLite's CalculateActivationRangeQuantized). */
export function activationRangeS8(clamp: Clamp | undefined, out: PerTensorQuant): { act_min: number; act_max: number } {
  const r = quantizedActivationRange(clamp, out.scale, out.zeroPoint);
  return { act_min: r.min, act_max: r.max };
}

/** Fails with E_UNSUPPORTED_TYPE unless every tensor is int8. */
export function requireInt8(source: SourceRef, what: string, tensors: Tensor[]): void {
  for (const t of tensors) {
    if (t.dtype !== 'int8') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: ${what} mixes int8 with ${t.dtype} tensor '${t.name}'; all must be int8`);
    }
  }
}

/** True when two per-tensor quantizations are the same. */
export function sameQuant(a: PerTensorQuant, b: PerTensorQuant): boolean {
  return a.scale === b.scale && a.zeroPoint === b.zeroPoint;
}

/**
 * The fields of utvm_requantize_params_s8 (except the row geometry) for int8 `from` → int8 `to`:
 * TFLite's Requantize, multiplier of input_scale / output_scale computed in double.
 */
export function requantizeFields(
  from: PerTensorQuant,
  to: PerTensorQuant,
  source: SourceRef,
): { input_offset: number; multiplier: number; shift: number; output_offset: number } {
  const m = quantizeMultiplier(from.scale / to.scale);
  if (m.shift > 30) {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: requantizing from scale ${from.scale} to ${to.scale} needs a multiplier above 2^30`);
  }
  return { input_offset: -from.zeroPoint, multiplier: m.multiplier, shift: m.shift, output_offset: to.zeroPoint };
}
