/**
 * `runIntermediates` (src/run/debug.ts): every runtime tensor after each case, all cases in one process —
 * the host build's runner and the emulated Cortex-M7's firmware (one emulator run) write the arena after
 * each case (-DUTVM_DEBUG; the batch line's extra path). On a float ONNX model (the residual block: a
 * reshape alias, relu and sigmoid that run in place in a normal plan) and an int8 TFLite model (MLPerf
 * Tiny's anomaly detector), for three cases:
 *   - each case's host dump equals a single-case `runWithIntermediates` of that case (no state or bytes
 *     carried between cases), and the cases' dumps differ from one another;
 *   - the dumped graph outputs equal the normal (reusing) build's outputs on the same target;
 *   - host and Cortex-M7 dumps hold the same tensors: integer tensors byte for byte, float tensors
 *     within 1e-6 of the tensor's largest magnitude (newlib's expf is not glibc's).
 */

import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CompileResult, compile } from '../../src/compile.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import type { Counter, Progress } from '../../src/progress.js';
import { runIntermediates, runWithIntermediates } from '../../src/run/debug.js';
import { QEMU_BOARD } from '../../src/run/qemu.js';
import { runCompiled } from '../../src/run/index.js';
import { randomCase, residualModel } from '../util/e2e-models.js';
import { mulberry32, randomInts } from '../util/random.js';
import { readModel } from '../util/mlperf.js';

const FLOAT_TOL = 1e-6;

interface Subject {
  label: string;
  bytes: Uint8Array;
  fileName: string;
  cases: TensorValue[][];
}

function floatSubject(): Subject {
  const m = residualModel();
  const cases = [1, 2, 3].map((seed) => randomCase(m, seed).map(({ dtype, shape, data }) => ({ dtype, shape, data }) as TensorValue));
  return { label: 'residual (float32 ONNX)', bytes: m.bytes, fileName: 'residual.onnx', cases };
}

function int8Subject(): Subject {
  const m = readModel('ad', 'int8');
  const rng = mulberry32(0xad);
  const cases = [0, 1, 2].map(() => [{ dtype: 'int8', shape: [1, 640], data: Int8Array.from(randomInts(rng, 640, -128, 128)) } as TensorValue]);
  return { label: 'ad01_int8 (int8 TFLite)', bytes: new Uint8Array(readFileSync(m.path)), fileName: m.fileName, cases };
}

/** A Progress that records how the cases were counted: one tick per process (emulator) run. */
function recorder(): { progress: Progress; ticks: number[]; steps: string[] } {
  const ticks: number[] = [];
  const steps: string[] = [];
  const counter: Counter = { tick: (n = 1) => void ticks.push(n), done: () => undefined };
  return { progress: { step: (t) => void steps.push(t), count: () => counter }, ticks, steps };
}

function debugCompile(s: Subject, board: string): CompileResult {
  return compile(s.bytes, s.fileName, { name: 'dbg', board, debugTensors: true });
}

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) => a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b));

function floats(b: Uint8Array): Float32Array {
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

for (const make of [floatSubject, int8Subject]) {
  test(`${make.name}: host dumps of 3 cases in one process = single-case runWithIntermediates, outputs = the normal build's`, () => {
    const s = make();
    const compiled = debugCompile(s, 'host');
    const rec = recorder();
    const dumps = runIntermediates(compiled, s.cases, rec.progress);
    assert.equal(rec.ticks, [3], 'all cases in one process');
    assert.match(rec.steps[0], /-DUTVM_DEBUG/);
    assert.is(dumps.length, 3);
    const runtime = [...compiled.graph.tensors.values()].filter((t) => t.data === undefined).map((t) => t.name).sort();
    dumps.forEach((d, k) => {
      assert.equal([...d.keys()].sort(), runtime, `case ${k}: every runtime tensor`);
      const single = runWithIntermediates(s.bytes, s.fileName, s.cases[k], { name: 'dbg' });
      for (const [name, bytes] of single) assert.ok(same(d.get(name), bytes), `${s.label} case ${k}: '${name}' differs from the single-case run`);
    });
    const normal = runCompiled(compile(s.bytes, s.fileName, { name: 'dbg', board: 'host' }), s.cases);
    dumps.forEach((d, k) => compiled.graph.outputs.forEach((o, i) => assert.ok(same(d.get(o), toBytes(normal[k][i])), `case ${k}: output '${o}' = the normal build's`)));
    for (const name of runtime) {
      if (compiled.graph.inputs.includes(name)) continue;
      assert.ok(!same(dumps[0].get(name), dumps[1].get(name)) || !same(dumps[1].get(name), dumps[2].get(name)), `'${name}' is the same in every case`);
    }
  });

  test(`${make.name}: the emulated Cortex-M7 dumps 3 cases in one emulator run, equal to the host's`, () => {
    const s = make();
    const host = runIntermediates(debugCompile(s, 'host'), s.cases);
    const m7Compiled = debugCompile(s, QEMU_BOARD);
    const rec = recorder();
    const m7 = runIntermediates(m7Compiled, s.cases, rec.progress);
    assert.equal(rec.ticks, [3], 'all cases in one emulator run');
    const normal = runCompiled(compile(s.bytes, s.fileName, { name: 'dbg', board: QEMU_BOARD }), s.cases);
    let exact = 0;
    m7.forEach((d, k) => {
      assert.equal([...d.keys()].sort(), [...host[k].keys()].sort(), `case ${k}: the same tensors`);
      m7Compiled.graph.outputs.forEach((o, i) => assert.ok(same(d.get(o), toBytes(normal[k][i])), `case ${k}: output '${o}' = the normal firmware's`));
      for (const [name, bytes] of d) {
        const h = host[k].get(name)!;
        if (same(bytes, h)) {
          exact++;
          continue;
        }
        assert.is(m7Compiled.graph.tensor(name).dtype, 'float32', `${s.label} case ${k}: integer tensor '${name}' differs between host and Cortex-M7`);
        const a = floats(bytes);
        const b = floats(h);
        const scale = Math.max(1e-30, ...Array.from(b, Math.abs));
        const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
        assert.ok(worst <= FLOAT_TOL * scale, `${s.label} case ${k}: '${name}' differs by ${worst} (max |value| ${scale})`);
      }
    });
    console.log(`  ${s.label}: ${exact} of ${m7.length * m7[0].size} tensors byte-identical on host and Cortex-M7`);
  });
}

test('a plan that reuses memory is refused (internal error naming debugTensors)', () => {
  const s = floatSubject();
  const compiled = compile(s.bytes, s.fileName, { name: 'dbg', board: 'host' });
  assert.throws(() => runIntermediates(compiled, s.cases), /runIntermediates needs a model compiled with debugTensors/);
});

test.run();
