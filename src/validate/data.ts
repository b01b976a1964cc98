/**
 * The cases validate runs: read from files (as `run --input-dir` and `run --input` read them: .npy with
 * dtype and shape checked, anything else raw bytes with the size checked — the MLPerf Tiny .bin stimuli
 * work as they are), or seeded random inputs: integers uniform over their type's range (int32: ±1000),
 * floats uniform in [lo, hi) (default [-1, 1)). Case k of a seed s draws from seed s + k, so one case
 * of a larger run can be reproduced alone.
 */

import { basename } from 'node:path';
import { fail } from '../diagnostics.js';
import { DType, allocData } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import type { ProgramTensor } from '../emit/program.js';
import type { TensorValue } from '../io/tensor-value.js';
import { listDirCases, readTensorFile } from '../io/files.js';
import { mulberry32 } from '../random.js';

export interface CaseSet {
  /** One value per model input, per case. */
  values: TensorValue[][];
  /** The case's file name (one-input models) or folder name; labels are matched by it. Absent for random cases. */
  names?: string[];
  /** Where the cases come from, for the report: "1000 cases from kws01/" or "4 random cases (seed 0)". */
  origin: string;
}

export type FloatRange = [number, number];
export const DEFAULT_FLOAT_RANGE: FloatRange = [-1, 1];

const INT_RANGE: Partial<Record<DType, [number, number]>> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], int32: [-1000, 1000], int64: [-1000, 1000] };

/** One random value per input: integers uniform over their type's range, floats uniform in `range`. */
export function randomInputs(specs: { dtype: DType; shape: number[] }[], seed: number, range: FloatRange = DEFAULT_FLOAT_RANGE): TensorValue[] {
  const next = mulberry32(seed);
  return specs.map((s) => {
    const n = elementCount(s.shape);
    const data = allocData(s.dtype, n);
    const r = INT_RANGE[s.dtype];
    if (data instanceof BigInt64Array) {
      for (let i = 0; i < n; i++) data[i] = BigInt(r![0] + Math.floor(next() * (r![1] - r![0] + 1)));
    } else {
      const d = data as Float32Array;
      for (let i = 0; i < n; i++) d[i] = r ? r[0] + Math.floor(next() * (r[1] - r[0] + 1)) : range[0] + (range[1] - range[0]) * next();
    }
    return { dtype: s.dtype, shape: [...s.shape], data };
  });
}

export function randomCases(specs: { dtype: DType; shape: number[] }[], count: number, seed: number, range: FloatRange = DEFAULT_FLOAT_RANGE): CaseSet {
  const values = Array.from({ length: count }, (_, k) => randomInputs(specs, seed + k, range));
  const floats = specs.some((s) => !INT_RANGE[s.dtype]);
  return { values, origin: `${count} random case(s) (seed ${seed}${floats ? `, floats uniform in [${range[0]}, ${range[1]})` : ''})` };
}

/** The cases of a folder, laid out as for `run --input-dir`; at most `limit` of them (in name order). */
export function dirCases(dir: string, inputs: ProgramTensor[], limit?: number): CaseSet {
  let cases = listDirCases(dir, '.', inputs.length, 0);
  if (cases.length === 0) fail('E_INPUT_FILE', `${dir}: no input cases found (one-input models: <case>.npy or <case>.bin; several inputs: <case>/input_<K>.npy|.bin)`);
  if (limit !== undefined) cases = cases.slice(0, limit);
  return {
    values: cases.map((c) => c.inputs.map((f, i) => readTensorFile(f, inputs[i]))),
    names: cases.map((c) => (inputs.length === 1 ? basename(c.inputs[0]) : c.name)),
    origin: `${cases.length} case(s) from ${dir}`,
  };
}

/** One case from one file per input. */
export function fileCases(paths: string[], inputs: ProgramTensor[]): CaseSet {
  if (paths.length !== inputs.length) fail('E_USAGE', `the model has ${inputs.length} input(s); ${paths.length} --input file(s) given`);
  return { values: [paths.map((f, i) => readTensorFile(f, inputs[i]))], names: [basename(paths[0])], origin: `1 case from ${paths.join(', ')}` };
}

/** Parses --float-range 'LO,HI' (LO < HI, finite). */
export function parseFloatRange(text: string): FloatRange {
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p === '') || !nums.every(Number.isFinite) || !(nums[0] < nums[1])) {
    fail('E_USAGE', `--float-range '${text}' is not LO,HI with LO < HI (e.g. -1,1)`);
  }
  return [nums[0], nums[1]];
}
