/**
 * lstm on int8: TensorFlow Lite Micro's integer LSTM (8-bit activations and weights, 16-bit cell state and
 * gates, 32-bit biases), prepared at compile time as its Prepare does (lstm_eval_common.cc):
 *   - each gate's two fully connected layers output int16 at the fixed scale 2^-12; their multipliers are
 *     those of CalculateOpDataFullyConnected for per-tensor weights, double(float32(x_scale · w_scale)) /
 *     2^-12 (the scale product rounded to float32 first), and the input offsets (minus the input's and the
 *     hidden state's zero points) fold into the biases;
 *   - the element products (CreateInterGateMulParams): forget (2^-15) · c → c at scale 2^-15 · s_c / s_c;
 *     input · cell gate → c at 2^-30 / s_c; tanh(c) · output gate → h at 2^-30 / s_h, plus h's zero point;
 *   - tanh(c) reads c at 2^p with p = round(log2 s_c) (CheckedLog2), the input scaling of TFLite's int16
 *     tanh from the left shift 12 + p;
 *   - the cell clip is trunc(clamp(cell_clip / s_c, -32768, 32767)).
 * Per-channel weights are refused: TFLite Micro's LSTM reads only the per-tensor multiplier (its
 * per-channel one is left unset), so such a model has no defined result there.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { quantizeMultiplier } from '../../ir/quant.js';
import type { QuantizedMultiplier } from '../../ir/quant.js';
import type { Tensor } from '../../ir/graph.js';
import type { KernelCall, LowerContext } from '../op.js';
import { activationQuant, constantData, weightScales } from '../../lower/s8.js';
import { packRowsS8 } from '../../lower/dsp-layout.js';
import { LSTM, lstmDims } from './index.js';
import type { LstmAttrs } from './index.js';

const GATE_SCALE = 2 ** -12;
const ACTIVATED_SCALE = 2 ** -15;

/** The four gates' tensors one after the other (forget, input, cell, output order given by the caller). */
export function packGates<T extends Int8Array | Int32Array | Float32Array>(parts: T[], Type: { new (n: number): T }): T {
  const out = new Type(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}

/** bias[r] + offset · Σ_k w[r][k] for w [rows, depth] (int32 wrap-around, the kernel's sum reordered). */
function foldOffset(w: Int8Array, rows: number, bias: Int32Array | undefined, offset: number): Int32Array {
  const depth = w.length / rows;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let k = 0; k < depth; k++) sum += w[r * depth + k];
    out[r] = ((bias ? bias[r] : 0) + offset * sum) | 0;
  }
  return out;
}

function checkShift(m: QuantizedMultiplier, what: string, where: string): QuantizedMultiplier {
  if (m.shift > 30) fail('E_UNSUPPORTED_ATTR', `${where}: the ${what} multiplier needs a left shift of ${m.shift} (> 30)`);
  return m;
}

/** The int16 cell state's scale (zero point 0). */
function cellScale(c: Tensor, where: string): number {
  if (c.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${where}: an int8 LSTM needs an int16 cell state; '${c.name}' is ${c.dtype}`);
  const q = c.quant;
  if (!q || q.scale.length !== 1 || (q.zeroPoint[0] ?? 0) !== 0 || !(q.scale[0] > 0)) {
    fail('E_UNSUPPORTED_ATTR', `${where}: the cell state '${c.name}' needs one positive scale and zero point 0`);
  }
  return Math.fround(q.scale[0]);
}

/** TFLite Micro's Tanh input scaling for c at 2^power: [multiplier, right shift]. */
export function cellTanhScaling(power: number): [number, number] {
  const left = 15 + power - 3;
  return left >= 0 ? [3 * 2 ** left, 0] : [3, -left];
}

interface Gates {
  weights: { data: Int8Array; scale: number }[];
  multipliers: QuantizedMultiplier[];
  /** Each gate's bias with the input offset folded in. */
  bias: Int32Array[];
}

/** One kind of gate weights (input or recurrent, TFLite input indexes `indexes`) reading a tensor of quantization `xq`. */
function gateWeights(ctx: LowerContext<LstmAttrs>, indexes: readonly number[], biases: readonly number[] | undefined, xq: { scale: number; zeroPoint: number }, where: string): Gates {
  const stateSize = ctx.input(2).shape[0];
  const weights = indexes.map((i) => {
    const w = ctx.input(i);
    if (w.dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${where}: an int8 LSTM needs int8 weights; '${w.name}' is ${w.dtype}`);
    const scales = weightScales(w, stateSize, 0, where);
    if (scales.length !== 1) fail('E_UNSUPPORTED_ATTR', `${where}: LSTM weights '${w.name}' are quantized per channel; TensorFlow Lite Micro's LSTM takes per-tensor weights only`);
    return { data: constantData<Int8Array>(w, 'weights', where), scale: scales[0] };
  });
  const biasOf = (i: number): Int32Array => {
    const b = ctx.input(i);
    if (b.dtype !== 'int32') fail('E_UNSUPPORTED_TYPE', `${where}: an int8 LSTM needs int32 biases; '${b.name}' is ${b.dtype}`);
    return constantData<Int32Array>(b, 'bias', where);
  };
  return {
    weights,
    multipliers: weights.map((w) => checkShift(quantizeMultiplier(Math.fround(xq.scale * w.scale) / GATE_SCALE), 'gate', where)),
    bias: weights.map((w, g) => foldOffset(w.data, stateSize, biases ? biasOf(biases[g]) : undefined, -xq.zeroPoint)),
  };
}

/** The products' multipliers, the cell clip and the tanh(c) scaling (see the top of this file). */
function cellParams(cs: number, hiddenScale: number, cellClip: number, where: string) {
  const forget = checkShift(quantizeMultiplier((ACTIVATED_SCALE * cs) / cs), 'forget', where);
  const inputGate = checkShift(quantizeMultiplier((ACTIVATED_SCALE * ACTIVATED_SCALE) / cs), 'input gate', where);
  const hidden = checkShift(quantizeMultiplier((ACTIVATED_SCALE * ACTIVATED_SCALE) / hiddenScale), 'hidden state', where);
  const power = Math.round(Math.log(cs) * (1 / Math.log(2)));
  const [tanhMultiplier, tanhShift] = cellTanhScaling(power);
  if (tanhMultiplier > 32767 || tanhShift > 30) fail('E_UNSUPPORTED_ATTR', `${where}: the cell state scale ${cs} (2^${power}) is outside what the int16 tanh reads (2^-42 to 2^1)`);
  return {
    forget_multiplier: forget.multiplier, forget_shift: forget.shift,
    input_gate_multiplier: inputGate.multiplier, input_gate_shift: inputGate.shift,
    hidden_multiplier: hidden.multiplier, hidden_shift: hidden.shift,
    cell_clip: cellClip > 0 ? Math.trunc(Math.min(Math.max(cellClip / cs, -32768), 32767)) : -1,
    cell_tanh_multiplier: tanhMultiplier, cell_tanh_shift: tanhShift,
  };
}

export function lowerLstmS8(ctx: LowerContext<LstmAttrs>): KernelCall[] {
  const { node } = ctx;
  const where = describeNode(node.source);
  const [x, h, c, y] = [ctx.input(LSTM.input), ctx.input(LSTM.hidden), ctx.input(LSTM.cell), ctx.output(0)];
  for (const t of [h, y]) if (t.dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${where}: an int8 LSTM needs int8 '${t.name}', not ${t.dtype}`);
  const { batches, steps, inputSize, stateSize } = lstmDims(ctx);
  const hq = activationQuant(h, where);
  const input = gateWeights(ctx, LSTM.inputWeights, LSTM.biases, activationQuant(x, where), where);
  const recurrent = gateWeights(ctx, LSTM.recurrentWeights, undefined, hq, where);
  const params = {
    batches, time_steps: steps, input_size: inputSize, state_size: stateSize,
    time_major: node.attrs.timeMajor ? 1 : 0,
    hidden_zero_point: hq.zeroPoint,
    input_multiplier: input.multipliers.map((m) => m.multiplier), input_shift: input.multipliers.map((m) => m.shift),
    recurrent_multiplier: recurrent.multipliers.map((m) => m.multiplier), recurrent_shift: recurrent.multipliers.map((m) => m.shift),
    ...cellParams(cellScale(c, where), hq.scale, node.attrs.cellClip, where),
  };
  const name = node.name;
  const dsp = ctx.target?.dsp === true;
  // The DSP kernel reads each gate's rows packed four at a time (src/lower/dsp-layout.ts); the portable one, as stored.
  const packed = (what: string, gates: Gates, depth: number): string => {
    if (!dsp) return ctx.addConstant(`${name}_${what}`, 'int8', [4, stateSize, depth], packGates(gates.weights.map((w) => w.data), Int8Array));
    const words = packGates(gates.weights.map((w) => packRowsS8(w.data, stateSize, depth, 4)), Int32Array);
    return ctx.addConstant(`${name}_${what}_dsp`, 'int32', [words.length], words);
  };
  const bias = (what: string, gates: Gates) => ctx.addConstant(`${name}_${what}`, 'int32', [4, stateSize], packGates(gates.bias, Int32Array));
  return [{
    kernel: dsp ? 'utvm_lstm_s8_dsp' : 'utvm_lstm_s8',
    header: 'utvm/lstm_cell.h',
    args: [
      { type: 'utvm_lstm_params_s8', params },
      { tensor: x.name },
      { tensor: packed('input_weights', input, inputSize) },
      { tensor: bias('input_bias', input) },
      { tensor: packed('recurrent_weights', recurrent, stateSize) },
      { tensor: bias('recurrent_bias', recurrent) },
      { tensor: h.name },
      { tensor: c.name },
      { tensor: y.name },
      { scratch: true },
    ],
    scratchBytes: 4 * (node.attrs.timeMajor ? batches : 1) * stateSize * 2,
  }];
}
