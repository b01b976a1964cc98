/**
 * TFLite SUB, MAXIMUM and MINIMUM (src/ops/binary/): models built here (tests/util/tflite-build.ts) hold
 * every case at once — odd shapes, broadcasting one way, the other way and both ways, a scalar, a flat
 * tensor large enough for the table kernel (utvm_add_lut_s8, which int8 SUB reaches with a negated table),
 * each operator applied in both operand orders, SUB with the fused activations NONE, RELU and RELU6 —
 * and run on seeded random inputs; every output byte must equal TFLite Micro's (tflm-run), float32 as
 * well as int8. int8 SUB rescales inputs of different scales (so input multipliers on both sides of the
 * larger scale, and both signs of the difference) into output scales small enough to saturate; int8
 * MAXIMUM / MINIMUM use one quantization for all three tensors, as TFLite requires. The int8 model also
 * runs once in the emulated Cortex-M7 with the DSP extension (qemu-mps2-an500), all cases in one run.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { broadcastShapes } from '../../src/ops/binary/index.js';
import { ADD_LUT_MIN_COUNT } from '../../src/ops/binary/s8.js';
import { OptionsType } from '../../src/import/tflite-options.js';
import { mulberry32, randomFloats, randomInts } from '../util/random.js';
import { OpSpec, TensorSpec, activationOptions, buildTflite } from '../util/tflite-build.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

type Q = { scale: number; zp: number };
const quant = (q: Q) => ({ scale: [q.scale], zeroPoint: [q.zp] });
const NONE = 0;
const RELU = 1;
const RELU6 = 3;

/** Two operand shapes and (int8) their quantizations. */
interface Pair {
  as: number[];
  bs: number[];
  qa: Q;
  qb: Q;
}

/** One operator applied to a pair (in both orders), with its output quantization (int8). */
interface Use {
  op: 'SUB' | 'MAXIMUM' | 'MINIMUM' | 'MUL';
  activation?: number;
  qy?: Q;
  /** Use the pair's own quantization for the inputs and output (MAXIMUM / MINIMUM). */
  same?: Q;
}

const PAIRS: Pair[] = [
  { as: [2, 3, 5, 7], bs: [7], qa: { scale: 0.05, zp: -3 }, qb: { scale: 0.013, zp: 7 } },
  { as: [5, 1, 3], bs: [2, 1, 4, 1], qa: { scale: 0.011, zp: 12 }, qb: { scale: 0.031, zp: -20 } },
  { as: [3, 1, 11], bs: [3, 1, 11], qa: { scale: 0.02, zp: 0 }, qb: { scale: 0.02, zp: 0 } },
  { as: [1], bs: [2, 9], qa: { scale: 0.07, zp: -128 }, qb: { scale: 0.009, zp: 127 } },
  { as: [1, 33, 35], bs: [1, 33, 35], qa: { scale: 0.023, zp: 5 }, qb: { scale: 0.041, zp: -9 } },
];

const USES: Use[] = [
  { op: 'SUB', activation: NONE, qy: { scale: 0.017, zp: 3 } },
  { op: 'SUB', activation: RELU, qy: { scale: 0.03, zp: -100 } },
  { op: 'SUB', activation: RELU6, qy: { scale: 0.06, zp: -30 } },
  { op: 'MAXIMUM', same: { scale: 0.027, zp: -5 } },
  { op: 'MINIMUM', same: { scale: 0.027, zp: -5 } },
  { op: 'MUL', activation: RELU6, qy: { scale: 0.0021, zp: -7 } },
];

interface Built {
  bytes: Uint8Array;
  inputShapes: number[][];
  outputs: number;
}

/**
 * One model with every (pair, use, order): the SUB uses share the pair's two graph inputs; MAXIMUM and
 * MINIMUM get two inputs of their own when their quantization differs from the pair's (int8).
 */
function buildModel(type: 'float32' | 'int8'): Built {
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const tensor = (name: string, shape: number[], q?: Q): number => {
    tensors.push({ name, shape, type, ...(type === 'int8' && q ? { quant: quant(q) } : {}) });
    return tensors.length - 1;
  };
  const input = (name: string, shape: number[], q?: Q): number => {
    const t = tensor(name, shape, q);
    inputs.push(t);
    return t;
  };
  PAIRS.forEach((p, i) => {
    const a = input(`a${i}`, p.as, p.qa);
    const b = input(`b${i}`, p.bs, p.qb);
    const ys = broadcastShapes(p.as, p.bs)!;
    USES.forEach((u, j) => {
      let [x, y] = [a, b];
      if (u.same) [x, y] = [input(`a${i}_${j}`, p.as, u.same), input(`b${i}_${j}`, p.bs, u.same)];
      const qy = u.same ?? u.qy;
      for (const [first, second, order] of [[x, y, 'ab'], [y, x, 'ba']] as const) {
        const out = tensor(`y${i}_${j}_${order}`, ys, qy);
        outputs.push(out);
        operators.push({
          op: u.op,
          version: type === 'int8' ? 2 : 1,
          inputs: [first, second],
          outputs: [out],
          ...(u.op === 'SUB' ? { options: activationOptions(OptionsType.SubOptions, u.activation ?? NONE) } : {}),
          ...(u.op === 'MUL' ? { options: activationOptions(OptionsType.MulOptions, u.activation ?? NONE) } : {}),
        });
      }
    });
  });
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), inputShapes: inputs.map((t) => tensors[t].shape), outputs: outputs.length };
}

function randomCases(b: Built, type: 'float32' | 'int8', seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    b.inputShapes.map((shape): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      return type === 'float32'
        ? { dtype: 'float32', shape, data: randomFloats(rng, n, -8, 8) }
        : { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, n, -128, 127)) };
    }),
  );
}


for (const type of ['float32', 'int8'] as const) {
  test(`TFLite SUB (NONE/RELU/RELU6), MAXIMUM, MINIMUM on ${type}, broadcasting, both operand orders: host = TFLM bit for bit`, () => {
    const m = buildModel(type);
    const g = loadGraph(m.bytes, `binary_${type}.tflite`, `binary_${type}`);
    const ops = new Set(g.nodes.map((n) => n.op));
    for (const op of ['sub', 'maximum', 'minimum']) assert.ok(ops.has(op), `${op} in ${[...ops]}`);
    const cases = randomCases(m, type, type === 'int8' ? 901 : 902, 3);
    const ours = runModel(m.bytes, `binary_${type}.tflite`, cases, { target: 'host', name: `binary_${type}` });
    const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
    const bytes = assertSameBytes(type, ours, theirs);
    assert.ok(bytes > 3 * 2 * 5 * 1000, `compared ${bytes} bytes`);
    // the saturating cases saturate: some int8 SUB output reaches -128 or 127
    if (type === 'int8') {
      const values = ours.flatMap((outs) => outs.slice(0, 2).flatMap((o) => [...(o.data as Int8Array)]));
      assert.ok(values.includes(127) && values.includes(-128), 'int8 SUB of pair 0 saturates both ways');
    }
  });
}

test('int8 SUB ≥ ADD_LUT_MIN_COUNT elements compiles to the table kernel, MAXIMUM / MINIMUM and flat MUL to their four-bytes-a-word DSP kernels; the int8 model on qemu-mps2-an500 (DSP) = TFLM', () => {
  const m = buildModel('int8');
  assert.ok(PAIRS.some((p) => p.as.reduce((x, y) => x * y, 1) >= ADD_LUT_MIN_COUNT), 'a pair large enough for the table kernel');
  const result = compile(m.bytes, 'binary_int8.tflite', { name: 'binary_int8', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  assert.ok(files.some((f) => f.endsWith('utvm_add_lut_s8.c')), `table kernel in ${files.filter((f) => f.includes('runtime/src'))}`);
  for (const k of ['utvm_sub_s8', 'utvm_sub_broadcast_s8', 'utvm_maximum_s8_dsp', 'utvm_minimum_s8_dsp', 'utvm_mul_s8_dsp', 'utvm_mul_broadcast_s8']) assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), k);
  const cases = randomCases(m, 'int8', 903, 2);
  const ours = runCompiled(result, cases);
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('qemu int8', ours, theirs);
});

test('int8 MAXIMUM with an input quantized unlike the output → E_UNSUPPORTED_ATTR', () => {
  const shape = [2, 5];
  const bytes = buildTflite({
    tensors: [
      { name: 'a', shape, type: 'int8', quant: quant({ scale: 0.02, zp: 1 }) },
      { name: 'b', shape, type: 'int8', quant: quant({ scale: 0.03, zp: 1 }) },
      { name: 'y', shape, type: 'int8', quant: quant({ scale: 0.02, zp: 1 }) },
    ],
    inputs: [0, 1],
    outputs: [2],
    operators: [{ op: 'MAXIMUM', version: 2, inputs: [0, 1], outputs: [2] }],
  });
  try {
    runModel(bytes, 'max_q.tflite', [], { target: 'host', name: 'max_q' });
    assert.unreachable('compiled');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_UNSUPPORTED_ATTR');
    assert.match((e as Error).message, 'int8 maximum needs both inputs quantized as the output');
  }
});

test.run();
