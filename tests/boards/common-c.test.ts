/**
 * The board-independent firmware C in boards/common/ (console.c: the printers without printf; batch.c:
 * batch mode over host files), built and run on the host like any other C: gcc -std=c99 -pedantic -Wall
 * -Wextra -Werror with a desktop board.h (tests/boards/common/host_board.c), and compiled warning-free
 * for the Cortex-M7 (arm-none-eabi-gcc, the boards' flags). The float printer gives printf("%.6g")'s
 * text exactly on ~400,000 floats (hand-picked boundaries and ties, random bit patterns, typical outputs);
 * batch mode writes the right bytes for every line of a list (CRLF and blank lines included), the arena
 * to a line's extra path when the firmware has one (debug builds) and refuses that path otherwise, and fails
 * with one `error: ...` line and status 1 on a short line, a missing input file and a missing list.
 * The firmware that includes them runs in tests/run/qemu.test.ts, tests/e2e/cli-run.test.ts and
 * tests/mlperf/ (emulator) and is built for the STM32 boards in tests/boards/stm32.test.ts.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../util/cli.js';

const COMMON = join(ROOT, 'boards', 'common');
const HERE = join(ROOT, 'tests', 'boards', 'common');
const FLAGS = ['-std=c99', '-pedantic', '-Wall', '-Wextra', '-Werror', '-O2', `-I${COMMON}`];
const M7 = ['-mcpu=cortex-m7', '-mthumb', '-mfpu=fpv5-sp-d16', '-mfloat-abi=hard'];

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'utvm-common-c-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

function build(name: string, sources: string[]): string {
  const exe = join(dir, name);
  execFileSync('gcc', [...FLAGS, ...sources, '-o', exe], { stdio: 'pipe' });
  return exe;
}

test('console.c and batch.c compile warning-free for the Cortex-M7 (arm-none-eabi-gcc -Werror)', () => {
  for (const f of ['console.c', 'batch.c']) {
    execFileSync('arm-none-eabi-gcc', [...FLAGS, ...M7, '-c', join(COMMON, f), '-o', join(dir, `${f}.o`)], { stdio: 'pipe' });
  }
});

test('console printers: integers at their limits, and printf("%.6g") text for ~400,000 floats', () => {
  const exe = build('console', [join(HERE, 'test_console.c'), join(HERE, 'host_board.c'), join(COMMON, 'console.c')]);
  const lines = execFileSync(exe, { encoding: 'utf8' }).trimEnd().split('\n');
  assert.equal(lines.slice(0, 6), ['0', '18446744073709551615', '-2147483648', '-1', '2147483647', '0 0 nan inf -inf']);
  const summary = /^floats: (\d+) compared, (\d+) differ$/.exec(lines.at(-1)!);
  assert.ok(summary, lines.at(-1));
  assert.ok(Number(summary![1]) > 390000, `${summary![1]} compared`);
  assert.is(Number(summary![2]), 0, lines.slice(6, -1).join('\n'));
});

test('batch mode: every list line runs (CRLF, blank lines), outputs are the exact bytes; no --batch is sample mode', () => {
  const exe = build('batch', [join(HERE, 'test_batch.c'), join(HERE, 'host_board.c'), join(COMMON, 'console.c'), join(COMMON, 'batch.c')]);
  const cases = [
    [[1, 2, 3], [10, 20]],
    [[250, 0, 7], [255, 128]],
  ];
  const lines = cases.map(([a, b], k) => {
    writeFileSync(join(dir, `a${k}.bin`), Uint8Array.from(a));
    writeFileSync(join(dir, `b${k}.bin`), Uint8Array.from(b));
    return [`a${k}.bin`, `b${k}.bin`, `y${k}.bin`].map((f) => join(dir, f)).join('\t');
  });
  writeFileSync(join(dir, 'list.txt'), `${lines[0]}\r\n\n${lines[1]}\n`);
  const r = spawnSync(exe, ['--batch', join(dir, 'list.txt')], { encoding: 'utf8' });
  assert.is(r.stdout, 'batch done\n');
  assert.is(r.status, 0);
  cases.forEach(([a, b], k) => {
    assert.equal(Array.from(readFileSync(join(dir, `y${k}.bin`))), [...b, ...a].map((v) => (v + 1) & 255), `case ${k}`);
  });
  assert.is(spawnSync(exe, [], { encoding: 'utf8' }).stdout, 'sample mode\n');
  assert.is(spawnSync(exe, ['--other', 'x'], { encoding: 'utf8' }).stdout, 'sample mode\n');
});

test('batch mode with an arena (debug firmware): a line may end with a path that receives the arena; without one it may not', () => {
  const exe = build('batch', [join(HERE, 'test_batch.c'), join(HERE, 'host_board.c'), join(COMMON, 'console.c'), join(COMMON, 'batch.c')]);
  writeFileSync(join(dir, 'p.bin'), Uint8Array.from([5, 6, 7]));
  writeFileSync(join(dir, 'q.bin'), Uint8Array.from([8, 9]));
  writeFileSync(join(dir, 'q1.bin'), Uint8Array.from([100, 200]));
  const line = (q: string, k: number) => ['p.bin', q, `z${k}.bin`, `arena${k}.bin`].map((f) => join(dir, f)).join('\t');
  writeFileSync(join(dir, 'arena-list.txt'), `${line('q.bin', 0)}\n${['p.bin', 'q1.bin', 'z1.bin'].map((f) => join(dir, f)).join('\t')}\n${line('q1.bin', 2)}\n`);
  const r = spawnSync(exe, ['--batch', join(dir, 'arena-list.txt'), '--arena'], { encoding: 'utf8' });
  assert.is(r.stdout, 'batch done\n');
  assert.is(r.status, 0);
  assert.equal(Array.from(readFileSync(join(dir, 'arena0.bin'))), [9, 10, 6, 7, 8], 'the arena after case 0');
  assert.equal(Array.from(readFileSync(join(dir, 'arena2.bin'))), [101, 201, 6, 7, 8], 'the arena after case 2 (case 1 wrote none)');
  assert.equal(Array.from(readFileSync(join(dir, 'z1.bin'))), [101, 201, 6, 7, 8]);
  const refused = spawnSync(exe, ['--batch', join(dir, 'arena-list.txt')], { encoding: 'utf8' });
  assert.is(refused.stdout, `error: a batch line needs 2 input and 1 output paths, tab-separated: ${join(dir, 'p.bin')}\n`);
  assert.is(refused.status, 1);
});

test('batch mode errors: one line, status 1 — a short line, a missing input file, a missing list', () => {
  const exe = build('batch', [join(HERE, 'test_batch.c'), join(HERE, 'host_board.c'), join(COMMON, 'console.c'), join(COMMON, 'batch.c')]);
  const run = (list: string) => {
    writeFileSync(join(dir, 'bad.txt'), list);
    return spawnSync(exe, ['--batch', join(dir, 'bad.txt')], { encoding: 'utf8' });
  };
  const short = run('only\tone\n');
  assert.is(short.stdout, 'error: a batch line needs 2 input and 1 output paths, tab-separated: only\n');
  assert.is(short.status, 1);
  const missing = run(`${join(dir, 'nope.bin')}\tb\ty\n`);
  assert.is(missing.stdout, `error: cannot read input file ${join(dir, 'nope.bin')}\n`);
  assert.is(missing.status, 1);
  const list = spawnSync(exe, ['--batch', join(dir, 'absent.txt')], { encoding: 'utf8' });
  assert.is(list.stdout, `error: cannot read batch list ${join(dir, 'absent.txt')}\n`);
  assert.is(list.status, 1);
});

test.run();
