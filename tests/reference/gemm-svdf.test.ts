/**
 * The reference interpreter (src/reference/) on the dense family — gemm (TFLite FULLY_CONNECTED, ONNX
 * Gemm), matmul (ONNX MatMul), batch_matmul (TFLite BATCH_MATMUL), svdf (TFLite SVDF) — against the
 * oracles, with no C build:
 *   - the TFLite models the C tests build (tests/util/gemm-svdf-models.ts: FULLY_CONNECTED float32 / int8
 *     with every fused activation, per-tensor and per-channel weights, keep_num_dims, extreme zero points
 *     and a multiplier above 1; 16x8 FULLY_CONNECTED with int64, int32 and no bias; BATCH_MATMUL with every
 *     adj_x / adj_y, broadcasting, rank 2–5; SVDF float32 and int8 with int8 and int16 state), plus SVDF
 *     edge cases (state saturation and the int8 state's wrap-around past its zero point): every output
 *     byte equals TFLite Micro's (tflm-run), float32 within 1e-5 of the tensor's max |value|;
 *   - the interpreter's float32 mode on the float models, within the same tolerance;
 *   - the state: SVDF's hand-computed state kept from run to run and cleared by reset();
 *   - the BigInt-free requantization the references use = src/ir/quant.ts's on 200k values;
 *   - float ONNX Gemm (transA, transB, alpha, beta, every C broadcast, no C) and MatMul (1-D operands,
 *     batch broadcasting) in float64 against onnxruntime-node within 1e-5 of the tensor's max |value|;
 *   - real models layer by layer with one seeded case: ad01_int8, ad01_fp32, hello_world_int8 whole
 *     (every layer is ours); keyword_scrambled_8bit's 7 SVDF and 5 FULLY_CONNECTED layers and
 *     micro_speech_quantized's FULLY_CONNECTED in isolation (inputs from TFLM's dump: their QUANTIZE,
 *     SOFTMAX and DEPTHWISE_CONV_2D belong to other families).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../src/ir/quant.js';
import { multiplyByQuantizedMultiplierFast } from '../../src/ir/quant.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomFloats, randomInts } from '../util/random.js';
import { addNode } from '../util/run-lowered.js';
import { Graph } from '../../src/ir/graph.js';
import { OnnxModelBuilder, float } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { TFLM_MODELS, randomCase, runTflm } from '../util/tflm.js';
import { SHARED } from '../util/mlperf.js';
import { FLOAT_RTOL, assertCloseToTflm, assertReferenceLayersMatchTflm, assertReferenceMatchesTflm, referenceOutputs } from '../util/reference.js';
import { assertOpsMatchTflmInIsolation } from '../util/reference-isolated.js';
import { TensorSpec, buildTflite } from '../util/tflite-build.js';
import {
  BuiltModel, FCS, NONE, SVDF_FLOAT_CASES, SVDF_INT8_CASES, SvdfCase, buildBatchMatmuls, buildFc16, buildFullyConnected, buildSvdf,
  randomModelCases, svdfOptions,
} from '../util/gemm-svdf-models.js';

/** The reference's outputs equal TFLM's for `count` seeded cases; returns output j of every case, concatenated, for further checks. */
function check(label: string, m: BuiltModel, seed: number, count = 3): (j: number) => number[] {
  const cases = randomModelCases(m, seed, count);
  const n = assertReferenceMatchesTflm(label, m.bytes, cases);
  assert.is(n, count * m.outputs);
  const outs = referenceOutputs(m.bytes, `${label}.tflite`, cases);
  if (m.inputs[0].dtype === 'float32') {
    // the interpreter's float32 mode (float32 tensors between nodes) is within the same tolerance
    const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
    referenceOutputs(m.bytes, `${label}.tflite`, cases, { float: 'float32' }).forEach((o, k) =>
      o.forEach((v, j) => assertCloseToTflm(`${label} (float32 mode) case ${k} output ${j}`, v, theirs[k][j])));
  }
  return (j) => outs.flatMap((o) => Array.from(o[j].data as Int8Array | Int16Array));
}

// ---------------------------------------------------------------------------------------------------
// The arithmetic

test('multiplyByQuantizedMultiplierFast (no BigInt) = src/ir/quant.ts multiplyByQuantizedMultiplier on 200k values, int32 extremes, shifts −31…8', () => {
  const rng = mulberry32(1400);
  const edges = [0, 1, -1, 2, -2, 2147483647, -2147483648, 1073741824, -1073741824, 65535, -65536, 12345678, -12345678];
  const multipliers = [0, 1 << 30, 2147483647, 1518500250, 1073741825];
  let different = 0;
  for (let i = 0; i < 200000; i++) {
    const raw = i < 4000 ? edges[i % edges.length] + (Math.floor(i / edges.length) % 3) - 1 : Math.floor((rng() * 2 - 1) * 2 ** Math.floor(rng() * 32));
    const x = Math.max(-2147483648, Math.min(2147483647, raw));
    const m = i % 5 === 0 ? multipliers[Math.floor(i / 5) % multipliers.length] : quantizeMultiplier(rng() * 4).multiplier;
    const shift = Math.min(8, Math.floor(rng() * 40) - 31);
    if (multiplyByQuantizedMultiplierFast(x, m, shift) !== multiplyByQuantizedMultiplier(x, m, shift)) different++;
  }
  assert.is(different, 0);
});

// ---------------------------------------------------------------------------------------------------
// TFLite models

for (const type of ['int8', 'float32'] as const) {
  test(`FULLY_CONNECTED ${type} (${FCS.length} cases: activations, per-channel, no bias, keep_num_dims, 4-D input, zero points ±max) = TFLM`, () => {
    const outs = check(`fc_${type}`, buildFullyConnected(type, 1401), 1402);
    if (type === 'int8') {
      const sat = outs(4);
      assert.ok(sat.includes(127) && sat.includes(-128), 'case 4 (multiplier 2.5) saturates both ways');
      assert.ok(new Set(outs(1)).size > 5, 'case 1 varies');
    }
  });
}

test('16x8 FULLY_CONNECTED (int64, int32 and no bias; per-tensor and per-channel) = TFLM', () => {
  const outs = check('fc16', buildFc16(1611), 1612, 2);
  const all = [0, 1, 2, 3].flatMap(outs);
  assert.ok(all.includes(32767) && all.includes(-32768), 'saturates both ways');
});

for (const type of ['int8', 'float32'] as const) {
  test(`BATCH_MATMUL ${type} (adj_x/adj_y, broadcasting, rank 2–5, constant B) = TFLM`, () => {
    const outs = check(`bmm_${type}`, buildBatchMatmuls(type, 1301), 1303);
    if (type === 'int8') {
      const sat = outs(3);
      assert.ok(sat.includes(127) && sat.includes(-128), 'case 3 (multiplier 2.5) saturates both ways');
    }
  });
}

/** SVDF edge cases: feature multipliers that saturate the state, an int8 state zero point that wraps it, extreme zero points. */
const SVDF_EDGES: SvdfCase[] = [
  // int8 state, zero point 100: a feature value above 27 stores past 127 and wraps, as TFLM's int8_t store does
  { batch: 2, inputSize: 6, units: 3, rank: 2, memory: 4, activation: NONE, state: 'int8', stateZp: 100, inputZp: 127, bias: true, outputZp: -128, scales: { x: 0.05, f: 0.02, s: 0.004, t: 0.01, y: 0.02 } },
  // int16 state saturating at ±32767 (feature multiplier 250), output multiplier above 1 (1.6)
  { batch: 1, inputSize: 11, units: 4, rank: 1, memory: 3, activation: NONE, state: 'int16', stateZp: 0, inputZp: -128, bias: true, outputZp: 127, scales: { x: 0.5, f: 0.02, s: 0.00004, t: 0.0002, y: 0.000000005 } },
];

for (const type of ['int8', 'float32'] as const) {
  test(`SVDF ${type} (ranks 1-3, batches 1-3, ${type === 'int8' ? 'int16 and int8 state' : 'every fused activation'}) = TFLM`, () => {
    check(`svdf_${type}`, buildSvdf(type, type === 'int8' ? SVDF_INT8_CASES : SVDF_FLOAT_CASES, type === 'int8' ? 1301 : 1302), type === 'int8' ? 1303 : 1304);
  });
}

test('SVDF int8 edges: the state saturating (int16) and wrapping past its zero point (int8), zero points ±max = TFLM', () => {
  const m = buildSvdf('int8', SVDF_EDGES, 1311);
  const outs = check('svdf_edges', m, 1312, 4);
  assert.ok(new Set(outs(0)).size > 2, 'edge case 0 output varies');
  // The wrap and the saturation do happen: the state the interpreter keeps after one run.
  const it = createInterpreter(importGraph(m.bytes, 'svdf_edges.tflite', 'model'));
  const { tensors } = it.run(randomModelCases(m, 1312, 1)[0]);
  const s0 = Array.from(tensors.get('state0')!.data as Int8Array);
  const s1 = Array.from(tensors.get('state1')!.data as Int16Array);
  // newest slots hold 100 + clamp(v): −28 … 127 unwrapped, −128 … −29 wrapped
  assert.ok(s0.some((v) => v <= -29), `int8 state wrapped: ${s0.filter((_, i) => i % 4 === 3)}`);
  assert.ok(s1.includes(32767) && s1.includes(-32768), 'int16 state saturates both ways');
});

test('int8 gemm with W as [K, N] (transB = 0, the QDQ int8 form; per-channel scales on axis 1) = the same gemm with W as [N, K]', () => {
  const rng = mulberry32(1451);
  const [m, k, n] = [3, 7, 5];
  const w = Int8Array.from(randomInts(rng, n * k, -127, 127));
  const scales = Array.from({ length: n }, (_, j) => Math.fround(0.002 + 0.0005 * j));
  const run = (transB: boolean) => {
    const g = new Graph('t');
    g.addTensor({ name: 'a', dtype: 'int8', shape: [m, k], quant: { scale: [0.05], zeroPoint: [-9] } });
    const data = transB ? w : Int8Array.from({ length: n * k }, (_, i) => w[(i % n) * k + Math.floor(i / n)]);
    g.addTensor({ name: 'w', dtype: 'int8', shape: transB ? [n, k] : [k, n], data, quant: { scale: scales, zeroPoint: scales.map(() => 0), axis: transB ? 0 : 1 } });
    g.addTensor({ name: 'b', dtype: 'int32', shape: [n], data: Int32Array.from(randomInts(mulberry32(9), n, -3000, 3000)) });
    const node = addNode(g, 'gemm', ['a', 'w', 'b'], { transA: false, transB, alpha: 1, beta: 1, clamp: { min: 0, max: 6 } }, 'fc');
    g.tensor(node.outputs[0]).quant = { scale: [0.05], zeroPoint: [-20] };
    g.inputs.push('a');
    g.outputs.push(node.outputs[0]);
    return Array.from(createInterpreter(g).run([{ dtype: 'int8', shape: [m, k], data: x }]).outputs[0].data as Int8Array);
  };
  const x = Int8Array.from(randomInts(rng, m * k, -128, 127));
  const ys = run(true);
  assert.equal(run(false), ys);
  assert.ok(new Set(ys).size > 5 && ys.includes(-20) && ys.every((v) => v >= -20 && v <= 100), `varies, clamped to [0, 6] = [-20, 100]: ${ys}`);
});

/**
 * The state across runs, hand-computed: feature rows [1 2 3] and [4 5 6], time rows [1 10 100 1000] and
 * [1 1 1 1], input [1 0 0] each run: filter values 1 and 4 enter the windows at the newest end, so run 1
 * gives [1000, 4], run 2 [1100, 8] (the state kept), and after reset() [1000, 4] again.
 */
test('SVDF: the interpreter keeps the state from run to run (ctx.setState) and reset() clears it', () => {
  const tensors: TensorSpec[] = [
    { name: 'x', shape: [1, 3] },
    { name: 'wf', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
    { name: 'wt', shape: [2, 4], data: [1, 10, 100, 1000, 1, 1, 1, 1] },
    { name: 'state', shape: [1, 8], variable: true },
    { name: 'b', shape: [2], data: [0, 0] },
    { name: 'y', shape: [1, 2] },
  ];
  const bytes = buildTflite({ tensors, inputs: [0], outputs: [5], operators: [{ op: 'SVDF', inputs: [0, 1, 2, 4, 3], outputs: [5], options: svdfOptions(1, NONE) }] });
  const it = createInterpreter(importGraph(bytes, 'st.tflite', 'st'));
  const x: TensorValue = { dtype: 'float32', shape: [1, 3], data: Float32Array.from([1, 0, 0]) };
  const once = () => Array.from(it.run([x]).outputs[0].data as Float32Array);
  assert.equal([once(), once()], [[1000, 4], [1100, 8]]);
  it.reset();
  assert.equal(once(), [1000, 4]);
});

// ---------------------------------------------------------------------------------------------------
// ONNX float: Gemm and MatMul against onnxruntime

interface OnnxCase {
  op: 'Gemm' | 'MatMul';
  a: number[];
  b: number[];
  c?: number[];
  bConst?: boolean;
  attrs?: Record<string, number | ReturnType<typeof float>>;
}

const ONNX_CASES: OnnxCase[] = [
  { op: 'Gemm', a: [3, 5], b: [5, 4], c: [4] },
  { op: 'Gemm', a: [5, 3], b: [4, 5], c: [3, 1], attrs: { transA: 1, transB: 1, alpha: float(0.7), beta: float(-1.3) } },
  { op: 'Gemm', a: [2, 7], b: [7, 6], c: [1, 6], bConst: true, attrs: { alpha: float(2.5) } },
  { op: 'Gemm', a: [4, 3], b: [3, 2], c: [4, 2], attrs: { beta: float(0.5) } },
  { op: 'Gemm', a: [1, 9], b: [9, 3], c: [], bConst: true, attrs: { transB: 0 } },
  { op: 'Gemm', a: [6, 2], b: [5, 6], attrs: { transA: 1, transB: 1 } },
  { op: 'MatMul', a: [7], b: [7, 3] },
  { op: 'MatMul', a: [2, 4, 5], b: [5] },
  { op: 'MatMul', a: [2, 1, 3, 4], b: [5, 4, 6] },
  { op: 'MatMul', a: [3, 8], b: [8, 5], bConst: true },
];

test(`ONNX float Gemm (transA/transB, alpha, beta, C of every broadcast, no C) and MatMul (1-D, batch broadcast): float64 reference = onnxruntime within ${FLOAT_RTOL}`, async () => {
  const rng = mulberry32(1421);
  const m = new OnnxModelBuilder({ opset: 13 });
  const feeds: { name: string; dtype: 'float32'; shape: number[]; data: Float32Array }[] = [];
  const count = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const input = (name: string, shape: number[]) => {
    feeds.push({ name, dtype: 'float32', shape, data: randomFloats(rng, count(shape), -2, 2) });
    return m.input(name, 'float32', shape);
  };
  ONNX_CASES.forEach((c, i) => {
    const ins = [input(`a${i}`, c.a), c.bConst ? m.initializer(`b${i}`, 'float32', c.b, randomFloats(rng, count(c.b), -1, 1)) : input(`b${i}`, c.b)];
    if (c.c) ins.push(input(`c${i}`, c.c));
    const [y] = m.node(c.op, ins, c.attrs ?? {}, { name: `n${i}`, outputs: [`y${i}`] });
    m.output(y, 'float32');
  });
  const bytes = m.encode();
  const expected = await runOnnxRuntime(bytes, feeds);
  const g = importGraph(bytes, 'dense.onnx', 'dense');
  const byName = new Map(feeds.map((f) => [f.name, f]));
  const ours = createInterpreter(g).run(g.inputs.map((n) => byName.get(n)!)).outputs;
  assert.is(ours.length, ONNX_CASES.length);
  ours.forEach((o, i) => {
    const e = expected[i].data as Float32Array;
    assert.equal(o.shape, expected[i].shape, `case ${i} shape`);
    const scale = Math.max(...Array.from(e, Math.abs));
    const worst = Math.max(...Array.from(o.data as Float32Array, (v, j) => Math.abs(v - e[j])));
    assert.ok(worst <= FLOAT_RTOL * scale, `case ${i} (${ONNX_CASES[i].op}): max |err| ${worst} > ${FLOAT_RTOL} × ${scale}`);
  });
});

// ---------------------------------------------------------------------------------------------------
// Real models, layer by layer

const model = (path: string) => new Uint8Array(readFileSync(path));
const firstInput = (bytes: Uint8Array, file: string, seed: number): TensorValue => {
  const g = importGraph(bytes, file, 'model');
  const t = g.tensor(g.inputs[0]);
  return randomCase({ dtype: t.dtype, shape: t.shape }, seed);
};

for (const [label, path, layers] of [
  ['ad01_int8', join(SHARED, 'models', 'mlperf-tiny', 'ad', 'ad01_int8.tflite'), 10],
  ['ad01_fp32', join(SHARED, 'models', 'mlperf-tiny', 'ad', 'ad01_fp32.tflite'), 10],
  ['hello_world_int8', join(TFLM_MODELS, 'hello_world_int8.tflite'), 3],
] as const) {
  test(`${label}: every layer = TFLM --dump (one seeded case)`, () => {
    const bytes = model(path);
    assert.is(assertReferenceLayersMatchTflm(label, bytes, firstInput(bytes, `${label}.tflite`, 1431)), layers);
  });
}

test('keyword_scrambled_8bit: its 7 SVDF and 5 FULLY_CONNECTED layers, and micro_speech_quantized\'s FULLY_CONNECTED, in isolation = TFLM --dump', () => {
  const kws = model(join(TFLM_MODELS, 'keyword_scrambled_8bit.tflite'));
  const done = assertOpsMatchTflmInIsolation('keyword_scrambled_8bit', kws, firstInput(kws, 'kws.tflite', 1441), ['svdf', 'gemm']);
  assert.is(done.length, 12);
  const speech = model(join(TFLM_MODELS, 'micro_speech_quantized.tflite'));
  assert.is(assertOpsMatchTflmInIsolation('micro_speech_quantized', speech, firstInput(speech, 'speech.tflite', 1442), ['gemm']).length, 1);
});

test.run();
