/**
 * ONNX MatMul with batch dimensions and broadcasting, float32 and int8 through QDQ, in one model:
 * float — batched A times a constant 2-D B, two run-time operands with broadcast batch dims, 1-D A and
 * 1-D B (the promoted dim dropped), a constant batched B; int8 (DequantizeLinear → MatMul →
 * QuantizeLinear) — two run-time batched operands with broadcasting (batch_matmul after an int8
 * transpose of B), batched A times a constant per-tensor B with a non-zero zero point (B transposed at
 * compile time), 2-D A times a constant per-channel B (the dense gemm form). Compiled once for the host
 * (two random cases) = onnxruntime-node within 1e-4 relative / 1e-5 absolute (float) and 1 LSB
 * (quantized); one QEMU run of both cases = the host; the reference interpreter on the float cases
 * within 1e-5 of each output's max |value|.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, importGraph } from '../../src/compile.js';
import { runCompiled } from '../../src/run/index.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { NamedTensor, runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';

const count = (s: number[]) => s.reduce((a, b) => a * b, 1);
const rng = mulberry32(151);
const b = new OnnxModelBuilder({ opset: 13 });
const inputShapes: [string, number[]][] = [];
/** Per output: its LSB when quantized. */
const outputs: { label: string; lsb?: number }[] = [];

function input(name: string, shape: number[]): string {
  inputShapes.push([name, shape]);
  return b.input(name, 'float32', shape);
}

function constant(name: string, shape: number[]): string {
  return b.initializer(name, 'float32', shape, randomFloats(rng, count(shape), -1, 1));
}

function out(label: string, y: string, lsb?: number): void {
  const [o] = b.node('Identity', [y], {}, { outputs: [`y_${label}`] });
  b.output(o, 'float32');
  outputs.push({ label, ...(lsb ? { lsb } : {}) });
}

const matmul = (a: string, c: string) => b.node('MatMul', [a, c])[0];

// float32
out('batchA_constB', matmul(input('a1', [2, 3, 4, 5]), constant('b1', [5, 3])));
out('broadcast', matmul(input('a2', [3, 1, 4, 5]), input('b2', [2, 5, 6])));
out('vec_A', matmul(input('a3', [4]), input('b3', [2, 4, 3])));
out('vec_B', matmul(input('a4', [2, 3, 4]), input('b4', [4])));
out('constB_batched', matmul(input('a5', [2, 1, 3, 4]), constant('b5', [3, 4, 2])));
// The float cases alone, for the reference interpreter (it runs the QDQ graph's float islands through the
// quantize / dequantize references, which are issue 14's).
const floatModel = b.encode();
const floatOutputs = outputs.length;
const floatInputs = inputShapes.length;

// int8 through QDQ
function q(x: string, scale: number, zp: number, tag: string): string {
  const s = b.initializer(`s_${tag}`, 'float32', [], [scale]);
  const z = b.initializer(`z_${tag}`, 'int8', [], [zp]);
  return b.node('DequantizeLinear', [b.node('QuantizeLinear', [x, s, z])[0], s, z])[0];
}
function quantizedConst(name: string, shape: number[], scale: number[], zp: number[], axis?: number): string {
  const data = Int8Array.from({ length: count(shape) }, () => Math.floor(rng() * 200) - 100);
  const dims = scale.length === 1 ? [] : [scale.length];
  const ins = [b.initializer(name, 'int8', shape, data), b.initializer(`${name}_s`, 'float32', dims, scale), b.initializer(`${name}_z`, 'int8', dims, zp)];
  return b.node('DequantizeLinear', ins, axis === undefined ? {} : { axis })[0];
}
out('q_runtime', q(matmul(q(input('qa1', [2, 3, 4, 5]), 1 / 100, 4, 'qa1'), q(input('qb1', [1, 5, 6]), 1 / 90, -7, 'qb1')), 1 / 40, 2, 'qy1'), 1 / 40);
out('q_constB', q(matmul(q(input('qa2', [3, 4, 6]), 1 / 120, -3, 'qa2'), quantizedConst('qb2', [6, 5], [0.01], [5])), 1 / 50, -1, 'qy2'), 1 / 50);
out('q_dense', q(matmul(q(input('qa3', [4, 6]), 1 / 110, 0, 'qa3'), quantizedConst('qb3', [6, 3], [0.01, 0.02, 0.015], [0, 0, 0], 1)), 1 / 30, 0, 'qy3'), 1 / 30);

const model = b.encode();
const caseInputs = (seed: number): NamedTensor[] => {
  const r = mulberry32(seed);
  return inputShapes.map(([name, shape]) => ({ name, dtype: 'float32', shape, data: randomFloats(r, count(shape), -1, 1) }));
};
const inputs = [caseInputs(1), caseInputs(2)];
const values = (ins: NamedTensor[]): TensorValue[] => ins.map(({ dtype, shape, data }) => ({ dtype, shape, data }));
let host: TensorValue[][] = [];

test('host = onnxruntime (float 1e-4/1e-5, int8 1 LSB); the QDQ products run on int8 kernels', async () => {
  const result = compile(model, 'mm.onnx', { name: 'mm', board: 'host' });
  const kernels = result.program.steps.flatMap((s) => s.kernels);
  assert.is(kernels.filter((k) => k === 'utvm_batch_matmul_s8').length, 2, `kernels: ${kernels}`);
  assert.ok(kernels.includes('utvm_fully_connected_s8'), `kernels: ${kernels}`);
  host = runCompiled(result, inputs.map(values));
  for (let k = 0; k < inputs.length; k++) {
    const expected = await runOnnxRuntime(model, inputs[k]);
    outputs.forEach((o, i) => {
      assert.equal(host[k][i].shape, expected[i].shape, `${o.label}: shape`);
      const tol = o.lsb ? { rtol: 0, atol: o.lsb * 1.001 } : { rtol: 1e-4, atol: 1e-5 };
      const r = compareFloats(host[k][i].data as Float32Array, expected[i].data as Float32Array, tol);
      assert.ok(r.ok, `case ${k} ${o.label}: ${describeComparison(r)}`);
    });
  }
});

test('the emulated Cortex-M7 (one QEMU run, DSP kernels) = the host', () => {
  assert.is(host.length, inputs.length, 'the host results of the first test');
  const qemu = runCompiled(compile(model, 'mm.onnx', { name: 'mm', board: 'qemu-mps2-an500' }), inputs.map(values));
  assert.is(qemu.length, inputs.length);
  qemu.forEach((outs, k) => outs.forEach((o, i) => {
    const r = compareFloats(o.data as Float32Array, host[k][i].data as Float32Array, { rtol: 1e-5, atol: 1e-6 });
    assert.ok(r.ok, `case ${k} ${outputs[i].label}: ${describeComparison(r)}`);
  }));
});

test('the reference interpreter = onnxruntime within 1e-5 of each output max |value| (the float cases)', async () => {
  const ins = inputs[0].slice(0, floatInputs);
  const got = createInterpreter(importGraph(floatModel, 'mm.onnx', 'mm')).run(values(ins)).outputs;
  const expected = await runOnnxRuntime(floatModel, ins);
  assert.is(got.length, floatOutputs);
  outputs.slice(0, floatOutputs).forEach((o, i) => {
    const e = expected[i].data as Float32Array;
    const max = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const r = compareFloats(got[i].data as Float32Array, e, { rtol: 0, atol: 1e-5 * max });
    assert.ok(r.ok, `${o.label}: ${describeComparison(r)}`);
  });
});

test.run();
