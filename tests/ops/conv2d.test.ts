/**
 * conv2d: ONNX Conv import (pads, auto_pad, 1-D, groups, errors), shape inference, kernel choice in
 * lowering, and the two C kernels against hand-computed values and a direct TypeScript reference.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CValue, f32, formatCValue, formatFloat } from '../../src/ir/c-value.js';
import { importOnnx } from '../../src/import/onnx.js';
import { Graph, Node } from '../../src/ir/graph.js';
import { Conv2dAttrs, conv2d } from '../../src/ops/conv2d/index.js';
import type { KernelCall, LowerContext } from '../../src/ops/op.js';
import { runModel } from '../../src/run/index.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';

const RUNTIME = fileURLToPath(new URL('../../../runtime-c', import.meta.url));

// ---------------------------------------------------------------------------------------------------
// Helpers

function convModel(xShape: number[], wShape: number[], attrs: Record<string, number | number[] | string>, opts: { bias?: boolean; opset?: number } = {}) {
  const m = new OnnxModelBuilder({ opset: opts.opset ?? 13 });
  const x = m.input('x', 'float32', xShape);
  const w = m.initializer('w', 'float32', wShape, new Float32Array(wShape.reduce((a, b) => a * b, 1)).map((_, i) => i));
  const inputs = [x, w];
  if (opts.bias) inputs.push(m.initializer('b', 'float32', [wShape[0]], new Float32Array(wShape[0]).fill(1)));
  const [y] = m.node('Conv', inputs, attrs, { name: 'c', outputs: ['y'] });
  m.output(y, 'float32');
  return importOnnx(m.encode(), 'm.onnx', 'm');
}

function convNode(g: Graph): Node<Conv2dAttrs> {
  const n = g.nodes.find((x) => x.op === 'conv2d');
  assert.ok(n, 'a conv2d node');
  return n as unknown as Node<Conv2dAttrs>;
}

function lowerIn(g: Graph, node: Node<Conv2dAttrs>): KernelCall[] {
  const ctx: LowerContext<Conv2dAttrs> = {
    node,
    graph: g,
    input: (i) => g.tensor(node.inputs[i]),
    optionalInput: (i) => (node.inputs[i] ? g.tensor(node.inputs[i]) : undefined),
    output: (i) => g.tensor(node.outputs[i]),
    addConstant: (base, dtype, shape, data) => {
      const name = g.freshName(base);
      g.addTensor({ name, dtype, shape, data });
      return name;
    },
  };
  return conv2d.lower!(ctx);
}

function cArray(name: string, values: ArrayLike<number>): string {
  return `static const float ${name}[] = {${Array.from(values, (v) => formatFloat(v)).join(', ')}};`;
}

/** Compiles `kernel` with a main that calls it on the given arrays and prints `outCount` floats. */
function runConvKernel(kernel: string, paramsType: string, params: CValue, x: Float32Array, w: Float32Array, bias: Float32Array | undefined, outCount: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-conv-'));
  const main = [
    '#include <stdio.h>',
    '#include <math.h>',
    '#include "utvm/conv2d.h"',
    cArray('x', x),
    cArray('w', w),
    bias ? cArray('b', bias) : '',
    `static const ${paramsType} p = ${formatCValue(params)};`,
    `static float y[${outCount}];`,
    'int main(void) {',
    `  ${kernel}(&p, x, w, ${bias ? 'b' : 'NULL'}, y);`,
    `  for (int i = 0; i < ${outCount}; i++) printf("%.9g\\n", y[i]);`,
    '  return 0;',
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'main.c'), main);
  const exe = join(dir, 'main');
  execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', `-I${RUNTIME}/include`, join(dir, 'main.c'), `${RUNTIME}/src/${kernel}.c`, '-lm', '-o', exe]);
  return execFileSync(exe).toString().trim().split('\n').map(Number);
}

/** Direct definition: NHWC input, OHWI weights. */
function referenceConv(x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: Float32Array | undefined, a: Conv2dAttrs, oh: number, ow: number): number[] {
  const [n, h, wd, c] = xs;
  const [o, kh, kw, cg] = ws;
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let oc = 0; oc < o; oc++) {
    const g = Math.floor(oc / (o / a.groups));
    let acc = bias ? bias[oc] : 0;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let ci = 0; ci < cg; ci++) {
      const iy = y * a.strides[0] - a.pads[0] + ky * a.dilations[0];
      const ix = xx * a.strides[1] - a.pads[1] + kx * a.dilations[1];
      if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
      acc += x[((b * h + iy) * wd + ix) * c + g * cg + ci] * w[((oc * kh + ky) * kw + kx) * cg + ci];
    }
    out.push(Math.min(a.clamp?.max ?? Infinity, Math.max(a.clamp?.min ?? -Infinity, acc)));
  }
  return out;
}

/** Builds a graph with one conv2d over random data, lowers it and runs the chosen kernel. */
function checkKernel(xs: number[], ws: number[], attrs: Conv2dAttrs, withBias: boolean, expectKernel: string): void {
  const rng = mulberry32(xs.concat(ws).reduce((a, b) => a * 31 + b, 7));
  const g = new Graph('t');
  const x = randomFloats(rng, xs.reduce((a, b) => a * b, 1), -1, 1);
  const w = randomFloats(rng, ws.reduce((a, b) => a * b, 1), -1, 1);
  const bias = withBias ? randomFloats(rng, ws[0], -1, 1) : undefined;
  g.addTensor({ name: 'x', dtype: 'float32', shape: xs });
  g.addTensor({ name: 'w', dtype: 'float32', shape: ws, data: w });
  if (bias) g.addTensor({ name: 'b', dtype: 'float32', shape: [ws[0]], data: bias });
  const node: Node<Conv2dAttrs> = { name: 'c', op: 'conv2d', inputs: bias ? ['x', 'w', 'b'] : ['x', 'w'], outputs: ['y'], attrs, source: { op: 'Conv', name: 'c' } };
  const [type] = conv2d.infer({ attrs, inputs: node.inputs.map((i) => g.tensor(i)), node });
  g.addTensor({ name: 'y', ...type });
  const [call] = lowerIn(g, node);
  assert.is(call.kernel, expectKernel);
  const p = call.args[0] as { params: CValue; type: string };
  const weights = g.tensor((call.args[2] as { tensor: string }).tensor).data as Float32Array;
  const count = type.shape.reduce((a, b) => a * b, 1);
  const actual = runConvKernel(call.kernel, p.type, p.params, x, weights, bias, count);
  const expected = referenceConv(x, xs, w, ws, bias, attrs, type.shape[1], type.shape[2]);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= 1e-5 + 1e-5 * Math.abs(e), `[${i}] ${actual[i]} vs ${e}`));
}

const base = (over: Partial<Conv2dAttrs> = {}): Conv2dAttrs => ({ strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, ...over });

// ---------------------------------------------------------------------------------------------------
// Import and shape inference

test('Conv with pads imports as transpose → conv2d → transpose with OHWI weights', () => {
  const g = convModel([1, 2, 5, 5], [3, 2, 3, 3], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { bias: true });
  assert.equal(g.nodes.map((n) => n.op), ['transpose', 'conv2d', 'transpose']);
  const c = convNode(g);
  assert.equal(c.attrs, { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1 });
  assert.equal(g.tensor(c.outputs[0]).shape, [1, 5, 5, 3]);
  const w = g.tensor(c.inputs[1]);
  assert.equal(w.shape, [3, 3, 3, 2]);
  // OIHW element [o=1, i=1, h=2, w=0] = 1·18 + 1·9 + 2·3 + 0 = 33 lands at OHWI [1, 2, 0, 1].
  assert.is(w.data![((1 * 3 + 2) * 3 + 0) * 2 + 1], 33);
  assert.equal(g.tensor('y').shape, [1, 3, 5, 5]);
});

test('auto_pad SAME_UPPER / SAME_LOWER / VALID resolve to explicit pads', () => {
  const same = (mode: string, strides: number[]) => convNode(convModel([1, 1, 5, 5], [1, 1, 2, 2], { auto_pad: mode, strides })).attrs.pads;
  assert.equal(same('SAME_UPPER', [1, 1]), [0, 0, 1, 1]);
  assert.equal(same('SAME_LOWER', [1, 1]), [1, 1, 0, 0]);
  assert.equal(same('VALID', [1, 1]), [0, 0, 0, 0]);
  const g = convModel([1, 1, 5, 5], [1, 1, 3, 3], { auto_pad: 'SAME_LOWER', kernel_shape: [3, 3], strides: [2, 2] });
  assert.equal(convNode(g).attrs.pads, [1, 1, 1, 1]);
  assert.equal(g.tensor('y').shape, [1, 1, 3, 3]);
});

test('1-D Conv is lifted to 2-D through reshapes', () => {
  const g = convModel([2, 4, 10], [6, 2, 3], { group: 2, pads: [1, 2], strides: [2], dilations: [1] }, { opset: 7 });
  assert.equal(g.nodes.map((n) => n.op), ['transpose', 'reshape', 'conv2d', 'reshape', 'transpose']);
  const c = convNode(g);
  assert.equal(c.attrs, { strides: [1, 2], dilations: [1, 1], pads: [0, 1, 0, 2], groups: 2 });
  assert.equal(g.tensor(c.inputs[1]).shape, [6, 1, 3, 2]);
  assert.equal(g.tensor('y').shape, [2, 6, 6]);
});

test('Conv errors name the node and say what is wrong', () => {
  assert.throws(() => convModel([1, 1, 4, 4, 4], [1, 1, 2, 2, 2], {}), /^m\.onnx: node 'c' \(Conv\): 3-D convolution is not supported$/);
  assert.throws(() => convModel([1, 1, 5, 5], [1, 1, 3, 3], { kernel_shape: [2, 2] }), /kernel_shape \[2,2\] does not match weights \[1,1,3,3\]/);
  assert.throws(() => convModel([1, 1, 5, 5], [1, 1, 3, 3], { auto_pad: 'SAME' }), /auto_pad 'SAME' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER/);
  assert.throws(() => convModel([1, 3, 5, 5], [4, 1, 3, 3], { group: 3 }), /group 3 must divide the 3 input and 4 output channels/);
  assert.throws(() => convModel([1, 1, 2, 2], [1, 1, 3, 3], {}), /a 3x3 kernel does not fit the padded 2x2 input/);
  assert.throws(() => convModel([1, 1, 5, 5], [1, 1, 3, 3], { strides: [0, 1] }), /strides \[0,1\] must be 2 positive integers/);
});

// ---------------------------------------------------------------------------------------------------
// Lowering

test('lowering: depthwise kernel with weights re-laid out to [KH, KW, C_out]', () => {
  const g = convModel([1, 2, 4, 4], [4, 1, 2, 2], { group: 2 });
  const [call] = lowerIn(g, convNode(g));
  assert.is(call.kernel, 'utvm_depthwise_conv2d_f32');
  const p = call.args[0] as { params: Record<string, unknown>; type: string };
  assert.is(p.type, 'utvm_depthwise_conv2d_params_f32');
  assert.is(p.params.depth_multiplier, 2);
  const w = g.tensor((call.args[2] as { tensor: string }).tensor);
  assert.equal(w.shape, [2, 2, 4]);
  // ONNX w[o][0][ky][kx] = o·4 + ky·2 + kx; relaid [ky][kx][o].
  assert.equal(Array.from((w.data as Float32Array).slice(0, 8)), [0, 4, 8, 12, 1, 5, 9, 13]);
  assert.equal(call.args[3], { value: 0 }, 'no bias → NULL');
});

test('lowering: grouped conv uses the general kernel; the clamp is passed', () => {
  const g = convModel([1, 4, 4, 4], [4, 2, 1, 1], { group: 2 }, { bias: true });
  const node = convNode(g);
  node.attrs = { ...node.attrs, clamp: { min: 0, max: 6 } };
  const [call] = lowerIn(g, node);
  assert.is(call.kernel, 'utvm_conv2d_f32');
  const p = call.args[0] as { params: CValue; type: string };
  assert.is(
    formatCValue(p.params),
    '{.batch = 1, .in_h = 4, .in_w = 4, .in_c = 4, .out_h = 4, .out_w = 4, .out_c = 4, .kernel_h = 1, .kernel_w = 1, ' +
      '.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1, .pad_top = 0, .pad_left = 0, .groups = 2, ' +
      '.clamp = {.min = 0.0f, .max = 6.0f}}',
  );
  assert.equal(call.args[3], { tensor: 'b' });
});

// ---------------------------------------------------------------------------------------------------
// C kernels

test('utvm_conv2d_f32: hand-computed 3x3 input, 2x2 kernel, pad 1 on top/left, bias', () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]], bias 10, stride 2, pads top/left 1:
  // windows start at (-1,-1), (-1,1), (1,-1), (1,1) → 10 + [−x[0][0], −x[0][2], −x[2][0], x[1][1] − x[2][2]].
  const params = {
    batch: 1, in_h: 3, in_w: 3, in_c: 1, out_h: 2, out_w: 2, out_c: 1, kernel_h: 2, kernel_w: 2,
    stride_h: 2, stride_w: 2, dilation_h: 1, dilation_w: 1, pad_top: 1, pad_left: 1, groups: 1,
    clamp: { min: f32(-Infinity), max: f32(Infinity) },
  };
  const y = runConvKernel('utvm_conv2d_f32', 'utvm_conv2d_params_f32', params, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Float32Array.from([1, 0, 0, -1]), Float32Array.from([10]), 4);
  assert.equal(y, [9, 7, 3, 6]);
});

test('utvm_conv2d_f32 matches the direct definition (groups, strides, dilations, asymmetric pads, clamp)', () => {
  checkKernel([2, 7, 6, 4], [6, 3, 2, 2], base({ groups: 2, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] }), true, 'utvm_conv2d_f32');
  checkKernel([1, 5, 5, 3], [2, 3, 3, 3], base({ pads: [1, 1, 1, 1], clamp: { min: -0.5, max: 0.5 } }), false, 'utvm_conv2d_f32');
});

test('utvm_depthwise_conv2d_f32 matches the direct definition (multiplier 1 and 3)', () => {
  checkKernel([2, 6, 6, 4], [4, 3, 3, 1], base({ groups: 4, strides: [2, 2], pads: [1, 1, 1, 1] }), true, 'utvm_depthwise_conv2d_f32');
  checkKernel([1, 6, 5, 2], [6, 2, 3, 1], base({ groups: 2, dilations: [2, 1], pads: [0, 1, 1, 0], clamp: { min: 0, max: Infinity } }), false, 'utvm_depthwise_conv2d_f32');
});

// ---------------------------------------------------------------------------------------------------
// End to end against onnxruntime (the cases of ONNX's pytorch-converted Conv tests, which are not shipped)

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  attrs?: Record<string, number | number[] | string>;
  opset?: number;
}

const CASES: ConvCase[] = [
  { name: 'Conv1d', x: [2, 4, 10], w: [5, 4, 3], bias: true, opset: 7 },
  { name: 'Conv1d_groups', x: [2, 4, 6], w: [6, 2, 3], bias: true, attrs: { group: 2 }, opset: 7 },
  { name: 'Conv2d', x: [2, 3, 7, 5], w: [4, 3, 3, 2], bias: true, opset: 7 },
  { name: 'Conv2d_depthwise_padded', x: [2, 4, 6, 6], w: [4, 1, 3, 3], bias: true, attrs: { group: 4, pads: [1, 1, 1, 1] } },
  { name: 'Conv2d_depthwise_strided', x: [2, 4, 6, 6], w: [4, 1, 3, 3], bias: true, attrs: { group: 4, strides: [2, 2] } },
  { name: 'Conv2d_depthwise_with_multiplier', x: [2, 4, 6, 6], w: [8, 1, 3, 3], bias: true, attrs: { group: 4 } },
  { name: 'Conv2d_dilated', x: [2, 3, 8, 8], w: [4, 3, 3, 3], bias: true, attrs: { dilations: [2, 2] } },
  { name: 'Conv2d_groups', x: [2, 4, 6, 5], w: [6, 2, 3, 2], bias: true, attrs: { group: 2 } },
  { name: 'Conv2d_no_bias_same_upper', x: [2, 3, 6, 5], w: [4, 3, 3, 2], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 1] } },
];

test('Conv end to end matches onnxruntime (1-D, groups, depthwise, multiplier, dilations, no bias)', async () => {
  const rng = mulberry32(2024);
  for (const c of CASES) {
    const m = new OnnxModelBuilder({ opset: c.opset ?? 13 });
    const x = m.input('x', 'float32', c.x);
    const inputs = [x, m.initializer('w', 'float32', c.w, randomFloats(rng, c.w.reduce((a, b) => a * b, 1), -1, 1))];
    if (c.bias) inputs.push(m.initializer('b', 'float32', [c.w[0]], randomFloats(rng, c.w[0], -1, 1)));
    m.node('Conv', inputs, c.attrs ?? {}, { outputs: ['y'] });
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
