/**
 * What the int8 lowerings of every operator share: reading a tensor's per-tensor quantization (with a
 * clear error when it is missing), the fused activation's int8 range, and the parameters of a
 * requantization from one int8 quantization to another (TFLite's QUANTIZE int8 → int8, Concat). For the
 * layers with weights (conv2d, gemm): the type checks, the weight scales, the per-channel multipliers as
 * TFLite Micro's Prepare computes them and the requantization arguments of their kernels.
 */

import { describeNode, fail } from '../diagnostics.js';
import type { DType } from '../ir/dtype.js';
import type { SourceRef, Tensor } from '../ir/graph.js';
import { QuantizedMultiplier, quantizeMultiplier, quantizedActivationRange } from '../ir/quant.js';
import type { CArg, Clamp, LowerContext } from '../ops/op.js';

export interface PerTensorQuant {
  /** Float32 scale (a JS number holding a float32 value). */
  scale: number;
  zeroPoint: number;
}

/** The zero points a quantized tensor of each wider integer type may have (int8 and the rest: [-128, 127]). */
const ZERO_POINT_RANGE: Partial<Record<DType, [number, number]>> = { int16: [-32768, 32767], int32: [-2147483648, 2147483647] };

/** The per-tensor quantization of an int8 (or int16, int32) tensor; E_MODEL_INVALID when it has none. */
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
  const [lo, hi] = ZERO_POINT_RANGE[t.dtype] ?? [-128, 127];
  if (!Number.isInteger(zeroPoint) || zeroPoint < lo || zeroPoint > hi) {
    fail('E_MODEL_INVALID', `${describeNode(source)}: ${t.dtype} tensor '${t.name}' has zero point ${zeroPoint}, outside [${lo}, ${hi}]`);
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

// ---------------------------------------------------------------------------------------------------
// The int8 layers with weights (conv2d, gemm): type checks, quantization parameters, requantization

/** Checks the element types of an int8 layer's inputs at shape inference: int8 x and w, int32 bias. */
export function checkS8Types(op: string, inputs: (Tensor | undefined)[], where: string): void {
  const [x, w, b] = inputs;
  const expect = (t: Tensor | undefined, dtype: DType, role: string) => {
    if (t && t.dtype !== dtype) {
      fail('E_UNSUPPORTED_TYPE', `${where}: int8 ${op} needs ${dtype} ${role}, '${t.name}' is ${t.dtype}`);
    }
  };
  expect(x, 'int8', 'input');
  expect(w, 'int8', 'weights');
  expect(b, 'int32', 'bias');
}

/** Scale and zero point of a per-tensor quantized activation. */
export interface ActivationQuant {
  scale: number;
  zeroPoint: number;
}

/** The per-tensor quantization of an int8 activation tensor, checked. */
export function activationQuant(t: Tensor, where: string): ActivationQuant {
  const q = t.quant;
  if (!q || q.scale.length === 0) fail('E_MODEL_INVALID', `${where}: int8 tensor '${t.name}' has no quantization parameters`);
  if (q.scale.length !== 1 || q.zeroPoint.length !== 1) {
    fail('E_UNSUPPORTED_ATTR', `${where}: activation '${t.name}' is quantized per channel (${q.scale.length} scales); only per-tensor activations are supported`);
  }
  const scale = Math.fround(q.scale[0]);
  const zeroPoint = q.zeroPoint[0];
  if (!(scale > 0) || !Number.isFinite(scale)) fail('E_MODEL_INVALID', `${where}: tensor '${t.name}' has scale ${scale}; it must be positive`);
  if (!Number.isInteger(zeroPoint) || zeroPoint < -128 || zeroPoint > 127) {
    fail('E_MODEL_INVALID', `${where}: int8 tensor '${t.name}' has zero point ${zeroPoint}, outside [-128, 127]`);
  }
  return { scale, zeroPoint };
}

/**
 * The weight scales of an int8 layer: one (per tensor) or one per output channel along `axis`. Weight
 * zero points must be 0 (TFLite's int8 weights are symmetric).
 */
export function weightScales(w: Tensor, channels: number, axis: number, where: string): number[] {
  const q = w.quant;
  if (!q || q.scale.length === 0) fail('E_MODEL_INVALID', `${where}: int8 weights '${w.name}' have no quantization parameters`);
  if (q.scale.length !== 1 && q.scale.length !== channels) {
    fail('E_MODEL_INVALID', `${where}: weights '${w.name}' have ${q.scale.length} scales for ${channels} output channels`);
  }
  if (q.scale.length > 1 && q.axis !== undefined && q.axis !== axis) {
    fail('E_UNSUPPORTED_ATTR', `${where}: weights '${w.name}' are quantized along axis ${q.axis}; expected the output-channel axis ${axis}`);
  }
  if (q.zeroPoint.some((z) => z !== 0)) {
    fail('E_UNSUPPORTED_ATTR', `${where}: weights '${w.name}' have a non-zero zero point; int8 weights must be symmetric (zero point 0)`);
  }
  const scales = q.scale.map((s) => Math.fround(s));
  if (scales.some((s) => !(s >= 0) || !Number.isFinite(s))) fail('E_MODEL_INVALID', `${where}: weights '${w.name}' have a negative or non-finite scale`);
  return scales;
}

/** Constant int8 weights / int32 bias data, or a clear error when the tensor is computed at run time. */
export function constantData<T extends Int8Array | Int32Array>(t: Tensor, role: string, where: string): T {
  if (t.data === undefined) fail('E_UNSUPPORTED_ATTR', `${where}: int8 layers need constant ${role}; '${t.name}' is computed at run time`);
  return t.data as T;
}

/** Fails unless every shift is one the C requantization handles ([-31, 30]). */
function checkShifts(ms: QuantizedMultiplier[], where: string): void {
  for (const m of ms) {
    if (m.shift > 30) fail('E_UNSUPPORTED_ATTR', `${where}: the output multiplier needs a left shift of ${m.shift} (> 30): the output scale is far too small for the input and weight scales`);
  }
}

/**
 * The requantization arguments of a kernel: the `requant`-style scalar fields and the multiplier and
 * shift array arguments — int32 constants, one per channel, or NULL (value 0) when every channel shares
 * one multiplier, which then sits in the scalar fields.
 */
export function requantization<A>(
  ctx: LowerContext<A>,
  multipliers: QuantizedMultiplier[],
  output: ActivationQuant,
  clamp: Clamp | undefined,
  where: string,
): { fields: { output_offset: number; multiplier: number; shift: number; act_min: number; act_max: number }; args: CArg[] } {
  checkShifts(multipliers, where);
  const range = quantizedActivationRange(clamp, output.scale, output.zeroPoint);
  if (range.min > range.max) fail('E_UNSUPPORTED_ATTR', `${where}: the fused activation leaves no int8 value (range [${range.min}, ${range.max}])`);
  const shared = multipliers.length === 1;
  const fields = {
    output_offset: output.zeroPoint,
    multiplier: shared ? multipliers[0].multiplier : 0,
    shift: shared ? multipliers[0].shift : 0,
    act_min: range.min,
    act_max: range.max,
  };
  if (shared) return { fields, args: [{ value: 0 }, { value: 0 }] };
  const node = ctx.node.name;
  const m = ctx.addConstant(`${node}_multiplier`, 'int32', [multipliers.length], Int32Array.from(multipliers, (x) => x.multiplier));
  const s = ctx.addConstant(`${node}_shift`, 'int32', [multipliers.length], Int32Array.from(multipliers, (x) => x.shift));
  return { fields, args: [{ tensor: m }, { tensor: s }] };
}

/**
 * bias'[c] = bias[c] + inputOffset · Σ_k w[c][k] for weights stored [channels, perChannel] (int32
 * wrap-around, as the kernel's int32 sum). Returns undefined when every entry is zero (no bias needed).
 */
export function foldedBias(w: Int8Array, channels: number, bias: Int32Array | undefined, inputOffset: number): Int32Array | undefined {
  const perChannel = w.length / channels;
  const out = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let k = 0; k < perChannel; k++) sum += w[c * perChannel + k];
    out[c] = ((bias ? bias[c] : 0) + inputOffset * sum) | 0;
  }
  return out.some((v) => v !== 0) ? out : undefined;
}

/** Per-channel multipliers as TFLite Micro's PopulateConvolutionQuantizationParams computes them. */
export function convMultipliers(inputScale: number, scales: number[], outputScale: number): QuantizedMultiplier[] {
  // double(input_scale) · double(weight_scale) / double(output_scale): a float32 × float32 product is
  // exact in double, so JavaScript's left-to-right evaluation gives the same double as C++.
  return scales.map((s) => quantizeMultiplier((inputScale * s) / outputScale));
}
