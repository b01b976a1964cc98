/**
 * Checks of the reference interpreter (src/reference/) against the oracles: TFLite Micro (`tflm-run`,
 * bit-exact for every output byte, and layer by layer with `--dump`) for TFLite models, and onnxruntime /
 * the conformance tests' expected outputs for ONNX models (within a stated tolerance).
 *
 *   referenceOutputs(bytes, file, cases)            → the interpreter's outputs (graph dtypes)
 *   assertReferenceMatchesTflm(label, bytes, cases) → every integer output byte equals tflm-run's, per
 *                                                      case; float outputs within FLOAT_RTOL (below)
 *   assertReferenceLayersMatchTflm(label, bytes, x) → the same for every TFLite operator's output
 *
 * Float tolerance: the interpreter computes in float64 and TFLite Micro in float32 with its own summation
 * order, so a float tensor is compared as |ours − theirs| ≤ FLOAT_RTOL · max|theirs| over the tensor
 * (relative to the tensor's scale, so cancellation near zero does not count as an error).
 */

import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { createInterpreter, type InterpretOptions } from '../../src/reference/interpret.js';
import { fromBytes } from '../../src/io/tensor-value.js';
import { runTflm, runTflmLayers } from './tflm.js';

export const FLOAT_RTOL = 1e-5;

/** Asserts `ours` equals TFLM's bytes (integer) or is within FLOAT_RTOL of them (float32). */
export function assertCloseToTflm(label: string, ours: TensorValue, theirs: Uint8Array): void {
  if (ours.dtype !== 'float32') {
    const a = toBytes(ours);
    const diff = a.findIndex((v, i) => v !== theirs[i]);
    assert.ok(a.length === theirs.length && diff < 0, `${label}: byte ${diff} is ${a[diff]}, TFLM ${theirs[diff]} (${a.length} vs ${theirs.length} bytes)`);
    return;
  }
  assert.is(ours.data.length * 4, theirs.length, `${label}: ${ours.data.length * 4} bytes vs TFLM's ${theirs.length}`);
  const e = fromBytes({ dtype: 'float32', shape: ours.shape }, theirs).data as Float32Array;
  const scale = Math.max(1e-30, ...Array.from(e, Math.abs));
  let worst = -1;
  let worstErr = 0;
  (ours.data as Float32Array).forEach((v, i) => {
    const err = Math.abs(v - e[i]);
    if (!(err <= worstErr)) [worst, worstErr] = [i, Number.isNaN(err) ? Infinity : err];
  });
  assert.ok(worstErr <= FLOAT_RTOL * scale, `${label}: element ${worst} is ${ours.data[worst]}, TFLM ${e[worst]} (|err| ${worstErr} > ${FLOAT_RTOL} × max ${scale})`);
}

/** The interpreter's outputs per case (state carried from case to case after one reset, as tflm-run does per case: reset before each). */
export function referenceOutputs(bytes: Uint8Array, file: string, cases: TensorValue[][], options: InterpretOptions = {}): TensorValue[][] {
  const it = createInterpreter(importGraph(bytes, file, 'model'), options);
  return cases.map((c) => {
    it.reset();
    return it.run(c).outputs;
  });
}

/** Every output of the interpreter equals TFLite Micro's (float: within FLOAT_RTOL), for every case; returns the outputs compared. */
export function assertReferenceMatchesTflm(label: string, bytes: Uint8Array, cases: TensorValue[][]): number {
  const ours = referenceOutputs(bytes, `${label}.tflite`, cases);
  const theirs = runTflm(bytes, cases.map((c) => c.map(toBytes)), ours[0].length);
  let n = 0;
  ours.forEach((outs, k) => outs.forEach((o, j) => (assertCloseToTflm(`${label} (reference interpreter) case ${k} output ${j}`, o, theirs[k][j]), n++)));
  return n;
}

/**
 * Every TFLite operator's output (one-input model, one case) from the interpreter equals tflm-run --dump's
 * (float: within FLOAT_RTOL); returns the number of layers compared.
 */
export function assertReferenceLayersMatchTflm(label: string, bytes: Uint8Array, x: TensorValue): number {
  const file = `${label}.tflite`;
  const g = importGraph(bytes, file, 'model');
  const { tensors } = createInterpreter(g).run([x]);
  const names = tfliteOperatorOutputs(bytes, file);
  const layers = runTflmLayers(bytes, toBytes(x));
  for (const l of layers) {
    const mine = tensors.get(names[l.op]);
    assert.ok(mine, `${label}: layer #${l.op} ${l.opName} '${l.tensorName}' has no tensor in the interpreter`);
    const t = g.tensor(names[l.op]);
    const value = mine!.dtype === 'float64' ? { dtype: t.dtype, shape: t.shape, data: Float32Array.from(mine!.data as Float64Array) } : mine!;
    assertCloseToTflm(`${label}: layer #${l.op} ${l.opName} '${l.tensorName}'`, value, l.bytes);
  }
  return layers.length;
}
