/**
 * gemm on int8 tensors: TensorFlow Lite's quantized FULLY_CONNECTED, prepared at compile time.
 *
 * The IR form is gemm(A [M, K] int8, W [N, K] int8 constant, bias [N] int32 constant), transB = 1,
 * alpha = beta = 1 (W [K, N] with transB = 0 is transposed here). Semantics (TFLite's reference
 * integer_ops FullyConnected / FullyConnectedPerChannel, reproduced by CMSIS-NN):
 * acc = bias[n] + Σ_k W[n][k] · (A[m][k] − input_zero_point);
 * out = clamp(multiplyByQuantizedMultiplier(acc, multiplier, shift) + output_zero_point, act_min, act_max).
 *
 * The multiplier follows TFLite Micro's CalculateOpDataFullyConnected, which differs from the
 * convolution's in one rounding:
 *   - per-tensor weights: GetQuantizedConvolutionMultipler, double(float32(input_scale · weight_scale)) /
 *     double(output_scale) — the scale product is rounded to float32 first;
 *   - per-channel weights: double(input_scale) · double(weight_scale[n]) / double(output_scale), as conv.
 * The input offset is the same for every k, so it is folded into the bias at compile time
 * (bias'[n] = bias[n] + input_offset · Σ_k W[n][k], int32 wrap-around: the same sum, reordered).
 *
 * Kernel: on a core with the DSP extension (`ctx.target.dsp`: Cortex-M7), when the compiler's bound on
 * the accumulators allows the short requantization (src/lower/fast-requant.ts: always, in practice), the
 * knob `variant` (gemmS8Knobs) picks one of
 *   pair4, pair2, pair6: utvm_fully_connected_s8_pair{2,1,3}_dsp, two rows' weights packed in each int16
 *     lane so that one SMLAD serves two output features (utvm/fully_connected_s8_pair_dsp.h), 4, 2 or 6
 *     features per pass over the input;
 *   wide4, wide2, wide6: utvm_fully_connected_s8_wide{2,1,3}_dsp, the same with the input widened once per
 *     call into 2·K4 bytes of scratch (one LDRD per four inputs in the inner loop);
 *   chunk4, chunk2, chunk6: utvm_fully_connected_s8_chunk{2,1,3}_dsp, widened CHUNK inputs at a time, the
 *     accumulators kept in scratch between chunks (less scratch than wide for long rows);
 *   quad: utvm_fully_connected_s8_dsp, four features per pass, each weight sign-extended (SXTB16);
 * every one bit-identical (the same int32 sums; tests/ops/fully-connected-s8-dsp.test.ts); the default
 * is defaultVariant's. Elsewhere
 * utvm_fully_connected_s8.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { QuantizedMultiplier, quantizeMultiplier } from '../../ir/quant.js';
import { elementCount } from '../../ir/graph.js';
import type { CArg, Knob, KernelCall, LowerContext } from '../op.js';
import type { GemmAttrs } from './index.js';
import { packPairsS8, packRowsS8, paddedBias, pairBias } from '../../lower/dsp-layout.js';
import { lowerGemmS8Onnx, onnxOutputScales, onnxRounding } from '../../lower/onnx-rounding.js';
import { accumulatorBounds, fastRequantHolds } from '../../lower/fast-requant.js';
import { activationQuant, checkS8Types, constantData, convMultipliers, foldedBias, requantization, weightScales } from '../../lower/s8.js';

/** The dense layer's multipliers: one for per-tensor weights, else one per output feature. */
export function fullyConnectedMultipliers(inputScale: number, scales: number[], outputScale: number): QuantizedMultiplier[] {
  if (scales.length === 1) return [quantizeMultiplier(Math.fround(inputScale * scales[0]) / outputScale)];
  return convMultipliers(inputScale, scales, outputScale);
}

/** W as [N, K] row-major: as stored when transB, transposed from [K, N] otherwise. */
function weightsNK(w: Int8Array, transB: boolean, k: number, n: number): Int8Array {
  if (transB) return w;
  const out = new Int8Array(n * k);
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[j * k + p] = w[p * n + j];
  return out;
}

/**
 * The DSP kernel variants (knob `variant`): pairs of rows per pass of the pair kernels and how they read the
 * input (inline: SXTB16 per pass; wide: widened once into scratch; chunk: widened CHUNK values at a time,
 * the accumulators kept in scratch between chunks), or the interleaved kernel (pairs 0).
 */
type Input = 'inline' | 'wide' | 'chunk';
const VARIANTS: Record<string, { pairs: number; input: Input }> = {
  pair4: { pairs: 2, input: 'inline' },
  pair2: { pairs: 1, input: 'inline' },
  pair6: { pairs: 3, input: 'inline' },
  wide4: { pairs: 2, input: 'wide' },
  wide2: { pairs: 1, input: 'wide' },
  wide6: { pairs: 3, input: 'wide' },
  chunk4: { pairs: 2, input: 'chunk' },
  chunk2: { pairs: 1, input: 'chunk' },
  chunk6: { pairs: 3, input: 'chunk' },
  quad: { pairs: 0, input: 'inline' },
};
/** Input values the chunk variants widen at a time. */
const CHUNK = 128;
/** Scratch bytes the default allows itself: more would weigh on small arenas (ad's is 768 B without). */
const DEFAULT_MAX_SCRATCH = 1024;

/** Scratch bytes of a variant (utvm_fully_connected_s8_{wide,chunk}_scratch_bytes). */
function scratchBytes(input: Input, pairs: number, n: number, k: number): number {
  const k4 = (x: number): number => Math.ceil(x / 4) * 4;
  if (input === 'wide') return 2 * k4(k);
  if (input === 'chunk') return 2 * k4(Math.min(CHUNK, k)) + 4 * Math.ceil(n / (2 * pairs)) * 2 * pairs;
  return 0;
}

/**
 * The untuned choice: the pairs per pass P (2P features) that minimise the padded rows weighted by the
 * cost of a row at P (1.15, 1, 0.96: a longer pass spreads the input's reading over more rows; measured
 * on the MLPerf layers: N = 128, 640, 12 take 6 features per pass, N = 8 takes 4, N = 10 and 2 take 2);
 * the input widened once (wide) when its scratch fits DEFAULT_MAX_SCRATCH, else a chunk at a time, else
 * inline. The tuner searches the rest.
 */
function defaultVariant(n: number, k: number): string {
  const cost = (p: number): number => Math.ceil(n / (2 * p)) * 2 * p * [0, 1.15, 1, 0.96][p];
  const pairs = [1, 2, 3].reduce((best, p) => (cost(p) < cost(best) ? p : best), 2);
  for (const input of ['wide', 'chunk'] as const) if (scratchBytes(input, pairs, n, k) <= DEFAULT_MAX_SCRATCH) return `${input}${2 * pairs}`;
  return `pair${2 * pairs}`;
}

/** The knobs of an int8 gemm: the DSP kernel variant, on a DSP core with TFLite rounding. */
export function gemmS8Knobs(ctx: LowerContext<GemmAttrs>): Knob[] {
  if (ctx.target?.dsp !== true || onnxRounding(ctx) || ctx.input(0).dtype !== 'int8') return [];
  const [, k] = ctx.input(0).shape;
  return [{
    name: 'variant',
    values: Object.keys(VARIANTS),
    default: defaultVariant(ctx.output(0).shape[1], k),
    doc: `fully connected kernel: pairN / wideN / chunkN = two rows per int16 weight lane, N features per pass, the input sign-extended per pass / widened once into 2*K4 B of scratch / widened ${CHUNK} values at a time (scratch: those and the accumulators); quad = four features per pass, SXTB16 per weight`,
  }];
}

function chosenVariant(ctx: LowerContext<GemmAttrs>, n: number, k: number, where: string): string {
  const v = ctx.schedule?.variant ?? defaultVariant(n, k);
  if (typeof v !== 'string' || !(v in VARIANTS)) fail('E_USAGE', `${where}: unknown value '${String(v)}' of knob 'variant' (${Object.keys(VARIANTS).join(', ')})`);
  return v;
}

export function lowerGemmS8(ctx: LowerContext<GemmAttrs>): KernelCall[] {
  const { attrs, source, name } = ctx.node;
  const where = describeNode(source);
  const a = ctx.input(0);
  const b = ctx.input(1);
  const c = ctx.optionalInput(2);
  const y = ctx.output(0);
  checkS8Types('gemm', [a, b, c], where);
  if (y.dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${where}: int8 gemm must output int8, '${y.name}' is ${y.dtype}`);
  if (attrs.transA) fail('E_UNSUPPORTED_ATTR', `${where}: int8 gemm with a transposed A is not supported`);
  if (attrs.alpha !== 1 || (c && attrs.beta !== 1)) {
    fail('E_UNSUPPORTED_ATTR', `${where}: int8 gemm needs alpha = 1 and beta = 1 (got ${attrs.alpha} and ${attrs.beta})`);
  }
  const [m, k] = a.shape;
  const n = y.shape[1];
  if (c && elementCount(c.shape) !== n) fail('E_UNSUPPORTED_ATTR', `${where}: int8 gemm needs a bias of ${n} values, '${c.name}' is [${c.shape}]`);
  const xq = activationQuant(a, where);
  const yq = activationQuant(y, where);
  const scales = weightScales(b, n, attrs.transB ? 0 : 1, where);
  const weights = weightsNK(constantData<Int8Array>(b, 'weights', where), attrs.transB, k, n);
  const bias = c ? constantData<Int32Array>(c, 'bias', where) : undefined;
  const multipliers = fullyConnectedMultipliers(xq.scale, scales, yq.scale);
  const q = requantization(ctx, multipliers, yq, attrs.clamp, where);
  const inputOffset = -xq.zeroPoint;
  const folded = inputOffset !== 0 ? foldedBias(weights, n, bias, inputOffset) : bias;
  const params: CArg = { type: 'utvm_fully_connected_params_s8', params: { batches: m, in_features: k, out_features: n, ...q.fields } };
  if (onnxRounding(ctx)) {
    const fp = onnxOutputScales(xq.scale, scales, yq.scale, n);
    return lowerGemmS8Onnx(ctx, { a, y, params: params.params as Record<string, unknown>, weights, bias: folded, scales: fp, base: b.name });
  }
  if (ctx.target?.dsp === true && fastRequantHolds(accumulatorBounds(weights, n, folded, 128), multipliers)) {
    const { pairs, input } = VARIANTS[chosenVariant(ctx, n, k, where)];
    if (pairs > 0) {
      const packed = packPairsS8(weights, n, k, pairs);
      const wPairs = ctx.addConstant(`${b.name}_pairs`, 'int32', [packed.length], packed);
      const biasPairs = pairBias(folded, n, pairs);
      const args: CArg[] = [params, { tensor: a.name }, { tensor: wPairs }, { tensor: ctx.addConstant(`${name}_bias_pairs`, 'int32', [biasPairs.length], biasPairs) }, ...q.args, { tensor: y.name }];
      const header = 'utvm/fully_connected_s8_pair_dsp.h';
      const scratch = scratchBytes(input, pairs, n, k);
      if (input === 'inline') return [{ kernel: `utvm_fully_connected_s8_pair${pairs}_dsp`, header, args }];
      if (input === 'wide') return [{ kernel: `utvm_fully_connected_s8_wide${pairs}_dsp`, header, args: [...args, { scratch: true }], scratchBytes: scratch }];
      return [{ kernel: `utvm_fully_connected_s8_chunk${pairs}_dsp`, header, args: [...args, { value: CHUNK }, { scratch: true }], scratchBytes: scratch }];
    }
    const n4 = Math.ceil(n / 4) * 4;
    const packed = packRowsS8(weights, n, k, 4);
    const wDsp = ctx.addConstant(`${b.name}_dsp`, 'int32', [packed.length], packed);
    const biasDsp: CArg = folded ? { tensor: ctx.addConstant(`${name}_bias_dsp`, 'int32', [n4], paddedBias(folded, n4)) } : { value: 0 };
    return [{
      kernel: 'utvm_fully_connected_s8_dsp',
      header: 'utvm/fully_connected_s8_dsp.h',
      args: [params, { tensor: a.name }, { tensor: wDsp }, biasDsp, ...q.args, { tensor: y.name }],
    }];
  }
  const wName = attrs.transB ? b.name : ctx.addConstant(`${b.name}_nk`, 'int8', [n, k], weights);
  let biasArg: CArg = c ? { tensor: c.name } : { value: 0 };
  if (inputOffset !== 0) biasArg = folded ? { tensor: ctx.addConstant(`${name}_bias`, 'int32', [n], folded) } : { value: 0 };
  return [{
    kernel: 'utvm_fully_connected_s8',
    header: 'utvm/fully_connected_s8.h',
    args: [params, { tensor: a.name }, { tensor: wName }, biasArg, ...q.args, { tensor: y.name }],
  }];
}
