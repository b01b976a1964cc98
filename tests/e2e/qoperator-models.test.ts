/**
 * Quantized ONNX models in the QOperator format (QLinearConv, com.microsoft QLinearAdd and
 * QLinearGlobalAveragePool, Flatten, QLinearMatMul + QLinearAdd for the fully connected head, as
 * onnxruntime's quantizer writes them) against onnxruntime-node: for each test CNN and quantization, in
 * both rounding modes every output element within 1 LSB (measured: 0 in the onnx mode), the top-1 class
 * identical, on the host and on the emulated Cortex-M7 with identical bits. Also a model whose graph
 * input and output are uint8 (already quantized data at the API boundary): the uint8 output within 1 LSB
 * on both targets.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { loadOnnxRuntime, validate } from '../../src/validate/index.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { NETS, qoperatorModel } from '../util/quantized-emit.js';
import type { QuantVariant } from '../util/quantized-models.js';
import { mulberry32, randomInts } from '../util/random.js';
import { calibratedNets, checkQuantized } from '../util/quantized-check.js';

const VARIANTS: QuantVariant[] = [
  { activations: 'uint8', weights: 'per-channel' },
  { activations: 'int8', weights: 'per-tensor' },
  { activations: 'uint8', weights: 'uint8-asymmetric' },
];

for (const spec of NETS) {
  for (const v of VARIANTS) {
    const label = `QOperator ${spec.name}: ${v.activations} activations, ${v.weights} weights`;
    test(`${label}, onnx rounding — every element within 1 LSB of onnxruntime on host and QEMU`, async () => {
      const { net, ranges } = (await calibratedNets()).find((c) => c.net.name === spec.name)!;
      await checkQuantized(qoperatorModel(net, ranges, v), v.weights !== 'uint8-asymmetric', 1, 'onnx');
    });
    test(`${label}, default (tflite) rounding — every element within 1 LSB of onnxruntime on host and QEMU`, async () => {
      const { net, ranges } = (await calibratedNets()).find((c) => c.net.name === spec.name)!;
      await checkQuantized(qoperatorModel(net, ranges, v), v.weights !== 'uint8-asymmetric', 1, 'tflite');
    });
  }
}

/** uint8 x [1,3,7,7] → QLinearConv 3×3 3→4 stride 2 pad 1 (uint8 weights, zero point 121) → uint8 y. */
function uint8EdgeModel(): Uint8Array {
  const m = new OnnxModelBuilder({ opset: 13, graphName: 'qlinearconv_u8_edges' });
  m.input('x', 'uint8', [1, 3, 7, 7]);
  const rng = mulberry32(99);
  const init = (name: string, dtype: 'float32' | 'uint8' | 'int32', dims: number[], v: number[]) => m.initializer(name, dtype, dims, v);
  const inputs = [
    'x', init('xs', 'float32', [], [0.02]), init('xzp', 'uint8', [], [131]),
    init('w', 'uint8', [4, 3, 3, 3], randomInts(rng, 108, 60, 190)), init('ws', 'float32', [], [0.005]), init('wzp', 'uint8', [], [121]),
    init('ys', 'float32', [], [0.03]), init('yzp', 'uint8', [], [120]), init('b', 'int32', [4], randomInts(rng, 4, -400, 400)),
  ];
  m.node('QLinearConv', inputs, { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'qconv', outputs: ['y'] });
  m.output('y', 'uint8', [1, 4, 4, 4]);
  return m.encode();
}

test('QLinearConv with uint8 input and output at the API boundary: within 1 LSB on host and QEMU', async () => {
  const bytes = uint8EdgeModel();
  const { program } = compile(bytes, 'u8.onnx', { name: 'u8', board: 'host' });
  assert.equal(program.inputs.map((t) => t.dtype), ['uint8'], 'the C API takes uint8 input');
  assert.equal(program.outputs.map((t) => t.dtype), ['uint8'], 'the C API gives uint8 output');
  const ort = await loadOnnxRuntime();
  for (const target of ['host', 'qemu'] as const) {
    const r = await validate(bytes, 'u8.onnx', { name: 'u8', target, seed: 5, cases: 4 }, ort);
    const o = r.outputs[0];
    assert.is(o.measure, 'lsb');
    assert.ok(o.ok && o.maxLsb! <= 1, `${target}: max ${o.maxLsb} LSB, ${o.differing}/${o.elements} differ`);
    console.log(`  qlinearconv_u8_edges on ${target}: max ${o.maxLsb} LSB, ${o.differing}/${o.elements} elements differ`);
  }
});

test.run();
