/**
 * run --target qemu: models compiled for the emulated Cortex-M7 (board qemu-mps2-an500), built with
 * arm-none-eabi-gcc and run in qemu-system-arm (one emulator process per model, every case through
 * semihosting files), agree with the reference within the host build's tolerance (rtol 1e-4, atol 1e-5).
 * Every emulator run has a time limit; a firmware that hangs fails with E_BUILD instead of blocking.
 * Needs arm-none-eabi-gcc and qemu-system-arm (installed by scripts/setup.sh and in CI): never skipped.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../src/diagnostics.js';
import { loadBoard } from '../../src/emit/boards.js';
import { parseNpy } from '../../src/io/npy.js';
import { runModel } from '../../src/run/index.js';
import { QEMU_BOARD, runFirmware } from '../../src/run/qemu.js';
import { buildCifar10Input, buildCifar10Model, repoRoot } from '../../samples/cifar10/make-model.js';
import { ATOL, RTOL, readIndex, runConformanceCase } from '../conformance/harness.js';
import { scopeOf } from '../conformance/scope.js';
import { compareFloats, describeComparison } from '../util/compare.js';
import { runOnnxRuntime } from '../util/ort.js';
import { cnnModel, randomCase, residualModel } from '../util/e2e-models.js';
import type { TensorValue } from '../../src/io/tensor-value.js';

const TOL = { rtol: RTOL, atol: ATOL };

/**
 * One or two tests per operator family: conv, pooling, dense, softmax, layout, broadcast (the depthwise
 * convolution is covered by the e2e CNN below: the conformance set has no depthwise test).
 */
const QEMU_CONFORMANCE = [
  'test_basic_conv_with_padding',
  'test_conv_with_strides_padding',
  'test_maxpool_2d_pads',
  'test_averagepool_2d_pads',
  'test_globalaveragepool',
  'test_gemm_all_attributes',
  'test_matmul_3d',
  'test_softmax_axis_1',
  'test_concat_3d_axis_1',
  'test_constant_pad',
  'test_constant_pad_axes',
  'test_transpose_all_permutations_3',
  'test_reduce_mean_keepdims_example',
  'test_add_bcast',
  'test_mul_bcast',
  // issue 15's operators, one or two each
  'test_convtranspose_group_2',
  'test_convtranspose_pads',
  'test_resize_upsample_scales_linear',
  'test_resize_downsample_sizes_nearest',
  'test_resize_upsample_scales_cubic',
  'test_resize_tf_crop_and_resize_extrapolation_value',
  'test_slice_neg_steps',
  'test_softmax_axis_0_expanded_ver18',
];

test('the CIFAR-10 sample on the emulated Cortex-M7 agrees with onnxruntime', async () => {
  const model = buildCifar10Model();
  const input = buildCifar10Input();
  const [expected] = await runOnnxRuntime(model, [input]);
  const [[actual]] = runModel(model, 'cifar10.onnx', [[input]], { target: 'qemu' });
  assert.equal(actual.shape, expected.shape);
  const c = compareFloats(actual.data as Float32Array, expected.data as Float32Array, TOL);
  assert.ok(c.ok, describeComparison(c));
});

for (const [label, build] of [['e2e CNN (depthwise, dilated, pools, HardSwish)', cnnModel], ['e2e residual', residualModel]] as const) {
  test(`the ${label} model on the emulated Cortex-M7 agrees with onnxruntime`, async () => {
    const m = build();
    const cases = [randomCase(m, 1), randomCase(m, 2)];
    const actual = runModel(m.bytes, 'e2e.onnx', cases, { target: 'qemu' });
    for (let k = 0; k < cases.length; k++) {
      const expected = await runOnnxRuntime(m.bytes, cases[k]);
      expected.forEach((e, i) => {
        assert.equal(actual[k][i].shape, e.shape);
        const c = compareFloats(actual[k][i].data as Float32Array, e.data as Float32Array, TOL);
        assert.ok(c.ok, `case ${k} output '${e.name}': ${describeComparison(c)}`);
      });
    }
  });
}

test('several cases run in one emulator process and equal the host build', () => {
  const model = buildCifar10Model();
  const base = buildCifar10Input();
  const cases: TensorValue[][] = [0, 1, 2].map((k) => {
    const data = new Float32Array(base.data as Float32Array);
    for (let i = 0; i < data.length; i++) data[i] = (data[i] * (k + 1) + 0.1 * k) % 1;
    return [{ dtype: 'float32', shape: base.shape, data }];
  });
  const onQemu = runModel(model, 'cifar10.onnx', cases, { target: 'qemu' });
  const onHost = runModel(model, 'cifar10.onnx', cases, { target: 'host' });
  assert.is(onQemu.length, 3);
  cases.forEach((_, k) => {
    const c = compareFloats(onQemu[k][0].data as Float32Array, onHost[k][0].data as Float32Array, TOL);
    assert.ok(c.ok, `case ${k}: ${describeComparison(c)}`);
  });
  assert.not.equal(Array.from(onQemu[0][0].data as Float32Array), Array.from(onQemu[1][0].data as Float32Array), 'different inputs give different outputs');
});

test('the CLI runs the sample with --target qemu', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-qemu-cli-'));
  try {
    const root = repoRoot();
    const out = join(dir, 'scores.npy');
    execFileSync(process.execPath, [join(root, 'bin', 'utvm-aot.js'), 'run', 'samples/cifar10/cifar10.onnx', '--target', 'qemu', '--input', 'samples/cifar10/input.npy', '--output', out], { cwd: root, stdio: 'pipe' });
    const scores = parseNpy(readFileSync(out), out);
    assert.equal(scores.shape, [1, 10]);
    const sum = Array.from(scores.data as Float32Array).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `softmax sums to ${sum}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a firmware that never ends is killed after the time limit', () => {
  const board = loadBoard(QEMU_BOARD);
  const dir = mkdtempSync(join(tmpdir(), 'utvm-qemu-hang-'));
  try {
    const src = join(repoRoot(), 'boards', QEMU_BOARD);
    writeFileSync(join(dir, 'main.c'), 'int main(void)\n{\n    volatile int spin = 1;\n    while (spin) {\n    }\n    return 0;\n}\n');
    const elf = join(dir, 'hang.elf');
    execFileSync('arm-none-eabi-gcc', [
      ...board.cflags, '-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', `-I${src}`, `-I${join(src, '..', 'common')}`, join(dir, 'main.c'), join(src, 'board.c'), join(src, 'startup.c'),
      '--specs=nano.specs', '--specs=nosys.specs', '-nostartfiles', '-T', join(src, 'linker.ld'), '-Wl,--gc-sections', '-o', elf,
    ], { stdio: 'pipe' });
    const started = Date.now();
    try {
      runFirmware(board, elf, [], 2);
      assert.unreachable('the emulator returned');
    } catch (e) {
      assert.instance(e, UtvmError);
      assert.is((e as UtvmError).code, 'E_BUILD');
      assert.match((e as Error).message, 'the emulator timed out after 2 s');
    }
    assert.ok(Date.now() - started < 30_000, 'killed promptly');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const entries = new Map(readIndex().map((e) => [e.name, e]));

test('the emulator conformance set is in scope on the host', () => {
  for (const name of QEMU_CONFORMANCE) {
    const e = entries.get(name);
    assert.ok(e, `${name} is in INDEX.tsv`);
    assert.ok(scopeOf(e!).inScope, `${name} is in scope`);
  }
});

for (const name of QEMU_CONFORMANCE) {
  test(`conformance on qemu: ${name}`, () => {
    const e = entries.get(name);
    assert.ok(e, `${name} is in INDEX.tsv`);
    const r = runConformanceCase(e!, 'qemu');
    assert.ok(r.ok, `${name}: ${r.message}`);
  });
}

test.run();
