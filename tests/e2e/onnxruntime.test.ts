/**
 * Whole models against ONNX Runtime: each model is compiled to C, built and run on the host (runModel),
 * on a few seeded random inputs, and every output is compared with onnxruntime-node's.
 *
 * Tolerance: |actual − expected| ≤ 1e-5 + 1e-4·|expected| per element (rtol 1e-4, atol 1e-5): float32
 * sums taken in another order differ by a few ulps per layer; a wrong index or padding rule is far off.
 *
 * Also: compile() is deterministic byte for byte, and the CIFAR-10 sample keeps one layout transpose
 * (at the input) and none between layers.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { parseNpy } from '../../src/io/npy.js';
import { runModel } from '../../src/run/index.js';
import { repoRoot } from '../../samples/cifar10/make-model.js';
import { compareFloats, describeComparison, Tolerance } from '../util/compare.js';
import { E2eModel, cnnModel, mlpModel, randomCase, residualModel, twoInOutModel } from '../util/e2e-models.js';
import { NamedTensor, runOnnxRuntime } from '../util/ort.js';

const TOL: Tolerance = { rtol: 1e-4, atol: 1e-5 };
const CIFAR_DIR = join(repoRoot(), 'samples', 'cifar10');

/** Runs all `cases` in one host build and each through ONNX Runtime; every output must agree. */
async function checkCases(label: string, bytes: Uint8Array, cases: NamedTensor[][]): Promise<void> {
  const actual = runModel(bytes, `${label}.onnx`, cases, { target: 'host' });
  assert.is(actual.length, cases.length, `${label}: one result per case`);
  for (let k = 0; k < cases.length; k++) {
    const expected = await runOnnxRuntime(bytes, cases[k]);
    assert.is(actual[k].length, expected.length, `${label} case ${k}: number of outputs`);
    expected.forEach((e, i) => {
      const a = actual[k][i];
      assert.is(a.dtype, 'float32', `${label} case ${k} output '${e.name}': dtype`);
      assert.equal(a.shape, e.shape, `${label} case ${k} output '${e.name}': shape`);
      const c = compareFloats(a.data as Float32Array, e.data as Float32Array, TOL);
      assert.ok(c.ok, `${label} case ${k} output '${e.name}': ${describeComparison(c)}`);
    });
  }
}

async function checkRandom(label: string, model: E2eModel, seeds: number[]): Promise<void> {
  await checkCases(label, model.bytes, seeds.map((s) => randomCase(model, s)));
}

test('CNN: odd sizes, strided/depthwise/dilated conv, folded BN, activations, pools, Gemm, Softmax', async () => {
  const model = cnnModel();
  const result = compile(model.bytes, 'cnn.onnx', { name: 'cnn', board: 'host' });
  const ops = result.graph.nodes.map((n) => n.op);
  assert.not.ok(ops.some((op) => op.startsWith('batchnorm')), `BatchNormalization after a conv is folded into it; ops: ${ops.join(' ')}`);
  assert.ok(
    result.program.kernels.includes('utvm_depthwise_conv2d_f32'),
    `the depthwise conv uses the depthwise kernel; kernels: ${result.program.kernels.join(' ')}`,
  );
  await checkRandom('cnn', model, [1, 2, 3]);
});

test('residual block, two-branch channel concat, Transpose and Reshape at the end', async () => {
  await checkRandom('residual', residualModel(), [11, 12, 13]);
});

test('MLP: MatMul with constant weights + Add bias + Sigmoid/Tanh, batch 3', async () => {
  await checkRandom('mlp', mlpModel(), [21, 22]);
});

test('two inputs and two outputs, in the model order', async () => {
  const model = twoInOutModel();
  const result = compile(model.bytes, 'two.onnx', { name: 'two', board: 'host' });
  assert.equal(
    result.program.inputs.map((t) => t.name),
    ['a', 'b'],
  );
  assert.equal(
    result.program.outputs.map((t) => t.name),
    ['feat', 'pooled'],
  );
  await checkRandom('two', model, [31, 32, 33]);
});

test('CIFAR-10 sample: input.npy and a random image', async () => {
  const bytes = new Uint8Array(readFileSync(join(CIFAR_DIR, 'cifar10.onnx')));
  const image = parseNpy(new Uint8Array(readFileSync(join(CIFAR_DIR, 'input.npy'))), 'input.npy');
  const given: NamedTensor = { name: 'input', ...image };
  const random = randomCase({ bytes, inputs: [{ name: 'input', shape: [1, 3, 32, 32] }] }, 41);
  await checkCases('cifar10', bytes, [[given], random]);
});

test('CIFAR-10 sample: the only transpose left is the one at the input', () => {
  const bytes = new Uint8Array(readFileSync(join(CIFAR_DIR, 'cifar10.onnx')));
  const { graph } = compile(bytes, 'cifar10.onnx', { name: 'cifar10', board: 'host' });
  const transposes = graph.nodes.filter((n) => n.op === 'transpose');
  const ops = graph.nodes.map((n) => n.op).join(' ');
  assert.is(transposes.length, 1, `one transpose node; ops: ${ops}`);
  assert.equal(transposes[0].inputs, graph.inputs, `the transpose reads the graph input; ops: ${ops}`);
  assert.is(graph.nodes[0], transposes[0], `the transpose runs first; ops: ${ops}`);
});

test('compile() twice gives byte-identical FileMaps', () => {
  for (const [label, model] of [
    ['cnn', cnnModel()],
    ['two', twoInOutModel()],
  ] as const) {
    const first = compile(model.bytes, `${label}.onnx`, { name: label, board: 'host' }).files;
    const second = compile(model.bytes, `${label}.onnx`, { name: label, board: 'host' }).files;
    assert.equal([...second.keys()], [...first.keys()], `${label}: same file list`);
    for (const [path, content] of first) assert.ok(second.get(path) === content, `${label}: ${path} differs between two compiles`);
    assert.ok(first.size > 5, `${label}: a whole project (${first.size} files)`);
  }
});

test.run();
