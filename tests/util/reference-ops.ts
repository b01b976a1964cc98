/**
 * Per-layer checks of a few operators' reference semantics on a real TFLite model, independent of the
 * other operators: every layer is fed TensorFlow Lite Micro's own values (`tflm-run --dump`), so a layer
 * of the operators under test computes from exactly the inputs TFLite Micro's kernel saw, and its output
 * must equal TFLite Micro's (integer bytes exactly; float within FLOAT_RTOL, tests/util/reference.ts).
 * Layers of other operators are not computed when TFLite Micro dumped their outputs (their dump is
 * used); IR nodes between dumps (e.g. reshapes an importer adds) are computed by their reference /
 * evaluate / alias when they can be.
 *
 *   assertOpLayersMatchTflm(label, bytes, x, ops) → { compared, ms }: layers of `ops` compared, and the
 *   reference interpreter's time spent in them
 */

import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';
import { allocData, type DType, type TensorData } from '../../src/ir/dtype.js';
import type { Tensor } from '../../src/ir/graph.js';
import { fromBytes, toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { getOp } from '../../src/ops/index.js';
import type { TensorType } from '../../src/ops/op.js';
import { assertCloseToTflm } from './reference.js';
import { runTflmLayers } from './tflm.js';

const wide = (dtype: DType): DType => (dtype === 'float32' ? 'float64' : dtype);

function widen(data: TensorData, dtype: DType): TensorData {
  if (dtype !== 'float32') return data;
  return Float64Array.from(data as Float32Array);
}

export function assertOpLayersMatchTflm(label: string, bytes: Uint8Array, x: TensorValue, ops: readonly string[]): { compared: number; ms: number } {
  const file = `${label}.tflite`;
  const g = importGraph(bytes, file, 'model');
  const names = tfliteOperatorOutputs(bytes, file);
  const dumps = new Map<string, Uint8Array>();
  for (const l of runTflmLayers(bytes, toBytes(x))) dumps.set(names[l.op], l.bytes);
  const values = new Map<string, TensorData>();
  values.set(g.inputs[0], widen(x.data, x.dtype));
  const fromDump = (name: string): TensorData => {
    const t = g.tensor(name);
    return widen(fromBytes({ dtype: t.dtype, shape: t.shape }, dumps.get(name)!).data, t.dtype);
  };
  let compared = 0;
  let ms = 0;
  for (const node of g.nodes) {
    const def = getOp(node.op);
    const mine = ops.includes(node.op);
    const dumped = node.outputs.every((o) => dumps.has(o));
    if (!mine && dumped) {
      for (const o of node.outputs) values.set(o, fromDump(o));
      continue;
    }
    const ins = node.inputs.map((name): Tensor | undefined => {
      if (name === '') return undefined;
      const t = g.tensor(name);
      const data = t.data !== undefined ? widen(t.data, t.dtype) : values.get(name);
      return data === undefined ? undefined : { ...t, dtype: wide(t.dtype), data };
    });
    const missing = node.inputs.some((name, i) => name !== '' && ins[i] === undefined);
    const outs: TensorType[] = node.outputs.map((o) => {
      const t = g.tensor(o);
      return { dtype: wide(t.dtype), shape: [...t.shape], ...(t.quant ? { quant: t.quant } : {}) };
    });
    let results: TensorData[] | undefined;
    if (!missing) {
      const t0 = performance.now();
      try {
        if (def.reference) results = def.reference({ attrs: node.attrs, node, inputs: ins, outputs: outs, setState: () => {} });
        else if (def.evaluate) results = def.evaluate(node.attrs, ins, outs);
        else if (def.alias) results = [ins[0]!.data!];
      } catch (e) {
        if (mine) throw e;
      }
      if (mine) ms += performance.now() - t0;
    }
    if (mine) assert.ok(results, `${label}: ${node.op} node '${node.name}' could not run (an input is missing)`);
    node.outputs.forEach((o, i) => {
      if (mine && dumps.has(o)) {
        const t = g.tensor(o);
        const r = results![i];
        const value = { dtype: t.dtype, shape: t.shape, data: t.dtype === 'float32' ? Float32Array.from(r as Float64Array) : r };
        assertCloseToTflm(`${label}: ${node.op} '${o}'`, value, dumps.get(o)!);
        compared++;
      }
      if (dumps.has(o)) values.set(o, fromDump(o));
      else if (results) values.set(o, results[i]);
    });
  }
  return { compared, ms };
}

/** A seeded input for a one-input model: integers over their range, floats in [−1, 1). */
export function seededInput(bytes: Uint8Array, label: string, next: () => number): TensorValue {
  const g = importGraph(bytes, `${label}.tflite`, 'model');
  const t = g.tensor(g.inputs[0]);
  const n = t.shape.reduce((a, b) => a * b, 1);
  const data = allocData(t.dtype, n) as Float32Array;
  const range: Partial<Record<DType, [number, number]>> = { int8: [-128, 127], int16: [-32768, 32767], uint8: [0, 255] };
  const r = range[t.dtype];
  for (let i = 0; i < n; i++) data[i] = r ? r[0] + Math.floor(next() * (r[1] - r[0] + 1)) : 2 * next() - 1;
  return { dtype: t.dtype, shape: [...t.shape], data };
}
