/**
 * onnx_rnn: ONNX's recurrent layers RNN, GRU and LSTM (float32), forward, reverse and bidirectional, in
 * either layout (opset 14's `layout`), with every attribute of the operators (attrs.ts).
 *
 * Inputs (fixed positions, '' when absent): 0 X, 1 W, 2 R, 3 B, 4 initial_h, 5 initial_c, 6 P (the last
 * two LSTM only; ONNX's sequence_lens is dropped by the importer or refused). Outputs: those of ONNX's
 * Y, Y_h, Y_c the model uses (attrs.outputs).
 *
 * Kernels: one per cell (runtime-c/include/utvm/rnn.h: utvm_rnn_onnx_f32, utvm_gru_onnx_f32,
 * utvm_lstm_onnx_f32), the direction a parameter; they read the ONNX tensors as they are (gate order,
 * layout), so the weights need no re-laying. TFLite's `lstm` kernel (src/ops/lstm/) is not reused: it has
 * no peepholes, reverse direction, activation choice, input_forget or pre-activation clip, which ONNX's LSTM
 * has; each ONNX cell has its own ~60-line kernel instead.
 *
 * State: the kernels keep h (and c) in the node's scratch buffer (arena) for the run; each run starts from
 * initial_h / initial_c (zeros when absent). A model that carries state from one call to the next does
 * so through its graph: initial_h / initial_c as graph inputs and Y_h / Y_c as graph outputs, which the
 * caller feeds back. The compiled model keeps no hidden state of its own for these operators (ONNX's
 * graphs say nothing about state between runs), so they have no <name>_reset().
 *
 * Reference semantics (folding and the reference interpreter): evaluate.ts, in double.
 */

import { defineOp } from '../op.js';
import type { CArg, KernelCall, LowerContext } from '../op.js';
import { describeNode, fail } from '../../diagnostics.js';
import { f32 } from '../../ir/c-value.js';
import { GATES, importRnn, type RnnAttrs } from './attrs.js';
import { evaluateRnn, rnnDims, rnnOutputShapes } from './evaluate.js';

const KERNELS = { rnn: 'utvm_rnn_onnx_f32', gru: 'utvm_gru_onnx_f32', lstm: 'utvm_lstm_onnx_f32' } as const;

function lowerRnn(ctx: LowerContext<RnnAttrs>): KernelCall[] {
  const { node } = ctx;
  const a = node.attrs;
  const x = ctx.input(0);
  const tensors = [0, 1, 2, 3, 4, 5, 6].map((i) => ctx.optionalInput(i)).concat(node.outputs.map((_, i) => ctx.output(i)));
  const bad = tensors.find((t) => t !== undefined && t.dtype !== 'float32');
  if (bad) fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: ${a.cell.toUpperCase()} of ${bad.dtype} tensors is not supported (float32 only; '${bad.name}')`);
  const { S, B, I, H, D } = rnnDims(a, x);
  const optional = (i: number): CArg => {
    const t = ctx.optionalInput(i);
    return t === undefined ? { value: 0 } : { tensor: t.name };
  };
  const output = (k: number): CArg => {
    const i = a.outputs.indexOf(k);
    return i < 0 ? { value: 0 } : { tensor: ctx.output(i).name };
  };
  const params = {
    seq_length: S,
    batch: B,
    input_size: I,
    hidden_size: H,
    directions: D,
    reverse: a.reverse ? 1 : 0,
    layout: a.layout,
    flag: a.flag ? 1 : 0,
    clip: f32(a.clip),
    act: a.activations,
    alpha: a.alphas.map(f32),
    beta: a.betas.map(f32),
  };
  const lstm = a.cell === 'lstm';
  const args: CArg[] = [
    { type: 'utvm_rnn_params_f32', params },
    { tensor: x.name },
    { tensor: ctx.input(1).name },
    { tensor: ctx.input(2).name },
    optional(3),
    optional(4),
    ...(lstm ? [optional(5), optional(6)] : []),
    output(0),
    output(1),
    ...(lstm ? [output(2)] : []),
    { scratch: true },
  ];
  // utvm_rnn_onnx_f32_scratch_bytes: the states of every direction, then one row's gate sums.
  const scratchBytes = 4 * ((lstm ? 2 : 1) * D * B * H + (2 * GATES[a.cell] + 1) * H);
  return [{ kernel: KERNELS[a.cell], header: 'utvm/rnn.h', args, scratchBytes }];
}

export const onnxRnn = defineOp<RnnAttrs>({
  name: 'onnx_rnn',
  infer({ attrs, inputs }) {
    const shapes = rnnOutputShapes(attrs, inputs[0]!);
    return attrs.outputs.map((k) => ({ dtype: inputs[0]!.dtype, shape: shapes[k] }));
  },
  evaluate: evaluateRnn,
  foldCost(attrs, inputs) {
    const { S, B, I, H, D } = rnnDims(attrs, inputs[0]!);
    return S * B * D * GATES[attrs.cell] * H * (I + H + 1);
  },
  lower: lowerRnn,
  macs(node, graph) {
    const a = node.attrs as unknown as RnnAttrs;
    const { S, B, I, H, D } = rnnDims(a, graph.tensor(node.inputs[0]));
    return S * B * D * GATES[a.cell] * H * (I + H);
  },
  onnx: { RNN: importRnn, GRU: importRnn, LSTM: importRnn },
});
