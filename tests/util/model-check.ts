/**
 * End-to-end check of a small ONNX model: compile it for the host, run it, and compare every output
 * with ONNX Runtime's (rtol 1e-4, atol 1e-5 by default). Returns the kernels the program calls, so
 * tests can also check which variant lowering picked.
 */

import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { runOnHost } from '../../src/run/host.js';
import { compareFloats, describeComparison, Tolerance } from './compare.js';
import { NamedTensor, runOnnxRuntime } from './ort.js';

export async function checkAgainstOrt(model: Uint8Array, inputs: NamedTensor[], tol: Tolerance = { rtol: 1e-4, atol: 1e-5 }): Promise<string[]> {
  const result = compile(model, 'check.onnx', { name: 'check', board: 'host' });
  const [actual] = runOnHost(result.files, 'check', result.program.inputs, result.program.outputs, [inputs]);
  const expected = await runOnnxRuntime(model, inputs);
  assert.is(actual.length, expected.length, 'number of outputs');
  expected.forEach((e, i) => {
    assert.equal(actual[i].shape, e.shape, `shape of output '${e.name}'`);
    const c = compareFloats(actual[i].data as Float32Array, e.data as Float32Array, tol);
    assert.ok(c.ok, `output '${e.name}': ${describeComparison(c)}`);
  });
  return result.program.kernels;
}
