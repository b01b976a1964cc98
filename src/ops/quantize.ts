/**
 * quantize, dequantize: conversions between float32 and int8 (TensorFlow Lite's QUANTIZE and DEQUANTIZE).
 *
 *   quantize    float32 → int8: q = clamp(round_half_away(x / scale) + zero_point, −128, 127), the
 *               division in float32 (TFLite's AffineQuantize) → `utvm_quantize_f32_s8` (int16:
 *               `utvm_quantize_f32_s16`); ONNX's QuantizeLinear (attribute `roundHalfEven`) rounds an
 *               exact half to even instead → `utvm_quantize_f32_s8_even`;
 *               int8 → int8 (TFLite's QUANTIZE between two quantizations, "requantize"):
 *               q' = clamp(MultiplyByQuantizedMultiplier(q − zp, in_scale / out_scale) + zp', −128, 127)
 *               → `utvm_requantize_s8`; the same between int8, int16 and int32, clamped to the
 *               output type, for TFLite Micro's other pairs (int16 → int8/int16/int32, int8 →
 *               int16/int32, int32 → int8/int16) → `utvm_requantize_int`.
 *   dequantize  int8 or int16 → float32: x = scale · (q − zero_point), rounded once to float32
 *               → `utvm_dequantize_s8_f32` / `utvm_dequantize_s16_f32`.
 *
 * The quantization of the int8 side is the tensor's `quant` (per tensor). `quantize` cannot infer its
 * output's quantization from its input, so its attributes may carry it: importers pass
 * `{ dtype: 'int8', quant }` (the output tensor's), which `infer` copies onto the output; an importer may
 * also set the output tensor's `quant` after adding the node, and lowering always reads the tensor.
 * Constant inputs fold through `evaluate` with the same arithmetic as the kernels.
 */

import { describeNode, fail } from '../diagnostics.js';
import { allocData, bytesOf, numberAt } from '../ir/dtype.js';
import type { DType, TensorData } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import type { Quant, SourceRef, Tensor } from '../ir/graph.js';
import { clampInt8, multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAwayFromZero, multiplyByQuantizedMultiplierFast as mbqm } from '../ir/quant.js';
import { f32 } from '../ir/c-value.js';
import { PerTensorQuant, perTensorQuant, requantizeFields } from '../lower/s8.js';
import type { KernelCall, ReferenceContext, TensorType } from './op.js';
import { clampTo } from './binary/fixed.js';
import { defineOp } from './op.js';
import type { TfliteOpContext } from '../import/tflite-context.js';

export interface QuantizeAttrs {
  /** Output element type: int8 (the default; anything else is unsupported). */
  dtype?: DType;
  /** Output quantization (per tensor); absent when the importer sets the output tensor's `quant` itself. */
  quant?: Quant;
  /**
   * float → int8 rounds an exact half to even, as ONNX's QuantizeLinear specifies (set by its importers,
   * src/import/onnx/quant.ts) → `utvm_quantize_f32_s8_even`; absent: half away from zero, TFLite's QUANTIZE.
   */
  roundHalfEven?: boolean;
}

export interface DequantizeAttrs {
  /** Output element type: float32 (the default; anything else is unsupported). */
  dtype?: DType;
}

/** TFLite's AffineQuantize of one float32 value. */
export function quantizeValue(x: number, q: PerTensorQuant): number {
  const ratio = Math.fround(Math.fround(x) / q.scale);
  if (Number.isNaN(ratio)) return -128;
  return clampInt8(roundHalfAwayFromZero(Math.max(-1000, Math.min(1000, ratio))) + q.zeroPoint);
}

/** TFLite's Dequantize of one int8 value. */
export function dequantizeValue(v: number, q: PerTensorQuant): number {
  return Math.fround(q.scale * (v - q.zeroPoint));
}

/** TFLite's Requantize of one int8 value (int8 → int8). */
export function requantizeValue(v: number, from: PerTensorQuant, to: PerTensorQuant, source = { op: 'QUANTIZE', name: '(value)' }): number {
  const r = requantizeFields(from, to, source);
  return clampInt8(multiplyByQuantizedMultiplier(v + r.input_offset, r.multiplier, r.shift) + r.output_offset);
}

function outputQuant(attrs: QuantizeAttrs): Quant | undefined {
  const q = attrs.quant;
  return q ? { ...q, scale: q.scale.map((v) => Math.fround(v)), zeroPoint: [...q.zeroPoint] } : undefined;
}

/** The quantization of the int8 side of a uint8 tensor: the same scales, zero points − 128. */
function int8Side(q: Quant | undefined): Quant | undefined {
  return q && { ...q, scale: [...q.scale], zeroPoint: q.zeroPoint.map((z) => z - 128) };
}

const sameQuant = (a: Quant | undefined, b: Quant | undefined) =>
  !!a && !!b && a.scale.length === 1 && b.scale.length === 1 && a.scale[0] === b.scale[0] && a.zeroPoint[0] === b.zeroPoint[0];

/**
 * TFLite QUANTIZE / DEQUANTIZE: the output's type (and, for QUANTIZE, quantization) as the model gives it.
 * A uint8 side goes through the int8 kernels with an exact `convert` (q − 128, zero point − 128) before or
 * after: clamp(f(q_u8 − zp) + zp', 0, 255) = clamp(f(q_s8 − (zp − 128)) + zp' − 128, −128, 127) + 128, so
 * QUANTIZE uint8 → int8 and int8 → uint8 and DEQUANTIZE uint8 → float32 keep TFLite's bits (TFLite Micro
 * has no other uint8 conversion); the
 * requantization is left out when both int8 sides have the same quantization (same scale, zero points
 * 128 apart: the common uint8 edge of an image model is then only the shift).
 */
function importTfliteQuantize(irOp: 'quantize' | 'dequantize'): (c: TfliteOpContext) => void {
  return (c) => {
    const out = c.outputType(0);
    const xType = c.inputTensor(0);
    const uint8In = xType.dtype === 'uint8';
    const uint8Out = out.dtype === 'uint8';
    if (!uint8In && !uint8Out) {
      const attrs = irOp === 'quantize' ? { dtype: out.dtype, quant: out.quant } : { dtype: out.dtype };
      c.b.add(irOp, [c.input(0)], attrs, [c.output(0)]);
      return;
    }
    const other = uint8In ? out.dtype : xType.dtype;
    if (irOp === 'quantize' && other !== 'int8') c.unsupported(`QUANTIZE from ${xType.dtype} to ${out.dtype} (TensorFlow Lite Micro has no such kernel either)`);
    const quant = uint8Out ? int8Side(out.quant) : out.quant;
    const fromQuant = uint8In ? int8Side(xType.quant) : xType.quant;
    const requantize = irOp === 'quantize' && !sameQuant(fromQuant, quant);
    const steps: [string, object][] = [];
    if (uint8In) steps.push(['convert', { to: 'int8' }]);
    if (irOp === 'dequantize') steps.push(['dequantize', { dtype: out.dtype }]);
    else if (requantize) steps.push(['quantize', { dtype: 'int8', quant }]);
    if (uint8Out) steps.push(['convert', { to: 'uint8' }]);
    let x = c.input(0);
    steps.forEach(([op, attrs], k) => {
      [x] = c.b.add(op, [x], attrs, k === steps.length - 1 ? [c.output(0)] : undefined);
    });
  };
}


/** TFLite Micro's QUANTIZE pairs (quantize_common.cc), uint8 aside: from → the output types. */
const QUANTIZE_PAIRS: Record<string, readonly DType[]> = {
  float32: ['int8', 'int16'],
  int8: ['int8', 'int16', 'int32'],
  int16: ['int8', 'int16', 'int32'],
  int32: ['int8', 'int16'],
};

const RANGE: Record<string, [number, number]> = { int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647] };

/** TFLite's AffineQuantize of one float32 value to `dtype` (int8 or int16). */
export function quantizeValueTo(x: number, q: PerTensorQuant, dtype: DType): number {
  if (dtype === 'int8') return quantizeValue(x, q);
  const ratio = Math.fround(Math.fround(x) / q.scale);
  if (Number.isNaN(ratio)) return -32768;
  const v = roundHalfAwayFromZero(Math.max(-100000, Math.min(100000, ratio))) + q.zeroPoint;
  return Math.max(-32768, Math.min(32767, v));
}

/** TFLite's Requantize of one integer value to `dtype` (int8, int16 or int32): int32 arithmetic, clamped. */
export function requantizeValueTo(v: number, from: PerTensorQuant, to: PerTensorQuant, dtype: DType, source: SourceRef): number {
  const r = requantizeFields(from, to, source);
  const [lo, hi] = RANGE[dtype];
  const y = multiplyByQuantizedMultiplier((v + r.input_offset) | 0, r.multiplier, r.shift) + r.output_offset;
  return Math.max(lo, Math.min(hi, y));
}

/**
 * Whether utvm_requantize_s16_s8_dsp's short requantization is exact for every int16 input: |x| <= the
 * largest |in + input_offset| and |x| * 2^(max(shift, 0) + 1) < 2^31 (utvm/dsp_requant.h).
 */
function shortRequantHolds(f: { input_offset: number; shift: number }): boolean {
  const most = Math.max(Math.abs(-32768 + f.input_offset), Math.abs(32767 + f.input_offset));
  return most * 2 ** (Math.max(f.shift, 0) + 1) < 2 ** 31;
}

// ---------------------------------------------------------------------------------------------------
// Run-time reference (src/reference/), written from TFLite Micro's quantize_common.cc / dequantize and the
// ONNX specification, independently of the kernels above:
//   float → int8/int16, TFLite's QUANTIZE: AffineQuantize, round half away from zero of the float32
//     quotient x / scale, + zero point, saturated;
//   float → int8 from ONNX (QuantizeLinear and the QOperator forms the importers write as QDQ: the
//     `roundHalfEven` attribute): round half to even of the float32 quotient, + zero point, saturated
//     (the ONNX specification; onnxruntime).
//     Both saturate out-of-range values (as the Cortex-M7's conversion does) and give a NaN the lowest value;
//   int8/int16/int32 → int8/int16/int32: TFLite's Requantize, MultiplyByQuantizedMultiplier(x − zp_in,
//     s_in/s_out in double) + zp_out, saturated to the output type;
//   dequantize: scale · (q − zero point), exact in float64 (rounded once when the output is float32).

/** Round half to even (ONNX's rounding, std::nearbyint). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A tensor's per-tensor scale (float32) and zero point, for the reference. */
function quantOf(t: { quant?: Quant }, what: string, source: SourceRef): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length !== 1) fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: the reference needs a per-tensor quantization of the ${what}`);
  return { scale: Math.fround(q.scale[0]), zeroPoint: q.zeroPoint[0] ?? 0 };
}

/** ONNX's QuantizeLinear of one float32 value to int8: the float32 quotient rounded half to even, + zero point, saturated (NaN: −128). */
function quantizeHalfEven(x: number, q: { scale: number; zeroPoint: number }): number {
  const ratio = Math.fround(Math.fround(x) / Math.fround(q.scale));
  return Number.isNaN(ratio) ? -128 : clampTo(roundHalfEven(ratio) + q.zeroPoint, -128, 127);
}

const REFERENCE_RANGE: Record<string, [number, number]> = { ...RANGE, uint8: [0, 255] };

function referenceQuantize(ctx: ReferenceContext<QuantizeAttrs>): TensorData[] {
  const x = ctx.inputs[0]!;
  const out = ctx.outputs[0];
  const source = ctx.node.source;
  const range = REFERENCE_RANGE[out.dtype];
  if (!range) fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: the reference interpreter has no quantize to ${out.dtype}`);
  const [lo, hi] = range;
  const to = quantOf({ quant: out.quant ?? outputQuant(ctx.attrs) }, 'output', source);
  const data = x.data!;
  const r = allocData(out.dtype, data.length) as Int8Array | Int16Array | Int32Array;
  if (x.dtype === 'float32' || x.dtype === 'float64') {
    const round = ctx.attrs.roundHalfEven ? roundHalfEven : roundHalfAwayFromZero;
    const scale = Math.fround(to.scale);
    for (let i = 0; i < r.length; i++) {
      const q = Math.fround(Math.fround(data[i] as number) / scale);
      r[i] = Number.isNaN(q) ? lo : clampTo(round(q) + to.zeroPoint, lo, hi);
    }
    return [r];
  }
  const from = quantOf(x, 'input', source);
  const m = quantizeMultiplier(from.scale / to.scale);
  for (let i = 0; i < r.length; i++) r[i] = clampTo(mbqm(((data[i] as number) - from.zeroPoint) | 0, m.multiplier, m.shift) + to.zeroPoint, lo, hi);
  return [r];
}

function referenceDequantize(ctx: ReferenceContext<DequantizeAttrs>): TensorData[] {
  const x = ctx.inputs[0]!;
  const q = quantOf(x, 'input', ctx.node.source);
  const data = x.data as Int8Array | Int16Array;
  const r = ctx.outputs[0].dtype === 'float32' ? new Float32Array(data.length) : new Float64Array(data.length);
  for (let i = 0; i < r.length; i++) r[i] = q.scale * (data[i] - q.zeroPoint);
  return [r];
}

export const quantize = defineOp<QuantizeAttrs>({
  name: 'quantize',
  inPlace: true,
  infer({ attrs, inputs, node }) {
    const x = inputs[0];
    if (!x) fail('E_MODEL_INVALID', `${describeNode(node.source)}: quantize needs an input`);
    const to = attrs.dtype ?? 'int8';
    if (!(QUANTIZE_PAIRS[x.dtype] ?? []).includes(to)) {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: quantize from ${x.dtype} to ${to} is not supported (TensorFlow Lite Micro's pairs: float32 to int8 or int16; int8 or int16 to int8, int16 or int32; int32 to int8 or int16)`);
    }
    const out: TensorType = { dtype: to, shape: [...x.shape] };
    const quant = outputQuant(attrs);
    if (quant) out.quant = quant;
    return [out];
  },
  evaluate(attrs, inputs, outputs) {
    const x = inputs[0]!;
    const source = { op: 'QUANTIZE', name: '(constant)' };
    const dtype = outputs[0].dtype;
    const to = perTensorQuant({ name: 'output', dtype, shape: outputs[0].shape, quant: outputs[0].quant ?? outputQuant(attrs) }, source);
    const out = allocData(dtype, elementCount(x.shape));
    const from = x.dtype === 'float32' ? undefined : perTensorQuant(x, source);
    for (let i = 0; i < out.length; i++) {
      const v = numberAt(x.data!, i);
      out[i] = from ? requantizeValueTo(v, from, to, dtype, source) : attrs.roundHalfEven ? quantizeHalfEven(v, to) : quantizeValueTo(v, to, dtype);
    }
    return [out];
  },
  reference: referenceQuantize,
  lower({ node, input, output, target, addConstant }): KernelCall[] {
    const x = input(0);
    const y = output(0);
    const to = perTensorQuant(y, node.source);
    const count = elementCount(x.shape);
    if (x.dtype === 'float32') {
      return [{
        kernel: y.dtype === 'int16' ? 'utvm_quantize_f32_s16' : node.attrs.roundHalfEven ? 'utvm_quantize_f32_s8_even' : 'utvm_quantize_f32_s8',
        header: 'utvm/quantize.h',
        args: [{ params: { scale: f32(to.scale), zero_point: to.zeroPoint }, type: 'utvm_quantize_params' }, { tensor: x.name }, { tensor: y.name }, { value: count }],
      }];
    }
    const from = perTensorQuant(x, node.source);
    const fields = requantizeFields(from, to, node.source);
    if (x.dtype === 'int8' && y.dtype === 'int8') {
      const params = { rows: 1, row_size: count, out_row_stride: count, ...fields };
      return [{
        kernel: 'utvm_requantize_s8',
        header: 'utvm/quantize.h',
        args: [{ params, type: 'utvm_requantize_params_s8' }, { tensor: x.name }, { tensor: y.name }],
      }];
    }
    const [outMin, outMax] = RANGE[y.dtype];
    if (target?.dsp === true && x.dtype === 'int8' && y.dtype === 'int16') {
      const table = Int16Array.from({ length: 256 }, (_, i) => requantizeValueTo(i - 128, from, to, 'int16', node.source));
      return [{
        kernel: 'utvm_lut_s8_s16',
        header: 'utvm/requantize_fast.h',
        args: [{ tensor: addConstant(`${node.name}_table`, 'int16', [256], table) }, { tensor: x.name }, { tensor: y.name }, { value: count }],
      }];
    }
    const params = { count, in_bytes: bytesOf(x.dtype), out_bytes: bytesOf(y.dtype), ...fields, out_min: outMin, out_max: outMax };
    if (target?.dsp === true && x.dtype === 'int16' && y.dtype === 'int8' && shortRequantHolds(fields)) {
      return [{
        kernel: 'utvm_requantize_s16_s8_dsp',
        header: 'utvm/requantize_fast.h',
        args: [{ params, type: 'utvm_requantize_params_int' }, { tensor: x.name }, { tensor: y.name }],
      }];
    }
    return [{
      kernel: 'utvm_requantize_int',
      header: 'utvm/quantize.h',
      args: [{ params, type: 'utvm_requantize_params_int' }, { tensor: x.name }, { tensor: y.name }],
    }];
  },
  commuteTranspose: (node) => ({ attrs: node.attrs, inputs: [...node.inputs] }),
  tflite: { QUANTIZE: { maxVersion: 2, types: ['float32', 'int8', 'uint8', 'int16', 'int32'], import: importTfliteQuantize('quantize') } },
});

export const dequantize = defineOp<DequantizeAttrs>({
  name: 'dequantize',
  infer({ attrs, inputs, node }) {
    const x = inputs[0];
    if (!x) fail('E_MODEL_INVALID', `${describeNode(node.source)}: dequantize needs an input`);
    if ((x.dtype !== 'int8' && x.dtype !== 'int16') || (attrs.dtype ?? 'float32') !== 'float32') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: dequantize from ${x.dtype} to ${attrs.dtype} is not supported (int8 or int16 to float32)`);
    }
    return [{ dtype: 'float32', shape: [...x.shape] }];
  },
  evaluate(_attrs, inputs) {
    const x = inputs[0]! as Tensor;
    const q = perTensorQuant(x, { op: 'DEQUANTIZE', name: '(constant)' });
    const out = allocData('float32', elementCount(x.shape));
    for (let i = 0; i < out.length; i++) out[i] = dequantizeValue(numberAt(x.data!, i), q);
    return [out];
  },
  reference: referenceDequantize,
  lower({ node, input, output, target, addConstant }): KernelCall[] {
    const x = input(0);
    const q = perTensorQuant(x, node.source);
    return [{
      kernel: x.dtype === 'int16' ? 'utvm_dequantize_s16_f32' : 'utvm_dequantize_s8_f32',
      header: 'utvm/quantize.h',
      args: [{ params: { scale: f32(q.scale), zero_point: q.zeroPoint }, type: 'utvm_quantize_params' }, { tensor: x.name }, { tensor: output(0).name }, { value: elementCount(x.shape) }],
    }];
  },
  commuteTranspose: (node) => ({ attrs: node.attrs, inputs: [...node.inputs] }),
  tflite: { DEQUANTIZE: { maxVersion: 3, types: ['int8', 'uint8', 'int16', 'float32'], import: importTfliteQuantize('dequantize') } },
});
