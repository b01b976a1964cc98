/**
 * The reference interpreter: executes an imported graph node by node in TypeScript, each node with its
 * operator's reference semantics (`OpDef.reference`, else `OpDef.evaluate`: src/ops/op.ts), written
 * independently of the C kernels. It is the reference `validate` compares the compiled C with for
 * TensorFlow Lite models, a second one for ONNX models, and `run --target reference`.
 *
 * Float: by default every float32 tensor is computed and kept in float64 (`float: 'float64'`): operators
 * see dtype 'float64' and Float64Array data, so the reference carries no float32 rounding of its own and
 * a float32 result is judged against it. `float: 'float32'` keeps float32 tensors in float32 between
 * nodes (as the model's types say). Integer tensors follow TFLite's integer arithmetic exactly.
 *
 * State: variable tensors (TFLite LSTM / SVDF state) start at their zero point (int8) or 0, as TFLite
 * Micro and the generated `<name>_reset()` set them, keep their value from one `run` to the next, and are
 * set back by `reset()`.
 */

import { fail, describeNode } from '../diagnostics.js';
import { DType, TensorData, allocData } from '../ir/dtype.js';
import { Graph, Tensor, elementCount } from '../ir/graph.js';
import type { TensorValue } from '../io/tensor-value.js';
import { getOp } from '../ops/index.js';
import type { TensorType } from '../ops/op.js';

export type FloatPrecision = 'float64' | 'float32';

export interface InterpretOptions {
  /** How float32 tensors are computed (default 'float64'). */
  float?: FloatPrecision;
}

export interface InterpretResult {
  /** One value per graph output, in the graph's dtypes (float64 results rounded to float32). */
  outputs: TensorValue[];
  /** Every tensor the run read or computed (inputs, intermediates, outputs; variable tensors with their value after the run), in the interpreter's precision. */
  tensors: Map<string, TensorValue>;
}

export interface Interpreter {
  readonly graph: Graph;
  /** Runs the graph once on one value per graph input; state carries over from the previous run. */
  run(inputs: TensorValue[]): InterpretResult;
  /** Sets every variable tensor back to its initial value. */
  reset(): void;
}

/** Copies `data` into a new array of `dtype` (float64 ↔ float32 conversion; integers unchanged). */
function convertData(data: TensorData, dtype: DType): TensorData {
  const out = allocData(dtype, data.length);
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) out[i] = BigInt(data[i] as number | bigint);
  } else {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  }
  return out;
}

/** The initial value of a variable tensor: its zero point for int8, else 0. */
function initialState(t: Tensor, dtype: DType): TensorData {
  const data = allocData(dtype, elementCount(t.shape));
  const zp = t.dtype === 'int8' ? (t.quant?.zeroPoint[0] ?? 0) : 0;
  if (zp !== 0) (data as Int8Array).fill(zp);
  return data;
}

export function createInterpreter(graph: Graph, options: InterpretOptions = {}): Interpreter {
  const precision = options.float ?? 'float64';
  /** The dtype a tensor is computed in. */
  const computeType = (dtype: DType): DType => (dtype === 'float32' && precision === 'float64' ? 'float64' : dtype);
  const constants = new Map<string, TensorData>();
  const state = new Map<string, TensorData>();
  const variables = [...graph.tensors.values()].filter((t) => t.variable && t.data === undefined);
  const reset = () => {
    for (const t of variables) state.set(t.name, initialState(t, computeType(t.dtype)));
  };
  reset();

  const constantData = (t: Tensor): TensorData => {
    let data = constants.get(t.name);
    if (!data) {
      data = computeType(t.dtype) === t.dtype ? t.data! : convertData(t.data!, computeType(t.dtype));
      constants.set(t.name, data);
    }
    return data;
  };

  const run = (inputs: TensorValue[]): InterpretResult => {
    if (inputs.length !== graph.inputs.length) {
      fail('E_INPUT_FILE', `the model has ${graph.inputs.length} input(s), ${inputs.length} given`);
    }
    const values = new Map<string, TensorValue>();
    graph.inputs.forEach((name, i) => {
      const t = graph.tensor(name);
      const v = inputs[i];
      if (v.dtype !== t.dtype || elementCount(v.shape) !== elementCount(t.shape)) {
        fail('E_INPUT_FILE', `input ${i} is ${v.dtype}[${v.shape}] but the model's input '${name}' is ${t.dtype}[${t.shape}]`);
      }
      const dtype = computeType(t.dtype);
      values.set(name, { dtype, shape: [...t.shape], data: dtype === v.dtype ? v.data : convertData(v.data, dtype) });
    });
    for (const [name, data] of state) {
      values.set(name, { dtype: computeType(graph.tensor(name).dtype), shape: [...graph.tensor(name).shape], data });
    }
    const valueOf = (name: string): Tensor | undefined => {
      if (name === '') return undefined;
      const t = graph.tensor(name);
      if (t.data !== undefined) return { ...t, dtype: computeType(t.dtype), data: constantData(t) };
      const v = values.get(name);
      if (!v) throw new Error(`internal: reference interpreter: tensor '${name}' is read before it is computed`);
      return { ...t, dtype: v.dtype, shape: v.shape, data: v.data };
    };

    for (const node of graph.nodes) {
      const def = getOp(node.op);
      const ins = node.inputs.map(valueOf);
      const outTypes: TensorType[] = node.outputs.map((o) => {
        const t = graph.tensor(o);
        return { dtype: computeType(t.dtype), shape: [...t.shape], ...(t.quant ? { quant: t.quant } : {}) };
      });
      let outs: TensorData[];
      if (def.reference) {
        outs = def.reference({
          attrs: node.attrs,
          node,
          inputs: ins,
          outputs: outTypes,
          setState: (i, data) => {
            const name = node.inputs[i];
            if (!state.has(name)) throw new Error(`internal: ${node.name} sets input ${i} ('${name}'), which is not a variable tensor`);
            state.set(name, data);
            values.set(name, { ...values.get(name)!, data });
          },
        });
      } else if (def.evaluate) {
        outs = def.evaluate(node.attrs, ins, outTypes);
      } else if (def.alias) {
        outs = [ins[0]!.data!];
      } else {
        fail('E_UNSUPPORTED_OP', `the reference interpreter has no semantics for ${describeNode(node.source)} (IR operator ${node.op})`);
      }
      node.outputs.forEach((o, i) => {
        const data = outs[i];
        if (!data || data.length !== elementCount(outTypes[i].shape)) {
          throw new Error(`internal: reference of ${node.op} ('${node.name}') gave ${data?.length} elements for output ${i}, ${elementCount(outTypes[i].shape)} expected`);
        }
        values.set(o, { dtype: outTypes[i].dtype, shape: outTypes[i].shape, data });
      });
    }

    const outputs = graph.outputs.map((name) => {
      const t = graph.tensor(name);
      const v = valueOf(name)!;
      return { dtype: t.dtype, shape: [...t.shape], data: v.dtype === t.dtype ? v.data!.slice() : convertData(v.data!, t.dtype) };
    });
    return { outputs, tensors: values };
  };

  return { graph, run, reset };
}
