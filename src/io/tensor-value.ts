/**
 * A tensor value with its data: what `run` reads from input files and writes to output files.
 */

import { DType, TensorData } from '../ir/dtype.js';

export interface TensorValue {
  dtype: DType;
  shape: number[];
  data: TensorData;
}
