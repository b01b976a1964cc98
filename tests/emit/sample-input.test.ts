/**
 * The sample input of a project's main.c (src/emit/project.ts sampleView):
 *   - without --sample-input, the fixed pattern is made by a loop at run time: main.c holds no data, and
 *     the binary prints exactly what it prints with the same pattern compiled in as bytes (float and int8
 *     inputs); the float one also agrees with a float64 reference on those printed values;
 *   - a given sample is a dense string literal: a 1 MiB float sample takes under 2.8 characters a byte
 *     (uniform random floats: 2.76; the list of float literals it replaces took 3.37);
 *   - a sample larger than any board's memory is refused in one line (by the import limits).
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CompileOptions, compile, patternInput } from '../../src/compile.js';
import { UtvmError } from '../../src/diagnostics.js';
import { maxTensorBytes } from '../../src/import/limits.js';
import { writeFileMap } from '../../src/io/files.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { buildTflite, fullyConnectedOptions } from '../util/tflite-build.js';

let scratch = '';
test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-sample-'));
});
test.after(() => rmSync(scratch, { recursive: true, force: true }));

const N = 700;
const K = 8;
const W = randomFloats(mulberry32(4), N * K, -1, 1);

function floatModel(): Uint8Array {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, N]);
  const w = m.initializer('w', 'float32', [N, K], W);
  const [y] = m.node('MatMul', [x, w], {}, { name: 'fc' });
  m.output(y, 'float32', [1, K]);
  return m.encode();
}

function reluModel(n: number): Uint8Array {
  const m = new OnnxModelBuilder({ opset: 13 });
  const [y] = m.node('Relu', [m.input('x', 'float32', [1, n])], {}, { name: 'relu' });
  m.output(y, 'float32', [1, n]);
  return m.encode();
}

function int8Model(): Uint8Array {
  const r = mulberry32(8);
  return buildTflite({
    tensors: [
      { name: 'x', shape: [1, N], type: 'int8', quant: { scale: [0.05], zeroPoint: [3] } },
      { name: 'w', shape: [K, N], type: 'int8', data: Array.from({ length: K * N }, () => Math.floor(r() * 255) - 127), quant: { scale: [0.01], zeroPoint: [0] } },
      { name: 'b', shape: [K], type: 'int32', data: Array.from({ length: K }, () => Math.floor(r() * 2000) - 1000), quant: { scale: [0.0005], zeroPoint: [0] } },
      { name: 'y', shape: [1, K], type: 'int8', quant: { scale: [0.5], zeroPoint: [-2] } },
    ],
    inputs: [0],
    outputs: [3],
    operators: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], options: fullyConnectedOptions() }],
  });
}

/** Builds the host project and returns what its binary prints with no arguments (the sample run). */
function sampleRun(model: Uint8Array, file: string, options: Partial<CompileOptions>, tag: string): { stdout: string; mainC: string } {
  const r = compile(model, file, { name: 'm', board: 'host', ...options });
  const dir = join(scratch, tag);
  writeFileMap(dir, r.files);
  execFileSync('make', ['-s', '-C', dir, 'build/m'], { stdio: 'pipe' });
  return { stdout: execFileSync(join(dir, 'build', 'm'), { encoding: 'utf8' }), mainC: r.files.get('main.c')! };
}

test('float input: the pattern made at run time prints what the same pattern compiled in prints, and the reference', () => {
  const pattern = patternInput('float32', [1, N]);
  const made = sampleRun(floatModel(), 'f.onnx', {}, 'f-made');
  const given = sampleRun(floatModel(), 'f.onnx', { sampleInputs: [pattern], sampleOrigin: 'pattern' }, 'f-given');
  assert.not.match(made.mainC, /sample_input_0\[/, 'no data array');
  assert.match(given.mainC, /static const unsigned char sample_input_0\[2800u \+ 1u\]/);
  assert.is(made.stdout, given.stdout);
  const line = made.stdout.split('\n').find((l) => l.startsWith("output 0 'y' [1, 8]:")) ?? made.stdout.split('\n')[0];
  const printed = line.replace(/^.*\]:/, '').trim().split(' ').map(Number);
  assert.is(printed.length, K, made.stdout);
  for (let k = 0; k < K; k++) {
    let acc = 0;
    for (let i = 0; i < N; i++) acc += (pattern.data[i] as number) * W[i * K + k];
    assert.ok(Math.abs(printed[k] - acc) <= 1e-4 * Math.max(1, Math.abs(acc)), `output ${k}: ${printed[k]} vs ${acc}`);
  }
});

test('int8 input: the pattern made at run time prints what the same pattern compiled in prints', () => {
  const made = sampleRun(int8Model(), 'q.tflite', {}, 'q-made');
  const given = sampleRun(int8Model(), 'q.tflite', { sampleInputs: [patternInput('int8', [1, N])], sampleOrigin: 'pattern' }, 'q-given');
  assert.match(made.mainC, /int8_t \*p = \(int8_t \*\)dst;/);
  assert.is(made.stdout, given.stdout);
});

test('a given sample is a dense literal; one over the limit is refused in one line', () => {
  const data = randomFloats(mulberry32(2), 1 << 18, -1, 1);
  const files = compile(reluModel(1 << 18), 'big.onnx', { name: 'm', board: 'host', sampleInputs: [{ dtype: 'float32', shape: [1, 1 << 18], data }] }).files;
  const perByte = files.get('main.c')!.length / (1 << 20);
  assert.ok(perByte < 2.8, `${perByte.toFixed(2)} characters per byte`);
  const n = maxTensorBytes() / 4 + 4;
  try {
    compile(reluModel(n), 'huge.onnx', { name: 'm', board: 'host', sampleInputs: [{ dtype: 'float32', shape: [1, n], data: new Float32Array(n) }] });
    assert.unreachable('a sample over the limit exported');
  } catch (e) {
    assert.instance(e, UtvmError);
    // The import limits (src/import/limits.ts: no tensor over the largest board memory, 16 MiB) bound
    // every sample main.c embeds.
    assert.is((e as UtvmError).message, `huge.onnx: graph input 'x' float32[1,${n}] needs ${n * 4} bytes, more than the 16777216 bytes of the largest memory of any board (qemu-mps2-an500's PSRAM)`);
    assert.is((e as UtvmError).code, 'E_MODEL_INVALID');
  }
});

test.run();
