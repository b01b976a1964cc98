/**
 * transpose_conv: the transposed 2-D convolution of TensorFlow Lite's TRANSPOSE_CONV, NHWC. Input x
 * [N, H, W, C], weights w [O, KH, KW, C] (constant), optional bias [O]; the output shape [N, OH, OW, O] is
 * an attribute (TFLite's output_shape input, which TensorFlow Lite Micro takes from the output tensor).
 * Input pixel (iy, ix) adds x[iy][ix][c] · w[o][fy][fx][c] to output pixel (iy·sh − pad_h + fy,
 * ix·sw − pad_w + fx) when that lies inside the output; pads are TFLite's SAME / VALID rule
 * (ComputePaddingHeightWidth) applied to the *output* size, only the leading pad is used.
 *
 * Semantics (TFLite Micro's reference kernels), computed as a gather per output pixel by the kernels of
 * runtime-c/include/utvm/transpose_conv.h:
 *   float32: 0.0f plus the products in the reference's scatter order (input row, column, channel), then
 *            + bias, then the fused activation's clamp: bit-exact;
 *   int8:    acc = bias[o] + Σ (x + input_offset) · w (int32; the weights' zero point is not used),
 *            per-channel multipliers as PopulateConvolutionQuantizationParams (conv2d's), the fused
 *            activation's range (versions ≥ 4 carry one). On a core with the DSP extension the weights
 *            are packed four output channels at a time (src/lower/dsp-layout.ts) for
 *            utvm_transpose_conv_s8_dsp (SMLAD, short requantization, same bits) when the bound on the
 *            accumulators allows it (src/lower/fast-requant.ts: always, in practice).
 * The interpreter's reference (`reference` below) is the reference kernels' scatter, written anew: each
 * input pixel adds its products to the output pixels its window covers (float in double), then bias,
 * requantization (int8: conv2d's per-channel multipliers, src/ops/conv2d/reference.ts) and the clamp.
 */

import { allocData, type TensorData } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import type { Graph, Node, Tensor } from '../ir/graph.js';
import { describeNode, fail } from '../diagnostics.js';
import type { CValue } from '../ir/c-value.js';
import type { CArg, Clamp, KernelCall, LowerContext, ReferenceContext } from './op.js';
import { activationRange, biasValues, prepareRequant, requantize, requireQuant, weightValues } from './conv2d/reference.js';
import { defineOp } from './op.js';
import { clampParams } from './gemm/index.js';
import { activationQuant, checkS8Types, constantData, convMultipliers, requantization, weightScales } from '../lower/s8.js';
import { depth4, packRowsS8, paddedBias } from '../lower/dsp-layout.js';
import { accumulatorBounds, fastRequantHolds } from '../lower/fast-requant.js';
import { clampOf, intList, positiveWindow, requireConstant, requireRank } from '../import/tflite-context.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import { OptionsType, flatOptions, paddingField } from '../import/tflite-options.js';
import type { Padding } from '../import/tflite-options.js';
import { importConvTranspose } from '../import/onnx/conv-transpose.js';
import { int32Bias, int8Weights } from './int8-form.js';
import type { Int8Form } from './int8-form.js';

export interface TransposeConvAttrs {
  /** [stride_h, stride_w]. */
  strides: [number, number];
  /** Leading pads of the output [pad_h, pad_w]. */
  pads: [number, number];
  /** [N, OH, OW, O]. */
  outShape: number[];
  clamp?: Clamp;
}

/** Input rows [lo, hi) whose window covers output row o (utvm_transpose_conv_range's twin). */
function coveringRange(o: number, pad: number, s: number, k: number, n: number): [number, number] {
  const t = o + pad;
  const lo = t - k + 1 > 0 ? Math.floor((t - k + s) / s) : 0;
  return [lo, Math.min(Math.floor(t / s) + 1, n)];
}

/** Σ over output rows of the input rows covering each: the taps one axis contributes. */
function tapsAlong(out: number, pad: number, s: number, k: number, n: number): number {
  let taps = 0;
  for (let o = 0; o < out; o++) {
    const [lo, hi] = coveringRange(o, pad, s, k, n);
    taps += Math.max(0, hi - lo);
  }
  return taps;
}

function geometry(node: Node<TransposeConvAttrs>, x: number[], w: number[]): CValue {
  const [n, h, wi, c] = x;
  const [, oh, ow, o] = node.attrs.outShape;
  return {
    batches: n, in_h: h, in_w: wi, in_c: c, out_h: oh, out_w: ow, out_c: o, k_h: w[1], k_w: w[2],
    stride_h: node.attrs.strides[0], stride_w: node.attrs.strides[1], pad_h: node.attrs.pads[0], pad_w: node.attrs.pads[1],
  };
}

/** [O][KH·KW][C] weights with each tap's C padded to C4, packed four channels at a time (DSP layout). */
function packWeights(w: Int8Array, o: number, taps: number, c: number): Int32Array {
  const c4 = depth4(c);
  const padded = new Int8Array(o * taps * c4);
  for (let r = 0; r < o * taps; r++) padded.set(w.subarray(r * c, r * c + c), r * c4);
  return packRowsS8(padded, o, taps * c4, 4);
}

/** input_offset · Σ_c w[o][t][c] as int32 [ceil(O / 4)][taps][4] (zeros past O): the DSP kernel's per-tap offset share. */
function tapOffsets(w: Int8Array, o: number, taps: number, c: number, inputOffset: number): Int32Array {
  const blocks = Math.ceil(o / 4);
  const out = new Int32Array(blocks * taps * 4);
  for (let ch = 0; ch < o; ch++) {
    for (let t = 0; t < taps; t++) {
      let sum = 0;
      for (let k = 0; k < c; k++) sum += w[(ch * taps + t) * c + k];
      out[(Math.floor(ch / 4) * taps + t) * 4 + (ch % 4)] = Math.imul(sum, inputOffset);
    }
  }
  return out;
}

function lowerS8(ctx: LowerContext<TransposeConvAttrs>, g: CValue, where: string): KernelCall {
  const x = ctx.input(0);
  const w = ctx.input(1);
  const bias = ctx.optionalInput(2);
  const y = ctx.output(0);
  checkS8Types('transpose_conv', [x, w, bias], where);
  const o = w.shape[0];
  const xq = activationQuant(x, where);
  const yq = activationQuant(y, where);
  const scales = weightScales(w, o, 0, where);
  const multipliers = convMultipliers(xq.scale, scales, yq.scale);
  const q = requantization(ctx, multipliers, yq, ctx.node.attrs.clamp, where);
  const params: CArg = { type: 'utvm_transpose_conv_params_s8', params: { g, input_offset: -xq.zeroPoint, ...q.fields } };
  const biasData = bias ? constantData<Int32Array>(bias, 'bias', where) : undefined;
  const wData = constantData<Int8Array>(w, 'weights', where);
  // The DSP kernel's short requantization needs its bound: |bias| + 255 · Σ|w| over every tap.
  if (ctx.target?.dsp === true && fastRequantHolds(accumulatorBounds(wData, o, biasData, 255), multipliers)) {
    const [, kh, kw, c] = w.shape;
    const packed = packWeights(wData, o, kh * kw, c);
    const wDsp = ctx.addConstant(`${w.name}_dsp`, 'int32', [packed.length], packed);
    const taps = tapOffsets(wData, o, kh * kw, c, -xq.zeroPoint);
    const tapArg = ctx.addConstant(`${ctx.node.name}_tap_offsets`, 'int32', [taps.length], taps);
    const o4 = Math.ceil(o / 4) * 4;
    const biasArg: CArg = biasData ? { tensor: ctx.addConstant(`${ctx.node.name}_bias_dsp`, 'int32', [o4], paddedBias(biasData, o4)) } : { value: 0 };
    return { kernel: 'utvm_transpose_conv_s8_dsp', header: 'utvm/transpose_conv.h', args: [params, { tensor: x.name }, { tensor: wDsp }, { tensor: tapArg }, biasArg, ...q.args, { tensor: y.name }] };
  }
  const biasArg: CArg = bias ? { tensor: bias.name } : { value: 0 };
  return { kernel: 'utvm_transpose_conv_s8', header: 'utvm/transpose_conv.h', args: [params, { tensor: x.name }, { tensor: w.name }, biasArg, ...q.args, { tensor: y.name }] };
}

function lower(ctx: LowerContext<TransposeConvAttrs>): KernelCall[] {
  const x = ctx.input(0);
  const w = ctx.input(1);
  const bias = ctx.optionalInput(2);
  const where = describeNode(ctx.node.source);
  const g = geometry(ctx.node, x.shape, w.shape);
  if (x.dtype === 'int8') return [lowerS8(ctx, g, where)];
  for (const t of [x, w, bias, ctx.output(0)]) {
    if (t && t.dtype !== 'float32') fail('E_UNSUPPORTED_TYPE', `${where}: transpose_conv of ${t.dtype} tensor '${t.name}' is not supported (float32 or int8)`);
  }
  const params: CArg = { type: 'utvm_transpose_conv_params_f32', params: { g, clamp: clampParams(ctx.node.attrs.clamp) } };
  return [{ kernel: 'utvm_transpose_conv_f32', header: 'utvm/transpose_conv.h', args: [params, { tensor: x.name }, { tensor: w.name }, bias ? { tensor: bias.name } : { value: 0 }, { tensor: ctx.output(0).name }] }];
}

// ---------------------------------------------------------------------------------------------------
// Reference semantics

function reference(ctx: ReferenceContext<TransposeConvAttrs>): TensorData[] {
  const { attrs, node } = ctx;
  const [x, w, bias] = ctx.inputs as [Tensor, Tensor, Tensor | undefined];
  const y = ctx.outputs[0];
  const [n, h, wi, c] = x.shape;
  const [o, kh, kw] = w.shape;
  const [, oh, ow] = attrs.outShape;
  const [sh, sw] = attrs.strides;
  const [ph, pw] = attrs.pads;
  const isFloat = x.dtype === 'float32' || x.dtype === 'float64';
  if (!isFloat && x.dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: transpose_conv of ${x.dtype} tensors has no reference semantics`);
  const offset = isFloat ? 0 : -requireQuant(x, node, 'input').zeroPoint[0];
  const xs = x.data!;
  const ws = weightValues(w.data!);
  const acc = new Float64Array(n * oh * ow * o);
  const pixel = new Float64Array(c);
  for (let b = 0; b < n; b++) {
    for (let iy = 0; iy < h; iy++) {
      for (let ix = 0; ix < wi; ix++) {
        const src = ((b * h + iy) * wi + ix) * c;
        for (let k = 0; k < c; k++) pixel[k] = (xs[src + k] as number) + offset;
        for (let fy = 0; fy < kh; fy++) {
          const oy = iy * sh - ph + fy;
          if (oy < 0 || oy >= oh) continue;
          for (let fx = 0; fx < kw; fx++) {
            const ox = ix * sw - pw + fx;
            if (ox < 0 || ox >= ow) continue;
            const dst = ((b * oh + oy) * ow + ox) * o;
            for (let oc = 0; oc < o; oc++) {
              const wAt = ((oc * kh + fy) * kw + fx) * c;
              let sum = 0;
              for (let k = 0; k < c; k++) sum += ws[wAt + k] * pixel[k];
              acc[dst + oc] += sum;
            }
          }
        }
      }
    }
  }
  const bs = biasValues(bias, o);
  const out = allocData(y.dtype, acc.length) as Float64Array | Float32Array | Int8Array;
  if (isFloat) {
    const lo = attrs.clamp?.min ?? -Infinity;
    const hi = attrs.clamp?.max ?? Infinity;
    for (let i = 0; i < acc.length; i++) {
      const v = acc[i] + bs[i % o];
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return [out];
  }
  const qy = requireQuant(y, node, 'output');
  const r = prepareRequant(requireQuant(x, node, 'input').scale[0], requireQuant(w, node, 'weights').scale, qy.scale[0], o);
  const { min, max } = activationRange(attrs.clamp, qy, 'int8');
  for (let i = 0; i < acc.length; i++) {
    const oc = i % o;
    const v = requantize((acc[i] + bs[oc]) | 0, r, oc) + qy.zeroPoint[0];
    out[i] = v < min ? min : v > max ? max : v;
  }
  return [out];
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

/** TransposeConvOptions (schema.fbs): padding, stride_w, stride_h, fused_activation_function (v4). */
const OPTIONS = flatOptions(OptionsType.TransposeConvOptions, (r, t) => ({ padding: paddingField(r, t), strideW: r.int32(t, 1), strideH: r.int32(t, 2), activation: r.int8(t, 3) }));

/** TFLite's ComputePadding on the output size (C integer division, dilation 1). */
function tflitePad(padding: Padding, size: number, k: number, s: number): number {
  const out = padding === 'SAME' ? Math.trunc((size + s - 1) / s) : Math.trunc((size + s - k) / s);
  return Math.max(Math.trunc(((out - 1) * s + k - size) / 2), 0);
}

function importTflite(c: TfliteOpContext): void {
  const w = requireRank(c, 1, 4, 'TRANSPOSE_CONV weights');
  requireConstant(c, 1, 'weights');
  const x = requireRank(c, 2, 4, 'TRANSPOSE_CONV input');
  const out = c.outputType(0);
  if (x.dtype !== 'float32' && x.dtype !== 'int8') c.unsupported(`TRANSPOSE_CONV of ${x.dtype}`);
  if (w.dtype !== x.dtype || out.dtype !== x.dtype) c.unsupported(`TRANSPOSE_CONV with ${x.dtype} input, ${w.dtype} weights and ${out.dtype} output`);
  const o = c.options;
  positiveWindow(c, { stride_h: o.strideH, stride_w: o.strideW });
  if (out.shape.length !== 4) c.invalid(`output must be 4-D, got [${out.shape}]`);
  if (c.inputTensor(0).data !== undefined) {
    const given = intList(c, 0, 'output_shape');
    if (given.length !== 4 || given.some((d, i) => d !== out.shape[i])) c.invalid(`output_shape [${given}] differs from the output tensor's [${out.shape}]`);
  }
  const [n, , , ci] = x.shape;
  const [oc, kh, kw, wc] = w.shape;
  if (wc !== ci) c.invalid(`weights [${w.shape}] take ${wc} input channels; the input [${x.shape}] has ${ci}`);
  if (out.shape[0] !== n || out.shape[3] !== oc) c.invalid(`output [${out.shape}] does not hold ${n} images of ${oc} channels`);
  const bias = c.input(3);
  if (bias) {
    const b = c.inputTensor(3);
    if (elementCount(b.shape) !== oc) c.invalid(`bias [${b.shape}] does not hold ${oc} values`);
    if (x.dtype === 'int8') requireConstant(c, 3, 'bias');
  }
  const clamp = clampOf(c);
  const attrs: TransposeConvAttrs = {
    strides: [o.strideH, o.strideW],
    pads: [tflitePad(o.padding, out.shape[1], kh, o.strideH), tflitePad(o.padding, out.shape[2], kw, o.strideW)],
    outShape: [...out.shape],
    ...(clamp ? { clamp } : {}),
  };
  c.b.add('transpose_conv', [c.input(2), c.input(1), ...(bias ? [bias] : [])], attrs, [c.output(0)]);
}

// ---------------------------------------------------------------------------------------------------
// ONNX (the importer: src/import/onnx/conv-transpose.ts)

/**
 * The int8 form (QDQ): int8 weights from the dequantized float constant (per output channel, axis 0 of
 * the IR weights), an int32 bias in units of input_scale · weight_scale[o].
 */
function int8Form(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const [xs] = x;
  const [, wName, bName = ''] = node.inputs;
  if (!xs || x[1] !== undefined || x[2] !== undefined) return null;
  const w = int8Weights(g, wName, 0);
  if (!w) return null;
  const bias = int32Bias(g, bName, g.tensor(xs).quant!.scale[0], g.tensor(w).quant!.scale, g.tensor(w).shape[0]);
  if (bias === null) return null;
  return { op: 'transpose_conv', inputs: bias ? [xs, w, bias] : [xs, w], attrs: { ...node.attrs } };
}

export const transposeConv = defineOp<TransposeConvAttrs>({
  name: 'transpose_conv',
  macs(node: Node, graph: Graph) {
    const [n, h, wi, c] = graph.tensor(node.inputs[0]).shape;
    const [o, kh, kw] = graph.tensor(node.inputs[1]).shape;
    const attrs = node.attrs as unknown as TransposeConvAttrs;
    const [, oh, ow] = attrs.outShape;
    const { strides: [sh, sw], pads: [ph, pw] } = attrs;
    return n * tapsAlong(oh, ph, sh, kh, h) * tapsAlong(ow, pw, sw, kw, wi) * c * o;
  },
  infer({ attrs, inputs, node }) {
    const [x, w] = inputs;
    const where = describeNode(node.source);
    if (!x || !w) fail('E_MODEL_INVALID', `${where}: transpose_conv needs an input and weights`);
    if (x.shape.length !== 4 || w.shape.length !== 4 || w.shape[3] !== x.shape[3]) fail('E_SHAPE', `${where}: transpose_conv of [${x.shape}] with weights [${w.shape}]`);
    return [{ dtype: x.dtype, shape: [...attrs.outShape] }];
  },
  reference,
  lower,
  fusedClamp: ['float32', 'int8'],
  // Versions (op_version.cc): 1 float32, 2 int8, 3 with a bias, 4 with a fused activation.
  tflite: { TRANSPOSE_CONV: { maxVersion: 4, options: OPTIONS, types: ['float32', 'int8'], import: importTflite } },
  onnx: { ConvTranspose: importConvTranspose },
  int8Form,
});
