/**
 * Hostile names (issue 12): tensor, node and file names that try to leave a C comment or string, splice
 * lines, form trigraphs, expand in a shell, CMake or make, or are simply huge, exported next to the same
 * models with plain names. For every generated file:
 *   - C: the hostile and the plain export have the same code outside comments and string literals, up to
 *     a one-to-one renaming of identifiers (tests/util/c-lex.ts: trigraphs and splices applied first, as
 *     gcc -std=c99 does); no `??`, no control character but newline, nothing but ASCII;
 *   - CMake and make files: the same lines but for `#` comments; JSON: the names read back exactly;
 *   - the project builds with -std=c99 -Wall -Wextra -Werror and computes what the plain model computes,
 *     bit for bit, and what a float64 reference computes within 1e-5; the TFLite model's
 *     KWS_INPUT_0_BYTES is still its input's size and its descriptors hold the names byte for byte; the library builds with CMake, the make example with make;
 *   - on qemu-mps2-an500 (arm-none-eabi-gcc, -DUTVM_PROFILE=1: the layer names compiled in) the firmware
 *     prints one `layer <i> <name>: ...` line per layer, the names escaped on one line.
 * `inspect` prints each name on one line of printable ASCII.
 * Each sink function of src/emit/escape.ts is also checked against its reader: gcc for C literals, sh for
 * shell words, make for make values.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CompileOptions, CompileResult, compile } from '../../src/compile.js';
import { loadBoard } from '../../src/emit/boards.js';
import { formatInspect, inspectReport } from '../../src/inspect.js';
import { cBytes, cComment, cString, makeValue, shellArg } from '../../src/emit/escape.js';
import type { FileMap } from '../../src/emit/project.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { writeFileMap } from '../../src/io/files.js';
import { runOnHost } from '../../src/run/host.js';
import { buildFirmware, runFirmware } from '../../src/run/qemu.js';
import { lexC, sameCodeUpToRenaming } from '../util/c-lex.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { buildTflite, fullyConnectedOptions } from '../util/tflite-build.js';

/** The names: the issue's three attacks first. */
const HOSTILE = [
  'n */ #error injected\n',
  'fc1 */ memset(arena, 0x7f, 148); /*',
  '*/ * 0 + 16 /*',
  '/* opens a comment',
  'say "hi" \\ and end in a backslash \\',
  'two\nlines\r\n#include <stdlib.h>\n',
  '# a hash #[[ bracket ]]',
  'trigraph ??/\nspliced ??= ??( ??\' ??! ??- ???',
  'nul \0 byte \x01 \x1b[31m \x7f',
  '$(touch /tmp/utvm-hostile) ${HOME} $$ $@',
  '`id` ; rm -rf / ; \'single\'',
  'ünïcödé ✓ 名前 😀',
  "replace patterns $' $& $` $1",
  '.dtype = 0',
  `${'x'.repeat(10 * 1024)} the end */`,
];

const FILE_NAME = 'ev\nil */ $(id) `id` #[[ ;"x ??/.onnx';
const SAMPLE_ORIGIN = 'in */ put\n$(id) ??/.bin';

/** Node and tensor names for model `i` of the list (hostile) or `t<i>` (plain). */
type Names = (i: number) => string;
const hostile: Names = (i) => HOSTILE[i % HOSTILE.length] + (i >= HOSTILE.length ? ` #${i}` : '');
/**
 * `t<rank>`: plain names in the same order as the hostile ones (the memory planner breaks ties on names,
 * so the two exports plan alike only when their names sort alike).
 */
const SORTED = Array.from({ length: 24 }, (_, i) => hostile(i)).sort();
const plain: Names = (i) => `t${String(SORTED.indexOf(hostile(i))).padStart(2, '0')}`;

const IN = 8;
const HID = 6;
const OUT = 4;
const rng = mulberry32(12);
const W1 = randomFloats(rng, IN * HID, -1, 1);
const B1 = randomFloats(rng, HID, -1, 1);
const W2 = randomFloats(rng, HID * OUT, -1, 1);
const S = randomFloats(rng, OUT, 0.5, 2);

/** x → MatMul → Add → Relu → MatMul → Mul: every node and tensor named by `n`. */
function onnxModel(n: Names): Uint8Array {
  const m = new OnnxModelBuilder({ opset: 13, graphName: n(20) });
  const x = m.input(n(2), 'float32', [1, IN]);
  const w1 = m.initializer(n(3), 'float32', [IN, HID], W1);
  const [h1] = m.node('MatMul', [x, w1], {}, { name: n(0), outputs: [n(4)], docString: n(21) });
  const b1 = m.initializer(n(6), 'float32', [HID], B1);
  const [h2] = m.node('Add', [h1, b1], {}, { name: n(1), outputs: [n(8)] });
  const [h3] = m.node('Relu', [h2], {}, { name: n(5), outputs: [n(9)] });
  const w2 = m.initializer(n(10), 'float32', [HID, OUT], W2);
  const [h4] = m.node('MatMul', [h3, w2], {}, { name: n(7), outputs: [n(11)] });
  const s = m.initializer(n(12), 'float32', [OUT], S);
  const [y] = m.node('Mul', [h4, s], {}, { name: n(13), outputs: [n(14)] });
  m.output(y, 'float32', [1, OUT]);
  return m.encode();
}

function reference(x: Float32Array): number[] {
  const h: number[] = [];
  for (let j = 0; j < HID; j++) {
    let acc = B1[j];
    for (let i = 0; i < IN; i++) acc += x[i] * W1[i * HID + j];
    h.push(Math.max(0, acc));
  }
  const y: number[] = [];
  for (let k = 0; k < OUT; k++) {
    let acc = 0;
    for (let j = 0; j < HID; j++) acc += h[j] * W2[j * OUT + k];
    y.push(acc * S[k]);
  }
  return y;
}

/** A TFLite FULLY_CONNECTED [1,10] x [4,10] + [4], every tensor named by `n`. */
function tfliteModel(n: Names): Uint8Array {
  const r = mulberry32(5);
  return buildTflite({
    tensors: [
      { name: n(2), shape: [1, 10] },
      { name: n(1), shape: [4, 10], data: [...randomFloats(r, 40, -1, 1)] },
      { name: n(7), shape: [4], data: [...randomFloats(r, 4, -1, 1)] },
      { name: n(0), shape: [1, 4] },
    ],
    inputs: [0],
    outputs: [3],
    operators: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], options: fullyConnectedOptions() }],
  });
}

function exportBoth(model: (n: Names) => Uint8Array, ext: string, options: CompileOptions): [CompileResult, CompileResult] {
  return [
    compile(model(hostile), FILE_NAME.replace('.onnx', ext), { ...options, sampleOrigin: SAMPLE_ORIGIN }),
    compile(model(plain), `plain${ext}`, { ...options, sampleOrigin: 'plain.bin' }),
  ];
}

const isC = (path: string) => /\.[ch]$/.test(path);
const isBuildFile = (path: string) => /(^|\/)(CMakeLists\.txt|Makefile|[^/]*\.mk|[^/]*\.cmake)$/.test(path);
const nonComment = (text: string) => text.split('\n').filter((l) => !/^\s*#/.test(l));

/** Every generated file of the hostile export against the plain one (same paths: the --name is the same). */
function checkFiles(h: FileMap, p: FileMap): void {
  assert.equal([...h.keys()], [...p.keys()], 'the same files');
  for (const [path, text] of h) {
    const plainLines = new Set(p.get(path)!.split('\n'));
    for (const line of text.split('\n')) {
      if (/[^\x20-\x7e]/.test(line)) assert.ok(plainLines.has(line), `${path}: only printable ASCII in lines from the model: ${JSON.stringify(line.slice(0, 200))}`);
    }
    if (isC(path)) {
      assert.not.ok(text.includes('??'), `${path}: no trigraph`);
      assert.not.match(text, /\\\n/, `${path}: no line splice`);
      const why = sameCodeUpToRenaming(text, p.get(path)!);
      assert.is(why, undefined, `${path}: the model's text changed the code: ${why}`);
    } else if (isBuildFile(path)) {
      assert.equal(nonComment(text), nonComment(p.get(path)!), `${path}: only comment lines differ`);
    } else if (path.endsWith('.json')) {
      assert.ok(JSON.parse(text), `${path} parses`);
    }
  }
}

let scratch = '';
test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-hostile-'));
});
test.after(() => rmSync(scratch, { recursive: true, force: true }));

function cases(count: number): TensorValue[][] {
  const r = mulberry32(99);
  return Array.from({ length: count }, () => [{ dtype: 'float32' as const, shape: [1, IN], data: randomFloats(r, IN, -2, 2) }]);
}

test('ONNX project with hostile names: same code as plain names, builds with -Werror, same outputs bit for bit', () => {
  const sample: TensorValue = { dtype: 'float32', shape: [1, IN], data: randomFloats(mulberry32(3), IN, -1, 1) };
  const [h, p] = exportBoth(onnxModel, '.onnx', { name: 'hostile', board: 'host', sampleInputs: [sample] });
  checkFiles(h.files, p.files);
  // The issue's attack: a comment that closes early would put `memset(arena, ...)` into the code.
  const memsets = (text: string) => lexC(text).filter((t) => t.kind === 'identifier' && t.text === 'memset').length;
  assert.is(memsets(h.files.get('model/hostile.c')!), memsets(p.files.get('model/hostile.c')!), 'no memset call of the model\'s');
  const inputs = cases(6);
  const outH = runOnHost(h.files, 'hostile', h.program.inputs, h.program.outputs, inputs);
  const outP = runOnHost(p.files, 'hostile', p.program.inputs, p.program.outputs, inputs);
  outH.forEach((o, k) => {
    assert.equal([...o[0].data], [...outP[k][0].data], `case ${k}: hostile and plain names give the same bits`);
    const want = reference(inputs[k][0].data as Float32Array);
    want.forEach((v, i) => assert.ok(Math.abs(v - Number(o[0].data[i])) <= 1e-5, `case ${k} output ${i}: ${o[0].data[i]} vs ${v}`));
  });
  // The sample input compiled into main.c: the binary with no arguments prints the same as the plain one.
  const dirs = [h, p].map((r, k) => {
    const dir = join(scratch, `sample${k}`);
    writeFileMap(dir, r.files);
    execFileSync('make', ['-s', '-C', dir, 'build/hostile'], { stdio: 'pipe' });
    return execFileSync(join(dir, 'build', 'hostile'), { encoding: 'utf8' });
  });
  assert.is(dirs[0].replace(/'[^\n]*'/g, "''"), dirs[1].replace(/'[^\n]*'/g, "''"), 'the sample run prints the same numbers');
});

test("TFLite model with hostile tensor names: KWS_INPUT_0_BYTES stays 40, same outputs as plain names", () => {
  const [h, p] = exportBoth(tfliteModel, '.tflite', { name: 'kws', board: 'host' });
  checkFiles(h.files, p.files);
  const dir = join(scratch, 'kws');
  writeFileMap(dir, h.files);
  writeFileSync(
    join(dir, 'bytes.c'),
    [
      '#include <stdio.h>',
      '#include "kws.h"',
      'static void hex(const char *s) { while (*s) printf("%02x", (unsigned char)*s++); printf("\\n"); }',
      'int main(void) {',
      '    printf("%u %u\\n", (unsigned)KWS_INPUT_0_BYTES, (unsigned)KWS_OUTPUT_0_BYTES);',
      '    hex(kws_inputs[0].name);',
      '    hex(kws_outputs[0].name);',
      '    return 0;',
      '}',
    ].join('\n'),
  );
  const kernels = [...h.files.keys()].filter((f) => f.startsWith('runtime/src/'));
  execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-Iruntime/include', '-Imodel', '-o', 'bytes', 'bytes.c', 'model/kws.c', ...kernels, '-lm'], { cwd: dir, stdio: 'pipe' });
  const hex = (t: string) => Buffer.from(t.replace(/\0.*$/s, ''), 'utf8').toString('hex');
  assert.is(execFileSync(join(dir, 'bytes'), { encoding: 'utf8' }), `40 16\n${hex(HOSTILE[2])}\n${hex(HOSTILE[0])}\n`, 'the sizes, and the names as the model has them');
  const inputs = Array.from({ length: 3 }, (_, k) => [{ dtype: 'float32' as const, shape: [1, 10], data: randomFloats(mulberry32(k), 10, -1, 1) }]);
  const outH = runOnHost(h.files, 'kws', h.program.inputs, h.program.outputs, inputs);
  const outP = runOnHost(p.files, 'kws', p.program.inputs, p.program.outputs, inputs);
  outH.forEach((o, k) => assert.equal([...o[0].data], [...outP[k][0].data], `case ${k}`));
});

test('inspect: as many lines as with plain names, each printable ASCII', () => {
  const [h, p] = exportBoth(onnxModel, '.onnx', { name: 'hostile', board: 'host' });
  const text = (r: CompileResult, file: string) => formatInspect(inspectReport(file, r.graph, r.plan, r.program), r.graph, r.plan);
  const ht = text(h, FILE_NAME);
  assert.is(ht.split('\n').length, text(p, 'plain.onnx').split('\n').length, ht);
  assert.not.match(ht, /[^\n\x20-\x7e]/);
});

test('library and make formats with hostile names: same build files but comments, JSON reads back, both build', () => {
  for (const format of ['library', 'make'] as const) {
    const [h, p] = exportBoth(onnxModel, '.onnx', { name: 'hostile', board: 'host', format });
    checkFiles(h.files, p.files);
    const meta = JSON.parse(h.files.get('metadata.json')!) as { source: string; inputs: { name: string }[]; outputs: { name: string }[] };
    assert.is(meta.source, FILE_NAME);
    assert.is(meta.inputs[0].name, HOSTILE[2]);
    assert.is(meta.outputs[0].name, HOSTILE[14]);
    const dir = join(scratch, format);
    writeFileMap(dir, h.files);
    if (format === 'library') {
      execFileSync('cmake', ['-S', dir, '-B', join(dir, 'build'), '-DUTVM_WERROR=ON'], { stdio: 'pipe' });
      execFileSync('cmake', ['--build', join(dir, 'build')], { stdio: 'pipe' });
    } else {
      execFileSync('make', ['-s', '-C', join(dir, 'example'), 'CFLAGS=-O2 -Werror'], { stdio: 'pipe' });
    }
  }
});

test('qemu-mps2-an500 firmware with the layer names compiled in: builds with arm-none-eabi-gcc -Werror, one line per layer', () => {
  const [h] = exportBoth(onnxModel, '.onnx', { name: 'hostile', board: 'qemu-mps2-an500' });
  const dir = join(scratch, 'qemu');
  writeFileMap(dir, h.files);
  const elf = buildFirmware(dir, 'hostile', ['UTVM_PROFILE=1']);
  const run = runFirmware(loadBoard('qemu-mps2-an500'), elf, [], 60);
  assert.is(run.status, 0, run.stdout);
  const layers = run.stdout.split('\n').filter((l) => l.startsWith('layer '));
  assert.is(layers.length, h.program.steps.length, run.stdout);
  assert.ok(layers.some((l) => l.startsWith('layer 0 n */ #error injected\\x0a: ')), layers.join('\n'));
});

/** Compiles and runs a C program printing each literal's bytes in hex; returns one line per literal. */
function cReadsBack(literals: string[], declare = (l: string, i: number) => `static const char s${i}[] = ${l};`): string[] {
  const dir = join(scratch, `lit${Math.floor(Math.random() * 1e9)}`);
  const src = [
    '#include <stdio.h>',
    ...literals.map(declare),
    '/* comments: */',
    ...literals.map((_, i) => `/* ${cComment(HOSTILE[i % HOSTILE.length])} */`),
    'static void hex(const char *s, size_t n) { size_t i; for (i = 0; i < n; i++) printf("%02x", (unsigned char)s[i]); printf("\\n"); }',
    'int main(void) {',
    ...literals.map((_, i) => `    hex(s${i}, sizeof s${i} - 1);`),
    '    return 0;',
    '}',
  ].join('\n');
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'lit.c'), src);
  execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-o', join(dir, 'lit'), join(dir, 'lit.c')], { stdio: 'pipe' });
  return execFileSync(join(dir, 'lit'), { encoding: 'utf8' }).split('\n').slice(0, -1);
}

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('cString and cBytes: gcc -std=c99 reads back the exact bytes (octal escapes before digits, ?? broken up)', () => {
  const texts = HOSTILE.filter((t) => t.length < 255).concat(['\x01' + '7', '\x7f0', '??????', '?']);
  const got = cReadsBack(texts.map((t) => cString(t)));
  assert.equal(got, texts.map((t) => hexOf(new TextEncoder().encode(t))));
  const long = cReadsBack([cString(HOSTILE[14])])[0];
  assert.is(long, hexOf(new TextEncoder().encode(`${'x'.repeat(252)}...`)), 'cut to 255 bytes');
  const r = mulberry32(1);
  const blobs = [
    Uint8Array.from({ length: 3000 }, () => Math.floor(r() * 256)),
    Uint8Array.from({ length: 500 }, (_, i) => [0x3f, 0x3f, 0x2f, 0x00, 0x37, 0x5c, 0x22, 0x0a][i % 8]),
    new Uint8Array(0),
  ];
  const back = cReadsBack(blobs.map((b) => `\n${cBytes(b)}`));
  assert.equal(back, blobs.map(hexOf));
});

test('shellArg: sh reads back every hostile text as one word; makeValue: make expands it to itself', () => {
  const texts = HOSTILE.filter((t) => !t.includes('\0') && t.length < 255);
  for (const t of texts) {
    const out = execFileSync('sh', ['-c', `printf '%s' ${shellArg(t)}`], { encoding: 'utf8' });
    assert.is(out, t);
  }
  const words = ['a b', 'dollar $(HOME) $$x', 'hash # not a comment', 'back\\slash'];
  const mk = words.map((w, i) => `V${i} := ${makeValue(w)}\n`).join('') + `all:\n${words.map((_, i) => `\t@printf '%s|' '$(V${i})'\n`).join('')}`;
  const dir = join(scratch, 'mk');
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'Makefile'), mk);
  const out = execFileSync('make', ['-s', '-C', dir], { encoding: 'utf8' });
  assert.is(out, words.map((w) => `${w.replace(/ /g, '\\ ')}|`).join(''), 'make keeps $ and # (spaces stay escaped: one word)');
});


test('an output named with a newline and an escape sequence prints as one printable line (host main.c)', () => {
  const m = new OnnxModelBuilder({ opset: 13, graphName: 'g' });
  const x = m.input('x', 'float32', [1, 3]);
  m.node('Relu', [x], {}, { name: 'relu', outputs: ['two\nlines \x1b[31m'] });
  m.output('two\nlines \x1b[31m', 'float32', [1, 3]);
  const r = compile(m.encode(), 'out.onnx', { name: 'outname', board: 'host' });
  const dir = join(scratch, 'outname');
  writeFileMap(dir, r.files);
  execFileSync('make', ['-s', '-C', dir, 'build/outname'], { stdio: 'pipe' });
  const printed = execFileSync(join(dir, 'build', 'outname'), { encoding: 'utf8' });
  const lines = printed.trimEnd().split('\n');
  assert.is(lines.filter((l) => l.startsWith('output 0 ')).length, 2, printed);
  assert.ok(lines[0].startsWith("output 0 'two\\x0alines \\x1b[31m' [1, 3]:"), lines[0]);
  assert.not.match(printed, /[^\x20-\x7e\n]/, 'printable ASCII only');
});

test.run();
