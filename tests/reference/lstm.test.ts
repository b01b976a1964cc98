/**
 * Reference semantics of lstm (src/ops/lstm/reference.ts: TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM) in the
 * reference interpreter, against TensorFlow Lite Micro (tflm-run): int8 byte for byte, float32 within
 * FLOAT_RTOL (1e-5) of each output's max |value| (the interpreter computes in double).
 *   - The models of tests/import/tflite-lstm.test.ts (tests/util/lstm-models.ts): odd sizes, batch- and
 *     time-major, one and several batches, cell clips, hidden zero points of both signs, cell scales 2^-9
 *     to 2^-15, saturating gates and hidden state; int8 and float32.
 *   - Edge cells: zero points at the extremes (−128, 127), cell scales 2^-4 (a cell clip past the int16
 *     range) and 2^-20 (tanh(c)'s right shift 8), a clip that quantizes to zero and one truncated (1228.8).
 *   - The int16 sigmoid / tanh on all 65536 inputs = TFLM's int16 LOGISTIC / TANH (the same functions).
 *   - State: two runs of the interpreter without reset = TFLite Micro's one run of the doubled sequence
 *     (batch- and time-major, int8 and float32; dtln_noise_suppression's two LSTMs, one frame per run);
 *     reset() starts over.
 *   - The LSTM layers of the three real models of ../shared/models/tflm, layer by layer (their FC /
 *     SOFTMAX / LOGISTIC / RESHAPE layers are other families': not compared here; the whole models are in
 *     tests/reference/models.test.ts).
 *   - The fixed-point primitives the fast path uses equal src/ir/quant.ts's BigInt ones; what TFLite Micro
 *     does not run (per-channel weights, weights with a zero point) is refused.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importGraph } from '../../src/compile.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { INT32_MAX, INT32_MIN, multiplyByQuantizedMultiplier, saturatingRoundingDoublingHighMul } from '../../src/ir/quant.js';
import { doublingHighMul, requantize, sigmoidS16, tanhS16 } from '../../src/ops/lstm/reference.js';
import { CELLS, addLstm, buildModel, randomCases, type Cell, type Kind } from '../util/lstm-models.js';
import { assertCloseToTflm, assertReferenceMatchesTflm, referenceOutputs } from '../util/reference.js';
import { assertReferenceLayersOfMatchTflm } from '../util/reference-layers.js';
import { mulberry32, randomInts } from '../util/random.js';
import { TFLM_MODELS, randomCase, runTflm } from '../util/tflm.js';
import { buildTflite, unidirectionalLstmOptions, type OpSpec, type TensorSpec } from '../util/tflite-build.js';
import type { Node } from '../../src/ir/graph.js';

test('the fast fixed-point primitives equal src/ir/quant.ts (random and extreme int32)', () => {
  const rng = mulberry32(1400);
  const extremes = [INT32_MIN, INT32_MIN + 1, -65536, -32769, -1, 0, 1, 32767, 65535, 1 << 30, INT32_MAX];
  const values = [...extremes, ...randomInts(rng, 3000, INT32_MIN, INT32_MAX), ...randomInts(rng, 1000, -40000, 40000)];
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    for (const b of [extremes[i % extremes.length], values[(i * 7919) % values.length]]) {
      assert.is(doublingHighMul(values[i], b), saturatingRoundingDoublingHighMul(values[i], b), `${values[i]} × ${b}`);
      n++;
    }
  }
  for (let i = 0; i < 3000; i++) {
    const x = values[i];
    const m = 1073741824 + Math.floor(rng() * 1073741823);
    for (const shift of [-31, -20, -15, -1, 0, 1, 5]) {
      assert.is(requantize(x, m, shift), multiplyByQuantizedMultiplier(x, m, shift), `${x} · ${m} · 2^${shift}`);
      n++;
    }
  }
  assert.ok(n > 20000);
});

test('the int16 sigmoid and tanh of the gates and of tanh(c) = TFLM\'s int16 LOGISTIC / TANH on all 65536 inputs', () => {
  // LOGISTIC at 2^-12 is the gates' sigmoid; TANH at 2^p reads its input as tanh(c) does for a cell scale
  // 2^p (multiplier 3·2^(12+p), or 3 and a right shift −(12+p)); p = −12 is the cell gate's tanh.
  const powers = [-12, -11, -9, -4, -15, -20];
  const tensors: TensorSpec[] = [];
  const operators: OpSpec[] = [];
  const all = Array.from({ length: 65536 }, (_, i) => i - 32768);
  const add = (t: TensorSpec) => tensors.push(t) - 1;
  const q = (p: number) => ({ quant: { scale: [2 ** p], zeroPoint: [0] } });
  const ops: [string, number][] = [['LOGISTIC', -12], ...powers.map((p): [string, number] => ['TANH', p])];
  const io = ops.map(([op, p], k) => {
    const x = add({ name: `x${k}`, shape: [65536], type: 'int16', ...q(p) });
    const y = add({ name: `y${k}`, shape: [65536], type: 'int16', ...q(-15) });
    operators.push({ op, inputs: [x], outputs: [y] });
    return { x, y };
  });
  const bytes = buildTflite({ tensors, operators, inputs: io.map((v) => v.x), outputs: io.map((v) => v.y) });
  const input = new Uint8Array(Int16Array.from(all).buffer);
  const [theirs] = runTflm(bytes, [ops.map(() => input)], ops.length);
  ops.forEach(([op, p], k) => {
    const e = new Int16Array(theirs[k].slice().buffer);
    const left = 12 + p;
    const ours = all.map((v) => (op === 'LOGISTIC' ? sigmoidS16(v) : left >= 0 ? tanhS16(v, 3 * 2 ** left, 0) : tanhS16(v, 3, -left)));
    const bad = ours.findIndex((v, i) => v !== e[i]);
    assert.ok(bad < 0, `${op} at 2^${p}: input ${all[bad]} gives ${ours[bad]}, TFLM ${e[bad]}`);
  });
});

test('int8 LSTMs of tflite-lstm.test.ts: the reference = TFLM byte for byte, saturating both ways', () => {
  const m = buildModel('int8');
  const cases = randomCases(m.inputShapes, 'int8', 1301, 3);
  assert.is(assertReferenceMatchesTflm('lstm_int8', m.bytes, cases), 3 * CELLS.length);
  const values = referenceOutputs(m.bytes, 'lstm_int8.tflite', cases).flatMap((outs) => outs.flatMap((o) => [...(o.data as Int8Array)]));
  assert.ok(values.includes(127) && values.includes(-128), 'some hidden state saturates both ways');
});

test('float32 LSTMs of tflite-lstm.test.ts: the reference (double, and float32 between nodes) = TFLM within 1e-5 of each output\'s max', () => {
  const m = buildModel('float32');
  const cases = randomCases(m.inputShapes, 'float32', 1302, 2);
  assert.is(assertReferenceMatchesTflm('lstm_f32', m.bytes, cases), 2 * CELLS.length);
  // the interpreter keeping float32 tensors in float32 (state too): the same within 1e-5
  const ours = referenceOutputs(m.bytes, 'lstm_f32.tflite', cases, { float: 'float32' });
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), CELLS.length);
  ours.forEach((outs, k) => outs.forEach((o, j) => assertCloseToTflm(`float: 'float32' case ${k} output ${j}`, o, theirs[k][j])));
});

/** Zero points at the extremes, cell scales far from the usual ones, a clip past int16 and one that quantizes to 0. */
const EDGE: Cell[] = [
  { batches: 2, steps: 3, input: 4, state: 5, timeMajor: false, xq: [0.05, 127], hq: [0.004, -128], cellPower: -4, cellClip: 1e6, weightScale: 0.05 },
  { batches: 1, steps: 4, input: 6, state: 3, timeMajor: true, xq: [0.02, -128], hq: [0.003, 127], cellPower: -20, weightScale: 0.03 },
  { batches: 3, steps: 2, input: 5, state: 4, timeMajor: true, xq: [0.04, 0], hq: [0.01, 5], cellPower: -11, cellClip: 1e-5, weightScale: 0.02 },
  { batches: 2, steps: 4, input: 7, state: 6, timeMajor: false, xq: [0.05, 1], hq: [0.006, -1], cellPower: -12, cellClip: 0.3, weightScale: 0.06 },
];

test('int8 edge cells (zero points −128 / 127, cell scales 2^-4 and 2^-20, clip past int16 and clip to 0) = TFLM', () => {
  const m = buildModel('int8', EDGE, 1410);
  const cases = randomCases(m.inputShapes, 'int8', 1411, 3);
  assert.is(assertReferenceMatchesTflm('lstm_edge', m.bytes, cases), 3 * EDGE.length);
  // the clip to 0 leaves c at 0: h = zero point + o · tanh(0) = the zero point, in every step
  const outs = referenceOutputs(m.bytes, 'lstm_edge.tflite', cases);
  assert.ok(outs.every((o) => (o[2].data as Int8Array).every((v) => v === 5)));
  // a clip of 0.3 at 2^-12 is 1228.8, kept as 1228 (truncated), and the cell reaches it
  const it = createInterpreter(importGraph(m.bytes, 'lstm_edge.tflite', 'edge'));
  const cell = it.run(cases[0]).tensors.get('lstm3_c')!.data as Int16Array;
  assert.ok(cell.some((v) => Math.abs(v) === 1228) && cell.every((v) => Math.abs(v) <= 1228), `cell state ${cell}`);
});

// ---------------------------------------------------------------------------------------------------
// State across runs

/** The input of the doubled sequence: x0's steps then x1's, per batch (batch-major) or in time (time-major). */
function doubled(c: Cell, x0: TensorValue, x1: TensorValue): TensorValue {
  const Data = x0.data.constructor as Int8ArrayConstructor | Float32ArrayConstructor;
  const rowsPer = c.timeMajor ? c.steps * c.batches : c.steps;
  const chunk = rowsPer * c.input;
  const out = new Data(2 * x0.data.length);
  const groups = c.timeMajor ? 1 : c.batches;
  for (let g = 0; g < groups; g++) {
    out.set((x0.data as Int8Array).subarray(g * chunk, (g + 1) * chunk) as never, 2 * g * chunk);
    out.set((x1.data as Int8Array).subarray(g * chunk, (g + 1) * chunk) as never, (2 * g + 1) * chunk);
  }
  const shape = c.timeMajor ? [2 * c.steps, c.batches, c.input] : [c.batches, 2 * c.steps, c.input];
  return { dtype: x0.dtype, shape, data: out } as TensorValue;
}

/** The second half of the doubled sequence's output, laid out as one run's output. */
function secondHalf(c: Cell, y: Uint8Array, bytesPer: number): Uint8Array {
  const rowsPer = c.timeMajor ? c.steps * c.batches : c.steps;
  const chunk = rowsPer * c.state * bytesPer;
  const groups = c.timeMajor ? 1 : c.batches;
  const out = new Uint8Array(groups * chunk);
  for (let g = 0; g < groups; g++) out.set(y.subarray((2 * g + 1) * chunk, (2 * g + 2) * chunk), g * chunk);
  return out;
}

const STATE_CELLS: Cell[] = [
  { batches: 2, steps: 2, input: 6, state: 5, timeMajor: false, cellClip: 2, xq: [0.04, 3], hq: [0.008, -2], cellPower: -11, weightScale: 0.03 },
  { batches: 3, steps: 1, input: 4, state: 7, timeMajor: true, xq: [0.05, -9], hq: [0.007, 4], cellPower: -12, weightScale: 0.04 },
];

(['int8', 'float32'] as Kind[]).forEach((kind, k) => {
  test(`state (${kind}): two runs without reset = TFLM's doubled sequence; reset() starts over (batch- and time-major)`, () => {
    STATE_CELLS.forEach((c, j) => {
      const seed = 1430 + 10 * k + j;
      const one = buildModel(kind, [c], seed);
      const two = buildModel(kind, [{ ...c, steps: 2 * c.steps }], seed);
      const [[x0], [x1]] = randomCases(one.inputShapes, kind, seed + 1, 2);
      const it = createInterpreter(importGraph(one.bytes, 'one.tflite', 'one'));
      it.run([x0]);
      const second = it.run([x1]).outputs[0];
      it.reset();
      const fresh = it.run([x1]).outputs[0];
      const [[seq]] = runTflm(two.bytes, [[toBytes(doubled(c, x0, x1))]], 1);
      const [[alone]] = runTflm(one.bytes, [[toBytes(x1)]], 1);
      const label = `${kind} ${c.timeMajor ? 'time' : 'batch'}-major`;
      assertCloseToTflm(`${label}: x0 then x1 vs the doubled sequence`, second, secondHalf(c, seq, kind === 'int8' ? 1 : 4));
      assertCloseToTflm(`${label}: after reset, x1 alone`, fresh, alone);
      assert.not.equal([...toBytes(second)], [...toBytes(fresh)], `${label}: the state matters`);
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Real models

const REAL = ['trained_lstm_int8', 'micro_speech_lstm', 'dtln_noise_suppression'];

REAL.forEach((name, k) => {
  test(`${name}: every LSTM layer of the reference = TFLM (tflm-run --dump), one seeded case`, () => {
    const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, `${name}.tflite`)));
    const g = importGraph(bytes, `${name}.tflite`, 'm');
    const x = randomCase(g.tensor(g.inputs[0]), 1440 + k);
    const layers = assertReferenceLayersOfMatchTflm(name, bytes, x, ['UNIDIRECTIONAL_SEQUENCE_LSTM']);
    assert.is(layers, name === 'dtln_noise_suppression' ? 2 : 1);
  });
});

test('dtln_noise_suppression\'s two LSTMs, one frame per run: two runs without reset = TFLM on the two frames as one sequence', () => {
  // The model's LSTMs rebuilt with their own weights, state and quantization over a doubled time axis.
  const file = 'dtln_noise_suppression.tflite';
  const g = importGraph(new Uint8Array(readFileSync(join(TFLM_MODELS, file))), file, 'dtln');
  const lstms = g.nodes.filter((n) => n.op === 'lstm') as Node<{ timeMajor: boolean; cellClip: number }>[];
  assert.is(lstms.length, 2);
  assert.is(lstms[1].inputs[0], lstms[0].outputs[0], 'the second LSTM reads the first');
  const tensors: TensorSpec[] = [];
  const index = new Map<string, number>();
  const doubledShape = (shape: number[], timeMajor: boolean) => shape.map((d, i) => (i === (timeMajor ? 0 : 1) ? 2 * d : d));
  const spec = (name: string, timeMajor: boolean): number => {
    if (name === '') return -1;
    if (!index.has(name)) {
      const t = g.tensor(name);
      const io = t.data === undefined && !t.variable;
      index.set(name, tensors.length);
      tensors.push({
        name, type: t.dtype as TensorSpec['type'], shape: io ? doubledShape(t.shape, timeMajor) : t.shape,
        ...(t.data ? { data: Array.from(t.data as Int8Array) } : {}),
        ...(t.quant ? { quant: { scale: t.quant.scale, zeroPoint: t.quant.zeroPoint } } : {}),
        ...(t.variable ? { variable: true } : {}),
      });
    }
    return index.get(name)!;
  };
  const operators: OpSpec[] = lstms.map((n) => ({
    op: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    inputs: n.inputs.map((i) => spec(i, n.attrs.timeMajor)),
    outputs: [spec(n.outputs[0], n.attrs.timeMajor)],
    options: unidirectionalLstmOptions({ cellClip: n.attrs.cellClip, timeMajor: n.attrs.timeMajor }),
  }));
  const outputs = lstms.map((n) => n.outputs[0]);
  const bytes = buildTflite({ tensors, operators, inputs: [index.get(g.inputs[0])!], outputs: outputs.map((o) => index.get(o)!) });
  const frame = g.tensor(g.inputs[0]);
  const [x0, x1] = [randomCase(frame, 1470), randomCase(frame, 1471)];
  const cut = g.clone();
  cut.outputs = outputs;
  cut.removeDeadCode();
  const it = createInterpreter(cut);
  it.run([x0]);
  const second = it.run([x1]).outputs;
  it.reset();
  const fresh = it.run([x1]).outputs;
  const seq = new Int8Array(2 * x0.data.length);
  seq.set(x0.data as Int8Array);
  seq.set(x1.data as Int8Array, x0.data.length);
  const [theirs] = runTflm(bytes, [[new Uint8Array(seq.buffer)]], 2);
  outputs.forEach((name, j) => {
    const half = theirs[j].subarray(theirs[j].length / 2);
    assertCloseToTflm(`dtln LSTM ${j}: frame 0 then frame 1 vs the two-frame sequence`, second[j], half);
    assert.not.equal([...toBytes(fresh[j])], [...half], `LSTM ${j}: the state matters`);
  });
});

test('speed: micro_speech_lstm\'s LSTM (49 steps) through the interpreter', () => {
  const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, 'micro_speech_lstm.tflite')));
  const cut = importGraph(bytes, 'micro_speech_lstm.tflite', 'm');
  const node = cut.nodes.find((n) => n.op === 'lstm')!;
  cut.outputs = [node.outputs[0]];
  cut.removeDeadCode();
  const x = cut.tensor(cut.inputs[0]);
  const S = cut.tensor(node.inputs[2]).shape[0];
  const macs = x.shape[0] * x.shape[1] * 4 * S * (x.shape[2] + S);
  const it = createInterpreter(cut);
  const xs = Array.from({ length: 6 }, (_, i) => randomCase(x, 1450 + i));
  it.run([xs[0]]);
  const t0 = performance.now();
  for (const v of xs.slice(1)) {
    it.reset();
    it.run([v]);
  }
  const ms = (performance.now() - t0) / (xs.length - 1);
  console.log(`  micro_speech_lstm LSTM: ${ms.toFixed(1)} ms per case, ${(macs / ms / 1000).toFixed(0)} M MAC/s`);
  assert.ok(ms < 1000, `${ms} ms per case`);
});

/** The message the reference interpreter fails with on an int8 LSTM whose weight 2 (forget gate) gets `quant`. */
function refusal(quant: TensorSpec['quant']): string {
  const c = CELLS[0];
  const tensors: TensorSpec[] = [];
  const operators: OpSpec[] = [];
  const { x, y } = addLstm(tensors, operators, c, 'int8', mulberry32(1460), 0);
  tensors[operators[0].inputs[2]].quant = quant;
  const bytes = buildTflite({ tensors, operators, inputs: [x], outputs: [y] });
  const it = createInterpreter(importGraph(bytes, 'bad.tflite', 'bad'));
  try {
    it.run([randomCase({ dtype: 'int8', shape: tensors[x].shape }, 1461)]);
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_UNSUPPORTED_ATTR', (e as Error).message);
    return (e as Error).message;
  }
  return assert.unreachable('ran') as never;
}

test('what TFLite Micro does not run is refused, as the compiler refuses it: per-channel weights, weights with a zero point', () => {
  // per-channel: TFLite Micro's LSTM reads only the per-tensor multiplier, left unset; a zero point: its DCHECK aborts
  const c = CELLS[0];
  assert.match(refusal({ scale: Array(c.state).fill(0.02), zeroPoint: Array(c.state).fill(0), axis: 0 }), "LSTM weights 'lstm0_w_f' are quantized per channel; TensorFlow Lite Micro's LSTM takes per-tensor weights only");
  assert.match(refusal({ scale: [0.02], zeroPoint: [3] }), "LSTM weights 'lstm0_w_f' have zero point 3; TensorFlow Lite Micro takes symmetric weights only");
});

test.run();
