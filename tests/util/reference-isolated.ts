/**
 * A per-layer check of chosen operators of a real model in isolation, for an operator family whose
 * neighbours in the model have no reference semantics yet (or to pin a difference on one layer): every
 * node of the chosen IR operators runs its reference (`OpDef.reference`, else `evaluate`) with its inputs
 * taken from TFLite Micro's dump of the same case (`tflm-run --dump`: every operator's output), and its
 * output must equal TFLM's (integer: every byte; float: within FLOAT_RTOL of the tensor's max |value|,
 * as assertCloseToTflm). Variable inputs (SVDF / LSTM state) start as the interpreter starts them: the
 * zero point for int8, else 0. IR aliases (reshape) carry a dumped value across both ways, so a FULLY_CONNECTED
 * imported as reshape → gemm → reshape finds its input and output.
 *
 *   assertOpsMatchTflmInIsolation(label, bytes, x, ops) → the layers compared (their IR output names)
 */

import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { allocData, type TensorData } from '../../src/ir/dtype.js';
import { elementCount, type Tensor } from '../../src/ir/graph.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';
import { fromBytes, toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { getOp } from '../../src/ops/index.js';
import type { TensorType } from '../../src/ops/op.js';
import { assertCloseToTflm } from './reference.js';
import { runTflmLayers } from './tflm.js';

/** float32 data as the interpreter holds it (float64); other types unchanged. */
function widen(dtype: string, data: TensorData): TensorData {
  return dtype === 'float32' ? Float64Array.from(data as Float32Array) : data;
}

export function assertOpsMatchTflmInIsolation(label: string, bytes: Uint8Array, x: TensorValue, ops: readonly string[]): string[] {
  const file = `${label}.tflite`;
  const g = importGraph(bytes, file, 'model');
  const names = tfliteOperatorOutputs(bytes, file);
  const dumped = new Map<string, Uint8Array>();
  for (const l of runTflmLayers(bytes, toBytes(x))) dumped.set(names[l.op], l.bytes);
  dumped.set(g.inputs[0], toBytes(x));
  // Aliases carry a value both ways (a reshape before or after a node of ours).
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of g.nodes) {
      if (!getOp(n.op).alias) continue;
      const [i, o] = [n.inputs[0], n.outputs[0]];
      if (dumped.has(i) && !dumped.has(o)) (dumped.set(o, dumped.get(i)!), (changed = true));
      if (dumped.has(o) && !dumped.has(i)) (dumped.set(i, dumped.get(o)!), (changed = true));
    }
  }
  const valueOf = (t: Tensor): TensorData | undefined => {
    if (t.data !== undefined) return widen(t.dtype, t.data);
    if (t.variable) {
      const data = allocData(t.dtype === 'float32' ? 'float64' : t.dtype, elementCount(t.shape));
      if (t.dtype === 'int8') (data as Int8Array).fill(t.quant?.zeroPoint[0] ?? 0);
      return data;
    }
    const b = dumped.get(t.name);
    return b && widen(t.dtype, fromBytes(t, b).data);
  };
  const compared: string[] = [];
  for (const node of g.nodes) {
    if (!ops.includes(node.op)) continue;
    const inputs = node.inputs.map((n) => {
      if (n === '') return undefined;
      const t = g.tensor(n);
      const data = valueOf(t);
      return data && { ...t, dtype: t.dtype === 'float32' ? ('float64' as const) : t.dtype, data };
    });
    const expected = dumped.get(node.outputs[0]);
    assert.ok(expected, `${label}: node ${node.name} (${node.op}): TFLM dumps no value for its output '${node.outputs[0]}'`);
    assert.ok(inputs.every((t, i) => t || node.inputs[i] === ''), `${label}: node ${node.name} (${node.op}): an input has no TFLM value`);
    const outputs: TensorType[] = node.outputs.map((o) => {
      const t = g.tensor(o);
      return { dtype: t.dtype === 'float32' ? 'float64' : t.dtype, shape: [...t.shape], ...(t.quant ? { quant: t.quant } : {}) };
    });
    const def = getOp(node.op);
    const outs = def.reference
      ? def.reference({ attrs: node.attrs, node, inputs, outputs, setState: () => {} })
      : def.evaluate!(node.attrs, inputs, outputs);
    const t = g.tensor(node.outputs[0]);
    const data = t.dtype === 'float32' ? Float32Array.from(outs[0] as Float64Array) : outs[0];
    assertCloseToTflm(`${label}: ${node.source?.op ?? node.op} '${node.outputs[0]}' in isolation`, { dtype: t.dtype, shape: t.shape, data }, expected!);
    compared.push(node.outputs[0]);
  }
  return compared;
}
