/**
 * The models of tests/import/tflite-layout-ops.test.ts (TRANSPOSE of ranks 2 to 5, SQUEEZE, EXPAND_DIMS,
 * SHAPE feeding RESHAPE) and their seeded inputs, shared with tests/reference/.
 */

import type { TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomFloats, randomInts } from './random.js';
import { OpSpec, TensorSpec, buildTflite } from './tflite-build.js';

export type ElemType = 'int8' | 'float32';
export const Q = { scale: [0.05], zeroPoint: [-3] };
export const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function tensor(name: string, shape: number[], type: ElemType): TensorSpec {
  return type === 'int8' ? { name, shape, type, quant: Q } : { name, shape, type };
}

/** Seeded inputs; float32 ones include −0, ±Inf, a subnormal and large magnitudes (bits must survive). */
export function cases(type: ElemType, shape: number[], seed: number, n = 3): TensorValue[] {
  const rng = mulberry32(seed);
  const size = count(shape);
  return Array.from({ length: n }, () => {
    if (type === 'int8') return { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, size, -128, 127)) };
    const data = randomFloats(rng, size, -1e6, 1e6);
    const special = [-0, Infinity, -Infinity, 1e-40, 3.4e38];
    special.forEach((v, i) => i < size && (data[Math.floor(rng() * size)] = v));
    return { dtype: 'float32', shape, data };
  });
}

export function transposeModel(type: ElemType, shape: number[], perm: number[]): Uint8Array {
  const version = shape.length > 4 ? 4 : type === 'int8' ? 2 : 1;
  return buildTflite({
    tensors: [tensor('x', shape, type), { name: 'perm', shape: [perm.length], type: 'int32', data: perm }, tensor('y', perm.map((p) => shape[p]), type)],
    inputs: [0],
    outputs: [2],
    operators: [{ op: 'TRANSPOSE', version, inputs: [0, 1], outputs: [2] }],
  });
}

export const TRANSPOSES: [number[], number[]][] = [
  [[5, 3], [1, 0]],
  [[7, 1], [1, 0]],
  [[2, 3, 5], [0, 1, 2]],
  [[2, 3, 5], [2, 1, 0]],
  [[3, 4, 7], [0, 2, 1]],
  [[3, 1, 7, 2], [0, 2, 3, 1]],
  [[2, 5, 3, 4], [3, 2, 1, 0]],
  [[2, 3, 4, 5], [1, 3, 0, 2]],
  [[1, 6, 5, 3], [0, 3, 1, 2]],
  [[2, 3, 1, 4, 3], [4, 0, 3, 2, 1]],
];

export const squeezeOptions = (dims: number[]) => ({ type: 30, fields: dims.length ? [[0, 'int32s', dims]] : [] }) as OpSpec['options'];

/**
 * All four builtins in one model, x [2,1,3,5]: y1 = TRANSPOSE(x, [3,1,0,2]); y2 = TRANSPOSE(SQUEEZE(x, [1]),
 * [2,0,1]); y3 = RESHAPE(TRANSPOSE(EXPAND_DIMS(SQUEEZE(x), −1), [3,2,1,0]), SHAPE(x)).
 */
export function allFour(type: ElemType): Uint8Array {
  const tensors: TensorSpec[] = [
    tensor('x', [2, 1, 3, 5], type), // 0
    { name: 'p1', shape: [4], type: 'int32', data: [3, 1, 0, 2] }, // 1
    tensor('y1', [5, 1, 2, 3], type), // 2
    tensor('s', [2, 3, 5], type), // 3
    { name: 'p2', shape: [3], type: 'int32', data: [2, 0, 1] }, // 4
    tensor('y2', [5, 2, 3], type), // 5
    { name: 'axis', shape: [], type: 'int32', data: [-1] }, // 6
    tensor('e', [2, 3, 5, 1], type), // 7
    { name: 'p3', shape: [4], type: 'int32', data: [3, 2, 1, 0] }, // 8
    tensor('t', [1, 5, 3, 2], type), // 9
    { name: 'shape', shape: [4], type: 'int32' }, // 10
    tensor('y3', [2, 1, 3, 5], type), // 11
  ];
  const v = type === 'int8' ? 2 : 1;
  const operators: OpSpec[] = [
    { op: 'TRANSPOSE', version: v, inputs: [0, 1], outputs: [2] },
    { op: 'SQUEEZE', version: 1, inputs: [0], outputs: [3], options: squeezeOptions([1]) },
    { op: 'TRANSPOSE', version: v, inputs: [3, 4], outputs: [5] },
    { op: 'EXPAND_DIMS', version: 1, inputs: [3, 6], outputs: [7] },
    { op: 'TRANSPOSE', version: v, inputs: [7, 8], outputs: [9] },
    { op: 'SHAPE', version: 1, inputs: [0], outputs: [10] },
    { op: 'RESHAPE', version: 1, inputs: [9, 10], outputs: [11] },
  ];
  return buildTflite({ tensors, inputs: [0], outputs: [2, 5, 11], operators });
}

