/**
 * A library export whose plan spans several memories (stm32f746-disco: the arena does not fit SRAM1 and a
 * buffer goes to SDRAM): the header's per-memory sizes and <name>_run_with_arenas, built with the host's gcc
 * (-std=c99 -Wall -Wextra -Werror) with <NAME>_NO_STATIC_ARENA and the application's own arenas, and run:
 * NULL, misaligned or too small arenas are refused with their status, and the outputs equal `utvm-aot run`'s
 * on the host (one arena) byte for byte. The same model with its static arenas runs too (main with init/run).
 */

import { readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { exportModel, run, assertSameBytes } from './library-helpers.js';
import { utvm } from '../util/cli.js';

let scratch = '';
test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-arenas-'));
});
test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const N = 50000; // 200,000 bytes of float32: x and exp(x) together are 400,000 > SRAM1's 245,760

function model(): string {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, N]);
  m.node('Exp', [x], {}, { name: 'exp', outputs: ['a'] });
  m.node('Add', ['a', x], {}, { name: 'add', outputs: ['b'] });
  m.node('ReduceMean', ['b'], { axes: [1], keepdims: 1 }, { name: 'mean', outputs: ['y'] });
  m.output('y', 'float32', [1, 1]);
  const path = join(scratch, 'spread.onnx');
  writeFileSync(path, m.encode());
  return path;
}

const MAIN = `#include <stdio.h>
#include <stdint.h>
#include "spread.h"

static uint8_t arena[SPREAD_ARENA_SIZE] __attribute__((aligned(16)));
static uint8_t sdram[SPREAD_ARENA_SDRAM_SIZE + 16] __attribute__((aligned(16)));

int main(int argc, char **argv)
{
    FILE *f;
    size_t n;
    if (argc != 3) return 2;
    f = fopen(argv[1], "rb");
    if (f == NULL) return 3;
    n = fread(spread_arena_input(arena, 0), 1, SPREAD_INPUT_0_BYTES, f);
    fclose(f);
    if (n != SPREAD_INPUT_0_BYTES) return 4;
    printf("null %d misaligned %d small %d\\n",
           (int)spread_run_with_arenas(arena, sizeof arena, NULL, SPREAD_ARENA_SDRAM_SIZE),
           (int)spread_run_with_arenas(arena, sizeof arena, sdram + 1, SPREAD_ARENA_SDRAM_SIZE),
           (int)spread_run_with_arenas(arena, sizeof arena, sdram, SPREAD_ARENA_SDRAM_SIZE - 1));
    if (spread_run_with_arenas(arena, sizeof arena, sdram, sizeof sdram) != UTVM_OK) return 5;
    f = fopen(argv[2], "wb");
    if (f == NULL) return 6;
    n = fwrite(spread_arena_output(arena, 0), 1, SPREAD_OUTPUT_0_BYTES, f);
    fclose(f);
    return n == SPREAD_OUTPUT_0_BYTES ? 0 : 7;
}
`;

test('library for stm32f746-disco with an arena in SRAM1 and one in SDRAM: built and run on the host = utvm-aot run', () => {
  const path = model();
  const lib = join(scratch, 'spread');
  exportModel(path, lib, ['--format', 'library', '--board', 'stm32f746-disco', '--name', 'spread']);
  const header = readFileSync(join(lib, 'spread.h'), 'utf8');
  assert.match(header, '#define SPREAD_ARENA_SIZE 200000u\n');
  assert.match(header, '#define SPREAD_ARENA_SDRAM_SIZE 200000u /* the arena in SDRAM */');
  assert.match(header, 'utvm_status spread_run_with_arenas(void *arena, size_t size, void *arena_sdram, size_t arena_sdram_size);');
  const meta = JSON.parse(readFileSync(join(lib, 'metadata.json'), 'utf8')) as { arena: { bytes: number }; arenas: { memory: string; bytes: number }[] };
  assert.equal(meta.arenas, [{ memory: 'SRAM1', bytes: 200000 }, { memory: 'SDRAM', bytes: 200000 }]);
  assert.is(meta.arena.bytes, 200000);
  const source = readFileSync(join(lib, 'spread.c'), 'utf8');
  assert.match(source, '#define SPREAD_ARENA_SDRAM_SECTION __attribute__((section(".arena_sdram")))');
  writeFileSync(join(scratch, 'main.c'), MAIN);
  const kernels = readdirSync(join(lib, 'runtime', 'src')).map((f) => join(lib, 'runtime', 'src', f));
  const exe = join(scratch, 'spread-app');
  const flags = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', `-I${lib}`, `-I${join(lib, 'runtime', 'include')}`];
  run('gcc', [...flags, '-DSPREAD_NO_STATIC_ARENA', '-o', exe, join(scratch, 'main.c'), join(lib, 'spread.c'), ...kernels, '-lm']);
  const input = join(scratch, 'x.bin');
  const x = new Float32Array(N);
  for (let i = 0; i < N; i++) x[i] = Math.sin(i * 0.37) * 2;
  writeFileSync(input, new Uint8Array(x.buffer));
  const out = join(scratch, 'y.bin');
  // UTVM_ERROR_BAD_ARGUMENT, _ARENA_MISALIGNED, _ARENA_TOO_SMALL (runtime-c/include/utvm/types.h)
  const printed = run(exe, [input, out]);
  const codes = printed.trim().match(/^null (-?\d+) misaligned (-?\d+) small (-?\d+)$/);
  assert.ok(codes, printed);
  const types = readFileSync(join(lib, 'runtime', 'include', 'utvm', 'types.h'), 'utf8');
  const code = (name: string) => Number(types.match(new RegExp(`${name}\\s*=\\s*(-?\\d+)`))?.[1]);
  assert.equal(codes.slice(1).map(Number), [code('UTVM_ERROR_BAD_ARGUMENT'), code('UTVM_ERROR_ARENA_MISALIGNED'), code('UTVM_ERROR_ARENA_TOO_SMALL')]);
  const expected = join(scratch, 'y-host.bin');
  const r = utvm(['run', path, '--target', 'host', '--input', input, '--output', expected]);
  assert.is(r.status, 0, r.stderr);
  assertSameBytes(out, readFileSync(expected), 'run_with_arenas output vs utvm-aot run --target host');
  // the static arenas: the same library built without SPREAD_NO_STATIC_ARENA links (arena + arena_sdram statics)
  run('gcc', [...flags, '-c', '-o', join(scratch, 'spread.o'), join(lib, 'spread.c')]);
  const syms = run('nm', [join(scratch, 'spread.o')]);
  assert.match(syms, /spread_arena_sdram/);
});

test.run();
