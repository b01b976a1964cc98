/**
 * Run-time reference semantics of lstm (TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM) for the reference
 * interpreter (src/reference/), written from TensorFlow Lite Micro's kernel (unidirectional_sequence_lstm.cc,
 * lstm_eval.h / lstm_eval.cc, lstm_eval_common.cc) and independent of the lowering (s8.ts) and of the C
 * kernels: every scale, multiplier and shift is derived here from the tensors' quantization as TFLite
 * Micro's Prepare derives it.
 *
 * One step, for each batch row with state (h, c): four gates, each FC(x) + FC(h) (+ bias on the input FC),
 * sigmoid for input / forget / output and tanh for the cell gate; c = f·c + i·g, clipped to ±cell_clip when
 * the model sets one; h = o·tanh(c); the output row is h. Batch-major input [B, T, I] and time-major
 * [T, B, I] differ only in where row (b, t) sits: batches never mix, so both run batch by batch here.
 *
 * float32 (arriving as float64, or float32 with `float: 'float32'`): in double throughout.
 *
 * int8 (8-bit activations and weights, int32 biases, int16 cell state) as TFLite Micro's integer LSTM:
 *   - each gate's two FCs give int16 at the fixed scale 2^-12: acc = Σ w (x − x_zp) (+ bias), with
 *     symmetric weights (a weight zero point other than 0 is refused: TFLite Micro's DCHECK aborts),
 *     requantized by QuantizeMultiplier(double(float32(s_x · s_w)) / 2^-12) (GetQuantizedConvolutionMultipler
 *     multiplies the two float scales in float), saturated to int16; the two FCs add with int16 saturation;
 *   - sigmoid / tanh on int16 (reference_integer_ops Logistic / Tanh, int16 form): the input brought to the
 *     table's scale (3·2^12 for 1), a 256-entry table of sigmoid(k/24) in 0.16 fixed point interpolated on
 *     9 (sigmoid) or 8 (tanh) low bits, output Q0.15; the gate's tanh reads Q3.12 (multiplier 3), tanh(c)
 *     reads c at 2^p, p = CheckedLog2(s_c) (float32 log), left shift 12 + p (a negative one: multiplier 3
 *     and that right shift);
 *   - the element products (MulElementwise, CreateInterGateMulParams: double(s1)·double(s2)/double(s_out)):
 *     f·c at 2^-15·s_c/s_c and i·g at 2^-30/s_c, into int16 and added with saturation; o·tanh(c) at
 *     2^-30/s_h plus h's zero point, into int8;
 *   - the cell clip: c kept in ±trunc(clamp(cell_clip / s_c, −32768, 32767)) when cell_clip > 0.
 * The state inputs (18 hidden, 19 cell) are variable tensors: the new values go back with `setState`, so
 * the next run starts from them, as in TFLite Micro.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { allocData } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/graph.js';
import { quantizeMultiplier } from '../../ir/quant.js';
import type { ReferenceContext } from '../op.js';

/** Attributes as the importer sets them (index.ts LstmAttrs). */
interface Attrs {
  timeMajor: boolean;
  cellClip: number;
}

/** TFLite input indexes of the four gates (input, forget, cell, output): input weights, recurrent weights, bias. */
const INPUT_WEIGHTS = [1, 2, 3, 4];
const RECURRENT_WEIGHTS = [5, 6, 7, 8];
const BIASES = [12, 13, 14, 15];
const HIDDEN = 18;
const CELL = 19;
/** Gate order in the arrays below: TFLite's input, forget, cell, output. */
const [IG, FG, CG, OG] = [0, 1, 2, 3];

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO_31 = 2147483648;

interface Dims {
  batches: number;
  steps: number;
  inputSize: number;
  stateSize: number;
  /** The row of x (and of the output) that holds batch b at step t. */
  row(b: number, t: number): number;
}

function dims(attrs: Attrs, x: Tensor, stateSize: number): Dims {
  const [steps, batches] = attrs.timeMajor ? [x.shape[0], x.shape[1]] : [x.shape[1], x.shape[0]];
  return {
    batches,
    steps,
    inputSize: x.shape[2],
    stateSize,
    row: attrs.timeMajor ? (b, t) => t * batches + b : (b, t) => b * steps + t,
  };
}

export function lstmReference(ctx: ReferenceContext<Attrs>): TensorData[] {
  const x = ctx.inputs[0]!;
  if (x.dtype === 'float32' || x.dtype === 'float64') return lstmFloat(ctx);
  if (x.dtype === 'int8') return lstmInt8(ctx);
  return fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: the reference LSTM takes float32 or int8 input, not ${x.dtype}`);
}

// ---------------------------------------------------------------------------------------------------
// float

function lstmFloat(ctx: ReferenceContext<Attrs>): TensorData[] {
  const { inputs, attrs } = ctx;
  const where = describeNode(ctx.node.source);
  const x = inputs[0]!;
  for (const i of [...INPUT_WEIGHTS, ...RECURRENT_WEIGHTS, HIDDEN, CELL]) {
    const t = inputs[i];
    if (!t || (t.dtype !== 'float32' && t.dtype !== 'float64')) fail('E_UNSUPPORTED_TYPE', `${where}: a float LSTM needs float input ${i}${t ? `, not ${t.dtype}` : ''}`);
  }
  const S = inputs[2]!.shape[0];
  const d = dims(attrs, x, S);
  const I = d.inputSize;
  const xs = x.data as Float32Array | Float64Array;
  const W = INPUT_WEIGHTS.map((i) => inputs[i]!.data as Float32Array | Float64Array);
  const R = RECURRENT_WEIGHTS.map((i) => inputs[i]!.data as Float32Array | Float64Array);
  const B = BIASES.map((i) => inputs[i]?.data as Float32Array | Float64Array | undefined);
  const h = Float64Array.from(inputs[HIDDEN]!.data as Float64Array);
  const c = Float64Array.from(inputs[CELL]!.data as Float64Array);
  const y = allocData(ctx.outputs[0].dtype, d.batches * d.steps * S) as Float32Array | Float64Array;
  const clip = attrs.cellClip > 0 ? attrs.cellClip : Infinity;
  const gate = [new Float64Array(S), new Float64Array(S), new Float64Array(S), new Float64Array(S)];
  for (let b = 0; b < d.batches; b++) {
    const hb = b * S;
    for (let t = 0; t < d.steps; t++) {
      const xb = d.row(b, t) * I;
      for (let g = 0; g < 4; g++) {
        const w = W[g];
        const r = R[g];
        const bias = B[g];
        const out = gate[g];
        for (let s = 0; s < S; s++) {
          let acc = bias ? bias[s] : 0;
          for (let k = 0, wk = s * I; k < I; k++, wk++) acc += w[wk] * xs[xb + k];
          for (let k = 0, rk = s * S; k < S; k++, rk++) acc += r[rk] * h[hb + k];
          out[s] = g === CG ? Math.tanh(acc) : 1 / (1 + Math.exp(-acc));
        }
      }
      const yb = d.row(b, t) * S;
      for (let s = 0; s < S; s++) {
        let cs = gate[FG][s] * c[hb + s] + gate[IG][s] * gate[CG][s];
        if (cs > clip) cs = clip;
        else if (cs < -clip) cs = -clip;
        c[hb + s] = cs;
        h[hb + s] = gate[OG][s] * Math.tanh(cs);
        y[yb + s] = h[hb + s];
      }
    }
  }
  ctx.setState(HIDDEN, stateData(inputs[HIDDEN]!, h));
  ctx.setState(CELL, stateData(inputs[CELL]!, c));
  return [y];
}

function stateData(t: Tensor, v: Float64Array): TensorData {
  if (t.dtype === 'float64') return v;
  return Float32Array.from(v);
}

// ---------------------------------------------------------------------------------------------------
// int8: the fixed-point primitives (exact in doubles, no BigInt in the inner loops)

/** gemmlowp's SaturatingRoundingDoublingHighMul of two int32: (a·b + nudge) / 2^31 truncated, exact. */
export function doublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a·b = (a·bh)·2^16 + a·bl with both partial products below 2^47 (exact in a double).
  const bl = b & 0xffff;
  const bh = (b - bl) / 65536;
  const hi = a * bh;
  const lo = a * bl;
  const nudge = a === 0 || b === 0 || a > 0 === b > 0 ? 1073741824 : 1 - 1073741824;
  // a·b + nudge = hq·2^31 + rest, 0 <= hi − hq·2^15 < 2^15
  const hq = Math.floor(hi / 32768);
  const rest = (hi - hq * 32768) * 65536 + lo + nudge;
  const rq = Math.floor(rest / TWO_31);
  const q = hq + rq;
  // q = floor(total / 2^31); C's division truncates toward zero
  return q < 0 && rest - rq * TWO_31 !== 0 ? q + 1 : q;
}

/** gemmlowp's RoundingDivideByPOT on int32 (exponent 0..31). */
export function divideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent === 31 ? INT32_MAX : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier (the two-rounding form TFLite Micro builds), x int32. */
export function requantize(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const v = left > 0 ? Math.imul(x, 2 ** left | 0) : x;
  return divideByPOT(doublingHighMul(v, multiplier), shift > 0 ? 0 : -shift);
}

/** TFLite's sigmoid_table_uint16: 65536·sigmoid(k/24), each entry raised by a quarter of the interpolation's midpoint errors on its two sides. */
const SIGMOID_TABLE = (() => {
  const f = (k: number) => 65536 / (1 + Math.exp(-k / 24));
  const mid = (k: number) => f(k + 0.5) - (f(k) + f(k + 1)) / 2;
  const table = new Uint32Array(256);
  for (let k = 0; k < 255; k++) table[k] = Math.round(f(k) + (mid(k - 1) + mid(k)) / 4);
  table[255] = 65535;
  return table;
})();

/** int16 logistic of a Q3.12 value (reference_integer_ops::Logistic, int16, multiplier 3 shift 0) → Q0.15. */
export function sigmoidS16(v: number): number {
  const x = v * 3;
  const a = x < 0 ? -x : x;
  const k = a >>> 9;
  let r: number;
  if (k >= 255) r = 0x7fff * 1024;
  else {
    const lo = SIGMOID_TABLE[k];
    r = lo * 512 + (a & 0x1ff) * (SIGMOID_TABLE[k + 1] - lo);
  }
  r = x >= 0 ? r + 512 : 33554432 - r + 511;
  return ((r >>> 10) << 16) >> 16;
}

/** int16 tanh (reference_integer_ops::Tanh, int16): v brought to the table's scale by (v·multiplier + round) >> shift → Q0.15. */
export function tanhS16(v: number, multiplier: number, shift: number): number {
  const x = shift > 0 ? (v * multiplier + (1 << (shift - 1))) >> shift : v * multiplier;
  const a = x < 0 ? -x : x;
  const k = a >>> 8;
  let r: number;
  if (k >= 255) r = 0xffff * 256;
  else {
    const lo = SIGMOID_TABLE[k];
    r = lo * 256 + (a & 0xff) * (SIGMOID_TABLE[k + 1] - lo);
  }
  r = x >= 0 ? r - 8388608 + 128 : -r + 8388608 + 127;
  return ((r >> 8) << 16) >> 16;
}

/** Σ w[wAt + k] · (a[aAt + k] + offset), k < n (exact: below 2^53; the caller wraps it to int32). */
function dot(w: Int8Array, wAt: number, a: Int8Array, aAt: number, n: number, offset: number): number {
  let acc = 0;
  for (let k = 0; k < n; k++) acc += w[wAt + k] * (a[aAt + k] + offset);
  return acc;
}

const sat16 = (v: number) => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);

/** TFLite's CheckedLog2 in float32: the rounded log2 (half away from zero). */
function checkedLog2(x: number): number {
  const l = Math.fround(Math.fround(Math.log(Math.fround(x))) * Math.fround(1 / Math.fround(Math.log(2))));
  return Math.sign(l) * Math.round(Math.abs(l));
}

// ---------------------------------------------------------------------------------------------------
// int8: parameters, as TFLite Micro's Prepare computes them

interface Mult {
  m: number;
  s: number;
}

interface Int8Params {
  /** Weights (input, recurrent) per gate (symmetric: zero point 0). */
  w: Int8Array[];
  r: Int8Array[];
  bias: (Int32Array | undefined)[];
  inMul: Mult[];
  recMul: Mult[];
  xOffset: number;
  hOffset: number;
  hZeroPoint: number;
  forget: Mult;
  inputGate: Mult;
  hidden: Mult;
  tanhMultiplier: number;
  tanhShift: number;
  /** Quantized cell clip, or -1 for none. */
  clip: number;
}

const cache = new WeakMap<object, { key: TensorData; params: Int8Params }>();

function perTensor(t: Tensor, where: string): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length < 1 || !(q.scale[0] > 0)) fail('E_MODEL_INVALID', `${where}: '${t.name}' needs a positive quantization scale`);
  return { scale: Math.fround(q.scale[0]), zeroPoint: q.zeroPoint[0] ?? 0 };
}

function mult(real: number, what: string, where: string): Mult {
  const q = quantizeMultiplier(real);
  if (q.shift > 31) fail('E_UNSUPPORTED_ATTR', `${where}: the LSTM's ${what} multiplier ${real} is out of range`);
  return { m: q.multiplier, s: q.shift };
}

function int8Params(ctx: ReferenceContext<Attrs>): Int8Params {
  const { inputs } = ctx;
  const where = describeNode(ctx.node.source);
  const x = inputs[0]!;
  const h = inputs[HIDDEN]!;
  const c = inputs[CELL]!;
  if (h.dtype !== 'int8' || ctx.outputs[0].dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${where}: an int8 LSTM needs an int8 hidden state and output`);
  if (c.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${where}: an int8 LSTM needs an int16 cell state; '${c.name}' is ${c.dtype}`);
  const xq = perTensor(x, where);
  const hq = perTensor(h, where);
  const cs = perTensor(c, where).scale;
  const weights = (i: number, a: { scale: number }) => {
    const w = inputs[i]!;
    if (w.dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${where}: an int8 LSTM needs int8 weights; '${w.name}' is ${w.dtype}`);
    if ((w.quant?.scale.length ?? 0) > 1) fail('E_UNSUPPORTED_ATTR', `${where}: LSTM weights '${w.name}' are quantized per channel; TensorFlow Lite Micro's LSTM takes per-tensor weights only`);
    const wq = perTensor(w, where);
    if (wq.zeroPoint !== 0) fail('E_UNSUPPORTED_ATTR', `${where}: LSTM weights '${w.name}' have zero point ${wq.zeroPoint}; TensorFlow Lite Micro takes symmetric weights only`);
    // double(float32(s_a · s_w)) / 2^-12
    return { data: w.data as Int8Array, mul: mult(Math.fround(a.scale * wq.scale) / 2 ** -12, 'gate', where) };
  };
  const ins = INPUT_WEIGHTS.map((i) => weights(i, xq));
  const recs = RECURRENT_WEIGHTS.map((i) => weights(i, hq));
  const bias = BIASES.map((i) => {
    const b = inputs[i];
    if (b && b.dtype !== 'int32') fail('E_UNSUPPORTED_TYPE', `${where}: an int8 LSTM needs int32 biases; '${b.name}' is ${b.dtype}`);
    return b?.data as Int32Array | undefined;
  });
  const p = checkedLog2(cs);
  const left = 12 + p;
  const [tanhMultiplier, tanhShift] = left >= 0 ? [3 * 2 ** left, 0] : [3, -left];
  if (tanhMultiplier * 32768 > INT32_MAX || tanhShift > 31) fail('E_UNSUPPORTED_ATTR', `${where}: the cell state scale ${cs} (2^${p}) is out of the int16 tanh's range`);
  const cellClip = ctx.attrs.cellClip;
  return {
    w: ins.map((g) => g.data),
    r: recs.map((g) => g.data),
    bias,
    inMul: ins.map((g) => g.mul),
    recMul: recs.map((g) => g.mul),
    xOffset: -xq.zeroPoint,
    hOffset: -hq.zeroPoint,
    hZeroPoint: hq.zeroPoint,
    forget: mult((2 ** -15 * cs) / cs, 'forget', where),
    inputGate: mult((2 ** -15 * 2 ** -15) / cs, 'input gate', where),
    hidden: mult((2 ** -15 * 2 ** -15) / hq.scale, 'hidden state', where),
    tanhMultiplier,
    tanhShift,
    clip: cellClip > 0 ? Math.trunc(Math.min(Math.max(cellClip / cs, -32768), 32767)) : -1,
  };
}

// ---------------------------------------------------------------------------------------------------
// int8: the steps

function lstmInt8(ctx: ReferenceContext<Attrs>): TensorData[] {
  const { inputs, attrs } = ctx;
  let entry = cache.get(ctx.node);
  if (!entry || entry.key !== inputs[2]!.data) {
    entry = { key: inputs[2]!.data!, params: int8Params(ctx) };
    cache.set(ctx.node, entry);
  }
  const P = entry.params;
  const x = inputs[0]!;
  const S = inputs[2]!.shape[0];
  const d = dims(attrs, x, S);
  const I = d.inputSize;
  const xs = x.data as Int8Array;
  const h = Int8Array.from(inputs[HIDDEN]!.data as Int8Array);
  const c = Int16Array.from(inputs[CELL]!.data as Int16Array);
  const y = new Int8Array(d.batches * d.steps * S);
  const gate = [new Int16Array(S), new Int16Array(S), new Int16Array(S), new Int16Array(S)];
  const { xOffset, hOffset } = P;
  for (let b = 0; b < d.batches; b++) {
    const hb = b * S;
    for (let t = 0; t < d.steps; t++) {
      const xb = d.row(b, t) * I;
      for (let g = 0; g < 4; g++) {
        const w = P.w[g];
        const r = P.r[g];
        const bias = P.bias[g];
        const im = P.inMul[g];
        const rm = P.recMul[g];
        const out = gate[g];
        for (let s = 0; s < S; s++) {
          const acc = dot(w, s * I, xs, xb, I, xOffset) + (bias ? bias[s] : 0);
          const rec = dot(r, s * S, h, hb, S, hOffset);
          const v = sat16(sat16(requantize(acc | 0, im.m, im.s)) + sat16(requantize(rec | 0, rm.m, rm.s)));
          out[s] = g === CG ? tanhS16(v, 3, 0) : sigmoidS16(v);
        }
      }
      const yb = d.row(b, t) * S;
      const { forget, inputGate, hidden, clip } = P;
      for (let s = 0; s < S; s++) {
        const kept = sat16(requantize(gate[FG][s] * c[hb + s], forget.m, forget.s));
        const added = sat16(requantize(gate[IG][s] * gate[CG][s], inputGate.m, inputGate.s));
        let cs = sat16(kept + added);
        if (clip >= 0) cs = Math.max(Math.min(clip, cs), -clip);
        c[hb + s] = cs;
        const th = tanhS16(cs, P.tanhMultiplier, P.tanhShift);
        const hv = P.hZeroPoint + requantize(th * gate[OG][s], hidden.m, hidden.s);
        h[hb + s] = hv < -128 ? -128 : hv > 127 ? 127 : hv;
        y[yb + s] = h[hb + s];
      }
    }
  }
  ctx.setState(HIDDEN, h);
  ctx.setState(CELL, c);
  return [y];
}
