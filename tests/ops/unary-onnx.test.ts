/**
 * ONNX elementwise functions (issue 15): Exp, Log, Sqrt, Abs, Neg, Reciprocal, Pow with a constant exponent
 * (scalar, [1, 1], a broadcast [3] of one value, int64, a general one), Erf, GELU exported as
 * x · ½ · (1 + erf(x/√2)), Softplus, Elu (default and alpha), Selu (default and alpha/gamma), Gelu (opset 20,
 * none and tanh), Max / Min (one, two and three inputs, broadcasting) and PRelu (per-channel and last-axis
 * slopes); and their QDQ int8 forms (a 256-entry table each). One model holds every case, with edge values
 * (negative inputs to Sqrt and Log give NaN, log 0 = −inf, 1/0 = inf, exp overflows): compiled once for the
 * host and compared with onnxruntime-node (float within 1e-4 relative / 1e-5 absolute, int8 within 1 LSB),
 * once on the emulated Cortex-M7 (equal to the host's results), and the reference interpreter on the float
 * cases within 1e-5 of each output's max finite |value|; the import refusals word for word.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, importGraph, loadGraph } from '../../src/compile.js';
import { runCompiled } from '../../src/run/index.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { UtvmError } from '../../src/diagnostics.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { OnnxModelBuilder, float } from '../util/onnx-build.js';
import type { AttrValue } from '../util/onnx-build.js';
import { NamedTensor, runOnnxRuntime } from '../util/ort.js';
import { mulberry32 } from '../util/random.js';

const TOL = { rtol: 1e-4, atol: 1e-5 };
const count = (s: number[]) => s.reduce((a, b) => a * b, 1);
const OPTS = { opset: 20, irVersion: 9, domains: { 'com.microsoft': 1 } };

interface In {
  name: string;
  shape: number[];
  lo: number;
  hi: number;
  edges: number[];
}
interface Case {
  label: string;
  ins: In[];
  /** Output scale of a quantized case (compared within 1 LSB). */
  lsb?: number;
}

const cases: Case[] = [];
const b = new OnnxModelBuilder(OPTS);

function input(c: Case, shape: number[], lo = -3, hi = 3, edges: number[] = []): string {
  const name = `x_${c.label}_${c.ins.length}`;
  c.ins.push({ name, shape, lo, hi, edges });
  return b.input(name, 'float32', shape);
}
function start(label: string, lsb?: number): Case {
  const c: Case = { label, ins: [], ...(lsb ? { lsb } : {}) };
  cases.push(c);
  return c;
}
function out(c: Case, y: string): void {
  b.output(b.node('Identity', [y], {}, { outputs: [`y_${c.label}`] })[0], 'float32');
}
function unary(label: string, op: string, shape: number[], lo: number, hi: number, edges: number[] = [], attrs: Record<string, AttrValue> = {}): void {
  const c = start(label);
  out(c, b.node(op, [input(c, shape, lo, hi, edges)], attrs)[0]);
}
function pow(label: string, shape: number[], e: number, eShape: number[], lo: number, hi: number, dtype: 'float32' | 'int64' = 'float32'): void {
  const c = start(label);
  const ev = b.initializer(`e_${label}`, dtype, eShape, dtype === 'int64' ? Array.from({ length: count(eShape) }, () => BigInt(e)) : new Array(count(eShape)).fill(e));
  out(c, b.node('Pow', [input(c, shape, lo, hi, [0, -0]), ev], {})[0]);
}

unary('exp', 'Exp', [2, 3, 5], -10, 10, [0, 88, 89, 100, -100, -104]);
unary('log', 'Log', [3, 7], -1, 5, [0, -0, -1, 1e-30, 1, 3e38]);
unary('sqrt', 'Sqrt', [1, 13], -2, 9, [0, -0, -1e-30, -4, 1e30]);
unary('abs', 'Abs', [5, 3], -4, 4, [-0, -1e30]);
unary('neg', 'Neg', [4, 1, 3], -4, 4, [0]);
unary('reciprocal', 'Reciprocal', [7], -3, 3, [0, -0, 1e-30, 3]);
pow('pow2', [2, 5], 2, [], -4, 4);
pow('pow_half', [3, 3], 0.5, [1, 1], -1, 9);
pow('pow3_bcast', [2, 3], 3, [3], -3, 3);
pow('pow_int64', [5], 2, [], -3, 3, 'int64');
pow('pow_general', [2, 4], -1.5, [1], 0.1, 4);
unary('erf', 'Erf', [2, 9], -4, 4, [0, 6, -6, 1e-6]);
unary('softplus', 'Softplus', [3, 5], -30, 30, [0, 100, -100]);
unary('elu', 'Elu', [2, 2, 3], -5, 3, [0, -100]);
unary('elu_alpha', 'Elu', [7], -5, 3, [], { alpha: 0.5 });
unary('selu', 'Selu', [3, 3], -5, 3, [0]);
unary('selu_attrs', 'Selu', [11], -5, 3, [], { alpha: float(2), gamma: float(0.75) });
unary('gelu', 'Gelu', [2, 7], -6, 6, [0, -10, 10]);
unary('gelu_tanh', 'Gelu', [1, 9], -6, 6, [0, -10, 10], { approximate: 'tanh' });
{
  const c = start('gelu_ms');
  out(c, b.node('Gelu', [input(c, [5], -4, 4)], {}, { domain: 'com.microsoft' })[0]);
}
{
  const c = start('gelu_erf');
  const x = input(c, [3, 5], -5, 5);
  const [d] = b.node('Div', [x, b.initializer('sqrt2', 'float32', [], [Math.SQRT2])], {});
  const [e] = b.node('Erf', [d], {});
  const [a] = b.node('Add', [e, b.initializer('one', 'float32', [], [1])], {});
  const [m] = b.node('Mul', [x, a], {});
  out(c, b.node('Mul', [m, b.initializer('half', 'float32', [], [0.5])], {})[0]);
}
{
  const c = start('max3');
  out(c, b.node('Max', [input(c, [2, 3, 4]), input(c, [4]), input(c, [3, 1])], {})[0]);
  const d = start('max1');
  out(d, b.node('Max', [input(d, [3, 2])], {})[0]);
  const e = start('min2');
  out(e, b.node('Min', [input(e, [3, 4]), input(e, [3, 4])], {})[0]);
  const f = start('min3_const');
  out(f, b.node('Min', [input(f, [2, 5]), b.initializer('mc', 'float32', [5], [0.5, -1, 2, 0, -0.25]), input(f, [1])], {})[0]);
}
{
  const c = start('prelu_channel');
  out(c, b.node('PRelu', [input(c, [2, 3, 4, 5]), b.initializer('slope_c', 'float32', [3, 1, 1], [0.25, -0.5, 2])], {})[0]);
  const d = start('prelu_last');
  out(d, b.node('PRelu', [input(d, [3, 5]), b.initializer('slope_l', 'float32', [5], [0.1, 0.2, 0, -1, 3])], {})[0]);
}

const floatModel = b.encode();
const floatCases = cases.length;

// QDQ int8: QuantizeLinear → DequantizeLinear → f → QuantizeLinear → DequantizeLinear.
function qdq(x: string, scale: number, zp: number, label: string): string {
  const s = b.initializer(`s_${label}`, 'float32', [], [scale]);
  const z = b.initializer(`z_${label}`, 'int8', [], [zp]);
  const [q] = b.node('QuantizeLinear', [x, s, z]);
  return b.node('DequantizeLinear', [q, s, z])[0];
}
function quantized(label: string, op: string, inQ: [number, number], outQ: [number, number], lo: number, hi: number, attrs: Record<string, AttrValue> = {}, extra: string[] = []): void {
  const c = start(`q_${label}`, outQ[0]);
  const [y] = b.node(op, [qdq(input(c, [3, 11], lo, hi), inQ[0], inQ[1], `${label}_in`), ...extra], attrs);
  out(c, qdq(y, outQ[0], outQ[1], `${label}_out`));
}
quantized('exp', 'Exp', [1 / 32, 0], [1 / 8, -128], -4, 3);
quantized('log', 'Log', [1 / 32, -128], [1 / 16, 60], 0, 8);
quantized('sqrt', 'Sqrt', [1 / 16, -128], [1 / 32, -128], 0, 16);
quantized('abs', 'Abs', [1 / 32, 5], [1 / 32, -128], -4, 4);
quantized('neg', 'Neg', [1 / 32, 5], [1 / 32, -5], -4, 4);
quantized('reciprocal', 'Reciprocal', [1 / 16, -128], [1 / 8, -128], 0, 16);
quantized('erf', 'Erf', [1 / 32, 0], [1 / 128, 0], -4, 4);
quantized('gelu', 'Gelu', [1 / 16, 3], [1 / 20, -100], -6, 6);
quantized('gelu_tanh', 'Gelu', [1 / 16, 3], [1 / 20, -100], -6, 6, { approximate: 'tanh' });
quantized('softplus', 'Softplus', [1 / 16, 0], [1 / 32, -128], -6, 6);
quantized('elu', 'Elu', [1 / 32, 10], [1 / 40, 0], -4, 3, { alpha: 0.7 });
quantized('selu', 'Selu', [1 / 32, 10], [1 / 32, 0], -4, 3);
{
  const c = start('q_prelu', 1 / 32);
  const slope = b.node('DequantizeLinear', [b.initializer('slope_q', 'int8', [3, 1, 1], [8, -16, 40]), b.initializer('slope_s', 'float32', [], [1 / 32]), b.initializer('slope_z', 'int8', [], [0])])[0];
  const [y] = b.node('PRelu', [qdq(input(c, [1, 3, 2, 5], -4, 4), 1 / 32, 7, 'prelu_in'), slope], {});
  out(c, qdq(y, 1 / 32, -3, 'prelu_out'));
}
quantized('pow2', 'Pow', [1 / 32, 0], [1 / 16, -128], -4, 4, {}, [b.initializer('e_qpow', 'float32', [], [2])]);

const model = b.encode();

function caseInputs(seed: number, only = cases.length): NamedTensor[] {
  const r = mulberry32(seed);
  return cases.slice(0, only).flatMap((c) => c.ins.map((i) => {
    const data = Float32Array.from({ length: count(i.shape) }, () => i.lo + (i.hi - i.lo) * r());
    i.edges.forEach((v, k) => { data[k] = v; });
    return { name: i.name, dtype: 'float32' as const, shape: i.shape, data };
  }));
}
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

test('every case on the host = onnxruntime (float 1e-4/1e-5, QDQ int8 within 1 LSB); one float kernel, int8 tables', async () => {
  const result = compile(model, 'unary.onnx', { name: 'unary', board: 'host' });
  const kernels = result.program.steps.flatMap((s) => s.kernels);
  const quantizedCases = cases.length - floatCases;
  assert.is(kernels.filter((k) => k === 'utvm_lut_s8').length, quantizedCases - 1, `kernels: ${kernels}`);
  assert.ok(kernels.includes('utvm_prelu_s8'), `kernels: ${kernels}`);
  assert.ok(kernels.includes('utvm_math_f32') && kernels.includes('utvm_prelu_f32') && kernels.includes('utvm_maximum_f32'));
  host = runCompiled(result, inputs.map(values));
  for (let k = 0; k < inputs.length; k++) checkOutputs(host[k], await runOnnxRuntime(model, inputs[k]), `case ${k}`);
});

test('the emulated Cortex-M7 gives the host results (both cases in one QEMU run)', () => {
  const result = compile(model, 'unary.onnx', { name: 'unary', board: 'qemu-mps2-an500' });
  assert.is(host.length, inputs.length, 'the host results of the first test');
  const qemu = runCompiled(result, inputs.map(values));
  qemu.forEach((outs, k) => outs.forEach((o, i) => {
    const r = compareFloats(o.data as Float32Array, host[k][i].data as Float32Array, { rtol: 1e-5, atol: 1e-6 });
    assert.ok(r.ok, `case ${k} ${cases[i].label}: ${describeComparison(r)}`);
  }));
});

test('the reference interpreter = onnxruntime within 1e-5 of each output max finite |value| (the float cases)', async () => {
  const ins = caseInputs(3, floatCases);
  const outs = createInterpreter(importGraph(floatModel, 'unary.onnx', 'unary')).run(values(ins)).outputs;
  const expected = await runOnnxRuntime(floatModel, ins);
  assert.is(outs.length, floatCases);
  cases.slice(0, floatCases).forEach((c, i) => {
    const e = expected[i].data as Float32Array;
    const max = e.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
    const r = compareFloats(Float32Array.from(outs[i].data as Float64Array), e, { rtol: 0, atol: 1e-5 * max });
    assert.ok(r.ok, `${c.label}: ${describeComparison(r)}`);
  });
});

test('the reference interpreter on the graph after the QDQ pass (float_lut_s8 and int8 prelu nodes) = onnxruntime, int8 within 1 LSB', async () => {
  const g = loadGraph(model, 'unary.onnx', 'unary');
  assert.is(g.nodes.filter((n) => n.op === 'float_lut_s8').length, cases.length - floatCases - 1);
  const outs = createInterpreter(g).run(values(inputs[0])).outputs;
  const expected = await runOnnxRuntime(model, inputs[0]);
  cases.forEach((c, i) => {
    if (!c.lsb) return;
    const r = compareFloats(Float32Array.from(outs[i].data as Float64Array), expected[i].data as Float32Array, { rtol: 0, atol: c.lsb * 1.001 });
    assert.ok(r.ok, `${c.label}: ${describeComparison(r)}`);
  });
});

function importError(build: (m: OnnxModelBuilder, x: string) => string): string {
  const m = new OnnxModelBuilder(OPTS);
  const x = m.input('x', 'float32', [2, 3]);
  m.output(build(m, x), 'float32');
  try {
    importGraph(m.encode(), 'bad.onnx', 'bad');
  } catch (e) {
    if (e instanceof UtvmError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

test('refusals, word for word', () => {
  assert.is(
    importError((m, x) => m.node('Pow', [x, m.input('e', 'float32', [])], {}, { name: 'n' })[0]),
    "E_UNSUPPORTED_ATTR: bad.onnx: node 'n' (Pow): an exponent computed at run time ('e') is not supported",
  );
  assert.is(
    importError((m, x) => m.node('Pow', [x, m.initializer('e', 'float32', [3], [1, 2, 3])], {}, { name: 'n' })[0]),
    "E_UNSUPPORTED_ATTR: bad.onnx: node 'n' (Pow): an exponent that varies by element is not supported",
  );
  assert.is(
    importError((m, x) => m.node('Pow', [x, m.initializer('e', 'float32', [4, 1, 1], [2, 2, 2, 2])], {}, { name: 'n' })[0]),
    "E_UNSUPPORTED_ATTR: bad.onnx: node 'n' (Pow): an exponent of shape [4,1,1] broadcasting X of shape [2,3] to a larger shape is not supported",
  );
  assert.is(
    importError((m, x) => m.node('Gelu', [x], { approximate: 'fast' }, { name: 'n' })[0]),
    "E_MODEL_INVALID: bad.onnx: node 'n' (Gelu): approximate 'fast' is neither 'none' nor 'tanh'",
  );
  const m = new OnnxModelBuilder({ opset: 19 });
  m.output(m.node('Gelu', [m.input('x', 'float32', [2])], {}, { name: 'n' })[0], 'float32');
  assert.throws(() => importGraph(m.encode(), 'bad.onnx', 'bad'), (e: Error) => e.message === "bad.onnx: node 'n' (Gelu): Gelu is an operator of opset 20 and later, and the model imports opset 19");
  assert.is(
    importError((m, x) => m.node('PRelu', [x, m.initializer('s', 'float32', [4], [1, 2, 3, 4])], {}, { name: 'n' })[0]),
    "E_MODEL_INVALID: bad.onnx: node 'n' (PRelu): slope of shape [4] does not broadcast to X of shape [2,3]",
  );
});

test.run();
