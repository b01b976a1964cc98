/**
 * Reference outputs from ONNX Runtime (onnxruntime-node, CPU) for tests.
 *
 * `runOnnxRuntime` takes a serialized model and named input tensors in the IR's DType vocabulary and
 * returns every graph output, in the model's output order, as copies in the IR's typed arrays. ORT
 * represents bool tensors as Uint8Array (0/1) and int64 as BigInt64Array, which is exactly what
 * src/ir/dtype.ts uses, so data passes through unchanged.
 */

import * as ort from 'onnxruntime-node';
import { DType, TensorData } from '../../src/ir/dtype.js';

export interface NamedTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: TensorData;
}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = {
  float32: 'float32',
  float64: 'float64',
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
};

function fromOrtType(type: ort.Tensor.Type, name: string): DType {
  for (const [dtype, t] of Object.entries(ORT_TYPE)) if (t === type) return dtype as DType;
  throw new Error(`onnxruntime output '${name}' has type ${type}, which the IR has no DType for`);
}

/** Copies ORT's output data into a fresh typed array of the IR (detached from ORT's buffers). */
function copyData(tensor: ort.Tensor, dtype: DType): TensorData {
  const data = tensor.data;
  if (dtype === 'bool') return Uint8Array.from(data as Uint8Array, (v) => (v ? 1 : 0));
  if (ArrayBuffer.isView(data)) return (data as TensorData).slice();
  throw new Error(`onnxruntime output of type ${tensor.type} has non-numeric data`);
}

/** Runs `model` on `inputs` with onnxruntime-node and returns all outputs in the model's order. */
export async function runOnnxRuntime(model: Uint8Array, inputs: readonly NamedTensor[]): Promise<NamedTensor[]> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) {
      feeds[input.name] = new ort.Tensor(ORT_TYPE[input.dtype], input.data, input.shape);
    }
    const results = await session.run(feeds);
    return session.outputNames.map((name) => {
      const tensor = results[name];
      const dtype = fromOrtType(tensor.type, name);
      return { name, dtype, shape: [...tensor.dims], data: copyData(tensor, dtype) };
    });
  } finally {
    await session.release();
  }
}
