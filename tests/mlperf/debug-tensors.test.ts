/**
 * The debug facility the per-layer proofs stand on: `planMemory(..., { reuse: false })` /
 * `CompileOptions.debugTensors` give every runtime tensor arena space of its own (no sharing, no in-place
 * kernels), and `runWithIntermediates` (src/run/debug.ts: -DUTVM_DEBUG build, the arena written after the run) returns
 * every tensor after one host run. Checked on the residual e2e model, whose normal plan reuses memory
 * and runs relu and sigmoid in place: in the dump each tensor must still hold what its own node wrote.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { runWithIntermediates } from '../../src/run/debug.js';
import { runModel } from '../../src/run/index.js';
import { residualModel, randomCase } from '../util/e2e-models.js';
import { checkLayers, fnv1a, readBaseline, summarizeLayers } from '../util/mlperf.js';
import type { TensorValue } from '../../src/io/tensor-value.js';

const floats = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.length / 4);

test('FNV-1a 32-bit: the published test vectors', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.is(fnv1a(enc('')), '811c9dc5');
  assert.is(fnv1a(enc('a')), 'e40c292c');
  assert.is(fnv1a(enc('foobar')), 'bf9cf968');
});

test('the TFLM baseline parses: outputs, per-layer hashes with operators, for the four models', () => {
  const b = readBaseline();
  assert.equal(Object.fromEntries(Object.entries(b).map(([k, m]) => [k, [m.output.length, m.layers.length]])), {
    ic: [10, 16],
    kws: [12, 13],
    vww: [2, 31],
    ad: [640, 10],
  });
  assert.equal(b.kws.output, [-128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, 127]);
  assert.equal(b.ic.layers[3], { index: 3, op: 'ADD', hash: '8aaf974e', bytes: 16384 });
  assert.equal(b.vww.layers.at(-1), { index: 30, op: 'SOFTMAX', hash: '3a5f7f09', bytes: 2 });
  for (const m of Object.values(b)) for (const l of m.layers) assert.ok(/^[A-Z_0-9]+$/.test(l.op), `layer ${l.index} has an operator`);
});

test('checkLayers names the first layer that differs, with its operator and both hashes', () => {
  const a = new Uint8Array([1, 2, 3]);
  const layers = [
    { index: 0, op: 'CONV_2D', hash: fnv1a(a), bytes: 3 },
    { index: 1, op: 'ADD', hash: fnv1a(a), bytes: 3 },
    { index: 2, op: 'SOFTMAX', hash: fnv1a(a), bytes: 3 },
  ];
  const tensors = new Map([['t0', a], ['t1', new Uint8Array([1, 2, 4])], ['t2', a]]);
  const checks = checkLayers(['t0', 't1', 't2'], tensors, layers);
  assert.equal(checks.map((c) => c.ok), [true, false, true]);
  assert.is(summarizeLayers('m', checks), `m: 2/3 layers match TFLM; first difference at layer 1 (ADD) 't1': hash ${fnv1a(new Uint8Array([1, 2, 4]))} (n=3), TFLM ${fnv1a(a)} (n=3)`);
  const missing = checkLayers(['t0', 'gone', 't2'], tensors, layers);
  assert.match(summarizeLayers('m', missing), "layer 1 (ADD) 'gone': not in the arena dump");
});

test('debugTensors: every runtime tensor has its own bytes, none in place; the default plan is unchanged', () => {
  const model = residualModel().bytes;
  const normal = compile(model, 'res.onnx', { name: 'res', board: 'host' });
  const debug = compile(model, 'res.onnx', { name: 'res', board: 'host', debugTensors: true });
  const again = compile(model, 'res.onnx', { name: 'res', board: 'host', debugTensors: false });
  assert.equal(again.files, normal.files, 'debugTensors: false is the default');
  assert.ok(normal.plan.buffers.some((b) => b.tensors.length > 1 && b.tensors[0] !== 'concat_out0_nhwc'), 'the normal plan runs something in place');
  const tensors = debug.plan.buffers.filter((b) => b.kind === 'tensor');
  for (const b of tensors) {
    // Only aliases (reshape) share a buffer in a debug plan.
    for (const t of b.tensors.slice(1)) assert.is(debug.graph.producers().get(t)?.op, 'reshape', `${t} shares ${b.id}`);
  }
  const sorted = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    assert.ok(sorted[i - 1].offset + sorted[i - 1].bytes <= sorted[i].offset, `${sorted[i - 1].id} and ${sorted[i].id} overlap`);
  }
  assert.is(debug.plan.arenaBytes, tensors.reduce((s, b) => s + b.bytes, 0), 'arena = the sum of all tensor buffers');
  assert.ok(debug.plan.arenaBytes > normal.plan.arenaBytes);
});

test('runWithIntermediates: the dump holds the input, each intermediate as its node computed it, and the output', () => {
  const model = residualModel();
  const [x] = randomCase(model, 11);
  const input: TensorValue = { dtype: 'float32', shape: x.shape, data: x.data };
  const t = runWithIntermediates(model.bytes, 'res.onnx', [input]);
  const [[y]] = runModel(model.bytes, 'res.onnx', [[input]], { target: 'host' });

  assert.equal([...floats(t.get('x')!)], [...(input.data as Float32Array)], 'the graph input is not overwritten');
  assert.equal([...floats(t.get('y')!)], [...(y.data as Float32Array)], 'output = the normal build\'s output');
  // NCHW [1,4,9,7] → NHWC: the layout transpose at the input.
  const nhwc = floats(t.get('convA_transpose_1')!);
  const xs = input.data as Float32Array;
  for (let c = 0; c < 4; c++) for (let p = 0; p < 63; p++) assert.is(nhwc[p * 4 + c], xs[c * 63 + p]);
  // skip = convB + x (NHWC), then reluB = max(skip, 0) in place in a normal build: here both survive.
  const convB = floats(t.get('convB_conv2d')!);
  const skip = floats(t.get('skip_out0_nhwc')!);
  const relu = floats(t.get('reluB_out0_nhwc')!);
  for (let i = 0; i < skip.length; i++) {
    assert.is(skip[i], Math.fround(convB[i] + nhwc[i]), `skip[${i}]`);
    assert.is(relu[i], Math.max(skip[i], 0), `reluB[${i}]`);
  }
  assert.ok(skip.some((v) => v < 0), 'some sums are negative: the relu input was kept, not overwritten');
  // sigmoid of branch2, in place in a normal build.
  const pre = floats(t.get('branch2_conv2d')!);
  const sig = floats(t.get('sig_out0_nhwc')!);
  for (let i = 0; i < pre.length; i++) assert.ok(Math.abs(sig[i] - 1 / (1 + Math.exp(-pre[i]))) < 1e-6, `sigmoid[${i}]`);
});

test.run();
