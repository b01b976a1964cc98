/**
 * ONNX ConvTranspose (onto transpose_conv), DepthToSpace and SpaceToDepth (depth_to_space /
 * space_to_depth): one model holds every case — ConvTranspose 2-D and 1-D with strides, explicit pads,
 * output_padding, dilations, group (2, and one group per channel), auto_pad SAME_UPPER / SAME_LOWER /
 * VALID, output_shape (with an implicit output padding), kernel 1 × 1 with
 * gaps, a bias; DepthToSpace DCR and CRD, SpaceToDepth; a Conv → DepthToSpace → Conv sandwich; and
 * QDQ-wrapped ConvTranspose (per-channel int8 weights, int32 bias) and DepthToSpace on int8 — compiled
 * once for the host (two random cases) and compared with onnxruntime-node: float outputs within 1e-4
 * relative / 1e-5 absolute, quantized outputs within 1 LSB; the same model once on the emulated
 * Cortex-M7 (both cases in one QEMU run, equal to the host's results); the reference interpreter on the
 * float cases within 1e-5 of each output's max |value|; and the import errors, word for word.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, importGraph, loadGraph } from '../../src/compile.js';
import { runCompiled } from '../../src/run/index.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { UtvmError } from '../../src/diagnostics.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import type { AttrValue } from '../util/onnx-build.js';
import { NamedTensor, runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';

const TOL = { rtol: 1e-4, atol: 1e-5 };
const count = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Case {
  label: string;
  x: number[];
  /** Output scale of a quantized case (compared within 1 LSB). */
  lsb?: number;
}

const rng = mulberry32(15);
const cases: Case[] = [];
const b = new OnnxModelBuilder({ opset: 13 });

function input(label: string, shape: number[], lsb?: number): string {
  cases.push({ label, x: shape, ...(lsb ? { lsb } : {}) });
  return b.input(`x_${label}`, 'float32', shape);
}

function weights(name: string, shape: number[]): string {
  return b.initializer(name, 'float32', shape, randomFloats(rng, count(shape), -1, 1));
}

function out(y: string): void {
  b.output(y, 'float32');
}

function convTranspose(label: string, x: number[], w: number[], attrs: Record<string, AttrValue>, bias = false): void {
  const xi = input(label, x);
  const m = w[1] * ((attrs.group as number | undefined) ?? 1);
  const ins = [xi, weights(`w_${label}`, w), ...(bias ? [weights(`b_${label}`, [m])] : [])];
  out(b.node('ConvTranspose', ins, attrs, { outputs: [`y_${label}`] })[0]);
}

// ConvTranspose, float32
convTranspose('pads_adj', [1, 3, 5, 4], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 0, 0, 1], output_padding: [1, 0] }, true);
convTranspose('group_dil', [2, 4, 3, 5], [4, 3, 2, 3], { group: 2, dilations: [2, 1], strides: [1, 2] }, true);
convTranspose('same_upper', [1, 2, 3, 4], [2, 3, 3, 2], { auto_pad: 'SAME_UPPER', strides: [2, 3] });
convTranspose('same_lower', [1, 2, 4, 3], [2, 1, 4, 3], { auto_pad: 'SAME_LOWER', strides: [2, 2] }, true);
convTranspose('valid', [1, 2, 3, 3], [2, 2, 2, 2], { auto_pad: 'VALID', strides: [2, 1] });
convTranspose('out_shape', [1, 1, 3, 4], [1, 2, 3, 3], { strides: [3, 2], output_shape: [8, 10] }, true);
convTranspose('conv1d', [1, 3, 7], [3, 4, 3], { strides: [2], pads: [1, 2], dilations: [2] }, true);
convTranspose('depthwise1d', [1, 3, 5], [3, 1, 2], { group: 3, strides: [3], output_shape: [15] }, true);
convTranspose('gaps1x1', [1, 2, 3, 3], [2, 2, 1, 1], { strides: [2, 2], kernel_shape: [1, 1] });

// DepthToSpace / SpaceToDepth, float32
out(b.node('DepthToSpace', [input('d2s_dcr', [2, 8, 3, 2])], { blocksize: 2 }, { outputs: ['y_d2s_dcr'] })[0]);
out(b.node('DepthToSpace', [input('d2s_crd', [1, 18, 2, 3])], { blocksize: 3, mode: 'CRD' }, { outputs: ['y_d2s_crd'] })[0]);
out(b.node('SpaceToDepth', [input('s2d', [1, 3, 4, 6])], { blocksize: 2 }, { outputs: ['y_s2d'] })[0]);

// Conv → DepthToSpace (pixel shuffle) → Conv: the block move is the only copy between the convolutions.
{
  const xi = input('sandwich', [1, 3, 4, 5]);
  const [c1] = b.node('Conv', [xi, weights('w_s1', [8, 3, 3, 3])], { pads: [1, 1, 1, 1] });
  const [d] = b.node('DepthToSpace', [c1], { blocksize: 2, mode: 'CRD' });
  out(b.node('Conv', [d, weights('w_s2', [3, 2, 3, 3])], { pads: [1, 1, 1, 1] }, { outputs: ['y_sandwich'] })[0]);
}

// The float cases alone, for the reference interpreter (QDQ graphs run there through the quantize /
// dequantize references, issue 14's).
const floatModel = b.encode();
const floatCases = cases.length;

// QDQ: int8 activations (scale 1/64, zero point 3 in; the output's scale below), per-channel int8 weights.
function qdq(x: string, scale: number, zp: number, label: string): string {
  const s = b.initializer(`s_${label}`, 'float32', [], [scale]);
  const z = b.initializer(`z_${label}`, 'int8', [], [zp]);
  const [q] = b.node('QuantizeLinear', [x, s, z]);
  return b.node('DequantizeLinear', [q, s, z])[0];
}
{
  const lsb = 1 / 16;
  const xi = input('q_tconv', [1, 4, 3, 5], lsb);
  const [c, mg, k] = [4, 3, 3];
  const wq = Int8Array.from({ length: c * mg * k * k }, () => Math.floor(rng() * 255) - 127);
  const ws = [0.011, 0.007, 0.013];
  const wi = b.initializer('wq_tconv', 'int8', [c, mg, k, k], wq);
  const wsi = b.initializer('ws_tconv', 'float32', [mg], ws);
  const wzi = b.initializer('wz_tconv', 'int8', [mg], [0, 0, 0]);
  const [wd] = b.node('DequantizeLinear', [wi, wsi, wzi], { axis: 1 });
  const bs = ws.map((s) => s / 64);
  const bi = b.initializer('bq_tconv', 'int32', [mg], [300, -2000, 45]);
  const [bd] = b.node('DequantizeLinear', [bi, b.initializer('bs_tconv', 'float32', [mg], bs), b.initializer('bz_tconv', 'int32', [mg], [0, 0, 0])], { axis: 0 });
  const [y] = b.node('ConvTranspose', [qdq(xi, 1 / 64, 3, 'qx'), wd, bd], { strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [0, 1] });
  out(b.node('Identity', [qdq(y, lsb, -5, 'qy')], {}, { outputs: ['y_q_tconv'] })[0]);
}
{
  const lsb = 1 / 64;
  const xi = input('q_d2s', [1, 8, 2, 3], lsb);
  const [d] = b.node('DepthToSpace', [qdq(xi, lsb, 0, 'qd')], { blocksize: 2 });
  out(b.node('Identity', [qdq(d, lsb, 0, 'qd2')], {}, { outputs: ['y_q_d2s'] })[0]);
}

const model = b.encode();
const caseInputs = (seed: number): NamedTensor[] => {
  const r = mulberry32(seed);
  return cases.map((c) => ({ name: `x_${c.label}`, dtype: 'float32', shape: c.x, data: randomFloats(r, count(c.x), -1, 1) }));
};
const inputs = [caseInputs(1), caseInputs(2)];
const values = (ins: NamedTensor[]): TensorValue[] => ins.map(({ dtype, shape, data }) => ({ dtype, shape, data }));

let host: TensorValue[][] = [];

function checkOutputs(actual: TensorValue[], expected: NamedTensor[], what: string): void {
  assert.is(actual.length, cases.length);
  cases.forEach((c, i) => {
    assert.equal(actual[i].shape, expected[i].shape, `${what} ${c.label}: shape`);
    const tol = c.lsb ? { rtol: 0, atol: c.lsb * 1.001 } : TOL;
    const r = compareFloats(actual[i].data as Float32Array, expected[i].data as Float32Array, tol);
    assert.ok(r.ok, `${what} ${c.label}: ${describeComparison(r)}`);
  });
}

test('every case on the host = onnxruntime (float 1e-4/1e-5, quantized 1 LSB); int8 kernels for the QDQ nodes; one copy for the pixel shuffle', async () => {
  const result = compile(model, 'tconv.onnx', { name: 'tconv', board: 'host' });
  const kernels = result.program.steps.flatMap((s) => s.kernels);
  assert.ok(kernels.includes('utvm_transpose_conv_s8'), `kernels: ${[...new Set(kernels)]}`);
  assert.ok(kernels.includes('utvm_transpose_conv_f32'));
  // The QDQ block move runs on int8 (the quantize moved before it, the dequantize after it).
  const g = loadGraph(model, 'tconv.onnx', 'tconv');
  const moves = g.nodes.filter((n) => n.op === 'depth_to_space').map((n) => g.tensor(n.inputs[0]).dtype);
  assert.equal(moves.sort(), ['float32', 'float32', 'float32', 'int8']);
  host = runCompiled(result, inputs.map(values));
  for (let k = 0; k < inputs.length; k++) checkOutputs(host[k], await runOnnxRuntime(model, inputs[k]), `case ${k}`);
  // The sandwich alone: input transpose, the block move, output transpose.
  const s = new OnnxModelBuilder({ opset: 13 });
  const xi = s.input('x', 'float32', [1, 3, 4, 5]);
  const [c1] = s.node('Conv', [xi, s.initializer('w1', 'float32', [8, 3, 3, 3], new Float32Array(216).fill(0.1))], { pads: [1, 1, 1, 1] });
  const [d] = s.node('DepthToSpace', [c1], { blocksize: 2, mode: 'CRD' });
  s.output(s.node('Conv', [d, s.initializer('w2', 'float32', [3, 2, 3, 3], new Float32Array(54).fill(0.1))], { pads: [1, 1, 1, 1] })[0], 'float32');
  const steps = compile(s.encode(), 'shuffle.onnx', { name: 'shuffle', board: 'host' }).program.steps.flatMap((st) => st.kernels);
  assert.is(steps.filter((k) => k === 'utvm_copy_nd').length, 3, `steps: ${steps}`);
});

test('the emulated Cortex-M7 gives the host results (both cases in one QEMU run)', () => {
  const result = compile(model, 'tconv.onnx', { name: 'tconv', board: 'qemu-mps2-an500' });
  assert.is(host.length, inputs.length, 'the host results of the first test');
  const qemu = runCompiled(result, inputs.map(values));
  assert.is(qemu.length, inputs.length);
  qemu.forEach((outs, k) => outs.forEach((o, i) => {
    const r = compareFloats(o.data as Float32Array, host[k][i].data as Float32Array, { rtol: 1e-5, atol: 1e-6 });
    assert.ok(r.ok, `case ${k} ${cases[i].label}: ${describeComparison(r)}`);
  }));
});

test('the reference interpreter = onnxruntime within 1e-5 of each output max |value| (the float cases)', async () => {
  const ins = inputs[0].slice(0, floatCases);
  const outs = createInterpreter(importGraph(floatModel, 'tconv.onnx', 'tconv')).run(values(ins)).outputs;
  const expected = await runOnnxRuntime(floatModel, ins);
  assert.is(outs.length, floatCases);
  cases.slice(0, floatCases).forEach((c, i) => {
    const e = expected[i].data as Float32Array;
    const max = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const tol = { rtol: 0, atol: 1e-5 * max };
    const r = compareFloats(outs[i].data as Float32Array, e, tol);
    assert.ok(r.ok, `${c.label}: ${describeComparison(r)}`);
  });
});

function importError(op: string, x: number[], attrs: Record<string, AttrValue>, w?: number[], runtimeW = false): string {
  const m = new OnnxModelBuilder({ opset: 13 });
  const xi = m.input('x', 'float32', x);
  const ins = [xi];
  if (w) ins.push(runtimeW ? m.input('w', 'float32', w) : m.initializer('w', 'float32', w, new Float32Array(count(w))));
  m.output(m.node(op, ins, attrs, { name: 'n' })[0], 'float32');
  try {
    importGraph(m.encode(), 'bad.onnx', 'bad');
  } catch (e) {
    if (e instanceof UtvmError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

test('import errors: one line each, with the node', () => {
  assert.is(importError('ConvTranspose', [1, 1, 2, 2, 2], {}, [1, 1, 2, 2, 2]), "E_UNSUPPORTED_ATTR: bad.onnx: node 'n' (ConvTranspose): 3-D ConvTranspose (a rank-5 input; transposed convolutions are 1-D or 2-D) is not supported");
  assert.is(importError('ConvTranspose', [1, 1, 3, 3], {}, [1, 1, 2, 2], true), "E_UNSUPPORTED_ATTR: bad.onnx: node 'n' (ConvTranspose): ConvTranspose with run-time weights 'w' (the weights must be constant) is not supported");
  assert.is(importError('ConvTranspose', [1, 1, 3, 3], { strides: [2, 2], output_padding: [2, 0] }, [1, 1, 2, 2]), "E_MODEL_INVALID: bad.onnx: node 'n' (ConvTranspose): output_padding [2,0] must be 2 non-negative integers below max(stride, dilation)");
  assert.is(importError('ConvTranspose', [1, 1, 3, 3], { output_shape: [9, 4] }, [1, 1, 2, 2]), "E_MODEL_INVALID: bad.onnx: node 'n' (ConvTranspose): output_shape [9,4] is inconsistent with the input: spatial axis 0 covers 4 cells, the output asks for 9");
  assert.is(importError('ConvTranspose', [1, 2, 3, 3], { group: 3 }, [2, 1, 2, 2]), "E_MODEL_INVALID: bad.onnx: node 'n' (ConvTranspose): group 3 must divide the 2 input channels");
  assert.is(importError('DepthToSpace', [1, 6, 2, 2], { blocksize: 2 }), "E_MODEL_INVALID: bad.onnx: node 'n' (DepthToSpace): 6 channels are not a multiple of blocksize² = 4");
  assert.is(importError('DepthToSpace', [1, 8, 2, 2], { blocksize: 2, mode: 'RCD' }), "E_MODEL_INVALID: bad.onnx: node 'n' (DepthToSpace): mode 'RCD' is not DCR or CRD");
  assert.is(importError('SpaceToDepth', [1, 2, 5, 4], { blocksize: 2 }), "E_MODEL_INVALID: bad.onnx: node 'n' (SpaceToDepth): height 5 and width 4 must be multiples of blocksize 2");
});

test.run();
