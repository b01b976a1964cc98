/**
 * `utvm-aot run` and `utvm-aot inspect` on the CIFAR-10 sample. The outputs `run` writes (.npy and raw
 * .bin) are compared with ONNX Runtime's within rtol 1e-4 + atol 1e-5; `inspect` must report the arena
 * and its lower bound, in text and in JSON, consistently.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { CIFAR, CIFAR_INPUT, ROOT, linesOf, listFiles, utvm } from '../util/cli.js';
import { MLPERF_DIR, MLPERF_MODELS } from '../util/mlperf.js';

const TOL = { rtol: 1e-4, atol: 1e-5 };
const SHAPE = [1, 3, 32, 32];
const MODEL = new Uint8Array(readFileSync(join(ROOT, CIFAR)));

let scratch = '';

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-cli-run-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function randomImage(seed: number): Float32Array {
  return randomFloats(mulberry32(seed), 3 * 32 * 32, 0, 1);
}

/** stderr of a run on the host (not a terminal): the progress lines, and nothing else. */
function assertRunProgress(stderr: string, cases: number): void {
  const lines = linesOf(stderr);
  assert.is(lines.length, 2, `two progress lines:\n${stderr}`);
  assert.is(lines[0], 'utvm-aot: building for the host (make, cc)');
  assert.match(lines[1], new RegExp(`^utvm-aot: running on the host: ${cases}/${cases} cases, \\d+ s$`));
}

/** Checks `actual` scores against ONNX Runtime on `image`. */
async function assertMatchesOrt(actual: Float32Array, image: Float32Array, what: string): Promise<void> {
  const [expected] = await runOnnxRuntime(MODEL, [{ name: 'input', dtype: 'float32', shape: SHAPE, data: image }]);
  const c = compareFloats(actual, expected.data as Float32Array, TOL);
  assert.ok(c.ok, `${what}: ${describeComparison(c)}`);
}

/** Reads an output .npy the CLI wrote: float32 [1, 10]. */
function readScoresNpy(path: string): Float32Array {
  const v = parseNpy(new Uint8Array(readFileSync(path)), path);
  assert.is(v.dtype, 'float32', `${path}: dtype`);
  assert.equal(v.shape, [1, 10], `${path}: shape`);
  return v.data as Float32Array;
}

/** Reads an output .bin the CLI wrote: 10 raw little-endian float32. */
function readScoresBin(path: string): Float32Array {
  const bytes = new Uint8Array(readFileSync(path));
  assert.is(bytes.length, 40, `${path}: 10 float32`);
  return new Float32Array(bytes.slice().buffer);
}

test('run --input x.npy --output y.npy writes onnxruntime\'s output', async () => {
  const y = join(scratch, 'single', 'y.npy');
  const r = utvm(['run', CIFAR, '--input', CIFAR_INPUT, '--output', y]);
  assert.is(r.status, 0, r.stderr);
  assertRunProgress(r.stderr, 1);
  assert.equal(linesOf(r.stdout), ['ran 1 case(s) on host; wrote 1 output file(s)']);
  const image = parseNpy(new Uint8Array(readFileSync(join(ROOT, CIFAR_INPUT))), CIFAR_INPUT);
  await assertMatchesOrt(readScoresNpy(y), image.data as Float32Array, 'y.npy');
});

test('run --input-dir/--output-dir: three cases, .npy and .bin, each output checked', async () => {
  const inDir = join(scratch, 'cases-in');
  const outDir = join(scratch, 'cases-out');
  mkdirSync(inDir);
  const images = { a: randomImage(1), b: randomImage(2), c: randomImage(3) };
  writeFileSync(join(inDir, 'a.npy'), encodeNpy('float32', SHAPE, images.a));
  writeFileSync(join(inDir, 'b.bin'), new Uint8Array(images.b.buffer));
  writeFileSync(join(inDir, 'c.npy'), encodeNpy('float32', SHAPE, images.c));
  const r = utvm(['run', CIFAR, '--input-dir', inDir, '--output-dir', outDir]);
  assert.is(r.status, 0, r.stderr);
  assertRunProgress(r.stderr, 3);
  assert.equal(linesOf(r.stdout), ['ran 3 case(s) on host; wrote 3 output file(s)']);
  assert.equal(listFiles(outDir), ['a.npy', 'b.bin', 'c.npy']);
  const a = readScoresNpy(join(outDir, 'a.npy'));
  const b = readScoresBin(join(outDir, 'b.bin'));
  const c = readScoresNpy(join(outDir, 'c.npy'));
  await assertMatchesOrt(a, images.a, 'case a (.npy)');
  await assertMatchesOrt(b, images.b, 'case b (.bin)');
  await assertMatchesOrt(c, images.c, 'case c (.npy)');
  assert.ok(a.some((v, i) => Math.abs(v - c[i]) > 1e-6), 'different inputs give different outputs');
});

test('inspect prints the arena and lower bound lines; --json agrees and parses', () => {
  const text = utvm(['inspect', CIFAR]);
  assert.is(text.status, 0, text.stderr);
  const lines = linesOf(text.stdout);
  assert.is(lines[0], `model: ${CIFAR} (C prefix 'cifar10')`);
  assert.ok(lines.includes('input  input: float32[1,3,32,32] (12288 bytes)'), text.stdout);
  assert.ok(lines.includes('output scores: float32[1,10]'), text.stdout);
  const summaries = lines.filter((l) => /^arena: \d+ bytes, lower bound: \d+ bytes \(\+\d+\.\d %\)$/.test(l));
  assert.is(summaries.length, 1, `one 'arena: N bytes, lower bound: M bytes (+X.X %)' line in:\n${text.stdout}`);
  const [arena, lower] = (/^arena: (\d+) bytes, lower bound: (\d+) bytes/.exec(summaries[0]) ?? []).slice(1).map(Number);
  assert.is(summaries[0], `arena: ${arena} bytes, lower bound: ${lower} bytes (+${(((arena - lower) / lower) * 100).toFixed(1)} %)`);
  assert.ok(lines.some((l) => /strategy \w+/.test(l)), 'the strategy is named');
  assert.ok(lines.some((l) => /^weights: \d+ bytes$/.test(l)), 'a weights line');

  const json = utvm(['inspect', CIFAR, '--json']);
  assert.is(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { arenaBytes: number; lowerBound: number; inputs: { shape: number[] }[]; buffers: unknown[] };
  assert.ok(Number.isInteger(report.lowerBound) && report.lowerBound > 0, `lowerBound ${report.lowerBound}`);
  assert.ok(report.arenaBytes >= report.lowerBound, `arenaBytes ${report.arenaBytes} ≥ lowerBound ${report.lowerBound}`);
  assert.is(report.arenaBytes, arena, 'the same arena in text and JSON');
  assert.is(report.lowerBound, lower, 'the same lower bound in text and JSON');
  assert.equal(report.inputs[0].shape, SHAPE);
  assert.ok(report.buffers.length > 0, 'buffers listed');
});

test('inspect --board shows the plan of that board: the Cortex-M7 picks the DSP kernels and their scratch', () => {
  const kws = join(MLPERF_DIR, MLPERF_MODELS.kws.int8);
  const kernelsOf = (board: string) => {
    const r = utvm(['inspect', kws, '--board', board, '--json']);
    assert.is(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { kernels: string[] }).kernels;
  };
  assert.ok(kernelsOf('qemu-mps2-an500').includes('utvm_conv2d_1x1_s8_dsp_const'), 'DSP 1x1 conv on the emulated Cortex-M7');
  assert.ok(!kernelsOf('host').some((k) => k.endsWith('_dsp')), 'portable kernels on the host');
  const bad = utvm(['inspect', kws, '--board', 'nope']);
  assert.is(bad.status, 2, 'an unknown board is a usage error');
});

test.run();
