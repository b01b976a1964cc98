/**
 * `export --format library|make`: the CMake static-library target and the Makefile fragment.
 *   - the library's files; lib<name>.a built standalone with its toolchain file (-Werror) agrees with
 *     metadata.json: arena with the memory plan, flash (total, code, weights) with arm-none-eabi-size;
 *     every global symbol carries the model's prefix; with <NAME>_NO_STATIC_ARENA nothing is writable;
 *   - the application-supplied arena: NULL, misaligned or too small → a status code, the arena untouched;
 *     a good one gives the static arena's outputs;
 *   - two models in one application (CMake, sharing one arena): links for the host and the Cortex-M7,
 *     each model's outputs equal its own `utvm-aot run`'s (host and QEMU);
 *   - the make format: the example Makefile builds and runs; two fragments in one flat-object Makefile.
 */

import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { sectionSizes } from '../../src/run/measure.js';
import { listFiles } from '../util/cli.js';
import {
  CIFAR, KWS_FEATURES, KWS_MODEL, QEMU_BOARD_DIR, ROOT, WERROR, assertSameBytes, cmakeBuild, exportModel, referenceOutput, run,
  runOnEmulator, writeCifarInput,
} from './library-helpers.js';

let scratch = '';
test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-library-'));
});
test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Metadata {
  arena: { bytes: number; align: number; lowerBound: number };
  flash: { weightBytes: number; codeBytes: number; totalBytes: number; bssBytes: number; dataBytes: number };
  inputs: { name: string; bytes: number; offset: number }[];
  files: { sources: string[] };
  kernels: { kernel: string; symbol: string }[];
}

const readMeta = (dir: string): Metadata => JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as Metadata;

/** Members of an archive with their section sums (arm-none-eabi-size -A on each extracted object). */
function archiveSections(archive: string, dir: string): { code: number; rodata: number; data: number; bss: number } {
  mkdirSync(dir, { recursive: true });
  run('arm-none-eabi-ar', ['x', archive], dir);
  const total = { code: 0, rodata: 0, data: 0, bss: 0 };
  for (const o of listFiles(dir).filter((f) => f.endsWith('.obj') || f.endsWith('.o'))) {
    const s = sectionSizes(join(dir, o));
    total.code += s.code;
    total.rodata += s.rodata;
    total.data += s.data;
    total.bss += s.bss;
  }
  return total;
}

test('library: files, CLI lines, and metadata.json agree with the plan and with arm-none-eabi-size of libcifar10.a', () => {
  const lib = join(scratch, 'cifar10');
  const out = exportModel(CIFAR, lib, ['--format', 'library']).split('\n');
  assert.is(out[2], `  CMake: add_subdirectory(${lib})   target_link_libraries(<app> PRIVATE cifar10)   #include "cifar10.h"`);
  const compiled = compile(new Uint8Array(readFileSync(join(ROOT, CIFAR))), 'cifar10.onnx', { name: 'cifar10', board: 'host', format: 'library' });
  const files = listFiles(lib);
  for (const f of ['CMakeLists.txt', 'cifar10.c', 'cifar10.h', 'cifar10_kernels.h', 'cmake/arm-none-eabi.cmake', 'metadata.json']) assert.ok(files.includes(f), f);
  assert.equal(files.filter((f) => f.startsWith('runtime/src/')), compiled.program.kernels.map((k) => `runtime/src/cifar10_${k}.c`).sort());
  const meta = readMeta(lib);
  assert.equal(meta.arena, { bytes: compiled.plan.arenaBytes, align: 16, lowerBound: compiled.plan.lowerBound });
  assert.match(readFileSync(join(lib, 'cifar10.h'), 'utf8'), `#define CIFAR10_ARENA_SIZE ${meta.arena.bytes}u\n#define CIFAR10_ARENA_ALIGN 16u\n`);
  assert.is(meta.flash.weightBytes, compiled.program.weightBytes);

  const build = cmakeBuild(lib, join(scratch, 'cifar10-a'), ['-DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake', '-DUTVM_WERROR=ON']);
  const archive = join(build, 'libcifar10.a');
  const berkeley = run('arm-none-eabi-size', ['-t', archive]).trim().split('\n').pop()!.trim().split(/\s+/).map(Number);
  assert.is(berkeley[0] + berkeley[1], meta.flash.totalBytes, 'flash: text + data of libcifar10.a');
  assert.is(berkeley[2], meta.flash.bssBytes, 'bss of libcifar10.a');
  const sections = archiveSections(archive, join(scratch, 'cifar10-objs'));
  assert.is(sections.code, meta.flash.codeBytes, 'code: .text sections of libcifar10.a');
  const modelObj = listFiles(join(scratch, 'cifar10-objs')).find((f) => f.startsWith('cifar10.c.'))!;
  const sizes = run('arm-none-eabi-size', ['-A', '-d', join(scratch, 'cifar10-objs', modelObj)]);
  const weights = compiled.program.constants.reduce((s, c) => s + Number(new RegExp(`^\\.rodata\\.${c.id}\\s+(\\d+)`, 'm').exec(sizes)![1]), 0);
  assert.is(weights, meta.flash.weightBytes, 'weights: the constant arrays in cifar10.c.obj');
  const globals = run('arm-none-eabi-nm', ['-g', '--defined-only', archive]).split('\n').filter((l) => /^[0-9a-f]+ [A-Z] /.test(l));
  assert.ok(globals.length > 0);
  for (const l of globals) assert.match(l, / cifar10_\w+$/, `global symbol without the model's prefix: ${l}`);

  const noStatic = cmakeBuild(lib, join(scratch, 'cifar10-nostatic'), ['-DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake', '-DUTVM_WERROR=ON', '-DCIFAR10_NO_STATIC_ARENA=ON']);
  const ns = run('arm-none-eabi-size', ['-t', join(noStatic, 'libcifar10.a')]).trim().split('\n').pop()!.trim().split(/\s+/).map(Number);
  assert.equal([ns[1], ns[2]], [0, 0], 'with CIFAR10_NO_STATIC_ARENA: no .data, no .bss');
});

const ARENA_CHECK_C = `#include <stdio.h>
#include <string.h>
#include "kws.h"
static uint8_t big[KWS_ARENA_SIZE + 64] __attribute__((aligned(64)));
static int8_t ref[KWS_OUTPUT_0_BYTES];
static int untouched(void) { size_t i; for (i = 0; i < sizeof big; i++) if (big[i] != 0xA5) return 0; return 1; }
int main(int argc, char **argv) {
    FILE *f = fopen(argv[argc - 1], "rb");
    if (f == NULL || kws_init() != UTVM_OK || fread(kws_input(0), 1, KWS_INPUT_0_BYTES, f) != KWS_INPUT_0_BYTES) return 1;
    fclose(f);
    memcpy(big + 64, kws_input(0), KWS_INPUT_0_BYTES);
    if (kws_run() != UTVM_OK) return 1;
    memcpy(ref, kws_output(0), sizeof ref);
    memset(big, 0xA5, sizeof big);
    printf("null %d\\n", (int)kws_run_with_arena(NULL, sizeof big));
    printf("misaligned %d\\n", (int)kws_run_with_arena(big + 1, KWS_ARENA_SIZE));
    printf("misaligned by 8 %d\\n", (int)kws_check_arena(big + 8, KWS_ARENA_SIZE));
    printf("too small %d\\n", (int)kws_run_with_arena(big, KWS_ARENA_SIZE - 1));
    printf("untouched %d\\n", untouched());
    printf("bad pointers %d\\n", kws_arena_input(NULL, 0) == NULL && kws_arena_input(big, 1) == NULL && kws_arena_output(big, -1) == NULL);
    f = fopen(argv[argc - 1], "rb");
    if (f == NULL || fread(kws_arena_input(big + 16, 0), 1, KWS_INPUT_0_BYTES, f) != KWS_INPUT_0_BYTES) return 1;
    fclose(f);
    printf("run %d\\n", (int)kws_run_with_arena(big + 16, KWS_ARENA_SIZE));
    printf("same outputs %d\\n", memcmp(kws_arena_output(big + 16, 0), ref, sizeof ref) == 0);
    return 0;
}
`;

test('application-supplied arena: NULL, misaligned, too small → status codes, arena untouched; a good one runs', () => {
  const lib = join(scratch, 'kws-arena');
  exportModel(KWS_MODEL, lib, ['--name', 'kws', '--format', 'library']);
  writeFileSync(join(scratch, 'arena_check.c'), ARENA_CHECK_C);
  const sources = readMeta(lib).files.sources.map((s) => join(lib, s));
  const exe = join(scratch, 'arena_check');
  run('gcc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', `-I${lib}`, `-I${join(lib, 'runtime', 'include')}`, '-o', exe, join(scratch, 'arena_check.c'), ...sources, '-lm']);
  assert.is(
    run(exe, [KWS_FEATURES[0]]),
    ['null 1', 'misaligned 3', 'misaligned by 8 3', 'too small 2', 'untouched 1', 'bad pointers 1', 'run 0', 'same outputs 1', ''].join('\n'),
  );
});

const TWO_MODELS_C = `/* Two models in one application, sharing one arena (each runs while the other is idle). */
#include <string.h>
#include "board.h"
#include "cifar10.h"
#include "kws.h"
#define SIZE (CIFAR10_ARENA_SIZE > KWS_ARENA_SIZE ? CIFAR10_ARENA_SIZE : KWS_ARENA_SIZE)
#if defined(__arm__)
#define PLACE __attribute__((section(".arena")))
#else
#define PLACE
#endif
static uint8_t arena[SIZE] __attribute__((aligned(16))) PLACE;
int app_main(int argc, char **argv)
{
    if (argc != 5) return 2;
    if (board_read_file(argv[1], cifar10_arena_input(arena, 0), CIFAR10_INPUT_0_BYTES) != 0) return 3;
    if (cifar10_run_with_arena(arena, sizeof arena) != UTVM_OK) return 4;
    if (board_write_file(argv[2], cifar10_arena_output(arena, 0), CIFAR10_OUTPUT_0_BYTES) != 0) return 5;
    if (board_read_file(argv[3], kws_arena_input(arena, 0), KWS_INPUT_0_BYTES) != 0) return 6;
    if (kws_run_with_arena(arena, sizeof arena) != UTVM_OK) return 7;
    if (board_write_file(argv[4], kws_arena_output(arena, 0), KWS_OUTPUT_0_BYTES) != 0) return 8;
    board_write("both models ran\\n", 16);
    return 0;
}
`;

const TWO_MODELS_CMAKE = `cmake_minimum_required(VERSION 3.13)
project(two_models C)
set(CIFAR10_NO_STATIC_ARENA ON)
set(KWS_NO_STATIC_ARENA ON)
add_subdirectory("\${CIFAR_DIR}" cifar10)
add_subdirectory("\${KWS_DIR}" kws)
set(APP "${ROOT}/samples/common")
if(CMAKE_SYSTEM_PROCESSOR STREQUAL "arm")
  add_executable(app main.c "\${APP}/platform_m7.c" "${QEMU_BOARD_DIR}/startup.c" "${QEMU_BOARD_DIR}/board.c")
  set_target_properties(app PROPERTIES SUFFIX ".elf")
  target_link_options(app PRIVATE "-T${QEMU_BOARD_DIR}/linker.ld" -Wl,--gc-sections)
else()
  add_executable(app main.c "\${APP}/platform_host.c")
endif()
target_include_directories(app PRIVATE "${ROOT}/boards/common")
target_compile_options(app PRIVATE -Wall -Wextra)
target_link_libraries(app PRIVATE cifar10 kws)
`;

test('two models in one application: link (host, Cortex-M7), each gives its own utvm-aot run outputs', () => {
  const cifar = join(scratch, 'two', 'cifar10');
  const kws = join(scratch, 'two', 'kws');
  exportModel(CIFAR, cifar, ['--format', 'library']);
  exportModel(KWS_MODEL, kws, ['--name', 'kws', '--format', 'library']);
  const app = join(scratch, 'two', 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'main.c'), TWO_MODELS_C);
  writeFileSync(join(app, 'CMakeLists.txt'), TWO_MODELS_CMAKE);
  const defs = [`-DCIFAR_DIR=${cifar}`, `-DKWS_DIR=${kws}`, ...WERROR];
  const host = cmakeBuild(app, join(scratch, 'two', 'host'), defs);
  const m7 = cmakeBuild(app, join(scratch, 'two', 'm7'), [...defs, `-DCMAKE_TOOLCHAIN_FILE=${join(kws, 'cmake', 'arm-none-eabi.cmake')}`]);
  const image = writeCifarInput(join(scratch, 'two', 'image.bin'));
  const o = (n: string) => join(scratch, 'two', n);
  assert.is(run(join(host, 'app'), [image, o('c-host.bin'), KWS_FEATURES[1], o('k-host.bin')]), 'both models ran\n');
  assert.is(runOnEmulator(join(m7, 'app.elf'), [image, o('c-m7.bin'), KWS_FEATURES[1], o('k-m7.bin')]), 'both models ran\n');
  assertSameBytes(o('c-host.bin'), referenceOutput(CIFAR, 'cifar10', 'host', image, o('c-ref-host.bin')), 'cifar10 on the host');
  assertSameBytes(o('k-host.bin'), referenceOutput(KWS_MODEL, 'kws', 'host', KWS_FEATURES[1], o('k-ref-host.bin')), 'kws on the host');
  assertSameBytes(o('c-m7.bin'), referenceOutput(CIFAR, 'cifar10', 'qemu', image, o('c-ref-qemu.bin')), 'cifar10 on the emulator');
  assertSameBytes(o('k-m7.bin'), referenceOutput(KWS_MODEL, 'kws', 'qemu', KWS_FEATURES[1], o('k-ref-qemu.bin')), 'kws on the emulator');
});

const TWO_FRAGMENTS_MAKEFILE = (cifar: string, kws: string) => `include ${cifar}/cifar10.mk
include ${kws}/kws.mk
SRCS = main.c $(CIFAR10_SRCS) $(KWS_SRCS)
OBJS = $(addprefix build/,$(notdir $(SRCS:.c=.o)))
vpath %.c $(sort $(dir $(SRCS)))
CFLAGS = -std=c99 -O2 -Wall -Wextra -Werror $(CIFAR10_CFLAGS) $(KWS_CFLAGS)
build/app: $(OBJS)
\t$(CC) -o $@ $^ $(CIFAR10_LDLIBS) $(KWS_LDLIBS)
build/%.o: %.c
\t@mkdir -p build
\t$(CC) $(CFLAGS) -c -o $@ $<
`;

test('make: <name>.mk and the example Makefile; two fragments in one flat-object Makefile', () => {
  const cifar = join(scratch, 'mk', 'cifar10');
  const kws = join(scratch, 'mk', 'kws');
  const out = exportModel(CIFAR, cifar, ['--format', 'make']).split('\n');
  assert.is(out[2], `  Makefile: include ${cifar}/cifar10.mk   C_SOURCES += $(CIFAR10_SRCS)   CFLAGS += $(CIFAR10_CFLAGS)   LDLIBS += $(CIFAR10_LDLIBS)`);
  exportModel(KWS_MODEL, kws, ['--name', 'kws', '--format', 'make']);
  const mk = readFileSync(join(cifar, 'cifar10.mk'), 'utf8');
  assert.match(mk, /^CIFAR10_SRCS := \$\(CIFAR10_DIR\)\/cifar10\.c \$\(CIFAR10_DIR\)\/runtime\/src\/cifar10_utvm_/m);
  assert.match(mk, /^CIFAR10_INC := -I\$\(CIFAR10_DIR\) -I\$\(CIFAR10_DIR\)\/runtime\/include$/m);
  run('make', ['-s', '-C', join(cifar, 'example'), 'CFLAGS=-O2 -Werror']);
  const image = writeCifarInput(join(scratch, 'mk', 'image.bin'));
  assert.is(run(join(cifar, 'example', 'build', 'example'), [image]), "output 0 'scores': largest element 9 (0.236077)\n");
  run('make', ['-s', '-C', join(kws, 'example'), 'CC=arm-none-eabi-gcc', 'AR=arm-none-eabi-ar', 'CPU_FLAGS=-mcpu=cortex-m7 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard', 'CFLAGS=-O2 -Werror', 'build/lib.a']);
  const app = join(scratch, 'mk', 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'main.c'), '#include "cifar10.h"\n#include "kws.h"\nint main(void) { return cifar10_init() != UTVM_OK || kws_init() != UTVM_OK || cifar10_run() != UTVM_OK || kws_run() != UTVM_OK; }\n');
  writeFileSync(join(app, 'Makefile'), TWO_FRAGMENTS_MAKEFILE(cifar, kws));
  run('make', ['-s', '-C', app]);
  run(join(app, 'build', 'app'), []);
});

test.run();
