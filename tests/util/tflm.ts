/**
 * Runs TensorFlow Lite Micro's reference kernels (../shared/tools/tflm/tflm-run, the oracle) on a model
 * and a list of cases, through a temporary folder laid out like `run --input-dir`; `runTflmLayers` also
 * returns every operator's output (`--dump`).
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { SHARED } from './mlperf.js';
import { elementCount } from '../../src/ir/graph.js';
import { mulberry32, randomFloats, randomInts } from './random.js';

export const TFLM_RUN = join(SHARED, 'tools', 'tflm', 'tflm-run');
export const TFLM_MODELS = join(SHARED, 'models', 'tflm');

/** Raw output bytes per case and output, for raw input bytes per case and input. */
export function runTflm(model: Uint8Array, cases: Uint8Array[][], outputCount: number): Uint8Array[][] {
  return withTflm(model, cases, outputCount, false).outputs;
}

export interface TflmLayer {
  op: number;
  opName: string;
  tensorName: string;
  bytes: Uint8Array;
}

/** Every operator's output (subgraph 0, operator order) for one case of a one-input model. */
export function runTflmLayers(model: Uint8Array, input: Uint8Array): TflmLayer[] {
  return withTflm(model, [[input]], 1, true).layers;
}

function withTflm(model: Uint8Array, cases: Uint8Array[][], outputCount: number, dump: boolean): { outputs: Uint8Array[][]; layers: TflmLayer[] } {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-tflm-'));
  try {
    const modelPath = join(dir, 'model.tflite');
    const inDir = join(dir, 'in');
    const outDir = join(dir, 'out');
    writeFileSync(modelPath, model);
    mkdirSync(inDir);
    mkdirSync(outDir);
    const several = cases.some((c) => c.length > 1);
    cases.forEach((inputs, k) => {
      if (!several) writeFileSync(join(inDir, `case${k}.bin`), inputs[0]);
      else {
        mkdirSync(join(inDir, `case${k}`));
        inputs.forEach((x, i) => writeFileSync(join(inDir, `case${k}`, `input_${i}.bin`), x));
      }
    });
    const dumpDir = join(dir, 'dump');
    execFileSync(TFLM_RUN, [...(dump ? ['--dump', dumpDir] : []), modelPath, inDir, outDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const layers: TflmLayer[] = [];
    if (dump) {
      const rows = readFileSync(join(dumpDir, 'manifest.tsv'), 'utf8').trim().split('\n').slice(1);
      for (const row of rows) {
        const f = row.split('\t');
        layers.push({ op: Number(f[0]), opName: f[1], tensorName: f[3], bytes: new Uint8Array(readFileSync(join(dumpDir, 'case0', f[9]))) });
      }
    }
    const outputs = cases.map((_, k) =>
      Array.from({ length: outputCount }, (_, i) => {
        const file = several ? join(outDir, `case${k}`, `output_${i}.bin`) : join(outDir, outputCount === 1 ? `case${k}.bin` : `case${k}.${i}.bin`);
        return new Uint8Array(readFileSync(file));
      }),
    );
    return { outputs, layers };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts every output byte of `ours` (per case, per output) equals tflm-run's; returns the bytes compared. */
export function assertSameBytes(label: string, ours: TensorValue[][], theirs: Uint8Array[][]): number {
  let bytes = 0;
  ours.forEach((outs, k) =>
    outs.forEach((o, j) => {
      const a = toBytes(o);
      const b = theirs[k][j];
      const diff = a.findIndex((v, i) => v !== b[i]);
      assert.ok(a.length === b.length && diff < 0, `${label} case ${k} output ${j}: byte ${diff} is ${a[diff]}, TFLM ${b[diff]} (${a.length} vs ${b.length} bytes)`);
      bytes += a.length;
    }),
  );
  return bytes;
}

/** Seeded random values over a tensor's whole range (float32: [-1, 1)). */
export function randomCase(t: { dtype: string; shape: number[] }, seed: number): TensorValue {
  const n = elementCount(t.shape);
  const rng = mulberry32(seed);
  switch (t.dtype) {
    case 'float32':
      return { dtype: 'float32', shape: t.shape, data: randomFloats(rng, n, -1, 1) };
    case 'int8':
      return { dtype: 'int8', shape: t.shape, data: Int8Array.from(randomInts(rng, n, -128, 127)) };
    case 'uint8':
      return { dtype: 'uint8', shape: t.shape, data: Uint8Array.from(randomInts(rng, n, 0, 255)) };
    case 'int16':
      return { dtype: 'int16', shape: t.shape, data: Int16Array.from(randomInts(rng, n, -32768, 32767)) };
    default:
      throw new Error(`no random inputs for ${t.dtype}`);
  }
}
