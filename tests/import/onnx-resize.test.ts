/**
 * ONNX Resize (opsets 10, 11, 19) and Upsample (7, 9) against onnxruntime-node (tests/util/resize-models.ts
 * describes the cases): each opset's cases are the outputs of one model, compiled and run once on the
 * host, every output within 1e-4 relative / 1e-5 absolute of onnxruntime; the reference interpreter
 * (createInterpreter) on the opset-19 model within 1e-5 of each output's max |value|. The int8 QDQ model
 * within 1 LSB of onnxruntime, with nearest on the int8 bytes and linear on the integer bilinear kernel
 * (the cubic and extrapolating cases stay float islands), on the host and in one emulated Cortex-M7 run;
 * the operators' `reference` on int8 (linear with ONNX coordinates, nearest) equals their kernels byte for
 * byte, and on float32 (nearest with extrapolation, linear, cubic) within 1e-6.
 * Refusals: antialias=1, a resized channel axis, exclude_outside without cubic, Resize before opset 10, a
 * runtime scales input (exact messages).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, importGraph } from '../../src/compile.js';
import { UtvmError } from '../../src/diagnostics.js';
import { runCompiled, targetBoard } from '../../src/run/index.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { Graph } from '../../src/ir/graph.js';
import { getOp } from '../../src/ops/index.js';
import { addNode, runLoweredMany } from '../util/run-lowered.js';
import { randomInts } from '../util/random.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { X2_SHAPE, X3_SHAPE, X_SHAPE, buildLegacyModel, buildQdqModel, buildResizeModel, opset11Cases, opset19Cases } from '../util/resize-models.js';

const rng = mulberry32(1515);
const value = (shape: number[]): TensorValue => ({ dtype: 'float32', shape, data: randomFloats(rng, shape.reduce((a, b) => a * b), -3, 3) });
const X = value(X_SHAPE);
const X3 = value(X3_SHAPE);
const X2 = value(X2_SHAPE);

function inputsOf(names: string[]): TensorValue[] {
  return names.map((n) => (n === 'x3' ? X3 : n === 'x2' ? X2 : X));
}

/** Compiles for `board`, runs once, and returns the outputs with the program's kernels. */
function compileAndRun(bytes: Uint8Array, name: string, board: 'host' | 'qemu', inputs: TensorValue[]): { outputs: TensorValue[]; kernels: string[] } {
  const result = compile(bytes, `${name}.onnx`, { name, board: targetBoard(board) });
  return { outputs: runCompiled(result, [inputs])[0], kernels: result.program.kernels };
}

async function ort(bytes: Uint8Array, names: string[]): Promise<TensorValue[]> {
  return runOnnxRuntime(bytes, names.map((n, i) => ({ name: n, ...inputsOf(names)[i] })));
}

function assertClose(label: string, ours: TensorValue[], theirs: TensorValue[], names: string[]): void {
  assert.is(ours.length, theirs.length, `${label}: number of outputs`);
  theirs.forEach((t, i) => {
    assert.equal(ours[i].shape, t.shape, `${label} ${names[i]}: shape`);
    const c = compareFloats(ours[i].data as Float32Array, t.data as Float32Array, { rtol: 1e-4, atol: 1e-5 });
    assert.ok(c.ok, `${label} ${names[i]}: ${describeComparison(c)}`);
  });
}

const MODEL19 = buildResizeModel(19, opset19Cases());
const INPUTS19 = ['x', 'x3', 'x2'];

test('Resize opset 19: every nearest_mode × coordinate mode, linear, cubic, crop, axes, aspect policies, 2-/3-/4-D — host = onnxruntime', async () => {
  const cases = opset19Cases();
  const { outputs, kernels } = compileAndRun(MODEL19, 'resize19', 'host', inputsOf(INPUTS19));
  assertClose('opset 19', outputs, await ort(MODEL19, INPUTS19), cases.map((c) => c.name));
  for (const k of ['utvm_resize_nearest', 'utvm_resize_taps_f32']) assert.ok(kernels.includes(k), `${k} in ${kernels}`);
  // The cases resize both ways: some output axis grows and some shrinks.
  const shapes = outputs.map((o) => o.shape);
  assert.ok(shapes.some((s) => s.length === 4 && s[2] > 5 && s[3] < 7) && shapes.some((s) => s.length === 4 && s[2] < 5 && s[3] > 7));
  assert.ok(outputs.some((o) => [...(o.data as Float32Array)].includes(-2.5)), 'tf_crop_and_resize writes the extrapolation value');
});

test('the reference interpreter on the opset-19 model = onnxruntime within 1e-5 of each output’s max |value|', async () => {
  const theirs = await ort(MODEL19, INPUTS19);
  const ours = createInterpreter(importGraph(MODEL19, 'resize19.onnx', 'resize19')).run(inputsOf(INPUTS19)).outputs;
  const names = opset19Cases().map((c) => c.name);
  theirs.forEach((t, i) => {
    const max = Math.max(...[...(t.data as Float32Array)].map(Math.abs));
    const c = compareFloats(ours[i].data as Float32Array, t.data as Float32Array, { rtol: 0, atol: 1e-5 * max });
    assert.ok(c.ok, `${names[i]}: ${describeComparison(c)}`);
  });
});

test('Resize opset 11 (tf_half_pixel_for_nn, empty roi / scales inputs) — host = onnxruntime', async () => {
  const bytes = buildResizeModel(11, opset11Cases());
  const { outputs } = compileAndRun(bytes, 'resize11', 'host', [X]);
  assertClose('opset 11', outputs, await ort(bytes, ['x']), opset11Cases().map((c) => c.name));
});

for (const [op, opset] of [['Resize', 10], ['Upsample', 9], ['Upsample', 7]] as const) {
  test(`${op} opset ${opset}: nearest and linear from scales, up${op === 'Resize' ? ' and down' : ''} — host = onnxruntime`, async () => {
    const { bytes, names } = buildLegacyModel(op, opset);
    const { outputs } = compileAndRun(bytes, `${op}${opset}`.toLowerCase(), 'host', [X]);
    assertClose(`${op} ${opset}`, outputs, await ort(bytes, ['x']), names);
  });
}

async function checkQdq(board: 'host' | 'qemu', type: 'int8' | 'uint8' = 'int8'): Promise<void> {
  const QDQ = buildQdqModel(type);
  const result = compile(QDQ, `resize_qdq_${board}.onnx`, { name: `resize_qdq_${board}`, board: targetBoard(board) });
  const outputs = runCompiled(result, [[X]])[0];
  const kernels = result.program.kernels;
  const theirs = await ort(QDQ, ['x']);
  for (const k of ['utvm_resize_nearest', 'utvm_resize_bilinear_s8', 'utvm_resize_taps_f32']) assert.ok(kernels.includes(k), `${k} in ${kernels}`);
  let worst = 0;
  theirs.forEach((t, i) => {
    assert.equal(outputs[i].shape, t.shape, `output ${i} shape`);
    assert.is(outputs[i].dtype, type);
    (t.data as Int8Array).forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (outputs[i].data as Int8Array)[j]))));
  });
  assert.ok(worst <= 1, `${board}: int8 outputs within 1 LSB of onnxruntime (worst ${worst})`);
  if (process.env.UTVM_REPORT) console.log(`  ${board} ${type}: worst ${worst} LSB`);
}

test('int8 QDQ Resize (nearest on the bytes, linear on the integer kernel, float islands) — host within 1 LSB of onnxruntime', () => checkQdq('host'));
test('uint8 QDQ Resize (onnxruntime quantizer\'s default activations) — host within 1 LSB of onnxruntime', () => checkQdq('host', 'uint8'));
test('int8 QDQ Resize on qemu-mps2-an500 (one run) within 1 LSB of onnxruntime', () => checkQdq('qemu'));

test('int8 and float32 resize nodes with ONNX coordinates: kernels = reference (int8 byte for byte, float32 within 1e-6)', () => {
  const g = new Graph('r');
  const quant = { scale: [0.03], zeroPoint: [5] };
  g.addTensor({ name: 'q', dtype: 'int8', shape: [2, 5, 7, 3], quant });
  g.addTensor({ name: 'f', dtype: 'float32', shape: [2, 5, 7, 3] });
  const q = Int8Array.from(randomInts(rng, 2 * 5 * 7 * 3, -128, 127));
  const f = randomFloats(rng, 2 * 5 * 7 * 3, -2, 2);
  const base = { coordinate: 'half_pixel', nearest: 'round_prefer_floor', cubicA: -0.75, excludeOutside: false, extrapolation: 0.25, roi: [0, 0, 1, 1] };
  const spec = (over: object, size: [number, number]) => ({ size, alignCorners: false, halfPixelCenters: false, onnx: { ...base, scales: [size[0] / 5, size[1] / 7], resized: [size[0], size[1]], ...over } });
  const nodes = [
    addNode(g, 'resize_bilinear', ['q'], spec({}, [8, 4]), 'q_linear_half'),
    addNode(g, 'resize_bilinear', ['q'], spec({ coordinate: 'align_corners' }, [3, 12]), 'q_linear_align'),
    addNode(g, 'resize_bilinear', ['q'], spec({ coordinate: 'pytorch_half_pixel', scales: [1.7, 0.6] }, [8, 4]), 'q_linear_pytorch'),
    addNode(g, 'resize_nearest', ['q'], spec({ nearest: 'ceil', coordinate: 'asymmetric' }, [9, 5]), 'q_nearest'),
    addNode(g, 'resize_nearest', ['f'], spec({ coordinate: 'tf_crop_and_resize', roi: [-0.3, 0.1, 1.2, 0.8] }, [6, 5]), 'f_nearest_crop'),
    addNode(g, 'resize_bilinear', ['f'], spec({ coordinate: 'tf_crop_and_resize', roi: [0.2, -0.4, 0.9, 1.1] }, [4, 9]), 'f_linear_crop'),
    addNode(g, 'resize_cubic', ['f'], spec({ excludeOutside: true, cubicA: -0.5 }, [9, 6]), 'f_cubic'),
  ];
  const runs = runLoweredMany(g, nodes, { q, f });
  nodes.forEach((n, i) => {
    const x = g.tensor(n.inputs[0]);
    const y = g.tensor(n.outputs[0]);
    const input = { ...x, data: x.dtype === 'int8' ? Float64Array.from(q) : Float64Array.from(f) };
    const [want] = getOp(n.op).reference!({ attrs: n.attrs, node: n, inputs: [input], outputs: [{ dtype: x.dtype === 'int8' ? 'int8' : 'float64', shape: y.shape }], setState: () => undefined });
    const got = [...runs[i].outputs[0]];
    if (x.dtype === 'int8') assert.equal(got, [...want].map(Number), n.name);
    else {
      const c = compareFloats(runs[i].outputs[0] as Float32Array, Float32Array.from(want as Float64Array), { rtol: 1e-6, atol: 1e-6 });
      assert.ok(c.ok, `${n.name}: ${describeComparison(c)}`);
    }
    if (n.name.endsWith('crop')) assert.ok(got.includes(0.25), `${n.name} extrapolates`);
  });
  assert.equal(runs.map((r) => r.calls[0].kernel), ['utvm_resize_bilinear_s8', 'utvm_resize_bilinear_s8', 'utvm_resize_bilinear_s8', 'utvm_resize_nearest', 'utvm_resize_taps_f32', 'utvm_resize_taps_f32', 'utvm_resize_taps_f32']);
});

function refusal(build: (b: OnnxModelBuilder) => void, opset: number, code: string, message: string): void {
  const b = new OnnxModelBuilder({ opset });
  b.input('x', 'float32', X_SHAPE);
  build(b);
  b.output('y', 'float32');
  try {
    compile(b.encode(), 'bad.onnx', { name: 'bad', board: targetBoard('host') });
    assert.unreachable('compiled');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, code);
    assert.is((e as Error).message, message);
  }
}

test('refusals: antialias, a resized channel axis, exclude_outside on linear, Resize before opset 10, a runtime scales input', () => {
  const scales = (b: OnnxModelBuilder, s: number[]) => b.initializer('s', 'float32', [4], s);
  refusal((b) => b.node('Resize', ['x', '', scales(b, [1, 1, 0.5, 0.5])], { mode: 'linear', antialias: 1 }, { name: 'r', outputs: ['y'] }), 18, 'E_UNSUPPORTED_ATTR',
    "bad.onnx: node 'r' (Resize): antialias=1 (the anti-aliasing filter is not implemented) is not supported");
  refusal((b) => b.node('Resize', ['x', '', scales(b, [1, 2, 1, 1])], { mode: 'nearest' }, { name: 'r', outputs: ['y'] }), 13, 'E_UNSUPPORTED_ATTR',
    "bad.onnx: node 'r' (Resize): resizing axis 1 (scale 2, size 3 → 6): only the spatial axes 2 and 3 of a rank-4 input are resized is not supported");
  refusal((b) => b.node('Resize', ['x', '', scales(b, [1, 1, 2, 2])], { mode: 'linear', exclude_outside: 1 }, { name: 'r', outputs: ['y'] }), 13, 'E_MODEL_INVALID',
    "bad.onnx: node 'r' (Resize): exclude_outside=1 with mode='linear' (cubic only)");
  refusal((b) => b.node('Resize', ['x', scales(b, [1, 1, 2, 2])], { mode: 'nearest' }, { name: 'r', outputs: ['y'] }), 9, 'E_MODEL_INVALID',
    "bad.onnx: node 'r' (Resize): Resize does not exist before opset 10 (this model imports opset 9)");
  refusal((b) => {
    b.input('s', 'float32', [4]);
    b.node('Resize', ['x', '', 's'], { mode: 'nearest' }, { name: 'r', outputs: ['y'] });
  }, 13, 'E_UNSUPPORTED_ATTR', "bad.onnx: node 'r' (Resize): the 'scales' input must be a constant, but 's' is computed at run time");
});

test.run();
