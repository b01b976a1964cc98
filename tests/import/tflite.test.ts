/**
 * TensorFlow Lite import: the reader on the MLPerf Tiny models (operator lists as ../shared/models/README.md
 * gives them), the float32 MLPerf models compiled and run on the host, the int8 models' quantization as
 * imported, and the operator mapping (padding, activations, depthwise layout, fully connected shapes)
 * checked on small generated models against a direct TypeScript reference of TFLite's semantics.
 * Bad input (truncated, corrupt, unknown operators, versions): tflite-errors.test.ts.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGraph } from '../../src/compile.js';
import { importTflite, importTfliteModel, tfliteOperatorOutputs } from '../../src/import/tflite.js';
import { activationClamp, tflitePadding, tflitePads2d } from '../../src/import/tflite-context.js';
import { builtinName, readTfliteModel } from '../../src/import/tflite-schema.js';
import { elementCount } from '../../src/ir/graph.js';
import { runModel } from '../../src/run/index.js';
import { ROOT } from '../util/cli.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { activationOptions, buildTflite, concatOptions, conv2dOptions, depthwiseOptions, fullyConnectedOptions, poolOptions, reducerOptions, softmaxOptions } from '../util/tflite-build.js';
import { OptionsType } from '../../src/import/tflite-options.js';

const MODELS = join(ROOT, '..', 'shared', 'models');
const MLPERF = join(MODELS, 'mlperf-tiny');

interface MlperfModel {
  folder: string;
  int8: string;
  float: string;
  input: number[];
  output: number[];
}

const MLPERF_MODELS: MlperfModel[] = [
  { folder: 'ic', int8: 'pretrainedResnet_quant.tflite', float: 'pretrainedResnet.tflite', input: [1, 32, 32, 3], output: [1, 10] },
  { folder: 'kws', int8: 'kws_ref_model.tflite', float: 'kws_ref_model_float32.tflite', input: [1, 49, 10, 1], output: [1, 12] },
  { folder: 'vww', int8: 'vww_96_int8.tflite', float: 'vww_96_float.tflite', input: [1, 96, 96, 3], output: [1, 2] },
  { folder: 'ad', int8: 'ad01_int8.tflite', float: 'ad01_fp32.tflite', input: [1, 640], output: [1, 640] },
];

function modelBytes(folder: string, file: string): Uint8Array {
  return readFileSync(join(MLPERF, folder, file));
}

/** The README's operator column for a folder, as name → count ("CONV_2D ×9, ADD ×3, SOFTMAX"). */
function readmeOperators(folder: string): Map<string, number> {
  const readme = readFileSync(join(MODELS, 'README.md'), 'utf8');
  const row = readme.split('\n').find((l) => l.startsWith(`| ${folder}/ |`));
  if (!row) throw new Error(`no README row for ${folder}/`);
  const cells = row.split('|').map((c) => c.trim());
  const ops = cells[cells.length - 2];
  return new Map(ops.split(',').map((s) => {
    const m = /^([A-Z0-9_]+)(?: ×(\d+))?$/.exec(s.trim());
    if (!m) throw new Error(`cannot read '${s}'`);
    return [m[1], Number(m[2] ?? 1)] as [string, number];
  }));
}

function counts(names: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
  return m;
}

function operatorNames(bytes: Uint8Array, file: string): string[] {
  const model = readTfliteModel(bytes, file);
  return model.subgraphs[0].operators.map((op) => builtinName(model.operatorCodes[op.opcodeIndex].builtinCode));
}

// ---------------------------------------------------------------------------------------------------
// The MLPerf Tiny models

for (const m of MLPERF_MODELS) {
  test(`reader: ${m.folder}/${m.int8} and ${m.float} hold the README's operators, in the same order`, () => {
    const int8 = operatorNames(modelBytes(m.folder, m.int8), m.int8);
    const float = operatorNames(modelBytes(m.folder, m.float), m.float);
    assert.equal([...counts(int8)].sort(), [...readmeOperators(m.folder)].sort());
    assert.equal(float, int8);
  });
}

test('reader: operator codes and versions of the MLPerf models (what the importer must accept)', () => {
  const seen = new Set<string>();
  for (const m of MLPERF_MODELS) {
    for (const file of [m.int8, m.float]) {
      const model = readTfliteModel(modelBytes(m.folder, file), file);
      for (const c of model.operatorCodes) seen.add(`${builtinName(c.builtinCode)} v${c.version}`);
    }
  }
  assert.equal([...seen].sort(), [
    'ADD v1', 'ADD v2', 'AVERAGE_POOL_2D v1', 'AVERAGE_POOL_2D v2', 'CONV_2D v1', 'CONV_2D v2', 'CONV_2D v3',
    'DEPTHWISE_CONV_2D v1', 'DEPTHWISE_CONV_2D v3', 'DEQUANTIZE v2', 'FULLY_CONNECTED v1', 'FULLY_CONNECTED v3',
    'FULLY_CONNECTED v4', 'QUANTIZE v1', 'RESHAPE v1', 'SOFTMAX v1', 'SOFTMAX v2',
  ]);
});

test('int8 models: input and output quantization as the README gives it; per-channel weights on axis 0', () => {
  const expected: Record<string, { input: [number, number]; output: [number, number] }> = {
    ic: { input: [1, -128], output: [1 / 256, -128] },
    kws: { input: [0.584703, 83], output: [1 / 256, -128] },
    vww: { input: [1 / 255, -128], output: [1 / 256, -128] },
    ad: { input: [0.391015, 89], output: [0.364498, 96] },
  };
  for (const m of MLPERF_MODELS) {
    const model = readTfliteModel(modelBytes(m.folder, m.int8), m.int8);
    const sg = model.subgraphs[0];
    const [inT, outT] = [sg.tensors[sg.inputs[0]], sg.tensors[sg.outputs[0]]];
    const e = expected[m.folder];
    assert.equal(inT.shape, m.input, `${m.folder} input shape`);
    assert.equal(outT.shape, m.output, `${m.folder} output shape`);
    assert.ok(Math.abs(inT.quantization!.scale[0] - e.input[0]) < 1e-6, `${m.folder} input scale ${inT.quantization!.scale[0]}`);
    assert.is(inT.quantization!.zeroPoint[0], e.input[1]);
    assert.ok(Math.abs(outT.quantization!.scale[0] - e.output[0]) < 1e-6, `${m.folder} output scale`);
    assert.is(outT.quantization!.zeroPoint[0], e.output[1]);
  }
});

test('int8 models import: int8 input/output with their quantization, per-channel filters on IR axis 0', () => {
  for (const m of MLPERF_MODELS) {
    const bytes = modelBytes(m.folder, m.int8);
    const g = loadGraph(bytes, m.int8, 'm', undefined, { keepTensors: true });
    const [x, y] = [g.tensor(g.inputs[0]), g.tensor(g.outputs[0])];
    assert.equal([x.dtype, x.shape, y.dtype, y.shape], ['int8', m.input, 'int8', m.output], m.folder);
    assert.ok(x.quant && y.quant, 'input and output quantization');
    for (const n of g.nodes.filter((n) => n.op === 'conv2d')) {
      const w = g.tensor(n.inputs[1]);
      const cout = w.shape[0];
      assert.is(w.dtype, 'int8');
      assert.equal([w.quant!.scale.length, w.quant!.axis, w.quant!.zeroPoint.every((z) => z === 0)], [cout, 0, true], `${m.folder} ${n.name}`);
      assert.is(g.tensor(n.inputs[2]).dtype, 'int32', 'bias');
    }
    for (const name of tfliteOperatorOutputs(bytes, m.int8)) assert.ok(g.tensor(name).quant, `'${name}' keeps its quantization`);
  }
});

test('tfliteOperatorOutputs: one IR tensor per TFLite operator, present in the imported float graphs', () => {
  for (const m of MLPERF_MODELS) {
    const bytes = modelBytes(m.folder, m.float);
    const names = tfliteOperatorOutputs(bytes, m.float);
    assert.is(names.length, operatorNames(bytes, m.float).length);
    const imported = importTfliteModel(bytes, m.float, 'm');
    assert.equal(imported.operatorOutputs, names);
    const g = loadGraph(bytes, m.float, 'm');
    for (const n of names) assert.ok(g.has(n), `${m.folder}: '${n}' is in the compiled graph`);
    assert.equal(g.tensor(g.outputs[0]).shape, m.output);
  }
});

for (const m of MLPERF_MODELS) {
  test(`float32 ${m.folder}/${m.float}: compiles and runs on the host (shapes, finite, softmax sums to 1)`, () => {
    const rng = mulberry32(7);
    const data = randomFloats(rng, elementCount(m.input), 0, 1);
    const [[y]] = runModel(modelBytes(m.folder, m.float), m.float, [[{ dtype: 'float32', shape: m.input, data }]], { target: 'host' });
    assert.equal(y.shape, m.output);
    const values = Array.from(y.data as Float32Array);
    assert.ok(values.every(Number.isFinite), 'finite outputs');
    if (m.folder !== 'ad') {
      const sum = values.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `softmax sums to ${sum}`);
      assert.ok(values.every((v) => v >= 0));
      assert.ok(Math.max(...values) - Math.min(...values) > 1e-3, `the classes differ: ${values}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Mapping rules

test('tflitePadding: SAME and VALID as TFLite computes them', () => {
  assert.equal(tflitePadding('SAME', 5, 3, 2, 1), [1, 1]);
  assert.equal(tflitePadding('SAME', 4, 3, 2, 1), [0, 1]); // odd total: the extra cell goes after
  assert.equal(tflitePadding('SAME', 4, 2, 1, 1), [0, 1]);
  assert.equal(tflitePadding('SAME', 7, 3, 1, 2), [2, 2]); // dilation 2: a 5-cell window
  assert.equal(tflitePadding('SAME', 49, 10, 2, 1), [4, 5]); // kws's first layer: 49 → 25
  assert.equal(tflitePadding('SAME', 1, 1, 1, 1), [0, 0]);
  assert.equal(tflitePadding('VALID', 5, 3, 2, 1), [0, 0]);
  assert.equal(tflitePadding('VALID', 8, 8, 8, 1), [0, 0]);
  assert.equal(tflitePads2d('SAME', [10, 7], [4, 2], [3, 1], [1, 1]), [1, 0, 2, 1]);
});

test('activationClamp: NONE, RELU, RELU_N1_TO_1, RELU6; TANH and SIGN_BIT unsupported', () => {
  assert.is(activationClamp(0), undefined);
  assert.equal(activationClamp(1), { min: 0, max: Infinity });
  assert.equal(activationClamp(2), { min: -1, max: 1 });
  assert.equal(activationClamp(3), { min: 0, max: 6 });
  assert.is(activationClamp(4), null);
  assert.is(activationClamp(5), null);
});

test('int8 import: quantization copied, depthwise filter re-laid out with its axis, activations as clamps', () => {
  const q = (s: number, z: number) => ({ scale: [s], zeroPoint: [z] });
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape: [1, 4, 4, 2], type: 'int8', quant: q(0.5, -3) },
      { name: 'w', shape: [3, 3, 3, 2], type: 'int8', data: Array.from({ length: 54 }, (_, i) => (i % 7) - 3), quant: { scale: [0.1, 0.2, 0.3], zeroPoint: [0, 0, 0], axis: 0 } },
      { name: 'b', shape: [3], type: 'int32', data: [1, -2, 3], quant: { scale: [0.05, 0.1, 0.15], zeroPoint: [0, 0, 0], axis: 0 } },
      { name: 'conv', shape: [1, 2, 2, 3], type: 'int8', quant: q(0.25, 5) },
      { name: 'dw', shape: [1, 2, 2, 6], type: 'int8', data: Array.from({ length: 24 }, (_, i) => i - 12), quant: { scale: [1, 2, 3, 4, 5, 6], zeroPoint: [0, 0, 0, 0, 0, 0], axis: 3 } },
      { name: 'y', shape: [1, 2, 2, 6], type: 'int8', quant: q(0.125, -1) },
      { name: 'p', shape: [1, 1, 1, 6], type: 'int8', quant: q(0.125, -1) },
    ],
    inputs: [0],
    outputs: [6],
    operators: [
      { op: 'CONV_2D', version: 3, inputs: [0, 1, 2], outputs: [3], options: conv2dOptions({ padding: 'SAME', stride: [2, 2], activation: 3 }) },
      { op: 'DEPTHWISE_CONV_2D', version: 3, inputs: [3, 4, -1], outputs: [5], options: depthwiseOptions({ padding: 'SAME', multiplier: 2 }) },
      { op: 'AVERAGE_POOL_2D', version: 2, inputs: [5], outputs: [6], options: poolOptions({ padding: 'VALID', stride: [2, 2], filter: [2, 2], activation: 1 }) },
    ],
  });
  const g = importTflite(bytes, 'q.tflite', 'q');
  assert.equal(g.nodes.map((n) => `${n.op}:${n.source.op}:${n.source.name}`), ['conv2d:CONV_2D:#0', 'conv2d:DEPTHWISE_CONV_2D:#1', 'pool2d:AVERAGE_POOL_2D:#2']);
  const [conv, dw, pool] = g.nodes;
  assert.equal(conv.attrs, { strides: [2, 2], dilations: [1, 1], pads: [0, 0, 1, 1], groups: 1, clamp: { min: 0, max: 6 } });
  assert.equal(g.tensor('w').quant, { scale: [Math.fround(0.1), Math.fround(0.2), Math.fround(0.3)], zeroPoint: [0, 0, 0], axis: 0 });
  assert.equal(g.tensor('conv').quant, { scale: [0.25], zeroPoint: [5] });
  assert.is(g.tensor('conv').dtype, 'int8');
  assert.is(dw.attrs.groups, 3);
  const filter = g.tensor(dw.inputs[1]);
  assert.equal(filter.shape, [6, 2, 2, 1]);
  assert.equal(filter.quant, { scale: [1, 2, 3, 4, 5, 6], zeroPoint: [0, 0, 0, 0, 0, 0], axis: 0 });
  // TFLite [1, KH, KW, C_out] element (kh, kw, oc) → IR [C_out, KH, KW, 1] element (oc, kh, kw).
  const src = g.tensor('dw').data as Int8Array;
  const dst = filter.data as Int8Array;
  for (let k = 0; k < 4; k++) for (let oc = 0; oc < 6; oc++) assert.is(dst[oc * 4 + k], src[k * 6 + oc]);
  assert.equal(dw.inputs.length, 2, 'an omitted bias (−1) is left out');
  assert.equal(pool.attrs, { kind: 'avg', kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], countIncludePad: false, clamp: { min: 0, max: Infinity } });
  assert.equal(g.inputs, ['x']);
  assert.equal(g.outputs, ['p']);
});

// ---------------------------------------------------------------------------------------------------
// Float32 generated models against a TypeScript reference of TFLite's semantics

/** NHWC conv with TFLite's SAME/VALID padding; depthwise when `dm` is given (filter [1, KH, KW, C·dm]). */
function refConv(x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: number[], o: { pad: 'SAME' | 'VALID'; stride: [number, number]; dm?: number; clamp: [number, number] }): { data: Float32Array; shape: number[] } {
  const [, h, wd, c] = xs;
  const depthwise = o.dm !== undefined;
  const [kh, kw] = [ws[1], ws[2]];
  const cout = depthwise ? ws[3] : ws[0];
  const [pt] = tflitePadding(o.pad, h, kh, o.stride[0], 1);
  const [pl] = tflitePadding(o.pad, wd, kw, o.stride[1], 1);
  const oh = o.pad === 'SAME' ? Math.ceil(h / o.stride[0]) : Math.floor((h - kh) / o.stride[0]) + 1;
  const ow = o.pad === 'SAME' ? Math.ceil(wd / o.stride[1]) : Math.floor((wd - kw) / o.stride[1]) + 1;
  const out = new Float32Array(oh * ow * cout);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let oc = 0; oc < cout; oc++) {
    let acc = bias[oc] ?? 0;
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const iy = y * o.stride[0] - pt + i;
      const ix = xx * o.stride[1] - pl + j;
      if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
      if (depthwise) acc += x[(iy * wd + ix) * c + Math.floor(oc / o.dm!)] * w[(i * kw + j) * cout + oc];
      else for (let ic = 0; ic < c; ic++) acc += x[(iy * wd + ix) * c + ic] * w[((oc * kh + i) * kw + j) * c + ic];
    }
    out[(y * ow + xx) * cout + oc] = Math.min(o.clamp[1], Math.max(o.clamp[0], acc));
  }
  return { data: out, shape: [1, oh, ow, cout] };
}

function runFloat(bytes: Uint8Array, input: Float32Array, shape: number[]): Float32Array {
  const [[y]] = runModel(bytes, 'gen.tflite', [[{ dtype: 'float32', shape, data: input }]], { target: 'host' });
  return y.data as Float32Array;
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  const c = compareFloats(actual, expected, { rtol: 1e-5, atol: 1e-5 });
  assert.ok(c.ok, `${what}: ${describeComparison(c)}`);
}

test('float32: CONV_2D (SAME, stride 2, RELU6) → DEPTHWISE_CONV_2D (multiplier 2, RELU) → MAX_POOL_2D → FULLY_CONNECTED → SOFTMAX (beta)', () => {
  const rng = mulberry32(11);
  const x = randomFloats(rng, 7 * 6 * 3, -1, 1);
  const w1 = randomFloats(rng, 4 * 3 * 3 * 3, -1, 1);
  const b1 = Array.from(randomFloats(rng, 4, -0.5, 0.5));
  const w2 = randomFloats(rng, 3 * 3 * 8, -1, 1);
  const b2 = Array.from(randomFloats(rng, 8, -0.5, 0.5));
  const wf = randomFloats(rng, 5 * 16, -1, 1);
  const bf = Array.from(randomFloats(rng, 5, -0.5, 0.5));
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape: [1, 7, 6, 3] },
      { name: 'w1', shape: [4, 3, 3, 3], data: Array.from(w1) }, { name: 'b1', shape: [4], data: b1 },
      { name: 'c1', shape: [1, 4, 3, 4] },
      { name: 'w2', shape: [1, 3, 3, 8], data: Array.from(w2) }, { name: 'b2', shape: [8], data: b2 },
      { name: 'c2', shape: [1, 4, 3, 8] },
      { name: 'p', shape: [1, 2, 1, 8] },
      { name: 'wf', shape: [5, 16], data: Array.from(wf) }, { name: 'bf', shape: [5], data: bf },
      { name: 'f', shape: [1, 5] },
      { name: 'y', shape: [1, 5] },
    ],
    inputs: [0],
    outputs: [11],
    operators: [
      { op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], options: conv2dOptions({ padding: 'SAME', stride: [2, 2], activation: 3 }) },
      { op: 'DEPTHWISE_CONV_2D', inputs: [3, 4, 5], outputs: [6], options: depthwiseOptions({ padding: 'SAME', multiplier: 2, activation: 1 }) },
      { op: 'MAX_POOL_2D', inputs: [6], outputs: [7], options: poolOptions({ padding: 'VALID', stride: [2, 2], filter: [2, 2] }) },
      { op: 'FULLY_CONNECTED', inputs: [7, 8, 9], outputs: [10], options: fullyConnectedOptions() },
      { op: 'SOFTMAX', inputs: [10], outputs: [11], options: softmaxOptions(0.5) },
    ],
  });
  const c1 = refConv(x, [1, 7, 6, 3], w1, [4, 3, 3, 3], b1, { pad: 'SAME', stride: [2, 2], clamp: [0, 6] });
  assert.equal(c1.shape, [1, 4, 3, 4]);
  const c2 = refConv(c1.data, c1.shape, w2, [1, 3, 3, 8], b2, { pad: 'SAME', stride: [1, 1], dm: 2, clamp: [0, Infinity] });
  const p = new Float32Array(16);
  for (let y = 0; y < 2; y++) for (let ch = 0; ch < 8; ch++) {
    let m = -Infinity;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) m = Math.max(m, c2.data[((2 * y + i) * 3 + j) * 8 + ch]);
    p[y * 8 + ch] = m;
  }
  const f = Array.from({ length: 5 }, (_, n) => bf[n] + p.reduce((s, v, k) => s + v * wf[n * 16 + k], 0));
  const e = f.map((v) => Math.exp(0.5 * (v - Math.max(...f))));
  const expected = Float32Array.from(e.map((v) => v / e.reduce((a, b) => a + b, 0)));
  assertClose(runFloat(bytes, x, [1, 7, 6, 3]), expected, 'softmax output');
});

test('float32: ADD (RELU) → MUL (RELU_N1_TO_1) → CONCATENATION (axis −1) → PAD → MEAN (keep_dims) → LOGISTIC → RESHAPE → FULLY_CONNECTED (keep_num_dims)', () => {
  const rng = mulberry32(5);
  const x = randomFloats(rng, 2 * 3 * 2, -2, 2);
  const k = randomFloats(rng, 2 * 3 * 2, -2, 2);
  const wf = randomFloats(rng, 3 * 4, -1, 1);
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape: [1, 2, 3, 2] },
      { name: 'k', shape: [1, 2, 3, 2], data: Array.from(k) },
      { name: 'a', shape: [1, 2, 3, 2] },
      { name: 'half', shape: [1], data: [0.5] },
      { name: 'm', shape: [1, 2, 3, 2] },
      { name: 'c', shape: [1, 2, 3, 4] },
      { name: 'paddings', shape: [4, 2], type: 'int32', data: [0, 0, 1, 0, 0, 1, 0, 0] },
      { name: 'pd', shape: [1, 3, 4, 4] },
      { name: 'axes', shape: [1], type: 'int32', data: [-2] },
      { name: 'mean', shape: [1, 3, 1, 4] },
      { name: 's', shape: [1, 3, 1, 4] },
      { name: 'r', shape: [1, 3, 4] },
      { name: 'wf', shape: [3, 4], data: Array.from(wf) },
      { name: 'y', shape: [1, 3, 3] },
    ],
    inputs: [0],
    outputs: [13],
    operators: [
      { op: 'ADD', inputs: [0, 1], outputs: [2], options: activationOptions(OptionsType.AddOptions, 1) },
      { op: 'MUL', inputs: [2, 3], outputs: [4], options: activationOptions(OptionsType.MulOptions, 2) },
      { op: 'CONCATENATION', inputs: [4, 0], outputs: [5], options: concatOptions(-1) },
      { op: 'PAD', inputs: [5, 6], outputs: [7] },
      { op: 'MEAN', inputs: [7, 8], outputs: [9], options: reducerOptions(true) },
      { op: 'LOGISTIC', inputs: [9], outputs: [10] },
      { op: 'RESHAPE', inputs: [10], outputs: [11] },
      { op: 'FULLY_CONNECTED', version: 5, inputs: [11, 12, -1], outputs: [13], options: fullyConnectedOptions({ keepNumDims: true }) },
    ],
  });
  const mIn = Array.from(x, (v, i) => Math.min(1, Math.max(-1, Math.max(0, v + k[i]) * 0.5)));
  const c = new Float32Array(24);
  for (let p = 0; p < 6; p++) for (let ch = 0; ch < 4; ch++) c[p * 4 + ch] = ch < 2 ? mIn[p * 2 + ch] : x[p * 2 + ch - 2];
  // PAD: one row before (H), one column after (W); then the mean over W (4 cells, zeros included).
  const s = new Float32Array(12);
  for (let h = 0; h < 3; h++) for (let ch = 0; ch < 4; ch++) {
    let sum = 0;
    for (let w = 0; w < 3; w++) sum += h === 0 ? 0 : c[((h - 1) * 3 + w) * 4 + ch];
    s[h * 4 + ch] = 1 / (1 + Math.exp(-sum / 4));
  }
  const expected = new Float32Array(9);
  for (let row = 0; row < 3; row++) for (let n = 0; n < 3; n++) expected[row * 3 + n] = [0, 1, 2, 3].reduce((acc, j) => acc + s[row * 4 + j] * wf[n * 4 + j], 0);
  assertClose(runFloat(bytes, x, [1, 2, 3, 2]), expected, 'output');
  const g = importTflite(bytes, 'gen.tflite', 'gen');
  assert.equal(g.nodes.map((n) => n.op), ['add', 'clip', 'mul', 'clip', 'concat', 'pad', 'reduce_mean', 'sigmoid', 'reshape', 'reshape', 'gemm', 'reshape']);
});

test('hybrid float32 model (int8 weights with a scale): weights dequantized at compile time', () => {
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape: [1, 4] },
      { name: 'w', shape: [2, 4], type: 'int8', data: [1, -2, 3, -4, 5, 6, -7, 8], quant: { scale: [0.5, 0.25], zeroPoint: [0, 0], axis: 0 } },
      { name: 'y', shape: [1, 2] },
    ],
    inputs: [0],
    outputs: [2],
    operators: [{ op: 'FULLY_CONNECTED', version: 3, inputs: [0, 1, -1], outputs: [2], options: fullyConnectedOptions() }],
  });
  const y = runFloat(bytes, Float32Array.of(1, 2, 3, 4), [1, 4]);
  assertClose(y, Float32Array.of(0.5 * (1 - 4 + 9 - 16), 0.25 * (5 + 12 - 21 + 32)), 'output');
});

test('QUANTIZE → DEQUANTIZE: a float32 model with an int8 middle', () => {
  const q = { scale: [0.1], zeroPoint: [3] };
  const bytes = buildTflite({
    tensors: [{ name: 'x', shape: [1, 6] }, { name: 'q', shape: [1, 6], type: 'int8', quant: q }, { name: 'y', shape: [1, 6] }],
    inputs: [0],
    outputs: [2],
    operators: [{ op: 'QUANTIZE', inputs: [0], outputs: [1] }, { op: 'DEQUANTIZE', version: 2, inputs: [1], outputs: [2] }],
  });
  const g = importTflite(bytes, 'qd.tflite', 'qd');
  assert.equal(g.nodes.map((n) => n.op), ['quantize', 'dequantize']);
  assert.equal(g.tensor('q').quant, { scale: [Math.fround(0.1)], zeroPoint: [3] });
  const x = Float32Array.of(-20, -0.26, 0, 0.04, 0.15, 30);
  const expected = Float32Array.from(x, (v) => Math.fround(0.1) * (Math.min(127, Math.max(-128, Math.round(v / Math.fround(0.1)) + 3)) - 3));
  assertClose(runFloat(bytes, x, [1, 6]), expected, 'round trip');
});

test.run();
