/**
 * TFLite's 16x8 quantization (int16 activations) for the operators TFLite Micro runs in int16 beyond
 * tests/import/tflite-int16.test.ts: MUL and SUB (broadcasting, fused RELU / RELU6, saturation both
 * ways, both larger input scales), MAXIMUM and MINIMUM (one quantization for all three tensors);
 * AVERAGE_POOL_2D, MAX_POOL_2D (padding, strides, fused activations) and MEAN (axes, keep_dims, zero points);
 * LOGISTIC and TANH (the input scales TFLite Micro treats apart: powers of two, general, large, tiny);
 * SOFTMAX int16 → int16 (betas, input scales, row lengths).
 * One model per family holds every case; every output byte must equal TFLite Micro's (tflm-run) on seeded
 * random inputs on the host; one model with every family runs once on the emulated Cortex-M7.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { TensorSpec, activationOptions, buildTflite, softmaxOptions } from '../util/tflite-build.js';
import { OptionsType } from '../../src/import/tflite-options.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

import { ACT_SCALES, BINARY16, FAMILIES, POOL16, int16OpsCases as randomCases, int16OpsModel as buildFamilies } from '../util/int16-models.js';
import type { Int16Model as Built } from '../util/int16-models.js';

/** Runs `b` on the host and with TFLM, compares every byte, returns our outputs' values per output index. */
function hostSame(b: Built, name: string, seed: number): number[][] {
  const cases = randomCases(b, seed, 2);
  const ours = runModel(b.bytes, `${name}.tflite`, cases, { target: 'host', name });
  const theirs = runTflm(b.bytes, cases.map((c) => c.map(toBytes)), b.outputs);
  assertSameBytes('host', ours, theirs);
  return Array.from({ length: b.outputs }, (_, i) => ours.flatMap((outs) => [...outs[i].data].map(Number)));
}

function assertVariedAndSaturated(values: number[], what: string, saturates = true): void {
  assert.ok(new Set(values).size > values.length / 4, `${what}: outputs vary: ${new Set(values).size} distinct of ${values.length}`);
  if (saturates) assert.ok(values.includes(32767) && values.includes(-32768), `${what}: saturates both ways`);
}

test('16x8 MUL, SUB (broadcasting, a scalar, RELU, RELU6), MAXIMUM, MINIMUM: host = TFLM bit for bit', () => {
  const m = buildFamilies('binary');
  const g = loadGraph(m.bytes, 'bin16.tflite', 'bin16');
  assert.equal(g.nodes.map((n) => n.op), ['mul', 'mul', 'mul', 'mul', 'mul', 'sub', 'sub', 'sub', 'sub', 'maximum', 'maximum', 'minimum', 'minimum']);
  const values = hostSame(m, 'bin16', 1701);
  const of = (op: string) => BINARY16.flatMap((c, i) => (c.op === op ? values[i] : []));
  assertVariedAndSaturated(of('MUL'), 'MUL');
  assertVariedAndSaturated(of('SUB'), 'SUB');
  assertVariedAndSaturated([...of('MAXIMUM'), ...of('MINIMUM')], 'MAXIMUM/MINIMUM', false);
});

test('16x8 AVERAGE_POOL_2D, MAX_POOL_2D (SAME/VALID, strides, RELU, RELU6, a zero point) and MEAN (axes, keep_dims, zero points, scale changes): host = TFLM bit for bit', () => {
  const m = buildFamilies('pool');
  const values = hostSame(m, 'pool16', 1711);
  const pools = values.slice(0, POOL16.length).flat();
  assert.ok(new Set(pools).size > pools.length / 4, `pool outputs vary: ${new Set(pools).size} distinct of ${pools.length}`);
  assert.ok(values[2].every((v) => v >= 0 && v <= Math.round(6 / 0.0005)), 'RELU6 average pool within [0, 6]');
  const means = values.slice(POOL16.length).flat();
  assert.ok(means.includes(32767) && means.includes(-32768), 'MEAN saturates both ways');
});

test('16x8 LOGISTIC and TANH (power-of-two, near power-of-two, general, large and tiny input scales): host = TFLM bit for bit', () => {
  const m = buildFamilies('activations');
  const values = hostSame(m, 'act16', 1721);
  const n = ACT_SCALES.length;
  const sig = values.slice(0, n).flat();
  const tanh = values.slice(n).flat();
  assert.ok(new Set(sig).size > sig.length / 3 && new Set(tanh).size > tanh.length / 3, 'outputs vary');
  assert.ok(sig.includes(32767) && sig.every((v) => v >= 0), 'LOGISTIC reaches 32767 and stays >= 0');
  assert.ok(tanh.includes(32767) && tanh.some((v) => v <= -32767), 'TANH reaches both ends');
});

test("16x8 SOFTMAX int16 → int16 (TFLite Micro's exp and 1 / (1 + x) tables rebuilt by formula; betas, scales, rows of 1 to 40): host = TFLM bit for bit", () => {
  const m = buildFamilies('softmax');
  const values = hostSame(m, 'sm16', 1731);
  const all = values.flat();
  assert.ok(new Set(all).size > all.length / 4, `outputs vary: ${new Set(all).size} distinct of ${all.length}`);
  assert.ok(values[2].every((v) => v === 32767), 'a row of one is 1');
  assert.ok(all.every((v) => v >= 0), 'never negative');
});

function expectError(spec: Parameters<typeof buildTflite>[0], code: string, message: string): void {
  try {
    runModel(buildTflite(spec), 'bad.tflite', [], { target: 'host', name: 'bad' });
    assert.unreachable('compiled');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, code);
    assert.match((e as UtvmError).message, message);
  }
}

test('int16 MUL with an output zero point (TFLite Micro refuses it) and int16 SUB with an input zero point → E_UNSUPPORTED_ATTR', () => {
  const q = (zp: number) => ({ scale: [0.001], zeroPoint: [zp] });
  const tensors = (zpIn: number, zpOut: number): TensorSpec[] => [
    { name: 'a', shape: [4], type: 'int16', quant: q(zpIn) },
    { name: 'b', shape: [4], type: 'int16', quant: q(0) },
    { name: 'y', shape: [4], type: 'int16', quant: q(zpOut) },
  ];
  expectError({ tensors: tensors(0, 3), inputs: [0, 1], outputs: [2], operators: [{ op: 'MUL', version: 4, inputs: [0, 1], outputs: [2], options: activationOptions(OptionsType.MulOptions, 0) }] }, 'E_UNSUPPORTED_ATTR', 'int16 mul needs the output zero point 0, got 3');
  expectError({ tensors: tensors(-2, 0), inputs: [0, 1], outputs: [2], operators: [{ op: 'SUB', version: 3, inputs: [0, 1], outputs: [2], options: activationOptions(OptionsType.SubOptions, 0) }] }, 'E_UNSUPPORTED_ATTR', 'int16 sub needs input zero points 0, got -2 and 0');
});

test('int16 LOGISTIC and SOFTMAX with an output scale TFLite Micro refuses, TANH of an input scale above 32767 / 12288 → E_UNSUPPORTED_ATTR', () => {
  const spec = (op: string, sx: number, sy: number) => ({
    tensors: [
      { name: 'x', shape: [4], type: 'int16' as const, quant: { scale: [sx], zeroPoint: [0] } },
      { name: 'y', shape: [4], type: 'int16' as const, quant: { scale: [sy], zeroPoint: [0] } },
    ],
    inputs: [0],
    outputs: [1],
    operators: [{ op, version: 3, inputs: [0], outputs: [1], ...(op === 'SOFTMAX' ? { options: softmaxOptions(1) } : {}) }],
  });
  expectError(spec('LOGISTIC', 0.001, 1 / 16384), 'E_UNSUPPORTED_ATTR', 'int16 sigmoid needs the output scale 2^-15, got 0.000061');
  expectError(spec('TANH', 4, 1 / 32768), 'E_UNSUPPORTED_ATTR', 'int16 tanh of an input scale of 4 (above 32767 / 12288) is not supported');
  expectError(spec('SOFTMAX', 0.001, 1 / 65536), 'E_UNSUPPORTED_ATTR', 'int16 softmax needs zero points 0 and output scale 1/32768, got zero points 0 and 0, output scale 0.0000152587890625');
});

test('every int16 family in one model on qemu-mps2-an500 = TFLM', () => {
  const m = buildFamilies(...(Object.keys(FAMILIES) as (keyof typeof FAMILIES)[]));
  const result = compile(m.bytes, 'int16ops.tflite', { name: 'int16ops', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  assert.ok(files.some((f) => f.endsWith('/utvm_mul_s16_dsp.c')), 'the flat MULs take the DSP kernel');
  const cases = randomCases(m, 1790, 2);
  assertSameBytes('qemu', runCompiled(result, cases), runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs));
});

test.run();
