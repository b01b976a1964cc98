/**
 * svdf: TensorFlow Lite's SVDF builtin, a rank-reduced fully connected layer over the last `memory`
 * inputs, with its window of past values kept in a state tensor across runs (utvm/svdf.h has the
 * arithmetic).
 *
 * Inputs: x [batch, input_size], feature weights [filters, input_size], time weights [filters, memory],
 * bias [units] (optional; units = filters / rank), state [batch, filters · memory] — a variable tensor
 * (`Tensor.variable`), which the kernel updates in place; output [batch, units].
 *
 * int8 (TFLite Micro's integer SVDF): int8 x, feature weights and output; time weights and state both
 * int8 or both int16; int32 bias with scale state_scale · time_scale (TFLite Micro's check, 1e-5). Prepare
 * here at compile time: the two multipliers of TFLite Micro, input_scale · feature_scale / state_scale
 * and state_scale · time_scale / output_scale, each product and quotient rounded to float32 as its C++
 * computes them. No fused activation: TFLite Micro's integer kernel applies none. float32: the fused
 * activation (RELU, RELU_N1_TO_1, RELU6 as a clamp; TANH as a tanh node after).
 *
 * The DSP variants (`ctx.target.dsp`) take the constant parts of both dot products as one int32 array
 * computed here, input offset · feature row sums and −state zero point · time row sums.
 */

import { describeNode, fail } from '../diagnostics.js';
import type { Tensor } from '../ir/graph.js';
import { f32 } from '../ir/c-value.js';
import { quantizeMultiplier, multiplyByQuantizedMultiplierFast } from '../ir/quant.js';
import { perTensorQuant } from '../lower/s8.js';
import type { Clamp, KernelCall, LowerContext } from './op.js';
import { defineOp } from './op.js';
import { ACTIVATION_NAMES, activationClamp } from '../import/tflite-context.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import type { TfliteOptionsTable } from '../import/tflite-options.js';
import { allocData } from '../ir/dtype.js';
import type { TensorData } from '../ir/dtype.js';
import type { ReferenceContext } from './op.js';
import { intRange, quantOf } from './gemm/reference.js';

export interface SvdfAttrs {
  rank: number;
  /** float32 only: the fused activation as a clamp. */
  clamp?: Clamp;
}

/** SVDFOptions (BuiltinOptions union type 6 of schema.fbs): rank, fused activation (asymmetric_quantize_inputs is for hybrid models). */
interface SvdfOptions {
  rank: number;
  activation: number;
}

const SVDF_OPTIONS: TfliteOptionsTable<SvdfOptions> = {
  type: 6,
  read: (r, t) => ({ rank: r.int32(t, 0), activation: r.int8(t, 1) }),
  defaults: { rank: 0, activation: 0 },
};

interface SvdfGeometry {
  batch: number;
  input_size: number;
  filters: number;
  memory: number;
  rank: number;
}

function geometry(x: Tensor, wf: Tensor, wt: Tensor, rank: number): SvdfGeometry {
  return { batch: x.shape[0], input_size: x.shape[1], filters: wf.shape[0], memory: wt.shape[1], rank };
}

/** A fixed-point multiplier the kernels can apply (shift at most 30 left). */
function multiplier(real: number, what: string, where: string): { multiplier: number; shift: number } {
  const m = quantizeMultiplier(real);
  if (m.shift > 30) fail('E_UNSUPPORTED_ATTR', `${where}: SVDF ${what} scale ${real} is too large (at most 2^30)`);
  return m;
}

function rowSums(data: ArrayLike<number>, rows: number, cols: number, factor: number): number[] {
  const sums: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += data[r * cols + c];
    sums.push(Math.imul(s, factor) | 0);
  }
  return sums;
}

function lowerS8(ctx: LowerContext<SvdfAttrs>, g: SvdfGeometry): KernelCall[] {
  const { node } = ctx;
  const where = describeNode(node.source);
  const [x, wf, wt, state, y] = [ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(4), ctx.output(0)];
  const bias = ctx.optionalInput(3);
  if (wf.dtype !== 'int8' || y.dtype !== 'int8' || (wt.dtype !== 'int8' && wt.dtype !== 'int16') || state.dtype !== wt.dtype || (bias && bias.dtype !== 'int32')) {
    fail('E_UNSUPPORTED_TYPE', `${where}: int8 SVDF needs int8 feature weights and output, time weights and state both int8 or both int16 and an int32 bias; got ${wf.dtype}, ${y.dtype}, ${wt.dtype}, ${state.dtype}${bias ? `, ${bias.dtype}` : ''}`);
  }
  const [qx, qf, qt, qs, qy] = [x, wf, wt, state, y].map((t) => perTensorQuant(t, node.source));
  const f = Math.fround;
  const stateTime = f(qs.scale * qt.scale);
  if (bias) {
    const qb = bias.quant?.scale[0];
    if (qb === undefined || !(Math.abs(qb - stateTime) < 1e-5)) {
      fail('E_MODEL_INVALID', `${where}: the SVDF bias scale ${qb} must be state scale × time weights scale (${stateTime})`);
    }
  }
  const feature = multiplier(f(f(qx.scale * qf.scale) / qs.scale), 'feature', where);
  const output = multiplier(f(stateTime / qy.scale), 'output', where);
  const params = {
    ...g,
    input_offset: -qx.zeroPoint,
    feature_multiplier: feature.multiplier,
    feature_shift: feature.shift,
    state_zero_point: qs.zeroPoint,
    output_multiplier: output.multiplier,
    output_shift: output.shift,
    output_offset: qy.zeroPoint,
  };
  const kernel = wt.dtype === 'int8' ? 'utvm_svdf_s8' : 'utvm_svdf_s8_s16';
  const biasArg = bias ? { tensor: bias.name } : { value: 0 };
  const head = [{ params, type: 'utvm_svdf_params_s8' }, { tensor: x.name }, { tensor: wf.name }, { tensor: wt.name }, biasArg];
  if (!ctx.target?.dsp) {
    return [{ kernel, header: 'utvm/svdf.h', args: [...head, { tensor: state.name }, { tensor: y.name }] }];
  }
  const sums = [
    ...rowSums(wf.data as Int8Array, g.filters, g.input_size, -qx.zeroPoint),
    ...rowSums(wt.data as Int8Array | Int16Array, g.filters, g.memory, -qs.zeroPoint),
  ];
  const sumsName = ctx.addConstant(`${node.name}_sums`, 'int32', [sums.length], Int32Array.from(sums));
  return [{ kernel: `${kernel}_dsp`, header: 'utvm/svdf_dsp.h', args: [...head, { tensor: sumsName }, { tensor: state.name }, { tensor: y.name }] }];
}

/**
 * Run-time reference (src/reference/): TFLite Micro's EvalFloatSvdfReference / EvalIntegerSvdfReference,
 * apart from the kernels and `lower`. Per batch b and filter f the state row [b, f] (`memory` values) moves
 * one step to the older end and the newest slot gets the feature dot product of x[b] with row f; each
 * filter's time dot product with its row of time weights, summed over the rank's filters of a unit, plus
 * the bias, is the output. The new state is written back with `ctx.setState(4, ..)`.
 *   float (float64 in the interpreter, or float32): sums in the tensor's precision, the fused clamp;
 *   int8: feature = clamp_T(MultiplyByQuantizedMultiplier(Σ wf · (x − x_zp), M1, s1)) + state_zp, stored
 *   as T (int8 or int16: the sum wraps as C's conversion does); time = Σ wt · (state − state_zp) in int32;
 *   y = clamp_int8(MultiplyByQuantizedMultiplier(bias + Σ_rank time, M2, s2) + y_zp), no activation.
 *   M1 = float32(float32(x_scale · wf_scale) / state_scale), M2 = float32(float32(state_scale · wt_scale) /
 *   y_scale), as TFLite Micro's PrepareSvdf computes them in float.
 */
function reference(ctx: ReferenceContext<SvdfAttrs>): TensorData[] {
  const [x, wf, wt, bias, state] = ctx.inputs as [Tensor, Tensor, Tensor, Tensor | undefined, Tensor];
  const batch = x.shape[0];
  const inputSize = x.shape[1];
  const filters = wf.shape[0];
  const memory = wt.shape[1];
  const rank = ctx.attrs.rank;
  const units = filters / rank;
  const X = x.data!;
  const WF = wf.data!;
  const WT = wt.data!;
  const S = state.data!;
  const next = allocData(state.dtype, S.length) as Float64Array;
  const y = allocData(ctx.outputs[0].dtype, batch * units);
  const int = x.dtype === 'int8';
  const f = Math.fround;
  let inOffset = 0;
  let stateZp = 0;
  let m1 = { multiplier: 0, shift: 0 };
  let m2 = { multiplier: 0, shift: 0 };
  let stateRange = { min: 0, max: 0 };
  let outZp = 0;
  if (int) {
    const [qx, qf, qt, qs, qy] = [quantOf(x, 'input'), quantOf(wf, 'feature weights'), quantOf(wt, 'time weights'), quantOf(state, 'state'), quantOf(ctx.outputs[0], 'output')];
    m1 = quantizeMultiplier(f(f(qx.scale * qf.scale) / qs.scale));
    m2 = quantizeMultiplier(f(f(qs.scale * qt.scale) / qy.scale));
    inOffset = -qx.zeroPoint;
    stateZp = qs.zeroPoint;
    stateRange = intRange(state.dtype);
    outZp = qy.zeroPoint;
  }
  const time = new Float64Array(filters);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < filters; r++) {
      const base = (b * filters + r) * memory;
      for (let t = 0; t + 1 < memory; t++) next[base + t] = Number(S[base + t + 1]);
      let dot = 0;
      for (let c = 0; c < inputSize; c++) dot += Number(WF[r * inputSize + c]) * (Number(X[b * inputSize + c]) + inOffset);
      if (int) {
        let v = multiplyByQuantizedMultiplierFast(dot | 0, m1.multiplier, m1.shift);
        v = v < stateRange.min ? stateRange.min : v > stateRange.max ? stateRange.max : v;
        dot = stateZp + v;
      } else if (x.dtype === 'float32') {
        dot = f(dot);
      }
      next[base + memory - 1] = dot; // int8 / int16 state: the typed array wraps, as C's conversion does
      let acc = 0;
      for (let t = 0; t < memory; t++) acc += Number(WT[r * memory + t]) * (next[base + t] - stateZp);
      time[r] = int ? acc | 0 : acc;
    }
    for (let u = 0; u < units; u++) {
      let acc = bias ? Number(bias.data![u]) : 0;
      for (let j = 0; j < rank; j++) acc += time[u * rank + j];
      const o = b * units + u;
      if (int) {
        const v = multiplyByQuantizedMultiplierFast(acc | 0, m2.multiplier, m2.shift) + outZp;
        y[o] = v < -128 ? -128 : v > 127 ? 127 : v;
      } else {
        const lo = ctx.attrs.clamp?.min ?? -Infinity;
        const hi = ctx.attrs.clamp?.max ?? Infinity;
        y[o] = acc < lo ? lo : acc > hi ? hi : acc;
      }
    }
  }
  ctx.setState(4, next);
  return [y];
}

function importTfliteSvdf(c: TfliteOpContext<SvdfOptions>): void {
  const x = c.inputTensor(0);
  const state = c.inputTensor(4);
  if (!state.variable) c.invalid('the activation state (input 4) must be a variable tensor');
  for (const [i, what] of [[1, 'feature weights'], [2, 'time weights']] as const) {
    if (c.inputTensor(i).data === undefined) c.unsupported(`SVDF ${what} computed at run time`);
  }
  if (c.input(3) !== '' && c.inputTensor(3).data === undefined) c.unsupported('an SVDF bias computed at run time');
  const rank = c.options.rank;
  const activation = c.options.activation;
  const inputs = [0, 1, 2, 3, 4].map((i) => c.input(i));
  if (x.dtype === 'int8') {
    c.b.add('svdf', inputs, { rank }, [c.output(0)]);
    return;
  }
  if (activation === 4) {
    const [y] = c.b.add('svdf', inputs, { rank });
    c.b.add('tanh', [y], {}, [c.output(0)]);
    return;
  }
  const clamp = activationClamp(activation);
  if (clamp === null) c.unsupported(`fused activation ${ACTIVATION_NAMES[activation] ?? activation} on a float32 SVDF`);
  c.b.add('svdf', inputs, clamp ? { rank, clamp } : { rank }, [c.output(0)]);
}

export const svdf = defineOp<SvdfAttrs>({
  name: 'svdf',
  infer({ attrs, inputs, node }) {
    const where = describeNode(node.source);
    const [x, wf, wt, bias, state] = inputs;
    if (!x || !wf || !wt || !state) fail('E_MODEL_INVALID', `${where}: SVDF needs an input, feature and time weights and a state`);
    const rank2 = (t: Tensor, what: string) => {
      if (t.shape.length !== 2) fail('E_MODEL_INVALID', `${where}: the SVDF ${what} must be 2-D, got [${t.shape}]`);
    };
    rank2(x, 'input');
    rank2(wf, 'feature weights');
    rank2(wt, 'time weights');
    rank2(state, 'state');
    const [batch, inputSize] = x.shape;
    const [filters, memory] = [wf.shape[0], wt.shape[1]];
    if (!Number.isInteger(attrs.rank) || attrs.rank < 1 || filters % attrs.rank !== 0) {
      fail('E_MODEL_INVALID', `${where}: SVDF rank ${attrs.rank} must be positive and divide the ${filters} filters`);
    }
    const units = filters / attrs.rank;
    if (wf.shape[1] !== inputSize) fail('E_MODEL_INVALID', `${where}: SVDF feature weights [${wf.shape}] do not match the input [${x.shape}]`);
    if (wt.shape[0] !== filters) fail('E_MODEL_INVALID', `${where}: SVDF time weights [${wt.shape}] need ${filters} rows`);
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== units)) fail('E_MODEL_INVALID', `${where}: SVDF bias [${bias.shape}] needs ${units} elements`);
    if (state.shape[0] !== batch || state.shape[1] !== filters * memory) {
      fail('E_MODEL_INVALID', `${where}: SVDF state [${state.shape}] must be [${batch}, ${filters * memory}]`);
    }
    if (x.dtype !== 'int8' && x.dtype !== 'float32') fail('E_UNSUPPORTED_TYPE', `${where}: SVDF of ${x.dtype} input is not supported (int8 and float32)`);
    if (x.dtype === 'float32' && [wf, wt, state, bias ?? wf].some((t) => t.dtype !== 'float32')) {
      fail('E_UNSUPPORTED_TYPE', `${where}: a float32 SVDF needs float32 weights, bias and state`);
    }
    return [{ dtype: x.dtype, shape: [batch, units] }];
  },
  lower(ctx): KernelCall[] {
    const [x, wf, wt] = [ctx.input(0), ctx.input(1), ctx.input(2)];
    const g = geometry(x, wf, wt, ctx.node.attrs.rank);
    if (x.dtype === 'int8') return lowerS8(ctx, g);
    const bias = ctx.optionalInput(3);
    const clamp = ctx.node.attrs.clamp;
    const params = { ...g, act_min: f32(clamp?.min ?? -Infinity), act_max: f32(clamp?.max ?? Infinity) };
    return [{
      kernel: 'utvm_svdf_f32',
      header: 'utvm/svdf.h',
      args: [{ params, type: 'utvm_svdf_params_f32' }, { tensor: x.name }, { tensor: wf.name }, { tensor: wt.name }, bias ? { tensor: bias.name } : { value: 0 }, { tensor: ctx.input(4).name }, { tensor: ctx.output(0).name }],
    }];
  },
  reference,
  macs(node, graph) {
    const [x, wf, wt] = [0, 1, 2].map((i) => graph.tensor(node.inputs[i]));
    return x.shape[0] * wf.shape[0] * (x.shape[1] + wt.shape[1]);
  },
  tflite: {
    SVDF: {
      maxVersion: 4,
      types: ['float32', 'int8'],
      options: SVDF_OPTIONS,
      import: importTfliteSvdf as (c: TfliteOpContext<unknown>) => void,
    },
  },
});
