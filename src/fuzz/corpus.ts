/**
 * The models the fuzzer mutates: every ONNX node-test model (onnx-node/<test>/model.onnx) and every
 * .tflite file under the models folder (mlperf-tiny/, tflm/). Read once per process, sorted by path so
 * that a seed picks the same model on every machine with the same models folder. Models whose operators
 * are all supported are marked: 80 % of cases start from one of them, so that mutants get past the
 * operator check into shape inference, folding, planning and emission.
 */

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportedOnnxOps } from '../import/onnx.js';
import { importTflite } from '../import/tflite.js';

export interface CorpusModel {
  /** Path relative to the models folder, e.g. "onnx-node/test_add/model.onnx". */
  path: string;
  format: 'onnx' | 'tflite';
  bytes: Uint8Array;
  /** Every operator is supported (ONNX: by onnx-node/INDEX.tsv; TFLite: it imports): mutants get further. */
  supported: boolean;
}

export interface Corpus {
  root: string;
  onnx: CorpusModel[];
  tflite: CorpusModel[];
}

/** The project's root folder (this file is dist/src/fuzz/corpus.js or src/fuzz/corpus.ts). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

/** The default models folder: ../shared/models from the project root. */
export const DEFAULT_MODELS = join(PROJECT_ROOT, '..', 'shared', 'models');

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
}

/** ONNX node-test folder name → whether all its operators are supported, from onnx-node/INDEX.tsv. */
function onnxSupport(root: string): Map<string, boolean> {
  const index = join(root, 'onnx-node', 'INDEX.tsv');
  const out = new Map<string, boolean>();
  if (!existsSync(index)) return out;
  const supported = new Set(supportedOnnxOps());
  for (const line of readFileSync(index, 'utf8').split('\n').slice(1)) {
    const [dir, , ops] = line.split('\t');
    if (dir && ops !== undefined) out.set(basename(dir), ops.split(/[\s,]+/).filter((o) => o !== '').every((o) => supported.has(o)));
  }
  return out;
}

function tfliteImports(bytes: Uint8Array): boolean {
  try {
    importTflite(bytes, 'corpus.tflite', 'corpus');
    return true;
  } catch {
    return false;
  }
}

/** Reads the corpus. Models over `maxBytes` are left out (they make each case slow, not more thorough). */
export function loadCorpus(root = DEFAULT_MODELS, maxBytes = 1 << 20): Corpus {
  const files: string[] = [];
  walk(root, files);
  const corpus: Corpus = { root, onnx: [], tflite: [] };
  const onnx = onnxSupport(root);
  for (const file of files) {
    const format = file.endsWith('/model.onnx') ? 'onnx' : file.endsWith('.tflite') ? 'tflite' : undefined;
    if (!format || statSync(file).size > maxBytes) continue;
    const bytes = new Uint8Array(readFileSync(file));
    const supported = format === 'onnx' ? onnx.get(basename(dirname(file))) ?? true : tfliteImports(bytes);
    corpus[format].push({ path: relative(root, file), format, bytes, supported });
  }
  if (corpus.onnx.length === 0 || corpus.tflite.length === 0) {
    throw new Error(`the models folder ${root} holds ${corpus.onnx.length} ONNX and ${corpus.tflite.length} TensorFlow Lite models; both are needed`);
  }
  return corpus;
}
