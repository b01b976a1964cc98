/**
 * Quantized ONNX models in the QDQ format (QuantizeLinear/DequantizeLinear around float operators, as
 * onnxruntime's quantizer writes them) against onnxruntime-node: for each test CNN of
 * tests/util/quantized-emit.ts (stride 2 + padding, depthwise, 1×1, residual add, global pooling, fully
 * connected head; odd sizes and asymmetric padding) and each quantization (int8 activations with
 * per-channel int8 weights; uint8 activations with per-tensor int8 weights; uint8 activations with
 * asymmetric uint8 weights, i.e. a nonzero weight zero point), every output element within 1 LSB of
 * onnxruntime, the top-1 class identical, on the host and on the emulated Cortex-M7 with identical bits —
 * in both rounding modes (the onnx one measured at 0 LSB, the default tflite one at ≤ 1).
 *
 * Also: a QDQ pattern around an operator without an int8 kernel (Tanh) runs correctly or fails with an
 * error naming the node — never a wrong answer.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../src/diagnostics.js';
import { loadOnnxRuntime, validate } from '../../src/validate/index.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { NETS, qdqModel } from '../util/quantized-emit.js';
import type { QuantVariant } from '../util/quantized-models.js';
import { calibratedNets, checkQuantized } from '../util/quantized-check.js';

const VARIANTS: QuantVariant[] = [
  { activations: 'int8', weights: 'per-channel' },
  { activations: 'uint8', weights: 'per-tensor' },
  { activations: 'uint8', weights: 'uint8-asymmetric' },
];

for (const spec of NETS) {
  for (const v of VARIANTS) {
    for (const rounding of ['onnx', 'tflite'] as const) {
      test(`QDQ ${spec.name}: ${v.activations} activations, ${v.weights} weights, ${rounding} rounding — within 1 LSB of onnxruntime on host and QEMU`, async () => {
        const { net, ranges } = (await calibratedNets()).find((c) => c.net.name === spec.name)!;
        const model = qdqModel(net, ranges, v);
        const report = await checkQuantized(model, v.weights !== 'uint8-asymmetric', 1, rounding);
        assert.is(report.outputs.length, 1);
      });
    }
  }
}

/** x → Q → DQ → Tanh → Q → DQ → y: Tanh has no int8 kernel. */
function tanhModel(): Uint8Array {
  const m = new OnnxModelBuilder({ opset: 13, graphName: 'qdq_tanh' });
  m.input('x', 'float32', [1, 4, 3, 3]);
  const s = m.initializer('s', 'float32', [], [2 / 255]);
  const zp = m.initializer('zp', 'int8', [], [0]);
  const so = m.initializer('so', 'float32', [], [1 / 128]);
  const [q] = m.node('QuantizeLinear', ['x', s, zp], {}, { name: 'x.quantize' });
  const [dq] = m.node('DequantizeLinear', [q, s, zp], {}, { name: 'x.dequantize' });
  const [t] = m.node('Tanh', [dq], {}, { name: 'tanh' });
  const [q2] = m.node('QuantizeLinear', [t, so, zp], {}, { name: 'tanh.quantize' });
  m.node('DequantizeLinear', [q2, so, zp], {}, { name: 'y.dequantize', outputs: ['y'] });
  m.output('y', 'float32', [1, 4, 3, 3]);
  return m.encode();
}

test('QDQ around Tanh (no int8 kernel): a correct result within 1 LSB, or an error naming the node', async () => {
  const ort = await loadOnnxRuntime();
  try {
    const r = await validate(tanhModel(), 'tanh.onnx', { name: 'tanh', target: 'host', seed: 3, cases: 3 }, ort);
    assert.ok(r.ok, `within 1 LSB: max ${r.outputs[0].maxLsb} LSB`);
    assert.is(r.outputs[0].measure, 'lsb');
  } catch (e) {
    if (!(e instanceof UtvmError)) throw e;
    assert.match(e.message, /node 'tanh'/, `the error names the node: ${e.message}`);
  }
});

test('validate without onnxruntime-node: a usage error (exit 2) that says how to install it', async () => {
  try {
    await loadOnnxRuntime('onnxruntime-node-not-installed');
    assert.unreachable('loading a missing module must fail');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).exitCode, 2);
    assert.is((e as UtvmError).message, "validate needs onnxruntime-node, which is not installed: run 'npm install --save-dev onnxruntime-node' in the folder utvm-aot runs from");
  }
});

test.run();
