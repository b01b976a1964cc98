/**
 * onnxruntime-node, the first reference of ONNX models. It is a dev dependency: loaded dynamically;
 * `loadOnnxRuntime` makes its absence a usage error that says how to install it, `tryOnnxRuntime` lets
 * validate fall back to the reference interpreter (and say so).
 *
 * `dequantizedOutputScales` finds the outputs a QDQ model produces with a DequantizeLinear of constant
 * per-tensor scale: onnxruntime's policy judges those in LSB of that scale (see index.ts).
 */

import onnxProto from 'onnx-proto';
import { fail } from '../diagnostics.js';
import type { DType, TensorData } from '../ir/dtype.js';
import { decodeTensorProto } from '../import/onnx/tensor.js';
import type { TensorValue } from '../io/tensor-value.js';
import { Progress, silent } from '../progress.js';

const { onnx } = onnxProto;

interface OrtTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  Tensor: new (type: string, data: TensorData, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSession> };
}

/** The onnxruntime-node module, or undefined when it is not installed. */
export async function tryOnnxRuntime(moduleName = 'onnxruntime-node'): Promise<OrtModule | undefined> {
  try {
    const mod = (await import(moduleName)) as { default?: OrtModule } & Partial<OrtModule>;
    return (mod.InferenceSession ? mod : mod.default) as OrtModule;
  } catch {
    return undefined;
  }
}

/** The onnxruntime-node module, or a usage error (exit 2) that says how to install it. */
export async function loadOnnxRuntime(moduleName = 'onnxruntime-node'): Promise<OrtModule> {
  const ort = await tryOnnxRuntime(moduleName);
  if (!ort) fail('E_USAGE', `validate needs onnxruntime-node, which is not installed: run 'npm install --save-dev onnxruntime-node' in the folder utvm-aot runs from`);
  return ort;
}

/** Runs `model` in onnxruntime (default session options) on every case; outputs in the model's order. */
export async function runOnnxRuntime(ort: OrtModule, model: Uint8Array, inputNames: string[], cases: TensorValue[][], progress: Progress = silent): Promise<TensorValue[][]> {
  const session = await ort.InferenceSession.create(model);
  const count = progress.count('running onnxruntime-node:', cases.length, 'cases');
  try {
    const results: TensorValue[][] = [];
    for (const inputs of cases) {
      const feeds: Record<string, OrtTensor> = {};
      inputs.forEach((v, i) => (feeds[inputNames[i]] = new ort.Tensor(v.dtype, v.data, v.shape)));
      const out = await session.run(feeds);
      results.push(session.outputNames.map((n) => ({ dtype: out[n].type as DType, shape: [...out[n].dims], data: (out[n].data as TensorData).slice() })));
      count.tick();
    }
    count.done();
    return results;
  } finally {
    await session.release();
  }
}

/** Per graph output: the per-tensor scale of the DequantizeLinear that produces it, if any. */
export function dequantizedOutputScales(model: Uint8Array): Map<string, number> {
  const graph = onnx.ModelProto.decode(model).graph;
  const scales = new Map<string, number>();
  if (!graph) return scales;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  for (const out of graph.output ?? []) {
    const node = (graph.node ?? []).find((n) => (n.output ?? []).includes(out.name ?? ''));
    const scale = node?.opType === 'DequantizeLinear' ? inits.get(node.input?.[1] ?? '') : undefined;
    if (!scale) continue;
    const t = decodeTensorProto(scale, `scale of output '${out.name}'`);
    if (t.data && t.data.length === 1) scales.set(out.name ?? '', Number(t.data[0]));
  }
  return scales;
}
