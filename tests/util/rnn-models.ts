/**
 * ONNX RNN / GRU / LSTM test models: many nodes (cases) in one graph, each with its own X input (and
 * initial states as initializers or graph inputs), every output a graph output. `forOrt` builds the
 * same graph for onnxruntime, which refuses layout 1 ("batchwise recurrent operations"): there a layout-1
 * case is the layout-0 node between transposes, so both graphs take and give the same tensors.
 */

import { OnnxModelBuilder, float, floats, type AttrValue } from './onnx-build.js';
import type { NamedTensor } from './ort.js';
import { mulberry32, randomFloats } from './random.js';

export type CellOp = 'RNN' | 'GRU' | 'LSTM';

export interface RnnCase {
  op: CellOp;
  direction: 'forward' | 'reverse' | 'bidirectional';
  layout: 0 | 1;
  batch: number;
  seq: number;
  input: number;
  hidden: number;
  bias: boolean;
  /** initial_h (and initial_c for LSTM): absent, an initializer, or a graph input. */
  init: 'none' | 'const' | 'input';
  peephole?: boolean;
  attrs?: Record<string, AttrValue>;
  /** sequence_lens: an int32 initializer of seq_length everywhere ('full'), of one shorter length ('short'), or a graph input. */
  seqLens?: 'full' | 'short' | 'input';
  /** Which of Y, Y_h, Y_c the node outputs (default all it has). */
  outputs?: boolean[];
}

const GATES: Record<CellOp, number> = { RNN: 1, GRU: 3, LSTM: 4 };

function transposed(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const out = new Float32Array(data.length);
  const outShape = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = new Array(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let rem = o;
    for (let k = outShape.length - 1; k >= 0; k--) {
      idx[k] = rem % outShape[k];
      rem = Math.floor(rem / outShape[k]);
    }
    out[o] = data[perm.reduce((acc, p, k) => acc + idx[k] * strides[p], 0)];
  }
  return out;
}

export function buildRnnModel(cases: RnnCase[], opset: number, forOrt: boolean, seed = 15): { bytes: Uint8Array; inputs: NamedTensor[] } {
  const rng = mulberry32(seed);
  const xRng = mulberry32(seed + 1); // its own stream: the weights do not depend on the sequence length
  const m = new OnnxModelBuilder({ opset });
  const inputs: NamedTensor[] = [];
  cases.forEach((c, k) => {
    const D = c.direction === 'bidirectional' ? 2 : 1;
    const G = GATES[c.op];
    const { batch: B, seq: S, input: I, hidden: H } = c;
    const viaTranspose = forOrt && c.layout === 1;
    const layout = viaTranspose ? 0 : c.layout;
    const xShape = c.layout === 1 ? [B, S, I] : [S, B, I];
    const stateShape = c.layout === 1 ? [B, D, H] : [D, B, H];
    const p = `c${k}`;
    let x = m.input(`${p}_x`, 'float32', xShape);
    inputs.push({ name: x, dtype: 'float32', shape: xShape, data: randomFloats(xRng, S * B * I, -1, 1) });
    if (viaTranspose) [x] = m.node('Transpose', [x], { perm: [1, 0, 2] });
    const w = m.initializer(`${p}_w`, 'float32', [D, G * H, I], randomFloats(rng, D * G * H * I, -0.7, 0.7));
    const r = m.initializer(`${p}_r`, 'float32', [D, G * H, H], randomFloats(rng, D * G * H * H, -0.7, 0.7));
    const b = c.bias ? m.initializer(`${p}_b`, 'float32', [D, 2 * G * H], randomFloats(rng, D * 2 * G * H, -0.5, 0.5)) : '';
    const state = (what: string): string => {
      if (c.init === 'none') return '';
      const data = randomFloats(rng, D * B * H, -0.8, 0.8);
      let name: string;
      if (c.init === 'input') {
        name = m.input(`${p}_${what}`, 'float32', stateShape);
        inputs.push({ name, dtype: 'float32', shape: stateShape, data });
        if (viaTranspose) [name] = m.node('Transpose', [name], { perm: [1, 0, 2] });
      } else {
        name = viaTranspose
          ? m.initializer(`${p}_${what}`, 'float32', [D, B, H], transposed(data, stateShape, [1, 0, 2]))
          : m.initializer(`${p}_${what}`, 'float32', stateShape, data);
      }
      return name;
    };
    const h0 = state('h0');
    let lens = '';
    if (c.seqLens === 'input') lens = m.input(`${p}_lens`, 'int32', [B]);
    else if (c.seqLens) lens = m.initializer(`${p}_lens`, 'int32', [B], Array.from({ length: B }, (_, i) => (c.seqLens === 'short' && i === B - 1 ? S - 1 : S)));
    const nodeInputs = [x, w, r, b, lens, h0];
    if (c.op === 'LSTM') {
      nodeInputs.push(state('c0'));
      nodeInputs.push(c.peephole ? m.initializer(`${p}_p`, 'float32', [D, 3 * H], randomFloats(rng, D * 3 * H, -0.5, 0.5)) : '');
    }
    while (nodeInputs[nodeInputs.length - 1] === '') nodeInputs.pop();
    const count = c.op === 'LSTM' ? 3 : 2;
    const wanted = c.outputs ?? [true, true, true];
    const outs = Array.from({ length: count }, (_, i) => (wanted[i] ? `${p}_y${i}` : ''));
    const attrs: Record<string, AttrValue> = { hidden_size: H, direction: c.direction, ...(c.attrs ?? {}) };
    if (opset >= 14) attrs.layout = layout;
    m.node(c.op, nodeInputs, attrs, { name: `${p}_${c.op}`, outputs: viaTranspose ? outs.map((o) => (o ? `${o}_t` : '')) : outs });
    const yShape = c.layout === 1 ? [B, S, D, H] : [S, D, B, H];
    outs.forEach((o, i) => {
      if (!o) return;
      if (viaTranspose) m.node('Transpose', [`${o}_t`], { perm: i === 0 ? [2, 0, 1, 3] : [1, 0, 2] }, { outputs: [o] });
      m.output(o, 'float32', i === 0 ? yShape : stateShape);
    });
  });
  return { bytes: m.encode(), inputs };
}

/**
 * The standard grid of one cell: every direction × layout, batch 1 without bias or state, batch 3 with both
 * (initial states as initializers for forward layout 0, reverse and bidirectional layout 1; else graph inputs).
 */
export function gridCases(op: CellOp, extra: (i: number) => Partial<RnnCase> = () => ({})): RnnCase[] {
  const cases: RnnCase[] = [];
  let i = 0;
  for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
    for (const layout of [0, 1] as const) {
      for (const full of [false, true]) {
        cases.push({
          op, direction, layout,
          batch: full ? 3 : 1,
          seq: 2 + (i % 3),
          input: [3, 5, 2][i % 3],
          hidden: [5, 3, 7][i % 3],
          bias: full,
          init: full ? ([1, 7, 11].includes(i) ? 'const' : 'input') : 'none',
          ...extra(i),
        });
        i++;
      }
    }
  }
  return cases;
}

export { float, floats };
