/**
 * Reference semantics of onnx_rnn (ONNX RNN, GRU, LSTM) in double precision: constant folding and the
 * reference interpreter (float32 tensors arrive as float64 there). Written from the ONNX operator
 * definitions, step by step and direction by direction, independent of the C kernels' buffer layout.
 */

import { allocData, numberAt } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/graph.js';
import type { TensorType } from '../op.js';
import { ACTIVATIONS, GATES, type RnnAttrs } from './attrs.js';

/** ONNX's activation functions by the codes of runtime-c/include/utvm/rnn.h. */
export function activate(fn: number, alpha: number, beta: number, x: number): number {
  switch (fn) {
    case ACTIVATIONS.Relu: return Math.max(0, x);
    case ACTIVATIONS.Tanh: return Math.tanh(x);
    case ACTIVATIONS.Sigmoid: return 1 / (1 + Math.exp(-x));
    case ACTIVATIONS.Affine: return alpha * x + beta;
    case ACTIVATIONS.LeakyRelu: return x >= 0 ? x : alpha * x;
    case ACTIVATIONS.ThresholdedRelu: return x >= alpha ? x : 0;
    case ACTIVATIONS.ScaledTanh: return alpha * Math.tanh(beta * x);
    case ACTIVATIONS.HardSigmoid: return Math.min(Math.max(alpha * x + beta, 0), 1);
    case ACTIVATIONS.Elu: return x >= 0 ? x : alpha * (Math.exp(x) - 1);
    case ACTIVATIONS.Softsign: return x / (1 + Math.abs(x));
    case ACTIVATIONS.Softplus: return Math.log1p(Math.exp(x));
    default: throw new Error(`internal: activation code ${fn}`);
  }
}

/** S, B, I, H, D and the index helpers of the layout. */
export function rnnDims(attrs: RnnAttrs, x: { shape: number[] }) {
  const [S, B] = attrs.layout === 1 ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const I = x.shape[2];
  const H = attrs.hiddenSize;
  const D = attrs.directions;
  return {
    S, B, I, H, D,
    xAt: (t: number, b: number) => (attrs.layout === 1 ? b * S + t : t * B + b) * I,
    yAt: (t: number, d: number, b: number) => (attrs.layout === 1 ? (b * S + t) * D + d : (t * D + d) * B + b) * H,
    stateAt: (d: number, b: number) => (attrs.layout === 1 ? b * D + d : d * B + b) * H,
  };
}

/** Output shapes, in ONNX's order Y, Y_h, Y_c (the node produces those of attrs.outputs). */
export function rnnOutputShapes(attrs: RnnAttrs, x: { shape: number[] }): number[][] {
  const { S, B, H, D } = rnnDims(attrs, x);
  const state = attrs.layout === 1 ? [B, D, H] : [D, B, H];
  return [attrs.layout === 1 ? [B, S, D, H] : [S, D, B, H], state, state];
}

export function evaluateRnn(attrs: RnnAttrs, inputs: (Tensor | undefined)[], outputs: TensorType[]): TensorData[] {
  const [x, w, r, bias, h0, c0, peep] = inputs;
  const { S, B, I, H, D, xAt, yAt, stateAt } = rnnDims(attrs, x!);
  const G = GATES[attrs.cell];
  const at = (t: Tensor | undefined) => (t === undefined ? undefined : (i: number) => numberAt(t.data!, i));
  const X = at(x)!, W = at(w)!, R = at(r)!, Bv = at(bias), H0 = at(h0), C0 = at(c0), P = at(peep);
  const shapes = rnnOutputShapes(attrs, x!);
  const full = shapes.map((s) => new Float64Array(s.reduce((a, b) => a * b, 1)));
  const clip = (v: number) => (attrs.clip > 0 ? Math.min(Math.max(v, -attrs.clip), attrs.clip) : v);
  for (let d = 0; d < D; d++) {
    const back = D === 2 ? d === 1 : attrs.reverse;
    const act = (k: number, v: number) => activate(attrs.activations[3 * d + k], attrs.alphas[3 * d + k], attrs.betas[3 * d + k], clip(v));
    const hAct = (v: number) => activate(attrs.activations[3 * d + 2], attrs.alphas[3 * d + 2], attrs.betas[3 * d + 2], v);
    const wb = (row: number) => (Bv ? Bv(d * 2 * G * H + row) : 0);
    const rb = (row: number) => (Bv ? Bv(d * 2 * G * H + G * H + row) : 0);
    for (let b = 0; b < B; b++) {
      let h = Array.from({ length: H }, (_, j) => (H0 ? H0(stateAt(d, b) + j) : 0));
      let c = Array.from({ length: H }, (_, j) => (C0 ? C0(stateAt(d, b) + j) : 0));
      for (let s = 0; s < S; s++) {
        const t = back ? S - 1 - s : s;
        const xs = xAt(t, b);
        const inSum = (row: number) => {
          let acc = wb(row);
          for (let k = 0; k < I; k++) acc += W((d * G * H + row) * I + k) * X(xs + k);
          return acc;
        };
        const recSum = (row: number, v: number[]) => {
          let acc = 0;
          for (let k = 0; k < H; k++) acc += R((d * G * H + row) * H + k) * v[k];
          return acc;
        };
        if (attrs.cell === 'rnn') {
          h = h.map((_, j) => act(0, inSum(j) + recSum(j, h) + rb(j)));
        } else if (attrs.cell === 'gru') {
          const z = h.map((_, j) => act(0, inSum(j) + recSum(j, h) + rb(j)));
          const rg = h.map((_, j) => act(0, inSum(H + j) + recSum(H + j, h) + rb(H + j)));
          const rh = h.map((v, j) => rg[j] * v);
          const n = h.map((_, j) =>
            act(1, inSum(2 * H + j) + (attrs.flag ? rg[j] * (recSum(2 * H + j, h) + rb(2 * H + j)) : recSum(2 * H + j, rh) + rb(2 * H + j))));
          h = h.map((v, j) => (1 - z[j]) * n[j] + z[j] * v);
        } else {
          const pre = (gate: number, j: number) => inSum(gate * H + j) + recSum(gate * H + j, h) + rb(gate * H + j);
          const peephole = (k: number, j: number, cell: number) => (P ? P(d * 3 * H + k * H + j) * cell : 0);
          const nextC: number[] = [];
          const nextH: number[] = [];
          for (let j = 0; j < H; j++) {
            const i = act(0, pre(0, j) + peephole(0, j, c[j]));
            const f = attrs.flag ? 1 - i : act(0, pre(2, j) + peephole(2, j, c[j]));
            const g = act(1, pre(3, j));
            nextC[j] = f * c[j] + i * g;
            const o = act(0, pre(1, j) + peephole(1, j, nextC[j]));
            nextH[j] = o * hAct(nextC[j]);
          }
          h = nextH;
          c = nextC;
        }
        full[0].set(h, yAt(t, d, b));
      }
      full[1].set(h, stateAt(d, b));
      full[2].set(c, stateAt(d, b));
    }
  }
  return attrs.outputs.map((k, i) => {
    const out = allocData(outputs[i].dtype, full[k].length) as Float32Array | Float64Array;
    for (let j = 0; j < out.length; j++) out[j] = full[k][j];
    return out;
  });
}
