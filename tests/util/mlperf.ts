/**
 * The MLPerf Tiny reference data the tests/mlperf proofs compare with, read from ../shared (or
 * $UTVM_SHARED): the four models (int8 and float32), the 1000 keyword-spotting stimuli with their
 * golden int8 outputs (kws01/golden_int8.csv), and TFLite Micro + CMSIS-NN's outputs and per-layer
 * FNV-1a hashes for the input pattern, parsed from baselines/tflm-cmsis-nn-cm7.md (published data).
 *
 * A layer check maps TFLite operator i to the IR tensor that holds its output (the importer keeps the
 * TFLite tensor names), hashes that tensor's bytes from a debug run (src/run/debug.ts: every tensor kept)
 * and compares with the baseline's hash i, so a mismatch names the FIRST layer where we depart.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { readTfliteModel } from '../../src/import/tflite-schema.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';

export const SHARED = resolve(process.env.UTVM_SHARED ?? join(process.cwd(), '..', 'shared'));
export const MLPERF_DIR = join(SHARED, 'models', 'mlperf-tiny');
export const KWS01_DIR = join(MLPERF_DIR, 'kws01');
export const BASELINE_MD = join(SHARED, 'baselines', 'tflm-cmsis-nn-cm7.md');

export type ModelKey = 'ic' | 'kws' | 'vww' | 'ad';
export const MODEL_KEYS: readonly ModelKey[] = ['ic', 'kws', 'vww', 'ad'];

/** The model files, relative to MLPERF_DIR. */
export const MLPERF_MODELS: Readonly<Record<ModelKey, { int8: string; float: string }>> = {
  ic: { int8: 'ic/pretrainedResnet_quant.tflite', float: 'ic/pretrainedResnet.tflite' },
  kws: { int8: 'kws/kws_ref_model.tflite', float: 'kws/kws_ref_model_float32.tflite' },
  vww: { int8: 'vww/vww_96_int8.tflite', float: 'vww/vww_96_float.tflite' },
  ad: { int8: 'ad/ad01_int8.tflite', float: 'ad/ad01_fp32.tflite' },
};

export interface ModelFile {
  /** Absolute path. */
  path: string;
  /** File name without folder (what the compiler is told). */
  fileName: string;
  bytes: Uint8Array;
}

export function readModel(key: ModelKey, kind: 'int8' | 'float'): ModelFile {
  const path = join(MLPERF_DIR, MLPERF_MODELS[key][kind]);
  return { path, fileName: path.replace(/^.*\//, ''), bytes: new Uint8Array(readFileSync(path)) };
}

// ---------------------------------------------------------------------------------------------------
// The TFLM + CMSIS-NN baseline

export interface BaselineLayer {
  index: number;
  /** TFLite builtin operator name, from the per-operator instruction table. */
  op: string;
  /** FNV-1a 32-bit of the output bytes, 8 lower-case hex digits. */
  hash: string;
  /** Output bytes. */
  bytes: number;
}

export interface BaselineModel {
  /** int8 output for the input pattern. */
  output: number[];
  layers: BaselineLayer[];
}

/** The section of `md` under the `## ` heading that starts with `title`. */
function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`baseline: no section '${title}' in ${BASELINE_MD}`);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end < 0 ? undefined : end);
}

/** Operator names per layer from the `<details>` tables (`| # | op | ...`), keyed by model. */
function layerOps(md: string): Map<ModelKey, string[]> {
  const ops = new Map<ModelKey, string[]>();
  for (const block of md.split('<details>').slice(1)) {
    const file = /<summary>[^(]*\(([^)]+\.tflite)\)/.exec(block)?.[1];
    const key = MODEL_KEYS.find((k) => MLPERF_MODELS[k].int8.endsWith(`/${file}`));
    if (!key) continue;
    const list: string[] = [];
    for (const m of block.matchAll(/^\|\s*(\d+)\s*\|\s*([A-Z0-9_]+)\s*\|/gm)) list[Number(m[1])] = m[2];
    ops.set(key, list);
  }
  return ops;
}

let baselineCache: Record<ModelKey, BaselineModel> | undefined;

/** Outputs and per-layer hashes of TFLite Micro + CMSIS-NN for the input pattern, per model. */
export function readBaseline(): Record<ModelKey, BaselineModel> {
  if (baselineCache) return baselineCache;
  const md = readFileSync(BASELINE_MD, 'utf8');
  const outputs = section(md, 'Outputs for the input pattern');
  const hashes = section(md, 'Per-layer output hashes');
  const ops = layerOps(md);
  const result = {} as Record<ModelKey, BaselineModel>;
  for (const key of MODEL_KEYS) {
    const out = new RegExp(`^- ${key}(?: \\([^)]*\\))?: \`([-0-9,]+)\``, 'm').exec(outputs);
    const line = new RegExp(`^- ${key}: (.*)$`, 'm').exec(hashes);
    if (!out || !line) throw new Error(`baseline: no output or hashes for '${key}' in ${BASELINE_MD}`);
    const opList = ops.get(key) ?? [];
    const layers = [...line[1].matchAll(/(\d+):([0-9a-f]{8}) \(n=(\d+)\)/g)].map((m) => ({
      index: Number(m[1]),
      op: opList[Number(m[1])] ?? '?',
      hash: m[2],
      bytes: Number(m[3]),
    }));
    result[key] = { output: out[1].split(',').map(Number), layers };
  }
  baselineCache = result;
  return result;
}

/** FNV-1a 32-bit (h = 0x811c9dc5; h = (h ^ b) * 0x01000193 mod 2^32) as 8 lower-case hex digits. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------------------
// Layer-by-layer comparison

export interface LayerCheck extends BaselineLayer {
  /** IR tensor holding the output of TFLite operator `index`. */
  tensor: string;
  /** Our hash, or undefined when the tensor is not in the debug run's arena. */
  actual?: string;
  /** Our byte count. */
  actualBytes?: number;
  ok: boolean;
}

/**
 * Compares each TFLite operator's output (`outputs[i]` = the IR tensor name of operator i's output) in
 * `tensors` (from runWithIntermediates) with the baseline's hash i.
 */
export function checkLayers(outputs: readonly string[], tensors: ReadonlyMap<string, Uint8Array>, layers: readonly BaselineLayer[]): LayerCheck[] {
  return layers.map((l) => {
    const tensor = outputs[l.index] ?? '';
    const bytes = tensors.get(tensor);
    const actual = bytes ? fnv1a(bytes) : undefined;
    return { ...l, tensor, actual, actualBytes: bytes?.length, ok: actual === l.hash && bytes?.length === l.bytes };
  });
}

/** "layer 3 (ADD) 'name': hash 1234abcd (n=8192), TFLM 8aaf974e (n=8192)" for the first failed check. */
export function describeLayer(c: LayerCheck): string {
  const ours = c.actual === undefined ? 'not in the arena dump' : `hash ${c.actual} (n=${c.actualBytes})`;
  return `layer ${c.index} (${c.op}) '${c.tensor}': ${ours}, TFLM ${c.hash} (n=${c.bytes})`;
}

/** One line per model: how many layers match, and the first that does not. */
export function summarizeLayers(key: string, checks: readonly LayerCheck[]): string {
  const good = checks.filter((c) => c.ok).length;
  const first = checks.find((c) => !c.ok);
  return `${key}: ${good}/${checks.length} layers match TFLM${first ? `; first difference at ${describeLayer(first)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Keyword-spotting stimuli and goldens

export interface KwsCase {
  file: string;
  label: number;
  /** int8 [1,49,10,1] as stored in the stimulus file. */
  input: TensorValue;
  /** The int8 output TFLite Micro + CMSIS-NN gave (12 values). */
  expected: Int8Array;
}

/** The 1000 stimuli of kws01 with their golden outputs, in file order. */
export function readKwsCases(): KwsCase[] {
  const lines = readFileSync(join(KWS01_DIR, 'golden_int8.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  if (header[0] !== 'file' || header[1] !== 'label' || header.length !== 14) throw new Error(`golden_int8.csv: unexpected header ${lines[0]}`);
  const files = new Set(readdirSync(KWS01_DIR).filter((f) => /^tst_.*\.bin$/.test(f)));
  return lines.slice(1).map((line) => {
    const [file, label, ...q] = line.trim().split(',');
    if (!files.has(file)) throw new Error(`golden_int8.csv names ${file}, which is not in ${KWS01_DIR}`);
    const raw = readFileSync(join(KWS01_DIR, file));
    if (raw.length !== 490) throw new Error(`${file}: ${raw.length} bytes, expected 490`);
    const data = new Int8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    return { file, label: Number(label), input: { dtype: 'int8', shape: [1, 49, 10, 1], data }, expected: Int8Array.from(q.map(Number)) };
  });
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** Index of the first largest value. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** float32 input = scale · (q − zeroPoint) for an int8 value (how the float model sees a stimulus). */
export function dequantizeInput(q: TensorValue, scale: number, zeroPoint: number): TensorValue {
  const data = new Float32Array(q.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(scale * ((q.data[i] as number) - zeroPoint));
  return { dtype: 'float32', shape: [...q.shape], data };
}

/** Wall-clock seconds of `fn`, and its result. */
export function timed<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

/** The IR tensor holding each TFLite operator's output, in operator order (the importer's own mapping). */
export function tfliteLayerOutputs(model: ModelFile): string[] {
  return tfliteOperatorOutputs(model.bytes, model.fileName);
}

/** Scale and zero point of the TFLite model's input 0 (from the file: no import needed). */
export function tfliteInputQuant(model: ModelFile): { scale: number; zeroPoint: number } {
  const sg = readTfliteModel(model.bytes, model.fileName).subgraphs[0];
  const q = sg.tensors[sg.inputs[0]].quantization;
  if (!q || q.scale.length !== 1) throw new Error(`${model.fileName}: input 0 is not per-tensor quantized`);
  return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] };
}
