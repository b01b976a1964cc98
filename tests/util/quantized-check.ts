/**
 * The check every quantized end-to-end model goes through (tests/e2e/qdq-models.test.ts and
 * qoperator-models.test.ts): `validate` (src/validate.ts) on the host and on the emulated Cortex-M7 with
 * the same seeded random inputs; every output element within 1 LSB of onnxruntime-node, the top-1 class
 * identical in every case, and the two targets' outputs identical bit for bit. Prints the measured
 * difference (max LSB, differing fraction) for the notes.
 */

import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { ValidateReport, formatValidate, loadOnnxRuntime, validate } from '../../src/validate/index.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import type { Rounding } from '../../src/ir/quant.js';
import { NETS } from './quantized-emit.js';
import { NetSpec, QuantizedModel, Ranges, calibrate, walkNet } from './quantized-models.js';

/** Random cases per model (seeds SEED, SEED+1, ...). */
export const CASES = 6;
export const SEED = 7;

const calibrated = new Map<string, Ranges>();

/** The nets of quantized-emit.ts with their calibration ranges (computed once per process). */
export async function calibratedNets(): Promise<{ net: NetSpec; ranges: Ranges }[]> {
  const out = [];
  for (const net of NETS) {
    if (!calibrated.has(net.name)) calibrated.set(net.name, await calibrate(net, walkNet(net)));
    out.push({ net, ranges: calibrated.get(net.name)! });
  }
  return out;
}

function sameBits(a: TensorValue, b: TensorValue): boolean {
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return a.dtype === b.dtype && x.length === y.length && x.every((v, i) => v === y[i]);
}

function assertWithin(r: ValidateReport, label: string, maxLsb: number): void {
  for (const o of r.outputs) {
    if (maxLsb === 1) assert.ok(o.ok, `${label} on ${r.target}: output '${o.name}' outside 1 LSB:\n${formatValidate(r)}`);
    assert.is(o.measure, 'lsb', `${label}: output '${o.name}' is measured in LSB of its dequantization`);
    assert.ok(o.maxLsb! <= maxLsb, `${label} on ${r.target}: max ${o.maxLsb} LSB (allowed ${maxLsb})`);
    if (o.top1Agree !== undefined) assert.is(o.top1Agree, r.cases, `${label} on ${r.target}: top-1 agrees in every case:\n${formatValidate(r)}`);
  }
}

/** The float kernels a quantized model may keep: the conversions at its float input and output. */
const EDGE_KERNELS = new Set(['utvm_quantize_f32_s8', 'utvm_quantize_f32_s8_even', 'utvm_dequantize_s8_f32']);

/** The float kernels (other than the edge conversions) the compiled model calls. */
export function floatKernels(bytes: Uint8Array, rounding?: Rounding): string[] {
  const { program } = compile(bytes, 'q.onnx', { name: 'q', board: 'host', rounding });
  return program.kernels.filter((k) => /_f32/.test(k) && !EDGE_KERNELS.has(k));
}

/**
 * Validates `model` on host and QEMU; returns the host report. With `int8Only`, the model must run on
 * int8 kernels only (float kernels only for the quantize/dequantize at its edges). `rounding` is the
 * compile option (default 'tflite').
 */
export async function checkQuantized(model: QuantizedModel, int8Only = true, maxLsb = 1, rounding: Rounding = 'tflite'): Promise<ValidateReport> {
  if (int8Only) assert.equal(floatKernels(model.bytes, rounding), [], `${model.label}: runs on int8 kernels (no float fallback)`);
  const ort = await loadOnnxRuntime();
  const options = { name: 'qmodel', seed: SEED, cases: CASES, rounding };
  const host = await validate(model.bytes, `${model.label}.onnx`, { ...options, target: 'host' }, ort);
  assertWithin(host, model.label, maxLsb);
  const qemu = await validate(model.bytes, `${model.label}.onnx`, { ...options, target: 'qemu' }, ort);
  assertWithin(qemu, model.label, maxLsb);
  host.ours.forEach((c, k) =>
    c.forEach((v, i) => assert.ok(sameBits(v, qemu.ours[k][i]), `${model.label}: case ${k} output ${i} differs between host and QEMU`)),
  );
  const o = host.outputs[0];
  console.log(
    `  ${model.label} (${rounding} rounding): max ${o.maxLsb} LSB, ${o.differing}/${o.elements} elements differ (${((100 * o.differing) / o.elements).toFixed(1)} %), ` +
      `top-1 ${o.top1Agree}/${host.cases}; host = QEMU bit for bit`,
  );
  return host;
}
