/**
 * Layer-isolated checks of operators' reference semantics on real TFLite models: every node of the chosen
 * IR operators is run by its `reference` on TFLite Micro's own values of its inputs (`tflm-run --dump`)
 * and compared with TFLite Micro's output of that layer (integer: every byte; float: within FLOAT_RTOL of
 * the tensor's max |value|, as tests/util/reference.ts). Unlike assertReferenceLayersMatchTflm (the whole
 * interpreter, layer after layer) it needs no semantics of the other operators and names the first wrong
 * layer even when an earlier one departs.
 *
 *   assertOpsMatchTflmLayers(label, bytes, x, ops) → { layers, macs, ms }: the layers compared, their
 *     multiply-accumulates and the time the references took.
 */

import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';
import type { Tensor } from '../../src/ir/graph.js';
import { fromBytes, toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { getOp } from '../../src/ops/index.js';
import { assertCloseToTflm } from './reference.js';
import { runTflmLayers } from './tflm.js';

export interface LayerCheck {
  /** Layers compared. */
  layers: number;
  /** Their multiply-accumulates (the operators' `macs`). */
  macs: number;
  /** Milliseconds the references took. */
  ms: number;
}

export function assertOpsMatchTflmLayers(label: string, bytes: Uint8Array, x: TensorValue, ops: readonly string[]): LayerCheck {
  const file = `${label}.tflite`;
  const g = importGraph(bytes, file, 'model');
  const names = tfliteOperatorOutputs(bytes, file);
  const tflm = new Map<string, Uint8Array>();
  for (const l of runTflmLayers(bytes, toBytes(x))) tflm.set(names[l.op], l.bytes);
  tflm.set(g.inputs[0], toBytes(x));
  const check: LayerCheck = { layers: 0, macs: 0, ms: 0 };
  for (const node of g.nodes) {
    const def = getOp(node.op);
    if (!ops.includes(node.op) || !tflm.has(node.outputs[0])) continue;
    const inputs = node.inputs.map((name): Tensor | undefined => {
      if (name === '') return undefined;
      const t = g.tensor(name);
      if (t.data !== undefined) return t;
      const b = tflm.get(name);
      assert.ok(b, `${label}: ${node.name} reads '${name}', which no TFLite operator writes`);
      return { ...t, data: fromBytes(t, b!).data };
    });
    const outputs = node.outputs.map((o) => {
      const t = g.tensor(o);
      return { dtype: t.dtype, shape: [...t.shape], ...(t.quant ? { quant: t.quant } : {}) };
    });
    const t0 = performance.now();
    const [data] = def.reference!({ attrs: node.attrs, node, inputs, outputs, setState: () => assert.unreachable('no state') });
    check.ms += performance.now() - t0;
    const t = g.tensor(node.outputs[0]);
    assertCloseToTflm(`${label}: ${node.op} ${node.name} (${node.source.op}) '${t.name}'`, { dtype: t.dtype, shape: t.shape, data }, tflm.get(t.name)!);
    check.layers++;
    check.macs += def.macs?.(node, g) ?? 0;
  }
  return check;
}
