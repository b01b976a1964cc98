/**
 * Checks one family's reference semantics inside a real model without needing every other operator's:
 * TFLite Micro (`tflm-run --dump`) runs the model once; each IR node of the operators named is then run
 * alone through its `reference`, on the input values TFLite Micro computed (graph inputs, constants and
 * the dumped outputs of earlier operators), and its output must equal TFLite Micro's output of that
 * layer (integer: every byte; float: within FLOAT_RTOL of the tensor's largest |value|, as
 * tests/util/reference.ts judges). The whole-model check, `assertReferenceLayersMatchTflm`, needs every
 * operator of the model to have its reference; this one needs only the family's.
 */

import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';
import { fromBytes, toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import type { Tensor } from '../../src/ir/graph.js';
import { getOp } from '../../src/ops/index.js';
import { assertCloseToTflm } from './reference.js';
import { runTflmLayers } from './tflm.js';

/** Runs every node of `ops` in the one-input model on TFLite Micro's layer values; returns how many were compared. */
export function assertNodesMatchTflmLayers(label: string, bytes: Uint8Array, x: TensorValue, ops: readonly string[]): number {
  const file = `${label}.tflite`;
  const g = importGraph(bytes, file, 'model');
  const names = tfliteOperatorOutputs(bytes, file);
  const values = new Map<string, TensorValue>([[g.inputs[0], x]]);
  for (const l of runTflmLayers(bytes, toBytes(x))) {
    const t = g.tensor(names[l.op]);
    values.set(t.name, fromBytes({ dtype: t.dtype, shape: t.shape }, l.bytes));
  }
  const asFloat64 = (v: TensorValue): TensorValue => (v.dtype === 'float32' ? { ...v, dtype: 'float64' as never, data: Float64Array.from(v.data as Float32Array) } : v);
  let compared = 0;
  for (const node of g.nodes) {
    if (!ops.includes(node.op)) continue;
    const expected = values.get(node.outputs[0]);
    const inputs = node.inputs.map((name): Tensor | undefined => {
      if (name === '') return undefined;
      const t = g.tensor(name);
      if (t.data !== undefined) return t.dtype === 'float32' ? { ...t, dtype: 'float64', data: Float64Array.from(t.data as Float32Array) } : t;
      const v = values.get(name);
      return v && { ...t, ...asFloat64(v) };
    });
    if (!expected || inputs.some((t, i) => node.inputs[i] !== '' && !t)) continue;
    const out = g.tensor(node.outputs[0]);
    const outType = { dtype: out.dtype === 'float32' ? ('float64' as const) : out.dtype, shape: out.shape, ...(out.quant ? { quant: out.quant } : {}) };
    const def = getOp(node.op);
    const [data] = def.reference!({ attrs: node.attrs, node, inputs, outputs: [outType], setState: () => assert.unreachable('state') });
    const ours: TensorValue = out.dtype === 'float32' ? { dtype: 'float32', shape: out.shape, data: Float32Array.from(data as Float64Array) } : { dtype: out.dtype, shape: out.shape, data } as TensorValue;
    assertCloseToTflm(`${label}: ${node.op} '${node.name}' (${node.source.op})`, ours, toBytes(expected));
    compared++;
  }
  return compared;
}
