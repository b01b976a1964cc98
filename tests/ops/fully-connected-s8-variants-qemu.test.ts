/**
 * Every value of the int8 FULLY_CONNECTED knob `variant` (src/ops/gemm/s8.ts: the pair-packed kernels
 * with the input sign-extended per pass, widened once or a chunk at a time, 2/4/6 features per pass, and
 * the interleaved `quad` kernel) compiled into one firmware for the emulated Cortex-M7
 * (qemu-mps2-an500, DSP extension) — one TFLite model holding every case once per variant, each node
 * given its variant through CompileOptions.schedules — and run once: every output byte equals TFLite
 * Micro's (tflm-run). The cases: ad's 128→8 and 8→128 layers, a long row (301 inputs: three chunks of
 * 128, the last ending in a partial group of four) with per-channel weights and batch 2, RELU (the
 * clamped per-tensor path), a positive shift (output scale below input × weight scale), no bias with
 * input zero point 0, and weights at −128. The host side (the same kernels with the portable twins of
 * the DSP instructions) is tests/ops/fully-connected-s8-dsp.test.ts.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, targetBoard } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import type { Schedule } from '../../src/ops/op.js';
import { buildTflite, fullyConnectedOptions, OpSpec, TensorSpec } from '../util/tflite-build.js';
import { assertSameBytes, randomCase, runTflm } from '../util/tflm.js';
import { mulberry32, randomInts } from '../util/random.js';

interface Case {
  m: number;
  k: number;
  n: number;
  perChannel?: boolean;
  relu?: boolean;
  /** Output scale = input scale × weight scale × this (below 1: a positive shift). */
  outFactor?: number;
  noBias?: boolean;
  zeroPoint0?: boolean;
  /** Weights drawn from [-128, 127] (else [-127, 127], TFLite's symmetric range). */
  full?: boolean;
}

const CASES: Case[] = [
  { m: 1, k: 128, n: 8 },
  { m: 1, k: 8, n: 128 },
  { m: 2, k: 301, n: 20, perChannel: true },
  { m: 1, k: 13, n: 7, relu: true },
  { m: 1, k: 30, n: 9, outFactor: 0.25 },
  { m: 1, k: 5, n: 3, noBias: true, zeroPoint0: true, full: true },
];

const VARIANTS = ['pair4', 'pair2', 'pair6', 'wide4', 'wide2', 'wide6', 'chunk4', 'chunk2', 'chunk6', 'quad'];

function buildModel(seed: number): Uint8Array {
  const rng = mulberry32(seed);
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const add = (t: TensorSpec) => tensors.push(t) - 1;
  VARIANTS.forEach((v) => {
    CASES.forEach((c, i) => {
      const id = `${v}_${i}`;
      const sx = Math.fround(0.01 + 0.05 * rng());
      const ws = Array.from({ length: c.perChannel ? c.n : 1 }, () => Math.fround(0.002 + 0.01 * rng()));
      const zx = c.zeroPoint0 ? 0 : randomInts(rng, 1, -100, 100)[0];
      const x = add({ name: `x_${id}`, shape: [c.m, c.k], type: 'int8', quant: { scale: [sx], zeroPoint: [zx] } });
      const w = add({ name: `w_${id}`, shape: [c.n, c.k], type: 'int8', quant: { scale: ws, zeroPoint: ws.map(() => 0), axis: 0 }, data: randomInts(rng, c.n * c.k, c.full ? -128 : -127, 127) });
      const bs = ws.map((s) => Math.fround(sx * s));
      const b = c.noBias ? -1 : add({ name: `b_${id}`, shape: [c.n], type: 'int32', quant: { scale: bs, zeroPoint: bs.map(() => 0) }, data: randomInts(rng, c.n, -30000, 30000) });
      const sy = sx * ws[0] * (c.outFactor ?? 74 * 74 * Math.sqrt(c.k) / 60);
      const y = add({ name: `y_${id}`, shape: [c.m, c.n], type: 'int8', quant: { scale: [sy], zeroPoint: [randomInts(rng, 1, -20, 20)[0]] } });
      inputs.push(x);
      outputs.push(y);
      operators.push({ op: 'FULLY_CONNECTED', version: 5, inputs: [x, w, b], outputs: [y], options: fullyConnectedOptions({ activation: c.relu ? 1 : 0 }) });
    });
  });
  return buildTflite({ tensors, inputs, outputs, operators });
}

test('every fully connected variant, in one qemu-mps2-an500 run (DSP) = TFLite Micro, bit for bit', () => {
  const bytes = buildModel(4242);
  const name = 'fc_variants';
  const graph = loadGraph(bytes, `${name}.tflite`, name);
  const gemms = graph.nodes.filter((n) => n.op === 'gemm');
  assert.is(gemms.length, VARIANTS.length * CASES.length);
  const schedules = new Map<string, Schedule>(gemms.map((n, j) => [n.name, { variant: VARIANTS[Math.floor(j / CASES.length)] }]));
  const result = compile(bytes, `${name}.tflite`, { name, board: targetBoard('qemu'), schedules });
  const files = [...result.files.keys()];
  for (const k of ['pair1', 'pair2', 'pair3', 'wide1', 'wide2', 'wide3', 'chunk1', 'chunk2', 'chunk3']) {
    assert.ok(files.some((f) => f.endsWith(`/utvm_fully_connected_s8_${k}_dsp.c`)), `${k} in ${files.filter((f) => f.includes('runtime/src'))}`);
  }
  assert.ok(files.some((f) => f.endsWith('/utvm_fully_connected_s8_dsp.c')), 'quad');
  const cases = [0, 1].map((s) => result.program.inputs.map((t, i) => randomCase(t, 100 * s + i)));
  const ours = runCompiled(result, cases);
  const theirs = runTflm(bytes, cases.map((c) => c.map(toBytes)), VARIANTS.length * CASES.length);
  const compared = assertSameBytes('qemu int8', ours, theirs);
  assert.is(compared, 2 * VARIANTS.length * CASES.reduce((sum, c) => sum + c.m * c.n, 0));
  // the outputs are not all saturated
  const values = ours.flatMap((outs) => outs.flatMap((o) => [...(o.data as Int8Array)]));
  assert.ok(values.filter((v) => v > -128 && v < 127).length > values.length / 3, 'most outputs inside (-128, 127)');
});

test.run();
