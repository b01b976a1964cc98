/**
 * lstm: TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM as TensorFlow Lite Micro runs it (kernels/
 * unidirectional_sequence_lstm.cc, lstm_eval.h): the standard LSTM cell — four gates (forget, input, cell,
 * output), each W x + R h (+ b), sigmoid gates and a tanh cell gate, c = f c + i g (clipped when the model
 * sets cell_clip), h = o tanh(c) — over a [batch, time, features] sequence (time_major: [time, batch,
 * features]). The output is h at every step.
 *
 * The node's inputs are the builtin's 24, in TFLite's order (0 x; 1-4 input weights i, f, c, o; 5-8
 * recurrent weights; 9-11 peephole; 12-15 biases; 16-17 projection; 18 hidden state; 19 cell state; 20-23
 * layer-norm coefficients), '' where the model omits one. TFLite Micro refuses the LSTM variants (CIFG,
 * peephole, projection, layer norm: its ValidateTensorStatus), so they are refused here with
 * E_UNSUPPORTED_ATTR; so is a cell activation other than TANH (TFLite Micro asserts) and a hybrid model.
 *
 * State: inputs 18 and 19 are TFLite variable tensors (Tensor.variable): runtime tensors no node produces,
 * planned for the whole run (src/plan/liveness.ts), set to their zero point at init and by <name>_reset(),
 * read and written in place by the kernel, so they carry over from one run to the next as in TFLite Micro.
 *
 * Lowering: int8 in s8.ts (utvm_lstm_s8, utvm_lstm_s8_dsp on DSP cores); float32 here (utvm_lstm_f32).
 * Reference semantics (the reference interpreter): reference.ts, float and int8, independent of both.
 */

import { defineOp } from '../op.js';
import type { KernelCall, LowerContext } from '../op.js';
import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import { CFloat } from '../../ir/c-value.js';
import type { Tensor } from '../../ir/graph.js';
import { FlatReader, Table } from '../../import/tflite-schema.js';
import { OptionsType } from '../../import/tflite-options.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { lowerLstmS8, packGates } from './s8.js';
import { lstmReference } from './reference.js';

export interface LstmAttrs {
  timeMajor: boolean;
  /** The model's cell_clip (float32), 0 for none. */
  cellClip: number;
}

/** TFLite input indexes. */
export const LSTM = {
  input: 0,
  /** Input weights of the forget, input, cell and output gates: the order the kernels pack them in. */
  inputWeights: [2, 1, 3, 4],
  recurrentWeights: [6, 5, 7, 8],
  biases: [13, 12, 14, 15],
  hidden: 18,
  cell: 19,
} as const;

const VARIANTS: [number[], string][] = [
  [[9, 10, 11], 'peephole weights'],
  [[16, 17], 'a projection layer'],
  [[20, 21, 22, 23], 'layer normalization'],
];

interface LstmOptions {
  activation: number;
  cellClip: number;
  projClip: number;
  timeMajor: boolean;
  asymmetricQuantizeInputs: boolean;
  diagonalRecurrentTensors: boolean;
}

const DEFAULTS: LstmOptions = { activation: 0, cellClip: 0, projClip: 0, timeMajor: false, asymmetricQuantizeInputs: false, diagonalRecurrentTensors: false };
const TANH = 4;

/** UnidirectionalSequenceLSTMOptions (schema.fbs, union type 71). */
const OPTIONS = {
  type: OptionsType.UnidirectionalSequenceLSTMOptions,
  read: (r: FlatReader, t: Table): LstmOptions => ({
    activation: r.int8(t, 0),
    cellClip: r.float32(t, 1),
    projClip: r.float32(t, 2),
    timeMajor: r.bool(t, 3),
    asymmetricQuantizeInputs: r.bool(t, 4),
    diagonalRecurrentTensors: r.bool(t, 5),
  }),
  defaults: DEFAULTS,
};

function importTfliteLstm(c: TfliteOpContext<LstmOptions>): void {
  const o = c.options;
  for (const [indexes, what] of VARIANTS) {
    if (indexes.some((i) => c.present(i))) c.unsupported(`an LSTM with ${what} (TensorFlow Lite Micro runs the standard LSTM only)`);
  }
  if (!c.present(1)) c.unsupported('an LSTM without input gate weights (CIFG; TensorFlow Lite Micro runs the standard LSTM only)');
  if (o.activation !== TANH) c.unsupported(`an LSTM cell activation other than TANH (${o.activation})`);
  if (o.diagonalRecurrentTensors) c.unsupported('an LSTM with diagonal recurrent weights');
  if (!(o.cellClip >= 0) || !Number.isFinite(o.cellClip)) c.invalid(`cell_clip ${o.cellClip} must be a finite number >= 0`);
  const x = c.inputTensor(LSTM.input);
  if (x.shape.length !== 3) c.invalid(`the input must be 3-D, got [${x.shape}]`);
  const s = c.inputTensor(2).shape[0];
  const batches = o.timeMajor ? x.shape[1] : x.shape[0];
  const check = (i: number, shape: number[], what: string): Tensor => {
    const t = c.inputTensor(i);
    if (t.shape.join() !== shape.join()) c.invalid(`${what} (input ${i}) must be [${shape}], got [${t.shape}]`);
    if (t.data === undefined) c.unsupported(`${what} (input ${i}) computed at run time`);
    return t;
  };
  for (let i = 1; i <= 4; i++) check(i, [s, x.shape[2]], 'input weights');
  for (let i = 5; i <= 8; i++) check(i, [s, s], 'recurrent weights');
  for (let i = 12; i <= 15; i++) check(i, [s], 'the bias');
  for (const i of [LSTM.hidden, LSTM.cell]) {
    const t = c.inputTensor(i);
    if (!t.variable) c.invalid(`the ${i === LSTM.hidden ? 'hidden' : 'cell'} state (input ${i}) must be a variable tensor`);
    if (elementCount(t.shape) !== batches * s) c.invalid(`the state '${t.name}' has ${elementCount(t.shape)} elements, expected ${batches} x ${s}`);
  }
  const w = c.inputTensor(2);
  if (x.dtype === 'float32' && w.dtype !== 'float32') c.unsupported(`a hybrid LSTM (float32 input, ${w.dtype} weights)`);
  c.b.add('lstm', Array.from({ length: 24 }, (_, i) => c.input(i)), { timeMajor: o.timeMajor, cellClip: o.cellClip }, [c.output(0)]);
}

function lowerLstmF32(ctx: LowerContext<LstmAttrs>): KernelCall[] {
  const { node } = ctx;
  const where = describeNode(node.source);
  const x = ctx.input(LSTM.input);
  const tensors = [x, ctx.input(LSTM.hidden), ctx.input(LSTM.cell), ctx.output(0), ...[1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15].map((i) => ctx.input(i))];
  const bad = tensors.find((t) => t.dtype !== 'float32');
  if (bad) fail('E_UNSUPPORTED_TYPE', `${where}: a float32 LSTM needs float32 tensors; '${bad.name}' is ${bad.dtype}`);
  const { batches, steps, inputSize, stateSize } = lstmDims(ctx);
  const pack = (indexes: readonly number[], what: string) =>
    ctx.addConstant(`${node.name}_${what}`, 'float32', [4 * elementCount(ctx.input(indexes[0]).shape)], packGates(indexes.map((i) => ctx.input(i).data as Float32Array), Float32Array));
  const rows = node.attrs.timeMajor ? batches : 1;
  return [{
    kernel: 'utvm_lstm_f32',
    header: 'utvm/lstm.h',
    args: [
      { type: 'utvm_lstm_params_f32', params: { batches, time_steps: steps, input_size: inputSize, state_size: stateSize, time_major: node.attrs.timeMajor ? 1 : 0, cell_clip: new CFloat(node.attrs.cellClip) } },
      { tensor: x.name },
      { tensor: pack(LSTM.inputWeights, 'input_weights') },
      { tensor: pack(LSTM.biases, 'bias') },
      { tensor: pack(LSTM.recurrentWeights, 'recurrent_weights') },
      { tensor: ctx.input(LSTM.hidden).name },
      { tensor: ctx.input(LSTM.cell).name },
      { tensor: ctx.output(0).name },
      { scratch: true },
    ],
    scratchBytes: 4 * rows * stateSize * 4,
  }];
}

/** B, T, I, S of the node. */
export function lstmDims(ctx: LowerContext<LstmAttrs>): { batches: number; steps: number; inputSize: number; stateSize: number } {
  const x = ctx.input(LSTM.input);
  const [batches, steps] = ctx.node.attrs.timeMajor ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  return { batches, steps, inputSize: x.shape[2], stateSize: ctx.input(2).shape[0] };
}

export const lstm = defineOp<LstmAttrs>({
  name: 'lstm',
  infer({ inputs }) {
    const x = inputs[LSTM.input]!;
    const s = inputs[2]!.shape[0];
    return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], s] }];
  },
  reference: lstmReference,
  lower(ctx) {
    return ctx.input(LSTM.input).dtype === 'int8' ? lowerLstmS8(ctx) : lowerLstmF32(ctx);
  },
  macs(node, graph) {
    const x = graph.tensor(node.inputs[LSTM.input]);
    const s = graph.tensor(node.inputs[2]).shape[0];
    return x.shape[0] * x.shape[1] * 4 * s * (x.shape[2] + s);
  },
  tflite: {
    UNIDIRECTIONAL_SEQUENCE_LSTM: { maxVersion: 3, options: OPTIONS, types: ['float32', 'int8'], import: importTfliteLstm as (c: TfliteOpContext<unknown>) => void },
  },
});
