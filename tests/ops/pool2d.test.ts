/**
 * pool2d: ONNX MaxPool / AveragePool / Global*Pool import (pads, auto_pad, ceil_mode, 1-D, errors),
 * shape inference, kernel choice, and the C kernels on hand-computed cases.
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
import type { KernelCall } from '../../src/ops/op.js';
import { ceilPadding, Pool2dAttrs, pool2d } from '../../src/ops/pool2d/index.js';
import { runModel } from '../../src/run/index.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { ElemType, OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';

const RUNTIME = fileURLToPath(new URL('../../../runtime-c', import.meta.url));

// ---------------------------------------------------------------------------------------------------
// Helpers

function poolModel(op: string, xShape: number[], attrs: Record<string, number | number[] | string>, opts: { dtype?: ElemType; outputs?: string[] } = {}): Graph {
  const m = new OnnxModelBuilder({ opset: 22 });
  const x = m.input('x', opts.dtype ?? 'float32', xShape);
  const outs = m.node(op, [x], attrs, { name: 'p', outputs: opts.outputs ?? ['y'] });
  for (const o of outs) m.output(o, 'float32');
  return importOnnx(m.encode(), 'm.onnx', 'm');
}

function poolNode(g: Graph): Node<Pool2dAttrs> {
  const n = g.nodes.find((x) => x.op === 'pool2d');
  assert.ok(n, 'a pool2d node');
  return n as unknown as Node<Pool2dAttrs>;
}

function lowerIn(g: Graph): KernelCall[] {
  const node = poolNode(g);
  return pool2d.lower!({
    node,
    graph: g,
    input: (i) => g.tensor(node.inputs[i]),
    optionalInput: (i) => g.tensor(node.inputs[i]),
    output: (i) => g.tensor(node.outputs[i]),
    addConstant: () => {
      throw new Error('no constants expected');
    },
  });
}

/** Compiles the kernel of `call` with a main that runs it on `x` and prints `outCount` values. */
function runPool(call: KernelCall, ctype: string, x: number[], outCount: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-pool-'));
  const p = call.args[0] as { params: CValue; type: string };
  const main = [
    '#include <stdio.h>',
    '#include "utvm/pool2d.h"',
    `static const ${ctype} x[] = {${x.join(', ')}};`,
    `static const ${p.type} p = ${formatCValue(p.params)};`,
    `static ${ctype} y[${outCount}];`,
    'int main(void) {',
    `  ${call.kernel}(&p, x, y);`,
    `  for (int i = 0; i < ${outCount}; i++) printf("%.9g\\n", (double)y[i]);`,
    '  return 0;',
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'main.c'), main);
  const exe = join(dir, 'main');
  execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', `-I${RUNTIME}/include`, join(dir, 'main.c'), `${RUNTIME}/src/${call.kernel}.c`, '-lm', '-o', exe]);
  return execFileSync(exe).toString().trim().split('\n').map(Number);
}

const ramp = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

// ---------------------------------------------------------------------------------------------------
// Import and shape inference

test('MaxPool with pads imports as transpose → pool2d → transpose', () => {
  const g = poolModel('MaxPool', [1, 3, 28, 28], { kernel_shape: [3, 3], pads: [2, 2, 2, 2] });
  assert.equal(g.nodes.map((n) => n.op), ['transpose', 'pool2d', 'transpose']);
  assert.equal(poolNode(g).attrs, { kind: 'max', kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [2, 2, 2, 2], countIncludePad: false });
  assert.equal(g.tensor('y').shape, [1, 3, 30, 30]);
});

test('ceil_mode becomes extra bottom/right padding; the last window must start before the end padding', () => {
  // 4x4, k3, s2: floor → 1, ceil → 2 (window at 2 covers 2..4, one cell of extra padding).
  const g = poolModel('AveragePool', [1, 1, 4, 4], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 });
  assert.equal(poolNode(g).attrs.ceilPads, [1, 1]);
  assert.equal(g.tensor('y').shape, [1, 1, 2, 2]);
  // 2x2, pads 1, k3, s3: ceil gives 2 but the second window would start in the end padding → 1.
  const h = poolModel('AveragePool', [1, 3, 2, 2], { kernel_shape: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 });
  assert.is(poolNode(h).attrs.ceilPads, undefined);
  assert.is(poolNode(h).attrs.countIncludePad, true);
  assert.equal(h.tensor('y').shape, [1, 3, 1, 1]);
  assert.is(ceilPadding(2, 1, 2, 1, 0, 0), 0, 'k1 s2 on 2 cells: 1 output, no padding');
  assert.is(ceilPadding(5, 2, 2, 1, 0, 0), 1);
});

test('auto_pad, 1-D and global pooling', () => {
  assert.equal(poolNode(poolModel('MaxPool', [1, 1, 5, 5], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' })).attrs.pads, [1, 1, 1, 1]);
  assert.equal(poolNode(poolModel('AveragePool', [1, 1, 4, 4], { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER' })).attrs.pads, [1, 1, 0, 0]);
  const g = poolModel('AveragePool', [1, 3, 32], { kernel_shape: [2] });
  assert.equal(g.nodes.map((n) => n.op), ['transpose', 'reshape', 'pool2d', 'reshape', 'transpose']);
  assert.equal(poolNode(g).attrs.kernel, [1, 2]);
  assert.equal(g.tensor('y').shape, [1, 3, 31]);
  const gl = poolModel('GlobalAveragePool', [1, 3, 5, 4], {});
  assert.equal(poolNode(gl).attrs.kernel, [5, 4]);
  assert.equal(gl.tensor('y').shape, [1, 3, 1, 1]);
  assert.is(lowerIn(gl)[0].kernel, 'utvm_global_avg_pool2d_f32');
  assert.is(lowerIn(poolModel('GlobalMaxPool', [1, 3, 5, 4], {}))[0].kernel, 'utvm_max_pool2d_f32');
});

test('pooling errors name the node and say what is wrong', () => {
  assert.throws(() => poolModel('MaxPool', [1, 1, 4, 4, 4], { kernel_shape: [2, 2, 2] }), /^m\.onnx: node 'p' \(MaxPool\): 3-D MaxPool is not supported$/);
  assert.throws(() => poolModel('MaxPool', [1, 1, 4, 4], { kernel_shape: [2, 2] }, { outputs: ['y', 'i'] }), /node 'p' \(MaxPool\): MaxPool with the Indices output is not supported$/);
  assert.throws(() => poolModel('AveragePool', [1, 1, 4, 4], {}), /required attribute 'kernel_shape' is missing/);
  assert.throws(() => poolModel('AveragePool', [1, 1, 4, 4], { kernel_shape: [5, 5] }), /a 5x5 window does not fit the padded 4x4 input/);
  assert.throws(() => poolModel('AveragePool', [1, 1, 4, 4], { kernel_shape: [2, 2], pads: [1, 1] }), /pads \[1,1\] must be 4 non-negative integers/);
});

// ---------------------------------------------------------------------------------------------------
// Lowering and C kernels

test('pooling kernels by element type; average pooling of uint8 is refused', () => {
  assert.is(lowerIn(poolModel('MaxPool', [1, 1, 4, 4], { kernel_shape: [2, 2] }, { dtype: 'uint8' }))[0].kernel, 'utvm_max_pool2d_u8');
  assert.is(lowerIn(poolModel('MaxPool', [1, 1, 4, 4], { kernel_shape: [2, 2] }, { dtype: 'int8' }))[0].kernel, 'utvm_max_pool2d_s8');
  assert.is(lowerIn(poolModel('AveragePool', [1, 1, 4, 4], { kernel_shape: [2, 2] }, { dtype: 'int8' }))[0].kernel, 'utvm_avg_pool2d_s8');
  assert.throws(() => lowerIn(poolModel('AveragePool', [1, 1, 4, 4], { kernel_shape: [2, 2] }, { dtype: 'uint8' })), /avg pooling of uint8 tensors is not supported/);
});

test('utvm_max_pool2d_f32 and _s8: padding never wins, dilation skips cells', () => {
  // 3x3 ramp 1..9, k2, s1, pads 1 all round → 4x4 of window maxima.
  const g = poolModel('MaxPool', [1, 1, 3, 3], { kernel_shape: [2, 2], pads: [1, 1, 1, 1] });
  assert.equal(runPool(lowerIn(g)[0], 'float', ramp(9).map((v) => -v), 16), [-1, -1, -2, -3, -1, -1, -2, -3, -4, -4, -5, -6, -7, -7, -8, -9]);
  const d = poolModel('MaxPool', [1, 1, 4, 4], { kernel_shape: [2, 2], dilations: [2, 2] }, { dtype: 'int8' });
  assert.equal(runPool(lowerIn(d)[0], 'int8_t', ramp(16).map((v) => -v), 4), [-1, -2, -5, -6]);
});

test('utvm_avg_pool2d_f32: divisors with and without count_include_pad, ceil padding never counts', () => {
  // 3x3 ramp, k2, s2, ceil → 2x2 windows over rows {0,1},{2} and cols {0,1},{2}.
  const c = poolModel('AveragePool', [1, 1, 3, 3], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, count_include_pad: 1 });
  assert.equal(runPool(lowerIn(c)[0], 'float', ramp(9), 4), [3, 4.5, 7.5, 9]);
  // pads 1, k3, s2 on the 3x3 ramp: corner windows hold 4 cells of 9.
  const p = poolModel('AveragePool', [1, 1, 3, 3], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  assert.equal(runPool(lowerIn(p)[0], 'float', ramp(9), 4), [3, 4, 6, 7]);
  const q = poolModel('AveragePool', [1, 1, 3, 3], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 });
  assert.equal(runPool(lowerIn(q)[0], 'float', ramp(9), 4), [12 / 9, 16 / 9, 24 / 9, 28 / 9].map((v) => Number(Math.fround(v).toPrecision(9))));
});

test('utvm_global_avg_pool2d_f32: mean per channel and image', () => {
  const g = poolModel('GlobalAveragePool', [2, 2, 2, 2], {});
  const [call] = lowerIn(g);
  assert.equal(call.args[0], { params: { batch: 2, size: 4, channels: 2 }, type: 'utvm_global_pool2d_params' });
  // NHWC input: image 0 channel 0 = 1, 3, 5, 7; channel 1 = 2, 4, 6, 8; image 1 adds 8.
  assert.equal(runPool(call, 'float', ramp(16), 4), [4, 5, 12, 13]);
});

// ---------------------------------------------------------------------------------------------------
// End to end against onnxruntime (the cases of ONNX's pytorch-converted pooling tests, not shipped)

const CASES: { name: string; op: string; x: number[]; attrs: Record<string, number | number[] | string>; opset: number }[] = [
  { name: 'AvgPool2d', op: 'AveragePool', x: [2, 3, 6, 6], attrs: { kernel_shape: [3, 3], strides: [1, 1] }, opset: 7 },
  { name: 'AvgPool2d_stride', op: 'AveragePool', x: [2, 3, 6, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2] }, opset: 7 },
  { name: 'MaxPool2d', op: 'MaxPool', x: [1, 3, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, opset: 8 },
  { name: 'MaxPool2d_stride_padding_dilation', op: 'MaxPool', x: [1, 1, 100, 100], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 2], ceil_mode: 1 }, opset: 12 },
  { name: 'AvgPool_ceil_count_pad', op: 'AveragePool', x: [1, 2, 8, 6], attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 0], ceil_mode: 1, count_include_pad: 1 }, opset: 19 },
  { name: 'GlobalAveragePool_1d', op: 'GlobalAveragePool', x: [2, 3, 9], attrs: {}, opset: 13 },
];

test('pooling end to end matches onnxruntime', async () => {
  const rng = mulberry32(77);
  for (const c of CASES) {
    const m = new OnnxModelBuilder({ opset: c.opset });
    m.node(c.op, [m.input('x', 'float32', c.x)], c.attrs, { outputs: ['y'] });
    m.output('y', 'float32');
    const input = { dtype: 'float32' as const, shape: c.x, data: randomFloats(rng, c.x.reduce((a, b) => a * b, 1), -1, 1) };
    const [expected] = await runOnnxRuntime(m.encode(), [{ name: 'x', ...input }]);
    const [[actual]] = runModel(m.encode(), `${c.name}.onnx`, [[input]], { target: 'host', name: 'model' });
    assert.equal(actual.shape, expected.shape, c.name);
    const cmp = compareFloats(actual.data as Float32Array, expected.data as Float32Array, { rtol: 1e-4, atol: 1e-5 });
    assert.ok(cmp.ok, `${c.name}: ${describeComparison(cmp)}`);
  }
});

test.run();
