/**
 * ONNX RNN, GRU and LSTM (src/ops/rnn/) against onnxruntime-node, float32 within 1e-4 relative / 1e-5
 * absolute: per cell one model holding every direction × layout, batch 1 without bias or initial state
 * and batch 3 with both (initial states as initializers and as graph inputs), odd hidden and input sizes,
 * and the attributes (activations with alpha / beta, clip, input_forget, peepholes, linear_before_reset,
 * some outputs omitted), compiled once for the host; the three cells in one model on the emulated
 * Cortex-M7 (one QEMU run); the reference interpreter on every model and on opsets 7 and 22; refusals.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, importGraph } from '../../src/compile.js';
import { runCompiled, targetBoard } from '../../src/run/index.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { UtvmError } from '../../src/diagnostics.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { runOnnxRuntime, type NamedTensor } from '../util/ort.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { buildRnnModel, float, floats, gridCases, type RnnCase } from '../util/rnn-models.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { toolchainAvailable } from '../../src/run/measure.js';

const TOL = { rtol: 1e-4, atol: 1e-5 };

const LSTM_CASES: RnnCase[] = [
  ...gridCases('LSTM', (i) => ({ peephole: i % 3 === 2 })),
  { op: 'LSTM', direction: 'bidirectional', layout: 0, batch: 3, seq: 3, input: 3, hidden: 5, bias: true, init: 'input', peephole: true,
    attrs: { clip: float(0.9), input_forget: 1, activations: ['HardSigmoid', 'ScaledTanh', 'Softsign', 'Sigmoid', 'Elu', 'Tanh'], activation_alpha: floats([0.3, 0.8, 1.5]), activation_beta: floats([0.4, 1.2]) } },
  { op: 'LSTM', direction: 'reverse', layout: 1, batch: 3, seq: 4, input: 5, hidden: 3, bias: true, init: 'const', outputs: [false, true, true],
    attrs: { activations: ['Sigmoid', 'LeakyRelu', 'Softplus'], activation_alpha: floats([0.2]) } },
  { op: 'LSTM', direction: 'forward', layout: 0, batch: 1, seq: 3, input: 2, hidden: 7, bias: false, init: 'none', outputs: [true, false, false], attrs: { clip: float(0.5) } },
];

const GRU_CASES: RnnCase[] = [
  ...gridCases('GRU', (i) => ({ attrs: { linear_before_reset: i % 2 } })),
  { op: 'GRU', direction: 'bidirectional', layout: 1, batch: 3, seq: 3, input: 3, hidden: 5, bias: true, init: 'input',
    attrs: { clip: float(0.7), linear_before_reset: 1, activations: ['HardSigmoid', 'Affine', 'Sigmoid', 'ThresholdedRelu'], activation_alpha: floats([0.25, 0.9, 0.1]), activation_beta: floats([0.45, 0.1]) } },
  { op: 'GRU', direction: 'forward', layout: 0, batch: 1, seq: 4, input: 5, hidden: 3, bias: true, init: 'const', outputs: [false, true], attrs: { activations: ['Sigmoid', 'Relu'] } },
];

const RNN_CASES: RnnCase[] = [
  ...gridCases('RNN'),
  { op: 'RNN', direction: 'bidirectional', layout: 1, batch: 3, seq: 3, input: 3, hidden: 5, bias: true, init: 'input',
    attrs: { clip: float(0.6), activations: ['Relu', 'LeakyRelu'], activation_alpha: floats([0.3]) } },
  { op: 'RNN', direction: 'reverse', layout: 0, batch: 3, seq: 2, input: 4, hidden: 3, bias: true, init: 'const', outputs: [false, true], attrs: { activations: ['Sigmoid'] } },
  { op: 'RNN', direction: 'forward', layout: 0, batch: 1, seq: 3, input: 2, hidden: 5, bias: true, init: 'none', attrs: { activations: ['Elu'], activation_alpha: floats([0.5]) } },
  { op: 'RNN', direction: 'reverse', layout: 0, batch: 3, seq: 3, input: 3, hidden: 3, bias: false, init: 'input', seqLens: 'full',
    attrs: { activations: ['ThresholdedRelu'], activation_alpha: floats([0.05]) } },
];

const FAMILIES: [string, RnnCase[]][] = [['LSTM', LSTM_CASES], ['GRU', GRU_CASES], ['RNN', RNN_CASES]];

async function ortOutputs(cases: RnnCase[], opset = 14): Promise<{ bytes: Uint8Array; inputs: NamedTensor[]; expected: NamedTensor[] }> {
  const ours = buildRnnModel(cases, opset, false);
  const theirs = buildRnnModel(cases, opset, true);
  const expected = await runOnnxRuntime(theirs.bytes, theirs.inputs);
  return { ...ours, expected };
}

function assertClose(label: string, actual: TensorValue[], expected: NamedTensor[]): void {
  assert.is(actual.length, expected.length, `${label}: number of outputs`);
  expected.forEach((e, i) => {
    assert.equal(actual[i].shape, e.shape, `${label}: shape of ${e.name}`);
    const c = compareFloats(actual[i].data as Float32Array, e.data as Float32Array, TOL);
    assert.ok(c.ok, `${label}: ${e.name}: ${describeComparison(c)}`);
  });
}

for (const [op, cases] of FAMILIES) {
  test(`ONNX ${op}: ${cases.length} cases in one model on the host = onnxruntime`, async () => {
    const { bytes, inputs, expected } = await ortOutputs(cases);
    const result = compile(bytes, `${op}.onnx`, { name: op.toLowerCase(), board: targetBoard('host') });
    assert.ok(result.program.kernels.includes(`utvm_${op.toLowerCase()}_onnx_f32`), result.program.kernels.join());
    const [actual] = runCompiled(result, [inputs]);
    assertClose(`host ${op}`, actual, expected);
  });

  test(`ONNX ${op}: the reference interpreter = onnxruntime (1e-5 of each output's max |value|)`, async () => {
    const { bytes, inputs, expected } = await ortOutputs(cases);
    const { outputs } = createInterpreter(importGraph(bytes, `${op}.onnx`, 'r')).run(inputs);
    expected.forEach((e, i) => {
      const max = Math.max(...Array.from(e.data as Float32Array, Math.abs));
      const c = compareFloats(outputs[i].data as Float32Array, e.data as Float32Array, { rtol: 0, atol: 1e-5 * max });
      assert.ok(c.ok, `${e.name}: ${describeComparison(c)}`);
    });
  });
}

test('opsets 7 and 22 (layout 0, the default attributes) on the reference interpreter = onnxruntime', async () => {
  for (const opset of [7, 22]) {
    const cases = [LSTM_CASES[5], GRU_CASES[4], RNN_CASES[9]].map((c) => ({ ...c, layout: 0 as const }));
    const { bytes, inputs, expected } = await ortOutputs(cases, opset);
    const { outputs } = createInterpreter(importGraph(bytes, 'o.onnx', 'o')).run(inputs);
    assertClose(`opset ${opset}`, outputs, expected);
  }
});

test('LSTM, GRU and RNN in one model on qemu-mps2-an500 = onnxruntime (one emulator run)', async () => {
  if (!toolchainAvailable()) return;
  const cases = [LSTM_CASES[11], LSTM_CASES[12], GRU_CASES[9], GRU_CASES[12], RNN_CASES[7], RNN_CASES[12]];
  const { bytes, inputs, expected } = await ortOutputs(cases);
  const result = compile(bytes, 'rnn.onnx', { name: 'rnn', board: targetBoard('qemu') });
  const [actual] = runCompiled(result, [inputs]);
  assertClose('qemu', actual, expected);
});

function importError(cases: RnnCase[], edit?: (bytes: Uint8Array) => Uint8Array): string {
  const { bytes } = buildRnnModel(cases, 14, false);
  try {
    importGraph(edit ? edit(bytes) : bytes, 'bad.onnx', 'bad');
  } catch (e) {
    if (e instanceof UtvmError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

test('refusals: unknown activation, wrong activation count, bad direction, bad clip', () => {
  const base: RnnCase = { op: 'GRU', direction: 'forward', layout: 0, batch: 1, seq: 2, input: 3, hidden: 3, bias: false, init: 'none' };
  assert.is(importError([{ ...base, attrs: { activations: ['Sigmoid', 'Gelu'] } }]),
    "E_UNSUPPORTED_ATTR: bad.onnx: node 'c0_GRU' (GRU): activation 'Gelu' (supported: Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus) is not supported");
  assert.is(importError([{ ...base, attrs: { activations: ['Sigmoid'] } }]),
    "E_MODEL_INVALID: bad.onnx: node 'c0_GRU' (GRU): 'activations' lists 1 functions; a GRU takes 2");
  assert.is(importError([{ ...base, attrs: { direction: 'sideways' } }]),
    "E_MODEL_INVALID: bad.onnx: node 'c0_GRU' (GRU): direction 'sideways' must be forward, reverse or bidirectional");
  assert.is(importError([{ ...base, attrs: { clip: float(-1) } }]),
    "E_MODEL_INVALID: bad.onnx: node 'c0_GRU' (GRU): clip -1 must be a finite number > 0");
});

test('refusals: sequence_lens shorter than seq_length or computed at run time; float64 tensors', () => {
  const base: RnnCase = { op: 'LSTM', direction: 'forward', layout: 0, batch: 2, seq: 3, input: 3, hidden: 3, bias: false, init: 'none' };
  assert.is(importError([{ ...base, seqLens: 'short' }]),
    "E_UNSUPPORTED_ATTR: bad.onnx: node 'c0_LSTM' (LSTM): sequence_lens with a length other than seq_length 3 (2 for batch 1) is not supported");
  assert.is(importError([{ ...base, seqLens: 'input' }]),
    "E_UNSUPPORTED_ATTR: bad.onnx: node 'c0_LSTM' (LSTM): sequence_lens computed at run time (only a constant with every length equal to seq_length) is not supported");
  const m = new OnnxModelBuilder({ opset: 14 });
  const x = m.input('x', 'float64', [2, 1, 3]);
  const w = m.initializer('w', 'float64', [1, 3, 3], new Float64Array(9));
  const [y] = m.node('RNN', [x, w, w], { hidden_size: 3 }, { name: 'rnn', outputs: ['y'] });
  m.output(y, 'float64', [2, 1, 1, 3]);
  assert.throws(() => importGraph(m.encode(), 'bad.onnx', 'bad'), (e: unknown) =>
    e instanceof UtvmError && e.message === "bad.onnx: node 'rnn' (RNN): RNN of float64 tensors is not supported (float32 only; 'x')");
});

test('state across calls through the graph: two runs feeding Y_h / Y_c back = one run of the whole sequence', async () => {
  const whole: RnnCase = { op: 'LSTM', direction: 'forward', layout: 1, batch: 3, seq: 6, input: 3, hidden: 5, bias: true, init: 'input', peephole: true };
  const { inputs } = buildRnnModel([whole], 14, false);
  const { bytes } = buildRnnModel([whole], 14, true);
  const half = buildRnnModel([{ ...whole, seq: 3 }], 14, false);
  const result = compile(half.bytes, 'half.onnx', { name: 'half', board: targetBoard('host') });
  const x = inputs[0].data as Float32Array;
  const part = (k: number) => Float32Array.from({ length: 3 * 3 * 3 }, (_, i) => x[Math.floor(i / 9) * 18 + k * 9 + (i % 9)]);
  const [one] = runCompiled(result, [[{ ...inputs[0], shape: [3, 3, 3], data: part(0) }, inputs[1], inputs[2]]]);
  const [two] = runCompiled(result, [[{ ...inputs[0], shape: [3, 3, 3], data: part(1) }, { ...inputs[1], data: one[1].data }, { ...inputs[2], data: one[2].data }]]);
  const expected = await runOnnxRuntime(bytes, inputs);
  assertClose('two runs', [two[0], two[1], two[2]].map((t, i) => (i === 0 ? { ...t, shape: expected[0].shape, data: interleave(one[0].data as Float32Array, t.data as Float32Array) } : t)), expected);
});

/** Y [B, 3, 1, H] of two half runs → Y [B, 6, 1, H]. */
function interleave(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length * 2);
  const row = a.length / 3;
  for (let n = 0; n < 3; n++) {
    out.set(a.subarray(n * row, (n + 1) * row), 2 * n * row);
    out.set(b.subarray(n * row, (n + 1) * row), (2 * n + 1) * row);
  }
  return out;
}

test.run();
