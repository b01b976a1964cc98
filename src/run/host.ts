/**
 * Running a compiled model on the host: write the project to a temporary folder, build it with its own
 * generated Makefile, and feed every case through one process (`--batch`).
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fail } from '../diagnostics.js';
import { allocData, bytesOf } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import type { FileMap } from '../emit/project.js';
import type { ProgramTensor } from '../emit/program.js';
import type { TensorValue } from '../io/tensor-value.js';

export function writeFileMap(dir: string, files: FileMap): void {
  for (const [path, content] of files) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

function errorText(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  const text = (err.stderr ? err.stderr.toString() : err.message ?? String(e)).trim();
  return text.split('\n').slice(0, 12).join('\n');
}

/** Builds the project in `dir` with make; returns the executable's path. */
export function buildHost(dir: string, name: string): string {
  try {
    execFileSync('make', ['-s', '-C', dir, `build/${name}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    fail('E_BUILD', `the generated C code did not build:\n${errorText(e)}`);
  }
  return join(dir, 'build', name);
}

export function toBytes(v: TensorValue): Uint8Array {
  return new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);
}

export function fromBytes(t: ProgramTensor, bytes: Uint8Array): TensorValue {
  const data = allocData(t.dtype, elementCount(t.shape));
  new Uint8Array(data.buffer).set(bytes);
  return { dtype: t.dtype, shape: [...t.shape], data };
}

export function checkCase(inputs: ProgramTensor[], values: TensorValue[], label: string): void {
  if (values.length !== inputs.length) fail('E_INPUT_FILE', `${label}: ${values.length} input(s) given, the model has ${inputs.length}`);
  values.forEach((v, i) => {
    const t = inputs[i];
    if (v.dtype !== t.dtype) fail('E_INPUT_FILE', `${label}: input ${i} ('${t.name}') must be ${t.dtype}, got ${v.dtype}`);
    const bytes = elementCount(v.shape) * bytesOf(v.dtype);
    if (bytes !== t.bytes) fail('E_INPUT_FILE', `${label}: input ${i} ('${t.name}') must be ${t.bytes} bytes (${t.dtype}[${t.shape}]), got ${bytes}`);
  });
}

/**
 * Writes every case's inputs as raw files into `dir` and the batch list `dir/cases.txt` that the host
 * runner and the firmware read: one line per case, input paths then output paths, tab-separated.
 * Outputs go to `dir/case<k>_out<i>.bin`.
 */
export function writeBatch(dir: string, inputs: ProgramTensor[], outputs: ProgramTensor[], cases: TensorValue[][]): void {
  const lines = cases.map((c, k) => {
    checkCase(inputs, c, `case ${k}`);
    const ins = c.map((v, i) => {
      const p = join(dir, `case${k}_in${i}.bin`);
      writeFileSync(p, toBytes(v));
      return p;
    });
    return [...ins, ...outputs.map((_, i) => join(dir, `case${k}_out${i}.bin`))].join('\t');
  });
  writeFileSync(join(dir, 'cases.txt'), `${lines.join('\n')}\n`);
}

/** Runs every case through one host process. */
export function runOnHost(files: FileMap, name: string, inputs: ProgramTensor[], outputs: ProgramTensor[], cases: TensorValue[][]): TensorValue[][] {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-run-'));
  try {
    writeFileMap(dir, files);
    const exe = buildHost(dir, name);
    writeBatch(dir, inputs, outputs, cases);
    try {
      execFileSync(exe, ['--batch', join(dir, 'cases.txt')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    } catch (e) {
      fail('E_BUILD', `the compiled model failed while running:\n${errorText(e)}`);
    }
    return cases.map((_, k) => outputs.map((t, i) => fromBytes(t, readFileSync(join(dir, `case${k}_out${i}.bin`)))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
