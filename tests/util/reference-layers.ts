/**
 * Per-layer checks of the reference interpreter restricted to some TFLite operators: the graph is cut after
 * the chosen operators' outputs (the nodes nothing of theirs depends on are dropped), run by the
 * interpreter, and each chosen operator's output compared with `tflm-run --dump`'s (integer: every byte;
 * float: within FLOAT_RTOL of the tensor's max, tests/util/reference.ts). For a family's layers in a real
 * model whose other operators have no reference semantics yet.
 */

import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { assertCloseToTflm } from './reference.js';
import { runTflmLayers } from './tflm.js';

/** Every output of the TFLite operators named `ops` (e.g. ['UNIDIRECTIONAL_SEQUENCE_LSTM']) matches TFLite Micro's; returns the layers compared. */
export function assertReferenceLayersOfMatchTflm(label: string, bytes: Uint8Array, x: TensorValue, ops: readonly string[]): number {
  const file = `${label}.tflite`;
  const graph = importGraph(bytes, file, 'model');
  const names = tfliteOperatorOutputs(bytes, file);
  const layers = runTflmLayers(bytes, toBytes(x)).filter((l) => ops.includes(l.opName));
  assert.ok(layers.length > 0, `${label}: no ${ops.join(' / ')} layer`);
  const cut = graph.clone();
  cut.outputs = layers.map((l) => names[l.op]);
  cut.removeDeadCode();
  const { tensors } = createInterpreter(cut).run([x]);
  for (const l of layers) {
    const mine = tensors.get(names[l.op]);
    assert.ok(mine, `${label}: layer #${l.op} ${l.opName} '${l.tensorName}' has no tensor in the interpreter`);
    const t = graph.tensor(names[l.op]);
    const value = mine!.dtype === 'float64' ? { dtype: t.dtype, shape: t.shape, data: Float32Array.from(mine!.data as Float64Array) } : mine!;
    assertCloseToTflm(`${label}: layer #${l.op} ${l.opName} '${l.tensorName}'`, value, l.bytes);
  }
  return layers.length;
}
