/**
 * batchnorm: ONNX BatchNormalization import (folding the statistics, ranks 2–5, errors), evaluation,
 * lowering, transpose commuting, the C kernels, and the fold-batchnorm pass.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CValue, formatCValue } from '../../src/ir/c-value.js';
import { importOnnx } from '../../src/import/onnx.js';
import { Graph, Node } from '../../src/ir/graph.js';
import { affineFromStatistics, batchnorm, batchnormCoefficients } from '../../src/ops/batchnorm.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import type { KernelCall, LowerContext } from '../../src/ops/op.js';
import { foldBatchnorm } from '../../src/passes/fold-batchnorm.js';
import { compile } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';

const RUNTIME = fileURLToPath(new URL('../../../runtime-c', import.meta.url));

const GAMMA = [1, 2, 0.5];
const BETA = [0, 1, -1];
const MEAN = [0.5, -1, 2];
const VAR = [1, 3, 0.25];

function bnModel(xShape: number[], attrs: Record<string, number> = {}, opts: { opset?: number; runtimeStats?: boolean; outputs?: string[] } = {}): Graph {
  const m = new OnnxModelBuilder({ opset: opts.opset ?? 15 });
  const x = m.input('x', 'float32', xShape);
  const stats = [['s', GAMMA], ['b', BETA], ['m', MEAN], ['v', VAR]].map(([name, values]) =>
    opts.runtimeStats ? m.input(name as string, 'float32', [3]) : m.initializer(name as string, 'float32', [3], values as number[]),
  );
  const outs = m.node('BatchNormalization', [x, ...stats], attrs, { name: 'bn', outputs: opts.outputs ?? ['y'] });
  for (const o of outs) m.output(o, 'float32');
  return importOnnx(m.encode(), 'm.onnx', 'm');
}

function lowerNode(g: Graph, node: Node): KernelCall[] {
  const def = node.op === 'batchnorm' ? batchnorm : batchnormCoefficients;
  const ctx = {
    node,
    graph: g,
    input: (i: number) => g.tensor(node.inputs[i]),
    optionalInput: (i: number) => g.tensor(node.inputs[i]),
    output: (i: number) => g.tensor(node.outputs[i]),
    addConstant: () => '',
  };
  return def.lower!(ctx as unknown as LowerContext<never>);
}

/** Compiles `call.kernel` and runs it on the named float arrays; prints the named outputs. */
function runC(call: KernelCall, arrays: Record<string, number[]>, outputs: Record<string, number>): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-bn-'));
  const p = call.args[0] as { params: CValue; type: string };
  const names = call.args.slice(1).map((a) => (a as { tensor: string }).tensor);
  const lines = [
    '#include <stdio.h>',
    '#include "utvm/batchnorm.h"',
    ...Object.entries(arrays).map(([n, v]) => `static const float ${n}[] = {${v.join(', ')}};`),
    ...Object.entries(outputs).map(([n, count]) => `static float ${n}[${count}];`),
    `static const ${p.type} p = ${formatCValue(p.params)};`,
    'int main(void) {',
    `  ${call.kernel}(&p, ${names.join(', ')});`,
    ...Object.entries(outputs).map(([n, count]) => `  for (int i = 0; i < ${count}; i++) printf("%.9g\\n", ${n}[i]);`),
    '  return 0;',
    '}',
  ];
  writeFileSync(join(dir, 'main.c'), lines.join('\n'));
  const exe = join(dir, 'main');
  execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', `-I${RUNTIME}/include`, join(dir, 'main.c'), `${RUNTIME}/src/${call.kernel}.c`, '-lm', '-o', exe]);
  return execFileSync(exe).toString().trim().split('\n').map(Number);
}

const EXPECTED = affineFromStatistics(GAMMA, BETA, MEAN, VAR, 1e-5);

// ---------------------------------------------------------------------------------------------------
// Import

test('statistics fold into constant scale and shift at import time', () => {
  const g = bnModel([2, 3, 4, 5]);
  assert.equal(g.nodes.map((n) => n.op), ['transpose', 'batchnorm', 'transpose']);
  const bn = g.nodes[1];
  assert.equal(Array.from(g.tensor(bn.inputs[1]).data as Float32Array), Array.from(EXPECTED.scale));
  assert.equal(Array.from(g.tensor(bn.inputs[2]).data as Float32Array), Array.from(EXPECTED.shift));
  // scale = gamma / sqrt(var + eps), shift = beta − mean·scale, rounded once to float32.
  assert.is(EXPECTED.scale[2], Math.fround(0.5 / Math.sqrt(0.25 + 1e-5)));
  assert.is(EXPECTED.shift[1], Math.fround(1 + (2 / Math.sqrt(3 + 1e-5))));
  assert.equal(g.tensor(bn.outputs[0]).shape, [2, 4, 5, 3]);
});

test('ranks 2, 3 and 5: no transpose, or the channel axis moved last and back', () => {
  assert.equal(bnModel([4, 3]).nodes.map((n) => n.op), ['batchnorm']);
  assert.equal(bnModel([2, 3, 7]).nodes.map((n) => n.attrs), [{ perm: [0, 2, 1] }, {}, { perm: [0, 2, 1] }]);
  const g5 = bnModel([1, 3, 2, 2, 2]);
  assert.equal(g5.nodes.map((n) => n.op), ['transpose', 'batchnorm', 'transpose']);
  assert.equal(g5.nodes[0].attrs, { perm: [0, 2, 3, 4, 1] });
  assert.equal(g5.nodes[2].attrs, { perm: [0, 4, 1, 2, 3] });
});

test('statistics fed at run time go through batchnorm_coefficients', () => {
  const g = bnModel([2, 3], { epsilon: 0.01 }, { runtimeStats: true });
  assert.equal(g.nodes.map((n) => n.op), ['batchnorm_coefficients', 'batchnorm']);
  const [call] = lowerNode(g, g.nodes[0]);
  assert.is(call.kernel, 'utvm_batchnorm_coefficients_f32');
  const named = { ...call, args: [...call.args.slice(0, 5), { tensor: 'scale' }, { tensor: 'shift' }] };
  const out = runC(named, { s: GAMMA, b: BETA, m: MEAN, v: VAR }, { scale: 3, shift: 3 });
  const ref = affineFromStatistics(GAMMA, BETA, MEAN, VAR, Math.fround(0.01));
  [...ref.scale, ...ref.shift].forEach((e, i) => assert.ok(Math.abs(out[i] - e) <= 1e-6 * Math.abs(e), `${out[i]} vs ${e}`));
});

test('BatchNormalization errors', () => {
  assert.throws(() => bnModel([2, 3, 4, 5], { training_mode: 1 }, { outputs: ['y', 'rm', 'rv'] }), /^m\.onnx: node 'bn' \(BatchNormalization\): training_mode=1 is not supported$/);
  assert.throws(() => bnModel([2, 3, 4, 5], {}, { opset: 7, outputs: ['y', 'rm'] }), /BatchNormalization with training statistics outputs is not supported/);
  assert.throws(() => bnModel([2, 3, 4, 5], { spatial: 0 }, { opset: 7 }), /spatial=0 is not supported/);
  assert.throws(() => bnModel([2, 4, 4, 5]), /'scale' has shape \[3\], expected \[4\]/);
});

// ---------------------------------------------------------------------------------------------------
// Semantics, lowering, kernels

test('evaluate, lowering and utvm_channel_affine_f32 agree', () => {
  const g = bnModel([2, 3]);
  const bn = g.nodes[0];
  const x = [1, 2, 3, -4, 0.5, 10];
  const [call] = lowerNode(g, bn);
  assert.equal(call.args[0], { params: { outer: 2, channels: 3 }, type: 'utvm_channel_affine_params' });
  const scale = Array.from(g.tensor(bn.inputs[1]).data as Float32Array);
  const shift = Array.from(g.tensor(bn.inputs[2]).data as Float32Array);
  const arrays = { x, [bn.inputs[1]]: scale, [bn.inputs[2]]: shift };
  const c = runC({ ...call, args: [...call.args.slice(0, 4), { tensor: 'out' }] }, arrays, { out: 6 });
  const [ev] = batchnorm.evaluate!({} as never, [{ ...g.tensor('x'), data: Float32Array.from(x) }, g.tensor(bn.inputs[1]), g.tensor(bn.inputs[2])], [{ dtype: 'float32', shape: [2, 3] }]);
  Array.from(ev as Float32Array).forEach((e, i) => {
    assert.ok(Math.abs(c[i] - e) <= 1e-6 * Math.abs(e) + 1e-7, `[${i}] ${c[i]} vs ${e}`);
    const ref = (x[i] - MEAN[i % 3]) / Math.sqrt(VAR[i % 3] + 1e-5) * GAMMA[i % 3] + BETA[i % 3];
    assert.ok(Math.abs(e - ref) <= 1e-5 * Math.abs(ref) + 1e-6, `[${i}] ${e} vs definition ${ref}`);
  });
});

test('commuteTranspose: only permutations that keep the channel axis last', () => {
  const node = bnModel([4, 3]).nodes[0];
  const editor = { graph: new Graph('t'), addConstant: () => '' };
  assert.ok(batchnorm.commuteTranspose!(node as never, [1, 0, 2], editor));
  assert.is(batchnorm.commuteTranspose!(node as never, [0, 2, 1], editor), null);
});

// ---------------------------------------------------------------------------------------------------
// fold-batchnorm

function convBn(opts: { bias?: boolean; clamp?: boolean; extraUse?: boolean } = {}): Graph {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [1, 2, 2, 2] });
  g.addTensor({ name: 'w', dtype: 'float32', shape: [2, 1, 1, 2], data: Float32Array.from([1, 2, 3, 4]) });
  if (opts.bias) g.addTensor({ name: 'b', dtype: 'float32', shape: [2], data: Float32Array.from([10, 20]) });
  g.addTensor({ name: 'c', dtype: 'float32', shape: [1, 2, 2, 2] });
  g.addTensor({ name: 's', dtype: 'float32', shape: [2], data: Float32Array.from([2, 0.5]) });
  g.addTensor({ name: 't', dtype: 'float32', shape: [2], data: Float32Array.from([1, -1]) });
  g.addTensor({ name: 'y', dtype: 'float32', shape: [1, 2, 2, 2] });
  g.inputs = ['x'];
  g.outputs = opts.extraUse ? ['y', 'c'] : ['y'];
  const attrs: Conv2dAttrs = { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, ...(opts.clamp ? { clamp: { min: 0, max: 6 } } : {}) };
  const source = { op: 'Conv', name: 'n' };
  g.nodes = [
    { name: 'conv', op: 'conv2d', inputs: opts.bias ? ['x', 'w', 'b'] : ['x', 'w'], outputs: ['c'], attrs: attrs as never, source },
    { name: 'bn', op: 'batchnorm', inputs: ['c', 's', 't'], outputs: ['y'], attrs: {}, source },
  ];
  return g;
}

test('fold-batchnorm scales the weights per output channel and folds the shift into the bias', () => {
  const g = convBn({ bias: true });
  const f = foldBatchnorm(g);
  assert.equal(f.nodes.map((n) => n.op), ['conv2d']);
  const conv = f.nodes[0];
  assert.equal(conv.outputs, ['y']);
  assert.equal(Array.from(f.tensor(conv.inputs[1]).data as Float32Array), [2, 4, 1.5, 2]);
  assert.equal(Array.from(f.tensor(conv.inputs[2]).data as Float32Array), [21, 9]);
  assert.not.ok(f.has('c') || f.has('s') || f.has('w'), 'dead tensors dropped');
  // Pure: the input graph and its constants are untouched.
  assert.equal(g.nodes.map((n) => n.op), ['conv2d', 'batchnorm']);
  assert.equal(Array.from(g.tensor('w').data as Float32Array), [1, 2, 3, 4]);
});

test('fold-batchnorm creates a bias when the conv has none', () => {
  const f = foldBatchnorm(convBn());
  const conv = f.nodes[0];
  assert.is(conv.inputs.length, 3);
  assert.equal(Array.from(f.tensor(conv.inputs[2]).data as Float32Array), [1, -1]);
});

test('fold-batchnorm looks through the reshape of a 1-D convolution', () => {
  const g = convBn();
  g.addTensor({ name: 'r', dtype: 'float32', shape: [1, 4, 2] });
  g.tensor('y').shape = [1, 4, 2];
  g.nodes.splice(1, 0, { name: 'view', op: 'reshape', inputs: ['c'], outputs: ['r'], attrs: { shape: [1, 4, 2] }, source: g.nodes[0].source });
  g.nodes[2].inputs[0] = 'r';
  const f = foldBatchnorm(g);
  assert.equal(f.nodes.map((n) => `${n.op}:${n.inputs[0]}->${n.outputs[0]}`), ['conv2d:x->c', 'reshape:c->y']);
  assert.equal(Array.from(f.tensor(f.nodes[0].inputs[2]).data as Float32Array), [1, -1]);
});

test('fold-batchnorm leaves a clamped conv, or one whose output is used elsewhere', () => {
  assert.equal(foldBatchnorm(convBn({ clamp: true })).nodes.map((n) => n.op), ['conv2d', 'batchnorm']);
  assert.equal(foldBatchnorm(convBn({ extraUse: true })).nodes.map((n) => n.op), ['conv2d', 'batchnorm']);
});

// ---------------------------------------------------------------------------------------------------
// End to end against onnxruntime

/** x → [Conv] → BatchNormalization → [Relu]; returns the model bytes. */
function bnNet(rng: () => number, x: number[], opts: { opset: number; conv?: number[]; relu?: boolean }): Uint8Array {
  const m = new OnnxModelBuilder({ opset: opts.opset });
  let v = m.input('x', 'float32', x);
  let channels = x[1];
  if (opts.conv) {
    const w = m.initializer('w', 'float32', opts.conv, randomFloats(rng, opts.conv.reduce((a, b) => a * b, 1), -1, 1));
    [v] = m.node('Conv', [v, w], {});
    channels = opts.conv[0];
  }
  const stat = (name: string, lo: number, hi: number) => m.initializer(name, 'float32', [channels], randomFloats(rng, channels, lo, hi));
  [v] = m.node('BatchNormalization', [v, stat('g', 0.5, 2), stat('b', -1, 1), stat('m', -1, 1), stat('v', 0.1, 3)], { epsilon: 1e-3, momentum: 0.9 });
  if (opts.relu) [v] = m.node('Relu', [v]);
  m.output(v, 'float32');
  return m.encode();
}

async function checkAgainstOrt(name: string, model: Uint8Array, shape: number[], rng: () => number): Promise<void> {
  const input = { dtype: 'float32' as const, shape, data: randomFloats(rng, shape.reduce((a, b) => a * b, 1), -2, 2) };
  const [expected] = await runOnnxRuntime(model, [{ name: 'x', ...input }]);
  const [[actual]] = runModel(model, `${name}.onnx`, [[input]], { target: 'host', name: 'model' });
  assert.equal(actual.shape, expected.shape, name);
  const cmp = compareFloats(actual.data as Float32Array, expected.data as Float32Array, { rtol: 1e-4, atol: 1e-5 });
  assert.ok(cmp.ok, `${name}: ${describeComparison(cmp)}`);
}

test('BatchNormalization end to end matches onnxruntime (2-D, 4-D at opset 7, folded into Conv)', async () => {
  const rng = mulberry32(5);
  await checkAgainstOrt('bn2d_eval', bnNet(rng, [2, 3, 6, 6], { opset: 7 }), [2, 3, 6, 6], rng);
  await checkAgainstOrt('bn1d_flat', bnNet(rng, [4, 5], { opset: 9 }), [4, 5], rng);
  for (const [name, x, w] of [['conv_bn_relu', [1, 3, 8, 8], [4, 3, 3, 3]], ['conv1d_bn_relu', [2, 3, 9], [4, 3, 2]]] as const) {
    const model = bnNet(rng, [...x], { opset: 15, conv: [...w], relu: true });
    const ops = compile(model, `${name}.onnx`, { name: 'model', board: 'host' }).graph.nodes.map((n) => n.op);
    assert.not.ok(ops.includes('batchnorm'), `${name}: batchnorm folded into the conv (${ops})`);
    await checkAgainstOrt(name, model, [...x], rng);
  }
});

test.run();
