/**
 * Disk I/O at the edge: reading models and tensor files, writing a FileMap into a build folder (an
 * export's folder: export-folder.ts). File-system errors are one-line E_IO errors (io-error.ts).
 */

import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fail } from '../diagnostics.js';
import { bytesOf } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import type { ProgramTensor } from '../emit/program.js';
import type { FileMap } from '../emit/project.js';
import { encodeNpy, parseNpy } from './npy.js';
import { TensorValue, fromBytes, toBytes } from './tensor-value.js';
import { makeDirs, withIo } from './io-error.js';

export function readModelFile(path: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) {
      if (existsSync(join(path, 'saved_model.pb'))) {
        fail('E_MODEL_FORMAT', `${path}: is a TensorFlow SavedModel folder; utvm-aot reads ONNX (.onnx) and TensorFlow Lite (.tflite) models: convert it with tf.lite.TFLiteConverter.from_saved_model or tf2onnx first`);
      }
      fail('E_MODEL_READ', `${path}: is a folder, not a model file`);
    }
    return readFileSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') fail('E_MODEL_READ', `${path}: no such file`);
    if (e instanceof Error && e.name === 'UtvmError') throw e;
    const code = (e as { code?: string }).code;
    fail('E_MODEL_READ', `${path}: cannot read (${code ?? (e as Error).message.split('\n')[0]})`);
  }
}

/** Writes one file (tests inject failures through it). */
export type WriteFile = (path: string, content: string) => void;

/**
 * Writes `files` under `dir`, making folders as needed: the one FileMap writer, for the temporary build
 * folders of run, bench and validate and for an export's staging folder (export-folder.ts). File-system
 * errors are thrown as they are: the caller says what it was writing (E_IO).
 */
export function writeFileMap(dir: string, files: Iterable<[string, string]>, write: WriteFile = writeFileSync): void {
  for (const [path, content] of files) {
    const full = join(dir, path);
    makeDirs(dirname(full));
    write(full, content);
  }
}

/** Reads one input file (.npy: dtype and shape checked; anything else: raw bytes, size checked). */
export function readTensorFile(path: string, t: Pick<ProgramTensor, 'name' | 'dtype' | 'shape'>): TensorValue {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    fail('E_INPUT_FILE', `${path}: cannot read input file`);
  }
  const what = `input '${t.name}' (${t.dtype}[${t.shape}])`;
  if (extname(path).toLowerCase() === '.npy') {
    const v = parseNpy(bytes, path);
    if (v.dtype !== t.dtype) fail('E_INPUT_FILE', `${path}: holds ${v.dtype} data, but ${what} needs ${t.dtype}`);
    if (v.shape.join() !== t.shape.join()) fail('E_INPUT_FILE', `${path}: has shape [${v.shape}], but ${what} needs [${t.shape}]`);
    return v;
  }
  const expected = elementCount(t.shape) * bytesOf(t.dtype);
  if (bytes.length !== expected) fail('E_INPUT_FILE', `${path}: has ${bytes.length} bytes, but ${what} needs ${expected} bytes`);
  return fromBytes(t, bytes);
}

export function writeTensorFile(path: string, v: TensorValue): void {
  const bytes = extname(path).toLowerCase() === '.npy' ? encodeNpy(v.dtype, v.shape, v.data) : toBytes(v);
  withIo(path, 'write the output', () => {
    makeDirs(dirname(resolve(path)));
    writeFileSync(path, bytes);
  });
}

export interface DirCase {
  name: string;
  inputs: string[];
  outputs: string[];
}

const TENSOR_FILE = /\.(npy|bin)$/i;

/** The cases of `run --input-dir`: see the CLI help for the folder layouts. */
export function listDirCases(inDir: string, outDir: string, numInputs: number, numOutputs: number): DirCase[] {
  if (!existsSync(inDir) || !statSync(inDir).isDirectory()) fail('E_INPUT_FILE', `${inDir}: no such folder`);
  const entries = readdirSync(inDir).sort();
  if (numInputs === 1) {
    return entries
      .filter((f) => TENSOR_FILE.test(f))
      .map((f) => {
        const ext = extname(f);
        const name = basename(f, ext);
        const outputs = Array.from({ length: numOutputs }, (_, k) => join(outDir, numOutputs === 1 ? `${name}${ext}` : `${name}.${k}${ext}`));
        return { name, inputs: [join(inDir, f)], outputs };
      });
  }
  return entries
    .filter((d) => statSync(join(inDir, d)).isDirectory())
    .map((d) => {
      const files = readdirSync(join(inDir, d));
      const inputs = Array.from({ length: numInputs }, (_, k) => {
        const f = files.find((x) => new RegExp(`^input_${k}\\.(npy|bin)$`, 'i').test(x));
        if (!f) fail('E_INPUT_FILE', `${join(inDir, d)}: missing input_${k}.npy or input_${k}.bin`);
        return join(inDir, d, f);
      });
      const ext = extname(inputs[0]);
      const outputs = Array.from({ length: numOutputs }, (_, k) => join(outDir, d, `output_${k}${ext}`));
      return { name: d, inputs, outputs };
    });
}
