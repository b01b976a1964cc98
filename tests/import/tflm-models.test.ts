/**
 * Every real TFLite model in ../shared/models (TFLite Micro's examples in tflm/, the MLPerf Tiny models,
 * int8 and float32) against TFLite Micro itself (tflm-run):
 *   - inspect's graph inputs and outputs — type, shape, scale and zero point — are the ones `tflm-run --info`
 *     reads from the file;
 *   - the host build gives TFLite Micro's output bytes on seeded random inputs (int8: every byte; float32:
 *     within 1e-4 relative + 1e-5 absolute — our float kernels accumulate in another order than TFLite's
 *     reference kernels, which is the whole difference);
 *   - the model fits the STM32F746 (arena in SRAM1, weights in flash), or export refuses it with the bytes
 *     over in each memory while `inspect --board` still shows its plan.
 * person_detect and MobileNetV2 have their own files (layer by layer; the MobileNetV2 arena against
 * TFLM's); they are here for the first and last points only. The emulated Cortex-M7 runs them in
 * tflm-models-qemu.test.ts.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { runCompiled } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { SHARED } from '../util/mlperf.js';
import { TFLM_MODELS, TFLM_RUN, assertSameBytes, randomCase, runTflm } from '../util/tflm.js';
import { assertFails, utvm } from '../util/cli.js';

const MLPERF = join(SHARED, 'models', 'mlperf-tiny');
const MODELS: string[] = [
  ...readdirSync(TFLM_MODELS).filter((f) => f.endsWith('.tflite')).map((f) => join(TFLM_MODELS, f)),
  ...['ic', 'kws', 'vww', 'ad'].flatMap((d) => readdirSync(join(MLPERF, d)).filter((f) => f.endsWith('.tflite')).map((f) => join(MLPERF, d, f))),
].sort();
/**
 * Too big for the F746: refused at export, with the numbers (MobileNetV2: 2.4 MB of arena, 3.7 MB of
 * weights; the float32 autoencoder: 1.07 MB of weights).
 */
const TOO_BIG = new Set(['mobilenet_v2_quantized_1x3x224x224.tflite', 'ad01_fp32.tflite']);
/** Hybrid (float32 activations, int8 weights), which TFLite Micro refuses to run: ours runs it in float32 (tests/mlperf/float-agreement.test.ts). */
const HYBRID = new Set(['kws_ref_model_float32.tflite']);
/** Run on the host in their own test files. */
const OWN_FILE = new Set(['person_detect.tflite', 'mobilenet_v2_quantized_1x3x224x224.tflite']);
const BOARD = 'stm32f746-nucleo';

const base = (path: string) => path.replace(/^.*\//, '');
const nameOf = (path: string) => base(path).replace(/\.tflite$/, '').replace(/[^A-Za-z0-9_]/g, '_');

interface IoInfo {
  kind: 'input' | 'output';
  dtype: string;
  shape: number[];
  scale: number;
  zp: number;
}

/** `tflm-run --info` (on stderr): "input 0 INT8 [1,49,10,1] bytes=490 scale=0.584703 zp=83". */
function tflmInfo(path: string): IoInfo[] {
  const r = spawnSync(TFLM_RUN, ['--info', path], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const text = r.stderr;
  return [...text.matchAll(/^(input|output) \d+ (\w+) \[([\d,]*)\] bytes=\d+ scale=(\S+) zp=(-?\d+)$/gm)].map((m) => ({
    kind: m[1] as 'input' | 'output',
    dtype: m[2].toLowerCase(),
    shape: m[3] === '' ? [] : m[3].split(',').map(Number),
    scale: Number(m[4]),
    zp: Number(m[5]),
  }));
}

/** The largest |a − b| − (1e-5 + 1e-4·|b|) over the elements (≤ 0: within tolerance). */
function floatExcess(a: Float32Array, b: Float32Array): number {
  let worst = -Infinity;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) - (1e-5 + 1e-4 * Math.abs(b[i])));
  return worst;
}

test('the models: all of tflm/ and mlperf-tiny/ are found', () => {
  assert.is(MODELS.length, 16, MODELS.join('\n'));
});

for (const path of MODELS) {
  const file = base(path);
  const name = nameOf(path);
  if (HYBRID.has(file)) {
    test(`${file}: a hybrid model TFLite Micro refuses; ours imports it with float32 inputs and outputs`, () => {
      const r = spawnSync(TFLM_RUN, ['--info', path], { encoding: 'utf8' });
      assert.is.not(r.status, 0);
      assert.match(r.stderr, /Hybrid models are not supported on TFLite Micro/);
      const c = compile(new Uint8Array(readFileSync(path)), file, { name, board: 'host', planOnly: true });
      assert.equal([...c.program.inputs, ...c.program.outputs].map((t) => t.dtype), ['float32', 'float32']);
    });
  } else test(`${file}: inspect's inputs and outputs (type, shape, scale, zero point) are TFLite Micro's`, () => {
    const r = utvm(['inspect', path, '--json']);
    assert.is(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { inputs: { dtype: string; shape: number[]; quant?: { scale: number[]; zeroPoint: number[] } }[]; outputs: typeof report.inputs };
    const ours = [...report.inputs.map((t) => ({ kind: 'input', t })), ...report.outputs.map((t) => ({ kind: 'output', t }))];
    const theirs = tflmInfo(path);
    assert.is(ours.length, theirs.length);
    ours.forEach(({ kind, t }, i) => {
      const e = theirs[i];
      assert.is(kind, e.kind);
      assert.is(t.dtype, e.dtype, `${kind} ${i}`);
      assert.equal(t.shape, e.shape, `${kind} ${i}`);
      if (t.dtype === 'float32') return;
      // tflm-run prints 6 significant digits
      assert.is(Number(t.quant!.scale[0].toPrecision(6)), e.scale, `${kind} ${i} scale`);
      assert.is(t.quant!.zeroPoint[0], e.zp, `${kind} ${i} zero point`);
    });
  });

  if (!OWN_FILE.has(file) && !HYBRID.has(file)) {
    test(`${file}: host build = TFLite Micro on 3 seeded random inputs`, () => {
      const bytes = new Uint8Array(readFileSync(path));
      const r = compile(bytes, file, { name, board: 'host' });
      const cases = [0, 1, 2].map((k) => r.program.inputs.map((t, i) => randomCase(t, 7000 + 10 * k + i)));
      const ours = runCompiled(r, cases);
      const theirs = runTflm(bytes, cases.map((c) => c.map(toBytes)), r.program.outputs.length);
      if (r.program.outputs.every((o) => o.dtype !== 'float32')) {
        const n = assertSameBytes(file, ours, theirs);
        console.log(`  ${file}: ${n} output bytes equal TFLM's`);
        return;
      }
      let worst = -Infinity;
      ours.forEach((outs, k) =>
        outs.forEach((o, j) => {
          const b = new Float32Array(theirs[k][j].buffer.slice(theirs[k][j].byteOffset, theirs[k][j].byteOffset + theirs[k][j].byteLength));
          worst = Math.max(worst, floatExcess(o.data as Float32Array, b));
        }),
      );
      console.log(`  ${file}: float32 outputs within 1e-4 rel + 1e-5 abs of TFLM's (worst excess ${worst.toExponential(2)})`);
      assert.ok(worst <= 0, `${file}: an output is ${worst} beyond the tolerance`);
    });
  }

  test(`${file}: fits ${BOARD}, or export refuses it with the bytes over and inspect --board shows its plan`, () => {
    const bytes = new Uint8Array(readFileSync(path));
    const r = compile(bytes, file, { name, board: BOARD, planOnly: true });
    if (!TOO_BIG.has(file)) {
      assert.is(r.doesNotFit, undefined);
      console.log(`  ${file}: arena ${r.program.arenaBytes} B (lower bound ${r.plan.lowerBound}), weights ${r.program.weightBytes} B`);
      return;
    }
    const p = r.program;
    const sram = 245760;
    const flash = 1048576 - 65536;
    // a plan spread over several memories (SRAM1 and DTCM on the Nucleo) is checked per memory
    const spread = r.plan.arenas.length > 1;
    const overIn = r.plan.arenas.filter((a) => a.arenaBytes > (a.capacity ?? Infinity));
    const over = [
      ...(spread && overIn.length > 0 ? [overIn.map((a) => `the arena does not fit (by ${a.arenaBytes - (a.capacity ?? 0)} bytes, in ${a.memory}: needs ${a.arenaBytes} bytes, has ${a.capacity})`).join(' and ')] : []),
      ...(!spread && p.arenaBytes > sram ? [`the arena needs ${p.arenaBytes} bytes but SRAM1 has ${sram} (over by ${p.arenaBytes - sram} bytes)`] : []),
      ...(p.weightBytes > flash ? [`the weights need ${p.weightBytes} bytes but FLASH has ${flash} (over by ${p.weightBytes - flash} bytes; FLASH is 1048576 bytes, 65536 reserved for code)`] : []),
    ];
    assert.ok(over.length > 0);
    const why = `model '${name}' does not fit board '${BOARD}': ${over.join(' and ')}`;
    const out = mkdtempSync(join(tmpdir(), 'utvm-toobig-'));
    try {
      assertFails(utvm(['export', path, '--board', BOARD, '-o', join(out, 'x')]), 1, [`utvm-aot: error E_DOES_NOT_FIT: ${why}`]);
      assert.not.ok(existsSync(join(out, 'x')), 'no folder is left');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const shown = utvm(['inspect', path, '--board', BOARD]);
    assert.is(shown.status, 0, shown.stderr);
    const lines = shown.stdout.trimEnd().split('\n');
    assert.ok(lines.includes(`arena: ${p.arenaBytes} bytes, lower bound: ${r.plan.arenas[0].lowerBound} bytes (+0.0 %)`), shown.stdout.slice(-600));
    assert.is(lines[lines.length - 1], `does not fit: ${why}`);
    const json = JSON.parse(utvm(['inspect', path, '--board', BOARD, '--json']).stdout) as { doesNotFit?: string; arenaBytes: number };
    assert.is(json.doesNotFit, why);
    assert.is(json.arenaBytes, p.arenaBytes);
  });
}

test.run();
