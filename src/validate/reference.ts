/**
 * What validate compares the compiled C with:
 *
 *   interpreter  the reference interpreter (src/reference/) on the model itself: the default for TFLite
 *                models, and for ONNX models when onnxruntime-node is not installed; it gives every tensor
 *   onnxruntime  onnxruntime-node on the ONNX model: the default for ONNX models when installed
 *   float model  the model's float original run by the interpreter on the same inputs (int8 inputs
 *                dequantized with the input's scale and zero point): the quantization error
 *
 * The interpreter is reset before every case (as the compiled model's batch runner and tflm-run do).
 */

import { importGraph } from '../compile.js';
import { fail } from '../diagnostics.js';
import { allocData } from '../ir/dtype.js';
import { Graph, elementCount } from '../ir/graph.js';
import type { ProgramTensor } from '../emit/program.js';
import type { TensorValue } from '../io/tensor-value.js';
import { createInterpreter } from '../reference/interpret.js';
import { Progress, silent } from '../progress.js';
import { OrtModule, loadOnnxRuntime, runOnnxRuntime, tryOnnxRuntime } from './ort.js';
import { isIntegerDType } from './metrics.js';

/** `--reference`: a kind, or a float model's bytes and file name. */
export type ReferenceChoice = 'auto' | 'interpreter' | 'onnxruntime' | { file: string; bytes: Uint8Array };

/** Called with every tensor of case `k` as it is computed (interpreter-based references), then dropped. */
export type EachCase = (k: number, tensors: Map<string, TensorValue>) => void;

export interface Reference {
  kind: 'interpreter' | 'onnxruntime' | 'float-model';
  /** For the report: what the C build is compared with. */
  description: string;
  /** A remark for the report (a fallback taken). */
  note?: string;
  /** The graph the interpreter runs (the model or its float original); absent for onnxruntime. */
  graph?: Graph;
  /** The outputs of every case; `each` sees every tensor of each case (interpreter-based references only). */
  run(cases: TensorValue[][], progress?: Progress, each?: EachCase): Promise<TensorValue[][]>;
}

/** Value `v` of our input `ours` in the dtype of the float model's input `t` (int8 → float: dequantized). */
function toReferenceInput(v: TensorValue, ours: ProgramTensor, t: { name: string; dtype: TensorValue['dtype']; shape: number[] }, file: string): TensorValue {
  if (elementCount(t.shape) !== elementCount(v.shape)) {
    fail('E_USAGE', `${file}: input '${t.name}' is ${t.dtype}[${t.shape}] but the model's input '${ours.name}' is ${ours.dtype}[${ours.shape}]: the float model must take the same inputs`);
  }
  if (t.dtype === v.dtype) return { ...v, shape: [...t.shape] };
  if (isIntegerDType(t.dtype) || !isIntegerDType(v.dtype) || ours.scale === 0) {
    fail('E_USAGE', `${file}: input '${t.name}' is ${t.dtype}, the model's '${ours.name}' ${ours.dtype}${ours.scale === 0 ? ' without quantization' : ''}: cannot give both the same input`);
  }
  const data = allocData(t.dtype, v.data.length) as Float32Array;
  for (let i = 0; i < data.length; i++) data[i] = (Number(v.data[i]) - ours.zeroPoint) * ours.scale;
  return { dtype: t.dtype, shape: [...t.shape], data };
}

function interpreterReference(graph: Graph, kind: Reference['kind'], description: string, convert?: (c: TensorValue[]) => TensorValue[]): Reference {
  const it = createInterpreter(graph);
  return {
    kind,
    description,
    graph,
    async run(cases, progress = silent, each) {
      const count = progress.count('running the reference interpreter:', cases.length, 'cases');
      const outputs = cases.map((c, k) => {
        it.reset();
        const r = it.run(convert ? convert(c) : c);
        each?.(k, r.tensors);
        count.tick();
        return r.outputs;
      });
      count.done();
      return outputs;
    },
  };
}

/**
 * The reference for `model` (`format` as detected) under `choice`; `inputs` are the compiled model's
 * (for the float model's input conversion). `ort` is used when given (tests), else loaded when needed.
 */
export async function chooseReference(
  model: Uint8Array,
  fileName: string,
  format: 'onnx' | 'tflite',
  choice: ReferenceChoice,
  inputs: ProgramTensor[],
  ort?: OrtModule,
): Promise<Reference> {
  if (typeof choice === 'object') {
    const graph = importGraph(choice.bytes, choice.file, 'reference');
    if (graph.inputs.length !== inputs.length) {
      fail('E_USAGE', `${choice.file}: has ${graph.inputs.length} input(s), the model ${inputs.length}: the float model must take the same inputs`);
    }
    const specs = graph.inputs.map((n) => ({ name: n, dtype: graph.tensor(n).dtype, shape: graph.tensor(n).shape }));
    const convert = (c: TensorValue[]) => c.map((v, i) => toReferenceInput(v, inputs[i], specs[i], choice.file));
    return interpreterReference(graph, 'float-model', `the float model ${choice.file} run by the reference interpreter (float64)`, convert);
  }
  const interpreter = () => interpreterReference(importGraph(model, fileName, 'reference'), 'interpreter', 'the reference interpreter (float64)');
  if (choice === 'interpreter') return interpreter();
  if (format !== 'onnx') {
    if (choice === 'onnxruntime') fail('E_USAGE', `${fileName}: --reference onnxruntime needs an ONNX model; for a TensorFlow Lite model use the reference interpreter (the default)`);
    return interpreter();
  }
  const runtime = ort ?? (choice === 'onnxruntime' ? await loadOnnxRuntime() : await tryOnnxRuntime());
  if (!runtime) return { ...interpreter(), note: 'onnxruntime-node is not installed: compared with the reference interpreter instead' };
  const names = inputs.map((t) => t.name);
  return {
    kind: 'onnxruntime',
    description: 'onnxruntime-node',
    run: (cases, progress = silent) => runOnnxRuntime(runtime, model, names, cases, progress),
  };
}
