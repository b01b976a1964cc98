/**
 * TFLite models of the elementwise operators' tests, built here (tests/util/tflite-build.ts) so that the
 * compiler's tests (tests/import/tflite-binary-ops.test.ts, tflite-elementwise.test.ts) and the reference
 * interpreter's (tests/reference/elementwise.test.ts) hold the same cases to TFLite Micro:
 *   binaryOpsModel   SUB (NONE/RELU/RELU6), MAXIMUM, MINIMUM, MUL over five operand pairs, both orders;
 *   elementwiseModel RELU, RELU6, LEAKY_RELU, TANH, HARD_SWISH, RSQRT, ABS, LOGISTIC, EXP, LOG, NEG, PRELU,
 *                    SQUARED_DIFFERENCE, DIV (the cases' comments are in those test files).
 */

import type { TensorValue } from '../../src/io/tensor-value.js';
import { broadcastShapes } from '../../src/ops/binary/index.js';
import { OptionsType } from '../../src/import/tflite-options.js';
import { mulberry32, randomFloats, randomInts } from './random.js';
import { OpSpec, OptionField, TensorSpec, activationOptions, buildTflite } from './tflite-build.js';

type Q = { scale: number; zp: number };
export const quant = (q: Q) => ({ scale: [q.scale], zeroPoint: [q.zp] });

// ---------------------------------------------------------------------------------------------------
// SUB, MAXIMUM, MINIMUM, MUL (tests/import/tflite-binary-ops.test.ts)

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

export const PAIRS: Pair[] = [
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

export interface BinaryOpsModel {
  bytes: Uint8Array;
  inputShapes: number[][];
  outputs: number;
}

/**
 * One model with every (pair, use, order): the SUB uses share the pair's two graph inputs; MAXIMUM and
 * MINIMUM get two inputs of their own when their quantization differs from the pair's (int8).
 */
export function binaryOpsModel(type: 'float32' | 'int8'): BinaryOpsModel {
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

export function binaryOpsCases(b: BinaryOpsModel, type: 'float32' | 'int8', seed: number, count: number): TensorValue[][] {
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

// ---------------------------------------------------------------------------------------------------
// The elementwise builtins (tests/import/tflite-elementwise.test.ts)

type Type = 'float32' | 'int8';

// BuiltinOptions union ids and fields of schema.fbs, written out here independently of the importers.
const LEAKY_RELU_OPTIONS = 75;
const DIV_OPTIONS = 29;
const leaky = (alpha: number) => ({ type: LEAKY_RELU_OPTIONS, fields: [[0, 'float32', alpha]] as OptionField[] });
const divAct = (activation: number) => ({ type: DIV_OPTIONS, fields: [[0, 'int8', activation]] as OptionField[] });

interface Unary {
  op: string;
  shape: number[];
  qx: Q;
  qy: Q;
  options?: OpSpec['options'];
  /** int8 version (float32 models use 1). */
  v8: number;
  floatOnly?: boolean;
  /** float32 input range (default [-8, 8]). */
  range?: [number, number];
}

const UNARY: Unary[] = [
  { op: 'RELU', shape: [3, 5, 19], qx: { scale: 0.05, zp: -3 }, qy: { scale: 0.02, zp: -128 }, v8: 2 },
  { op: 'RELU', shape: [263], qx: { scale: 0.02, zp: 10 }, qy: { scale: 0.07, zp: 5 }, v8: 2 },
  { op: 'RELU', shape: [2, 9, 15], qx: { scale: 0.03, zp: -20 }, qy: { scale: 0.03, zp: -20 }, v8: 2 },
  { op: 'RELU6', shape: [4, 13, 5], qx: { scale: 0.05, zp: 0 }, qy: { scale: 0.05, zp: 0 }, v8: 2 },
  { op: 'RELU6', shape: [1, 3, 9, 11], qx: { scale: 0.1, zp: -128 }, qy: { scale: 0.03, zp: 7 }, v8: 2 },
  { op: 'LEAKY_RELU', shape: [5, 6, 9], qx: { scale: 0.05, zp: 3 }, qy: { scale: 0.04, zp: -10 }, options: leaky(0.2), v8: 1 },
  { op: 'LEAKY_RELU', shape: [271], qx: { scale: 0.02, zp: 127 }, qy: { scale: 0.05, zp: -128 }, options: leaky(1.7), v8: 1 },
  { op: 'LEAKY_RELU', shape: [2, 2, 67], qx: { scale: 0.03, zp: -7 }, qy: { scale: 0.01, zp: 0 }, options: leaky(-0.5), v8: 1 },
  { op: 'TANH', shape: [3, 7, 13], qx: { scale: 0.05, zp: 5 }, qy: { scale: 1 / 128, zp: 0 }, v8: 2 },
  { op: 'TANH', shape: [257], qx: { scale: 0.003, zp: -128 }, qy: { scale: 1 / 128, zp: 0 }, v8: 2 },
  { op: 'TANH', shape: [2, 5, 27], qx: { scale: 0.2, zp: 0 }, qy: { scale: 1 / 128, zp: 0 }, v8: 2 },
  { op: 'HARD_SWISH', shape: [6, 7, 7], qx: { scale: 0.05, zp: -5 }, qy: { scale: 0.03, zp: -40 }, v8: 1 },
  { op: 'HARD_SWISH', shape: [269], qx: { scale: 0.2, zp: 100 }, qy: { scale: 0.01, zp: 0 }, v8: 1 },
  { op: 'HARD_SWISH', shape: [3, 1, 89], qx: { scale: 0.001, zp: 0 }, qy: { scale: 0.0004, zp: -128 }, v8: 1 },
  { op: 'RSQRT', shape: [4, 9, 8], qx: { scale: 0.05, zp: -128 }, qy: { scale: 0.02, zp: -100 }, v8: 2, range: [0.01, 8] },
  { op: 'RSQRT', shape: [263], qx: { scale: 4, zp: -128 }, qy: { scale: 0.0005, zp: -128 }, v8: 2, range: [0.5, 900] },
  { op: 'ABS', shape: [3, 11, 8], qx: { scale: 0.05, zp: 3 }, qy: { scale: 0.05, zp: -128 }, v8: 2 },
  { op: 'ABS', shape: [7, 2, 19], qx: { scale: 0.05, zp: 0 }, qy: { scale: 0.02, zp: -128 }, v8: 2 },
  { op: 'LOGISTIC', shape: [3, 89], qx: { scale: 0.05, zp: -3 }, qy: { scale: 1 / 256, zp: -128 }, v8: 2, range: [-20, 20] },
  { op: 'LOGISTIC', shape: [257], qx: { scale: 0.004, zp: 127 }, qy: { scale: 1 / 256, zp: -128 }, v8: 2 },
  { op: 'EXP', shape: [5, 5], qx: { scale: 1, zp: 0 }, qy: { scale: 1, zp: 0 }, v8: 1, floatOnly: true, range: [-20, 20] },
  { op: 'LOG', shape: [3, 8], qx: { scale: 1, zp: 0 }, qy: { scale: 1, zp: 0 }, v8: 1, floatOnly: true, range: [1e-6, 1e6] },
  { op: 'NEG', shape: [9], qx: { scale: 1, zp: 0 }, qy: { scale: 1, zp: 0 }, v8: 1, floatOnly: true },
];

interface Binary {
  op: string;
  as: number[];
  bs: number[];
  qa: Q;
  qb: Q;
  qy: Q;
  v8: number;
  /** Input b is a constant (PRELU's usual alpha). */
  constB?: boolean;
  options?: OpSpec['options'];
  floatOnly?: boolean;
}

const BINARY: Binary[] = [
  { op: 'PRELU', as: [2, 3, 5, 7], bs: [7], qa: { scale: 0.05, zp: -3 }, qb: { scale: 0.01, zp: 2 }, qy: { scale: 0.04, zp: 10 }, v8: 1, constB: true },
  { op: 'PRELU', as: [1, 6, 6, 3], bs: [1, 1, 3], qa: { scale: 0.02, zp: 127 }, qb: { scale: 0.004, zp: -128 }, qy: { scale: 0.05, zp: -128 }, v8: 1, constB: true },
  { op: 'PRELU', as: [3, 1, 4], bs: [2, 1, 4, 1], qa: { scale: 0.03, zp: 7 }, qb: { scale: 0.02, zp: -5 }, qy: { scale: 0.01, zp: 0 }, v8: 1 },
  { op: 'SQUARED_DIFFERENCE', as: [2, 3, 5, 7], bs: [7], qa: { scale: 0.05, zp: -3 }, qb: { scale: 0.013, zp: 7 }, qy: { scale: 0.02, zp: -128 }, v8: 2 },
  { op: 'SQUARED_DIFFERENCE', as: [5, 1, 3], bs: [2, 1, 4, 1], qa: { scale: 0.011, zp: 12 }, qb: { scale: 0.031, zp: -20 }, qy: { scale: 0.3, zp: -100 }, v8: 2 },
  { op: 'SQUARED_DIFFERENCE', as: [1, 33, 35], bs: [1, 33, 35], qa: { scale: 0.023, zp: -128 }, qb: { scale: 0.023, zp: 127 }, qy: { scale: 2.5, zp: -128 }, v8: 2 },
  { op: 'DIV', as: [2, 3, 5, 7], bs: [7], qa: Q1(), qb: Q1(), qy: Q1(), v8: 1, floatOnly: true, options: divAct(0) },
  { op: 'DIV', as: [5, 1, 3], bs: [2, 1, 4, 1], qa: Q1(), qb: Q1(), qy: Q1(), v8: 1, floatOnly: true, options: divAct(1) },
  { op: 'DIV', as: [4, 9], bs: [4, 9], qa: Q1(), qb: Q1(), qy: Q1(), v8: 1, floatOnly: true, options: divAct(3) },
];

function Q1(): Q {
  return { scale: 1, zp: 0 };
}

export interface ElementwiseModel {
  bytes: Uint8Array;
  /** `cover`: an int8 input that gets every int8 value (a unary builtin's). */
  inputs: { shape: number[]; range: [number, number]; cover: boolean }[];
  outputs: number;
  ops: string[];
}

export function elementwiseModel(type: Type): ElementwiseModel {
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const ranges: [number, number][] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const rng = mulberry32(77);
  const tensor = (name: string, shape: number[], q: Q, data?: number[]): number => {
    tensors.push({ name, shape, type, ...(type === 'int8' ? { quant: quant(q) } : {}), ...(data ? { data } : {}) });
    return tensors.length - 1;
  };
  const covers: boolean[] = [];
  const input = (name: string, shape: number[], q: Q, range: [number, number] = [-8, 8], cover = false): number => {
    inputs.push(tensor(name, shape, q));
    ranges.push(range);
    covers.push(cover);
    return inputs[inputs.length - 1];
  };
  const version = (v8: number) => (type === 'int8' ? v8 : 1);
  UNARY.forEach((u, i) => {
    if (type === 'int8' && u.floatOnly) return;
    const x = input(`x${i}`, u.shape, u.qx, u.range, true);
    const y = tensor(`y${i}_${u.op}`, u.shape, u.qy);
    outputs.push(y);
    operators.push({ op: u.op, version: version(u.v8), inputs: [x], outputs: [y], ...(u.options ? { options: u.options } : {}) });
  });
  BINARY.forEach((b, i) => {
    if (type === 'int8' && b.floatOnly) return;
    const a = input(`a${i}`, b.as, b.qa, b.op === 'DIV' ? [0.5, 8] : undefined);
    const n = b.bs.reduce((p, d) => p * d, 1);
    const constant = type === 'int8' ? randomInts(rng, n, -128, 127) : Array.from(randomFloats(rng, n, -1, 1));
    const c = b.constB ? tensor(`alpha${i}`, b.bs, b.qb, constant) : input(`b${i}`, b.bs, b.qb, b.op === 'DIV' ? [-4, 4] : undefined);
    const y = tensor(`z${i}_${b.op}`, broadcastShapes(b.as, b.bs)!, b.qy);
    outputs.push(y);
    operators.push({ op: b.op, version: version(b.v8), inputs: [a, c], outputs: [y], ...(b.options ? { options: b.options } : {}) });
  });
  return {
    bytes: buildTflite({ tensors, inputs, outputs, operators }),
    inputs: inputs.map((t, k) => ({ shape: tensors[t].shape, range: ranges[k], cover: covers[k] })),
    outputs: outputs.length,
    ops: [...new Set(operators.map((o) => String(o.op)))],
  };
}

export function elementwiseCases(b: ElementwiseModel, type: Type, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    b.inputs.map(({ shape, range, cover }): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      if (type === 'float32') return { dtype: 'float32', shape, data: randomFloats(rng, n, range[0], range[1]) };
      const data = Int8Array.from(randomInts(rng, n, -128, 127));
      if (cover) {
        if (n < 256) throw new Error(`a unary input of ${n} elements`);
        const perm = Array.from({ length: 256 }, (_, v) => v - 128);
        for (let k = 255; k > 0; k--) {
          const j = randomInts(rng, 1, 0, k)[0];
          [perm[k], perm[j]] = [perm[j], perm[k]];
        }
        perm.forEach((v, k) => (data[k] = v));
      }
      return { dtype: 'int8', shape, data };
    }),
  );
}
