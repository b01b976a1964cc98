/**
 * The attributes of onnx_rnn and their ONNX import (RNN, GRU, LSTM, opsets 1 to 22): every attribute of
 * the three operators read, checked against the inputs' shapes, and turned into one typed record.
 *
 * Opsets 1-6's output_sequence (LSTM, GRU, RNN) only said whether Y may be omitted: Y is written when the
 * node names it. Refused with E_UNSUPPORTED_ATTR: `sequence_lens` unless it is a constant whose every length is
 * seq_length (then it changes nothing); an activation outside ONNX's list. Non-float32 tensors:
 * E_UNSUPPORTED_TYPE.
 */

import { fail, describeNode, quote } from '../../diagnostics.js';
import { numberAt } from '../../ir/dtype.js';
import type { ImportContext, OnnxNode } from '../op.js';
import { rnnOutputShapes } from './evaluate.js';

export type Cell = 'rnn' | 'gru' | 'lstm';

export interface RnnAttrs {
  cell: Cell;
  /** 1 or 2 (bidirectional). */
  directions: number;
  /** The single direction runs backward (direction "reverse"). */
  reverse: boolean;
  /** 0: [seq, batch, ...]; 1: [batch, seq, ...] (opset 14). */
  layout: number;
  hiddenSize: number;
  /** Clip of the activations' inputs; 0 for none. */
  clip: number;
  /** LSTM input_forget, GRU linear_before_reset. */
  flag: boolean;
  /** Activation codes (runtime-c/include/utvm/rnn.h), alphas and betas: slots f, g, h of each direction (3 per direction, 6 in all). */
  activations: number[];
  alphas: number[];
  betas: number[];
  /** Which of ONNX's outputs Y (0), Y_h (1), Y_c (2) the node produces, in its output order. */
  outputs: number[];
}

/** Gates per cell (rows of W per direction: gates × hidden_size). */
export const GATES: Record<Cell, number> = { rnn: 1, gru: 3, lstm: 4 };

/** ONNX activation names → the codes of runtime-c/include/utvm/rnn.h. */
export const ACTIVATIONS = {
  Relu: 0, Tanh: 1, Sigmoid: 2, Affine: 3, LeakyRelu: 4, ThresholdedRelu: 5, ScaledTanh: 6, HardSigmoid: 7, Elu: 8, Softsign: 9, Softplus: 10,
} as const;

/** Default alpha / beta of the functions that take them (as ONNX Runtime fills them when the lists run out). */
const PARAMS: Record<string, { alpha?: number; beta?: number }> = {
  Affine: { alpha: 1, beta: 0 },
  LeakyRelu: { alpha: 0.01 },
  ThresholdedRelu: { alpha: 1 },
  ScaledTanh: { alpha: 1, beta: 1 },
  HardSigmoid: { alpha: 0.2, beta: 0.5 },
  Elu: { alpha: 1 },
};

const DEFAULT_ACTIVATIONS: Record<Cell, string[]> = { rnn: ['Tanh'], gru: ['Sigmoid', 'Tanh'], lstm: ['Sigmoid', 'Tanh', 'Tanh'] };

const CELLS: Record<string, Cell> = { RNN: 'rnn', GRU: 'gru', LSTM: 'lstm' };

function readActivations(node: OnnxNode, ctx: ImportContext, cell: Cell, directions: number): Pick<RnnAttrs, 'activations' | 'alphas' | 'betas'> {
  const per = DEFAULT_ACTIVATIONS[cell].length;
  const names = node.attrs.strings('activations', []);
  const list = names.length > 0 ? names : Array.from({ length: directions }, () => DEFAULT_ACTIVATIONS[cell]).flat();
  if (list.length !== per * directions) ctx.invalid(`'activations' lists ${list.length} functions; a ${directions === 2 ? 'bidirectional ' : ''}${node.opType} takes ${per * directions}`);
  const alphas = node.attrs.floats('activation_alpha', []);
  const betas = node.attrs.floats('activation_beta', []);
  const out = { activations: [0, 0, 0, 0, 0, 0], alphas: [0, 0, 0, 0, 0, 0], betas: [0, 0, 0, 0, 0, 0] };
  list.forEach((name, i) => {
    const key = Object.keys(ACTIVATIONS).find((k) => k.toLowerCase() === name.toLowerCase()) as keyof typeof ACTIVATIONS | undefined;
    if (key === undefined) ctx.unsupported(`activation ${quote(name)} (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
    const slot = 3 * Math.floor(i / per) + (i % per);
    out.activations[slot] = ACTIVATIONS[key];
    const p = PARAMS[key] ?? {};
    if (p.alpha !== undefined) out.alphas[slot] = alphas.length > 0 ? alphas.shift()! : p.alpha;
    if (p.beta !== undefined) out.betas[slot] = betas.length > 0 ? betas.shift()! : p.beta;
  });
  return out;
}

/** The importer of RNN, GRU and LSTM. */
export function importRnn(node: OnnxNode, ctx: ImportContext): void {
  const cell = CELLS[node.opType];
  const G = GATES[cell];
  const [xName, wName, rName, bName = '', lensName = '', h0Name = '', c0Name = '', pName = ''] = node.inputs;
  if (!xName || !wName || !rName) ctx.invalid(`${node.opType} needs inputs X, W and R`);
  if (cell !== 'lstm' && (c0Name !== '' || pName !== '')) ctx.invalid(`${node.opType} takes 6 inputs, got ${node.inputs.length}`);
  const present = [xName, wName, rName, bName, h0Name, c0Name, pName].filter((n) => n !== '').map((n) => ctx.tensor(n));
  const bad = present.find((t) => t.dtype !== 'float32');
  if (bad) fail('E_UNSUPPORTED_TYPE', `${describeNode({ op: node.opType, name: node.name })}: ${node.opType} of ${bad.dtype} tensors is not supported (float32 only; ${quote(bad.name)})`);
  const direction = node.attrs.string('direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) ctx.invalid(`direction ${quote(direction)} must be forward, reverse or bidirectional`);
  const D = direction === 'bidirectional' ? 2 : 1;
  const layout = node.opset >= 14 ? node.attrs.int('layout', 0) : 0;
  if (layout !== 0 && layout !== 1) ctx.invalid(`layout ${layout} must be 0 or 1`);
  const x = ctx.tensor(xName), w = ctx.tensor(wName), r = ctx.tensor(rName);
  if (x.shape.length !== 3) ctx.invalid(`X must be 3-D, got [${x.shape}]`);
  const [S, B] = layout === 1 ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const I = x.shape[2];
  if (w.shape.length !== 3 || w.shape[0] !== D || w.shape[1] % G !== 0 || w.shape[2] !== I) ctx.invalid(`W must be [${D}, ${G} x hidden_size, ${I}], got [${w.shape}]`);
  const H = w.shape[1] / G;
  if (H < 1) ctx.invalid(`W [${w.shape}] has no rows (hidden_size 0)`);
  if (node.attrs.has('hidden_size') && node.attrs.int('hidden_size') !== H) ctx.invalid(`hidden_size ${node.attrs.int('hidden_size')} does not match W [${w.shape}]`);
  const expect = (name: string, what: string, shape: number[]) => {
    if (name === '') return;
    const t = ctx.tensor(name);
    if (t.shape.join() !== shape.join()) ctx.invalid(`${what} must be [${shape}], got [${t.shape}]`);
  };
  expect(rName, 'R', [D, G * H, H]);
  expect(bName, 'B', [D, 2 * G * H]);
  const state = layout === 1 ? [B, D, H] : [D, B, H];
  expect(h0Name, 'initial_h', state);
  expect(c0Name, 'initial_c', state);
  expect(pName, 'P', [D, 3 * H]);
  if (lensName !== '') {
    const lens = ctx.constant(lensName);
    const t = ctx.tensor(lensName);
    if (t.shape.join() !== String(B)) ctx.invalid(`sequence_lens must be [${B}], got [${t.shape}]`);
    if (lens === undefined) ctx.unsupported('sequence_lens computed at run time (only a constant with every length equal to seq_length)');
    for (let i = 0; i < B; i++) {
      if (numberAt(lens, i) !== S) ctx.unsupported(`sequence_lens with a length other than seq_length ${S} (${numberAt(lens, i)} for batch ${i})`);
    }
  }
  let clip = 0;
  if (node.attrs.has('clip')) {
    clip = node.attrs.float('clip');
    if (!(clip > 0) || !Number.isFinite(clip)) ctx.invalid(`clip ${clip} must be a finite number > 0`);
  }
  const flagName = cell === 'lstm' ? 'input_forget' : 'linear_before_reset';
  const flag = cell === 'rnn' ? 0 : node.attrs.int(flagName, 0);
  if (flag !== 0 && flag !== 1) ctx.invalid(`${flagName} ${flag} must be 0 or 1`);
  const outputs = [0, 1, 2].filter((k) => (node.outputs[k] ?? '') !== '' && (k < 2 || cell === 'lstm'));
  if (outputs.length === 0) return;
  const attrs: RnnAttrs = {
    cell,
    directions: D,
    reverse: direction === 'reverse',
    layout,
    hiddenSize: H,
    clip,
    flag: flag === 1,
    ...readActivations(node, ctx, cell, D),
    outputs,
  };
  for (const [k, shape] of rnnOutputShapes(attrs, x).entries()) if (outputs.includes(k)) ctx.checkShape('float32', shape, ['Y', 'Y_h', 'Y_c'][k]);
  ctx.add('onnx_rnn', [xName, wName, rName, bName, h0Name, c0Name, pName], attrs, outputs.map((k) => node.outputs[k]));
}
