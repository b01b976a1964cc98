/**
 * TFLite models holding UNIDIRECTIONAL_SEQUENCE_LSTMs, built for the tests (tests/import/tflite-lstm.test.ts
 * runs them through the compiler, tests/reference/lstm.test.ts through the reference interpreter): each
 * LSTM with its own input, weights, state and output, weights and biases seeded; `CELLS` is the set of
 * odd sizes, batch- / time-major, cell clips, zero points and cell scales both files use.
 */

import { mulberry32, randomFloats, randomInts, type Rng } from './random.js';
import { OpSpec, TensorSpec, buildTflite, unidirectionalLstmOptions } from './tflite-build.js';
import type { TensorValue } from '../../src/io/tensor-value.js';

export type Kind = 'int8' | 'float32';

/** One LSTM of a test model. */
export interface Cell {
  batches: number;
  steps: number;
  input: number;
  state: number;
  timeMajor: boolean;
  cellClip?: number;
  /** int8: input, hidden (= output) quantization, cell scale 2^cellPower, weight scale. */
  xq: [number, number];
  hq: [number, number];
  cellPower: number;
  weightScale: number;
}

export const CELLS: Cell[] = [
  { batches: 1, steps: 5, input: 7, state: 9, timeMajor: false, xq: [0.05, -5], hq: [0.005, 3], cellPower: -11, weightScale: 0.02 },
  { batches: 3, steps: 4, input: 5, state: 6, timeMajor: true, cellClip: 1.5, xq: [0.03, 11], hq: [0.0078125, -7], cellPower: -12, weightScale: 0.04 },
  { batches: 2, steps: 3, input: 11, state: 13, timeMajor: false, cellClip: 0.3, xq: [0.02, 0], hq: [0.006, 0], cellPower: -15, weightScale: 0.03 },
  { batches: 2, steps: 2, input: 3, state: 17, timeMajor: true, xq: [0.1, -128], hq: [0.01, -20], cellPower: -9, weightScale: 0.08 },
];

export interface Built {
  bytes: Uint8Array;
  inputShapes: number[][];
}

/** The 24 inputs of one LSTM (weights and biases seeded from rng), appended to `tensors`. */
export function addLstm(tensors: TensorSpec[], operators: OpSpec[], c: Cell, kind: Kind, rng: Rng, k: number, extra: Partial<Record<number, TensorSpec>> = {}): { x: number; y: number } {
  const add = (t: TensorSpec) => tensors.push(t) - 1;
  const q = (scale: number, zp: number) => (kind === 'int8' ? { quant: { scale: [scale], zeroPoint: [zp] } } : {});
  const xShape = c.timeMajor ? [c.steps, c.batches, c.input] : [c.batches, c.steps, c.input];
  const yShape = c.timeMajor ? [c.steps, c.batches, c.state] : [c.batches, c.steps, c.state];
  const x = add({ name: `x${k}`, shape: xShape, type: kind, ...q(...c.xq) });
  const weights = (name: string, cols: number) => {
    const n = c.state * cols;
    return add(kind === 'int8'
      ? { name, shape: [c.state, cols], type: 'int8', data: randomInts(rng, n, -127, 127), ...q(c.weightScale, 0) }
      : { name, shape: [c.state, cols], type: 'float32', data: Array.from(randomFloats(rng, n, -0.6, 0.6)) });
  };
  const bias = (name: string) => {
    const scale = c.xq[0] * c.weightScale;
    return add(kind === 'int8'
      ? { name, shape: [c.state], type: 'int32', data: randomInts(rng, c.state, -Math.round(1.5 / scale), Math.round(1.5 / scale)), quant: { scale: [scale], zeroPoint: [0] } }
      : { name, shape: [c.state], type: 'float32', data: Array.from(randomFloats(rng, c.state, -1, 1)) });
  };
  const ins: number[] = [x];
  for (const g of ['i', 'f', 'c', 'o']) ins.push(weights(`lstm${k}_w_${g}`, c.input));
  for (const g of ['i', 'f', 'c', 'o']) ins.push(weights(`lstm${k}_r_${g}`, c.state));
  ins.push(-1, -1, -1);
  for (const g of ['i', 'f', 'c', 'o']) ins.push(bias(`lstm${k}_b_${g}`));
  ins.push(-1, -1);
  ins.push(add({ name: `lstm${k}_h`, shape: [c.batches, c.state], type: kind, variable: true, ...q(...c.hq) }));
  ins.push(add({ name: `lstm${k}_c`, shape: [c.batches, c.state], type: kind === 'int8' ? 'int16' : 'float32', variable: true, ...q(2 ** c.cellPower, 0) }));
  ins.push(-1, -1, -1, -1);
  for (const [i, t] of Object.entries(extra)) ins[Number(i)] = add(t!);
  const y = add({ name: `y${k}`, shape: yShape, type: kind, ...q(...c.hq) });
  operators.push({ op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', inputs: ins, outputs: [y], options: unidirectionalLstmOptions({ cellClip: c.cellClip, timeMajor: c.timeMajor }) });
  return { x, y };
}

export function buildModel(kind: Kind, cells: Cell[] = CELLS, seed = 1300): Built {
  const tensors: TensorSpec[] = [];
  const operators: OpSpec[] = [];
  const rng = mulberry32(seed);
  const io = cells.map((c, k) => addLstm(tensors, operators, c, kind, rng, k));
  const bytes = buildTflite({ tensors, operators, inputs: io.map((p) => p.x), outputs: io.map((p) => p.y) });
  return { bytes, inputShapes: io.map((p) => tensors[p.x].shape) };
}

export function randomCases(shapes: number[][], kind: Kind, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    shapes.map((shape): TensorValue => {
      const n = shape.reduce((a, b) => a * b, 1);
      return kind === 'int8'
        ? { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, n, -128, 127)) }
        : { dtype: 'float32', shape, data: Float32Array.from(randomFloats(rng, n, -2, 2)) };
    }),
  );
}
