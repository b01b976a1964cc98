/**
 * The pass pipeline (src/passes/index.ts) on an imported NCHW float model: Conv → BatchNormalization →
 * Relu → Conv → Add(per-channel) → Flatten → Gemm. The importer wraps each convolution in NCHW↔NHWC
 * transposes; after the pipeline only the model-input transpose is left, the batchnorm and the relu are
 * inside the first conv, the flatten reads NHWC with permuted classifier weights — and the graph computes
 * what the imported one does (evaluated in TypeScript, tests/util/graph-eval.ts, within 1e-5 relative).
 * The flags: `keepTensors` drops the fuse-residual-add pass, `rounding: 'onnx'` the fixed-point-only one;
 * the order is the documented one.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../src/import/onnx.js';
import { PIPELINE, runPipeline } from '../../src/passes/index.js';
import { graphOutputs, maxRelativeError, opsOf, randomInputs } from '../util/graph-eval.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { mulberry32, randomFloats } from '../util/random.js';

function model(): Uint8Array {
  const rng = mulberry32(21);
  const m = new OnnxModelBuilder({ opset: 13 });
  const c = (name: string, dims: number[], lo = -1, hi = 1) => m.initializer(name, 'float32', dims, randomFloats(rng, dims.reduce((a, b) => a * b, 1), lo, hi));
  const x = m.input('x', 'float32', [1, 3, 8, 6]);
  const [c1] = m.node('Conv', [x, c('w1', [4, 3, 3, 3]), c('b1', [4])], { pads: [1, 1, 1, 1] }, { name: 'conv1' });
  const [bn] = m.node('BatchNormalization', [c1, c('g', [4], 0.5, 2), c('beta', [4]), c('mean', [4]), c('var', [4], 0.1, 2)], {}, { name: 'bn' });
  const [r] = m.node('Relu', [bn], {}, { name: 'relu' });
  const [c2] = m.node('Conv', [r, c('w2', [5, 4, 1, 1]), c('b2', [5])], { strides: [2, 2] }, { name: 'conv2' });
  const [a] = m.node('Add', [c2, c('shift', [5, 1, 1])], {}, { name: 'add' });
  const [f] = m.node('Flatten', [a], {}, { name: 'flatten' });
  m.node('Gemm', [f, c('fw', [3, 5 * 4 * 3]), c('fb', [3])], { transB: 1 }, { name: 'fc', outputs: ['y'] });
  m.output('y', 'float32', [1, 3]);
  return m.encode();
}

test('the order of the pipeline', () => {
  assert.equal(
    PIPELINE.map((p) => p.name),
    ['sink-transposes', 'fold-batchnorm', 'fuse-activation', 'qdq', 'fold-flatten-transpose', 'sink-transposes-again', 'fold-pad', 'fuse-residual-add'],
  );
  assert.equal(PIPELINE.filter((p) => p.dropsTensors).map((p) => p.name), ['fold-pad', 'fuse-residual-add']);
  assert.equal(PIPELINE.filter((p) => p.fixedPointOnly).map((p) => p.name), ['fuse-residual-add']);
});

test('NCHW float model: transposes cancel, batchnorm and relu fold into the conv, the flatten reads NHWC; same outputs', () => {
  const imported = importOnnx(model(), 'm.onnx', 'm');
  assert.equal(opsOf(imported).filter((op) => op === 'transpose').length, 6, 'a pair around each convolution and the batchnorm');
  const g = runPipeline(imported);
  assert.equal(opsOf(g), ['transpose', 'conv2d', 'conv2d', 'add', 'reshape', 'gemm']);
  assert.equal(g.nodes[1].attrs.clamp, { min: 0, max: Infinity });
  assert.equal(g.outputs, imported.outputs);
  const rng = mulberry32(5);
  for (let k = 0; k < 3; k++) {
    const inputs = randomInputs(imported, rng, -2, 2);
    const [want] = graphOutputs(imported, inputs);
    const [got] = graphOutputs(g, inputs);
    const err = maxRelativeError(got, want);
    assert.ok(err < 1e-5, `case ${k}: max relative error ${err}`);
  }
});

test('keepTensors and rounding onnx skip the fused residual add; the float passes still run', () => {
  const imported = importOnnx(model(), 'm.onnx', 'm');
  const all = opsOf(runPipeline(imported));
  assert.equal(opsOf(runPipeline(imported, { keepTensors: true })), all);
  assert.equal(opsOf(runPipeline(imported, { rounding: 'onnx' })), all);
});

test.run();
