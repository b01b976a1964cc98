/**
 * The int8 kernels of the onnx rounding mode (runtime-c/include/utvm/onnx_s8.h) against a TypeScript
 * reference of onnxruntime's requantization (float32 product, clamp, round half to even, zero point), on
 * randomised shapes including odd ones (channels not a multiple of 4, width 1, stride 2 with padding,
 * depthwise), and ties that round to even. Also: the onnx mode lowers to these portable kernels on the
 * Cortex-M7 too (no DSP variant).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { formatFloat } from '../../src/ir/c-value.js';
import { onnxOutputScales } from '../../src/lower/onnx-rounding.js';
import { runCKernel } from '../util/c-kernel.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { mulberry32, randomInts } from '../util/random.js';

const f = Math.fround;

function rne(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** onnxruntime's MlasRequantizeOutput for one accumulator. */
function requant(acc: number, scale: number, zp: number, lo = -128, hi = 127): number {
  const v = Math.min(Math.max(f(f(acc) * scale), lo - zp), hi - zp);
  return rne(v) + zp;
}

const ints = (name: string, type: string, v: ArrayLike<number>) => `static const ${type} ${name}[] = {${Array.from(v).join(', ')}};`;
const floats = (name: string, v: ArrayLike<number>) => `static const float ${name}[] = {${Array.from(v, (x) => formatFloat(x)).join(', ')}};`;
const print = (name: string, n: number) => `for (int i_ = 0; i_ < ${n}; i_++) printf("%d\\n", (int)${name}[i_]);`;

interface ConvCase { h: number; w: number; c: number; oc: number; k: number; stride: number; pad: number; groups: number }

function convReference(s: ConvCase, x: number[], wt: number[], bias: number[], scales: Float32Array, inZp: number, outZp: number): number[] {
  const oh = Math.floor((s.h + 2 * s.pad - s.k) / s.stride) + 1;
  const ow = Math.floor((s.w + 2 * s.pad - s.k) / s.stride) + 1;
  const [gc, goc] = [s.c / s.groups, s.oc / s.groups];
  const out: number[] = [];
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let o = 0; o < s.oc; o++) {
    let acc = bias[o];
    const c0 = Math.floor(o / goc) * gc;
    for (let ky = 0; ky < s.k; ky++) for (let kx = 0; kx < s.k; kx++) {
      const [y, xx] = [oy * s.stride - s.pad + ky, ox * s.stride - s.pad + kx];
      if (y < 0 || y >= s.h || xx < 0 || xx >= s.w) continue;
      for (let c = 0; c < gc; c++) acc += wt[((o * s.k + ky) * s.k + kx) * gc + c] * (x[(y * s.w + xx) * s.c + c0 + c] - inZp);
    }
    out.push(requant(acc, scales[o], outZp));
  }
  return out;
}

const CONV_CASES: ConvCase[] = [
  { h: 7, w: 5, c: 3, oc: 5, k: 3, stride: 2, pad: 1, groups: 1 },
  { h: 6, w: 1, c: 5, oc: 7, k: 1, stride: 1, pad: 0, groups: 1 },
  { h: 5, w: 6, c: 7, oc: 7, k: 3, stride: 1, pad: 1, groups: 7 },
  { h: 9, w: 4, c: 6, oc: 12, k: 3, stride: 2, pad: 1, groups: 6 },
];

CONV_CASES.forEach((s, n) => {
  test(`utvm_conv2d_s8_onnx ${s.h}x${s.w}x${s.c} → ${s.oc}, k${s.k} stride ${s.stride} pad ${s.pad} groups ${s.groups}: onnxruntime's requantization`, () => {
    const rng = mulberry32(40 + n);
    const gc = s.c / s.groups;
    const x = randomInts(rng, s.h * s.w * s.c, -128, 127);
    const wt = randomInts(rng, s.oc * s.k * s.k * gc, -127, 127);
    const bias = randomInts(rng, s.oc, -3000, 3000);
    const [inZp, outZp] = [randomInts(rng, 1, -20, 20)[0], randomInts(rng, 1, -30, 30)[0]];
    const wScales = Array.from({ length: s.oc }, () => f(0.002 + 0.01 * rng()));
    const scales = onnxOutputScales(f(0.03), wScales, f(0.11), s.oc);
    const expected = convReference(s, x, wt, bias, scales, inZp, outZp);
    const oh = Math.floor((s.h + 2 * s.pad - s.k) / s.stride) + 1;
    const ow = Math.floor((s.w + 2 * s.pad - s.k) / s.stride) + 1;
    const params = `static const utvm_conv2d_params_s8 p = {1, ${s.h}, ${s.w}, ${s.c}, ${oh}, ${ow}, ${s.oc}, ${s.k}, ${s.k}, ${s.stride}, ${s.stride}, 1, 1, ${s.pad}, ${s.pad}, ${s.groups}, ${-inZp}, {${outZp}, 0, 0, -128, 127}};`;
    const got = runCKernel({
      headers: ['utvm/onnx_s8.h'],
      kernels: ['utvm_conv2d_s8_onnx'],
      globals: [ints('x', 'int8_t', x), ints('w', 'int8_t', wt), ints('b', 'int32_t', bias), floats('s', scales), params, `static int8_t y[${expected.length}];`],
      body: ['utvm_conv2d_s8_onnx(&p, x, w, b, s, y);', print('y', expected.length)],
    });
    assert.equal(got, expected);
  });
});

test('utvm_fully_connected_s8_onnx: 3 rows, 13 → 6 features, activation range, per-feature scales', () => {
  const rng = mulberry32(7);
  const [m, k, n] = [3, 13, 6];
  const x = randomInts(rng, m * k, -128, 127);
  const wt = randomInts(rng, n * k, -127, 127);
  const bias = randomInts(rng, n, -2000, 2000);
  const scales = onnxOutputScales(f(0.05), Array.from({ length: n }, () => f(0.004 + 0.004 * rng())), f(0.2), n);
  const expected: number[] = [];
  for (let r = 0; r < m; r++) for (let o = 0; o < n; o++) {
    let acc = bias[o];
    for (let i = 0; i < k; i++) acc += wt[o * k + i] * x[r * k + i];
    expected.push(requant(acc, scales[o], 3, -5, 127));
  }
  const got = runCKernel({
    headers: ['utvm/onnx_s8.h'],
    kernels: ['utvm_fully_connected_s8_onnx'],
    globals: [ints('x', 'int8_t', x), ints('w', 'int8_t', wt), ints('b', 'int32_t', bias), floats('s', scales), `static const utvm_fully_connected_params_s8 p = {${m}, ${k}, ${n}, 3, 0, 0, -5, 127};`, `static int8_t y[${m * n}];`],
    body: ['utvm_fully_connected_s8_onnx(&p, x, w, b, s, y);', print('y', m * n)],
  });
  assert.equal(got, expected);
});

test('utvm_add_s8_onnx: uint8 inputs and output, fused multiply-adds, ties to even', () => {
  // ratio 0.5 makes exact halves; inputs stored as uint8 (offset 128), output uint8 (offset -128).
  const a = [-128, -127, -126, -125, 0, 1, 2, 3, 126, 127, -40, 77];
  const b = [-128, -128, -127, -126, 5, 0, 1, 7, 127, 127, 33, -90];
  const [zpA, zpB, zpY] = [130, 101, 128];
  const [r1, r2] = [f(0.5), f(0.75)];
  const fixed = f(zpY - f(f(r1 * zpA) + f(r2 * zpB)));
  const expected = a.map((v, i) => {
    const t = f((b[i] + 128) * r2 + fixed);
    const s = f((v + 128) * r1 + t);
    return Math.min(127, Math.max(-128, rne(s) - 128));
  });
  assert.ok(a.some((v, i) => Math.abs(f((v + 128) * r1 + f((b[i] + 128) * r2 + fixed)) % 1) === 0.5), 'the case has ties');
  const params = `static const utvm_add_params_s8_onnx p = {128, 128, ${formatFloat(r1)}, ${formatFloat(r2)}, ${formatFloat(fixed)}, -128, -128, 127};`;
  const got = runCKernel({
    headers: ['utvm/onnx_s8.h'],
    kernels: ['utvm_add_s8_onnx'],
    globals: [ints('a', 'int8_t', a), ints('b', 'int8_t', b), params, `static int8_t y[${a.length}];`],
    body: [`utvm_add_s8_onnx(&p, a, b, y, ${a.length});`, print('y', a.length)],
  });
  assert.equal(got, expected);
});

test('utvm_round_half_even_f32: ties to even, both signs', () => {
  const v = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, 127.5, -128.5, 3];
  const got = runCKernel({
    headers: ['utvm/onnx_s8.h'],
    kernels: [],
    globals: [floats('v', v), `static int32_t r[${v.length}];`],
    body: [`for (int i = 0; i < ${v.length}; i++) r[i] = utvm_round_half_even_f32(v[i]);`, print('r', v.length)],
  });
  assert.equal(got, v.map((x) => rne(f(x))));
});

/** x [1,3,8,8] uint8 → QLinearConv 3×3 3→8 → QLinearGlobalAveragePool → y uint8. */
function smallModel(): Uint8Array {
  const m = new OnnxModelBuilder({ opset: 13, domains: { 'com.microsoft': 1 }, graphName: 'onnx_rounding_m7' });
  m.input('x', 'uint8', [1, 3, 8, 8]);
  const rng = mulberry32(3);
  const init = (name: string, dtype: 'float32' | 'uint8' | 'int8' | 'int32', dims: number[], v: number[]) => m.initializer(name, dtype, dims, v);
  m.node('QLinearConv', [
    'x', init('xs', 'float32', [], [0.02]), init('xzp', 'uint8', [], [128]), init('w', 'int8', [8, 3, 3, 3], randomInts(rng, 216, -127, 127)),
    init('ws', 'float32', [], [0.01]), init('wzp', 'int8', [], [0]), init('cs', 'float32', [], [0.05]), init('czp', 'uint8', [], [120]),
  ], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv', outputs: ['c'] });
  m.node('QLinearGlobalAveragePool', ['c', 'cs', 'czp', init('ys', 'float32', [], [0.03]), init('yzp', 'uint8', [], [110])], { channels_last: 0 }, { name: 'gap', outputs: ['y'], domain: 'com.microsoft' });
  m.output('y', 'uint8', [1, 8, 1, 1]);
  return m.encode();
}

test('onnx rounding on the Cortex-M7: the portable onnx kernels, no DSP variant; the default keeps the DSP kernels (and ONNX\'s global average pool)', () => {
  const bytes = smallModel();
  const onnx = compile(bytes, 'm.onnx', { name: 'm', board: 'qemu-mps2-an500', rounding: 'onnx' }).program.kernels;
  assert.ok(onnx.includes('utvm_conv2d_s8_onnx') && onnx.includes('utvm_reduce_mean_s8_onnx'), `onnx kernels: ${onnx}`);
  assert.ok(!onnx.some((k) => /_dsp$/.test(k)), `no DSP kernel in the onnx mode: ${onnx}`);
  const tflite = compile(bytes, 'm.onnx', { name: 'm', board: 'qemu-mps2-an500' }).program.kernels;
  assert.ok(tflite.some((k) => /^utvm_conv2d_\w*s8_dsp(_const)?$/.test(k)), `default kernels: ${tflite}`);
  assert.equal(tflite.filter((k) => /_onnx$/.test(k)), ['utvm_reduce_mean_s8_onnx'], `default kernels: ${tflite}`);
});

test.run();
