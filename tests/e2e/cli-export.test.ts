/**
 * `utvm-aot export` of the CIFAR-10 sample, end to end: the project's file list (only the kernels the
 * model calls), its #include lines (model/ and runtime/ need nothing beyond <math.h>, <string.h>,
 * <stdint.h> and <stddef.h>), a warning-free CMake build (-Wall -Wextra -Werror) and a make build whose
 * binaries print the class scores, and that exporting twice into the same folder gives identical files.
 */

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseNpy } from '../../src/io/npy.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { runOnnxRuntime } from '../util/ort.js';
import { CIFAR, CIFAR_INPUT, ROOT, assertSameFiles, linesOf, listFiles, sh, snapshot, utvm } from '../util/cli.js';

const ALLOWED_SYSTEM_HEADERS = ['math.h', 'stddef.h', 'stdint.h', 'string.h'];
const SCORES_LINE = /^output 0 'scores' \[1, 10\]: (.+)$/;

let scratch = '';

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-cli-export-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Exports the sample into `out` (extra CLI args appended) and checks the command's report. */
function exportSample(out: string, extra: string[] = [], again = false): string[] {
  const r = utvm(['export', CIFAR, '-o', out, ...extra]);
  assert.is(r.status, 0, `export failed:\n${r.stderr}`);
  assert.is(r.stderr, '', 'export prints nothing on stderr');
  const files = listFiles(out);
  const lines = linesOf(r.stdout);
  const n = files.length - 1;
  // Exported again with the same bytes: nothing is rewritten (src/io/export-folder.ts).
  assert.is(lines[0], `exported ${CIFAR} for board 'host' to ${out}/ (${n} files${again ? `; 0 written, ${n} unchanged, 0 removed` : ''})`);
  assert.match(lines[1], /^ {2}arena \d+ bytes \(lower bound \d+\), weights \d+ bytes, \d+ kernels$/);
  return files;
}

/** The utvm_* functions model/<name>.c calls. */
function calledKernels(modelC: string): string[] {
  return [...new Set([...modelC.matchAll(/^\s+(utvm_\w+)\(/gm)].map((m) => m[1]))].sort();
}

/** The 10 scores from the binary's `output 0 'scores' [1, 10]: ...` line; they must sum to 1 ± 1e-4. */
function printedScores(stdout: string): number[] {
  const line = linesOf(stdout).find((l) => SCORES_LINE.test(l));
  assert.ok(line, `a scores line in:\n${stdout}`);
  const values = SCORES_LINE.exec(line)![1].trim().split(/\s+/).map(Number);
  assert.is(values.length, 10, `10 scores: ${line}`);
  assert.ok(values.every((v) => Number.isFinite(v) && v >= 0 && v <= 1), `scores are probabilities: ${line}`);
  const sum = values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) <= 1e-4, `scores sum to ${sum}`);
  return values;
}

test('export writes the project: model, the used kernels only, main.c, Makefile, CMakeLists.txt', () => {
  const out = join(scratch, 'files');
  const files = exportSample(out);
  const top = files.filter((f) => !f.startsWith('model/') && !f.startsWith('runtime/'));
  assert.equal(top, ['.utvm-aot', 'CMakeLists.txt', 'Makefile', 'main.c']);
  assert.equal(
    files.filter((f) => f.startsWith('model/')),
    ['model/cifar10.c', 'model/cifar10.h'],
  );
  const runtime = files.filter((f) => f.startsWith('runtime/'));
  assert.ok(runtime.includes('runtime/include/utvm/types.h'), runtime.join(' '));
  const strays = runtime.filter((f) => !/^runtime\/include\/utvm\/\w+\.h$/.test(f) && !/^runtime\/src\/\w+\.c$/.test(f));
  assert.equal(strays, [], 'runtime/ holds only include/utvm/*.h and src/*.c');
  const kernels = runtime.filter((f) => f.startsWith('runtime/src/')).map((f) => f.slice('runtime/src/'.length, -2));
  const called = calledKernels(readFileSync(join(out, 'model', 'cifar10.c'), 'utf8'));
  assert.equal(kernels, called, 'one runtime/src file per kernel model/cifar10.c calls, and no other');
  assert.ok(called.includes('utvm_conv2d_f32') && called.includes('utvm_softmax_f32'), called.join(' '));
  const shipped = readdirSync(join(ROOT, 'runtime-c', 'src')).length;
  assert.ok(kernels.length < shipped, `only the used kernels (${kernels.length} of ${shipped})`);
});

test('model/ and runtime/ include only <math.h> <string.h> <stdint.h> <stddef.h> and their own headers', () => {
  const out = join(scratch, 'includes');
  const files = exportSample(out);
  const own = new Set(files);
  const bad: string[] = [];
  let count = 0;
  for (const f of files.filter((x) => /^(model|runtime)\/.*\.[ch]$/.test(x))) {
    for (const line of readFileSync(join(out, f), 'utf8').split('\n')) {
      const m = /^\s*#\s*include\s*([<"])([^>"]+)[>"]/.exec(line);
      if (!m) continue;
      count++;
      const ok = m[1] === '<' ? ALLOWED_SYSTEM_HEADERS.includes(m[2]) : own.has(`model/${m[2]}`) || own.has(`runtime/include/${m[2]}`);
      if (!ok) bad.push(`${f}: ${line.trim()}`);
    }
  }
  assert.ok(count > 5, `found ${count} #include lines`);
  assert.equal(bad, [], 'disallowed or dangling #include lines');
});

test('export twice into the same folder gives identical files', () => {
  const out = join(scratch, 'twice');
  exportSample(out);
  const first = snapshot(out);
  exportSample(out, [], true);
  assertSameFiles(snapshot(out), first, 'second export');
  assert.equal(readdirSync(scratch).filter((e) => e.startsWith('twice')), ['twice'], 'no temporary folder left beside it');
});

test('the project builds warning-free with CMake and the binary prints the class scores', () => {
  const out = join(scratch, 'cmake');
  exportSample(out);
  assert.match(readFileSync(join(out, 'CMakeLists.txt'), 'utf8'), /-Wall -Wextra -Werror/);
  const build = join(out, 'build');
  const configure = sh('cmake', ['-S', out, '-B', build]);
  assert.is(configure.status, 0, `cmake configure:\n${configure.stdout}${configure.stderr}`);
  const made = sh('cmake', ['--build', build]);
  assert.is(made.status, 0, `cmake --build:\n${made.stdout}${made.stderr}`);
  assert.not.match(`${made.stdout}${made.stderr}`, /warning/i, 'no warnings');
  const run = sh(join(build, 'cifar10'), [], out);
  assert.is(run.status, 0, run.stderr);
  printedScores(run.stdout);
});

test('the project builds with make; with --sample-input the binary prints onnxruntime\'s scores', async () => {
  const out = join(scratch, 'make');
  exportSample(out, ['--sample-input', CIFAR_INPUT]);
  const made = sh('make', ['-C', out]);
  assert.is(made.status, 0, `make:\n${made.stdout}${made.stderr}`);
  assert.not.match(`${made.stdout}${made.stderr}`, /warning/i, 'no warnings');
  const run = sh(join(out, 'build', 'cifar10'), [], out);
  assert.is(run.status, 0, run.stderr);
  const printed = printedScores(run.stdout);
  const image = parseNpy(new Uint8Array(readFileSync(join(ROOT, CIFAR_INPUT))), CIFAR_INPUT);
  const [expected] = await runOnnxRuntime(new Uint8Array(readFileSync(join(ROOT, CIFAR))), [{ name: 'input', ...image }]);
  // The binary prints 6 significant digits, well inside rtol 1e-4 + atol 1e-5.
  const c = compareFloats(printed, expected.data as Float32Array, { rtol: 1e-4, atol: 1e-5 });
  assert.ok(c.ok, `printed scores vs onnxruntime: ${describeComparison(c)}`);
});

test.run();
