/**
 * TFLite UNIDIRECTIONAL_SEQUENCE_LSTM (src/ops/lstm/): TensorFlow Lite Micro's integer LSTM (int8 input,
 * output and weights, int16 cell state and gates, int32 biases) and its float32 LSTM, against the oracle
 * (tflm-run) byte for byte.
 *   - Models built here hold several LSTMs at once, each with its own input, state and output: odd sizes,
 *     batch-major with one and several batches, time-major with several batches, with and without a cell
 *     clip (one small enough to clip), hidden-state zero points of both signs and a hidden scale small
 *     enough to saturate, cell-state scales 2^-9, 2^-11, 2^-12 and 2^-15 (the int16 tanh's two input
 *     scalings), gate weights large enough to saturate the sigmoid and tanh tables.
 *   - The three real models of ../shared/models/tflm (trained_lstm_int8, micro_speech_lstm,
 *     dtln_noise_suppression) on seeded random inputs, all outputs; trained_lstm_int8 layer by layer.
 *   - The int8 model built here on the emulated Cortex-M7 (the DSP kernel utvm_lstm_s8_dsp), in one
 *     emulator run; the real models run there in tflm-models-qemu.test.ts.
 *   - State: a generated C program calls the model's API: runs continue from the state the previous run
 *     left (two one-step runs = the second step of TFLite Micro's two-step sequence), <name>_reset()
 *     brings back the first run's result.
 *   - What TFLite Micro does not run is refused with E_UNSUPPORTED_ATTR (peephole, projection, layer
 *     norm, CIFG, per-channel weights, a cell activation other than TANH).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { buildHost } from '../../src/run/host.js';
import { writeFileMap } from '../../src/io/files.js';
import { runWithIntermediates } from '../../src/run/debug.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { mulberry32, randomInts } from '../util/random.js';
import { OpSpec, TensorSpec, buildTflite, unidirectionalLstmOptions } from '../util/tflite-build.js';
import { CELLS, addLstm, buildModel, randomCases, type Cell } from '../util/lstm-models.js';
import { TFLM_MODELS, assertSameBytes, runTflm, runTflmLayers } from '../util/tflm.js';

test('int8 LSTMs (odd sizes, batch- and time-major, cell clip, cell scales 2^-9..2^-15): host = TFLM bit for bit', () => {
  const m = buildModel('int8');
  const g = loadGraph(m.bytes, 'lstm_int8.tflite', 'lstm_int8');
  assert.is(g.nodes.filter((n) => n.op === 'lstm').length, CELLS.length);
  assert.is([...g.tensors.values()].filter((t) => t.variable).length, 2 * CELLS.length);
  const cases = randomCases(m.inputShapes, 'int8', 1301, 3);
  const ours = runModel(m.bytes, 'lstm_int8.tflite', cases, { target: 'host', name: 'lstm_int8' });
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), CELLS.length);
  assertSameBytes('int8 lstm', ours, theirs);
  const values = ours.flatMap((outs) => outs.flatMap((o) => [...(o.data as Int8Array)]));
  assert.ok(values.includes(127) && values.includes(-128), 'some hidden state saturates both ways');
});

test('float32 LSTMs: host = TFLM bit for bit (the same operation order, and the host libm\'s expf / tanhf)', () => {
  const m = buildModel('float32');
  const cases = randomCases(m.inputShapes, 'float32', 1302, 2);
  const ours = runModel(m.bytes, 'lstm_f32.tflite', cases, { target: 'host', name: 'lstm_f32' });
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), CELLS.length);
  assertSameBytes('float32 lstm', ours, theirs);
});

test('float32 LSTMs on qemu-mps2-an500 = TFLM within 1e-6 (newlib\'s expf / tanhf may differ from glibc\'s in the last bit)', () => {
  const m = buildModel('float32');
  const cases = randomCases(m.inputShapes, 'float32', 1304, 1);
  const ours = runCompiled(compile(m.bytes, 'lstm_f32.tflite', { name: 'lstm_f32', board: targetBoard('qemu') }), cases);
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), CELLS.length);
  let worst = 0;
  ours.forEach((outs, k) => outs.forEach((o, j) => {
    const b = new Float32Array(theirs[k][j].slice().buffer);
    (o.data as Float32Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
  }));
  console.log(`  float32 LSTM on qemu: largest difference from TFLM ${worst}`);
  assert.ok(worst <= 1e-6, `largest difference ${worst}`);
});

test('the int8 LSTMs on qemu-mps2-an500 (utvm_lstm_s8_dsp, SMLAD) = TFLM, one emulator run', () => {
  const m = buildModel('int8');
  const result = compile(m.bytes, 'lstm_int8.tflite', { name: 'lstm_int8', board: targetBoard('qemu') });
  assert.ok([...result.files.keys()].some((f) => f.endsWith('/utvm_lstm_s8_dsp.c')), 'the DSP kernel');
  const cases = randomCases(m.inputShapes, 'int8', 1303, 2);
  const ours = runCompiled(result, cases);
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), CELLS.length);
  assertSameBytes('qemu int8 lstm', ours, theirs);
});

// ---------------------------------------------------------------------------------------------------
// The real models

const REAL = [
  { file: 'trained_lstm_int8.tflite', cases: 4 },
  { file: 'micro_speech_lstm.tflite', cases: 3 },
  { file: 'dtln_noise_suppression.tflite', cases: 4 },
];

function realCases(bytes: Uint8Array, file: string, seed: number, count: number): TensorValue[][] {
  const g = loadGraph(bytes, file, 'm');
  return randomCases(g.inputs.map((n) => g.tensor(n).shape), 'int8', seed, count);
}

REAL.forEach(({ file, cases: count }, k) => {
  test(`${file}: host = TFLM bit for bit on ${count} seeded random inputs (qemu: tflm-models-qemu.test.ts)`, () => {
    const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, file)));
    const cases = realCases(bytes, file, 1310 + k, count);
    const theirs = runTflm(bytes, cases.map((c) => c.map(toBytes)), 1);
    const host = runModel(bytes, file, cases, { target: 'host', name: 'real' });
    assertSameBytes(`${file} host`, host, theirs);
  });
});

test('trained_lstm_int8.tflite: every operator gives TFLite Micro\'s bytes (host debug build)', () => {
  const file = 'trained_lstm_int8.tflite';
  const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, file)));
  const [x] = realCases(bytes, file, 1320, 1)[0];
  const ours = runWithIntermediates(bytes, file, [x], { name: 'trained_lstm' });
  const names = tfliteOperatorOutputs(bytes, file);
  const theirs = runTflmLayers(bytes, toBytes(x));
  assert.is(theirs.length, 4);
  const differ = theirs.filter((l) => {
    const mine = ours.get(names[l.op]);
    return !mine || mine.length !== l.bytes.length || mine.some((v, i) => v !== l.bytes[i]);
  });
  assert.is(differ.length, 0, `first layer that differs: #${differ[0]?.op} ${differ[0]?.opName}`);
});

// ---------------------------------------------------------------------------------------------------
// State across runs, through the generated C API

const STATE_MAIN = `#include <stdio.h>
#include <string.h>
#include "model/lstm_state.h"

/* Writes the bytes of output 0 after each of: run x0, run x1, reset, run x0. */
int main(int argc, char **argv)
{
    static int8_t x[2][N_IN];
    static int8_t y[3][N_OUT];
    FILE *f;
    (void)argc;
    f = fopen(argv[1], "rb");
    if (f == NULL || fread(x, 1, sizeof x, f) != sizeof x) return 1;
    fclose(f);
    if (lstm_state_init() != UTVM_OK) return 1;
    memcpy(lstm_state_input(0), x[0], N_IN);
    if (lstm_state_run() != UTVM_OK) return 1;
    memcpy(lstm_state_input(0), x[1], N_IN);
    if (lstm_state_run() != UTVM_OK) return 1;
    memcpy(y[0], lstm_state_output(0), N_OUT);
    if (lstm_state_reset() != UTVM_OK) return 1;
    memcpy(lstm_state_input(0), x[0], N_IN);
    if (lstm_state_run() != UTVM_OK) return 1;
    memcpy(y[1], lstm_state_output(0), N_OUT);
    if (lstm_state_reset() != UTVM_OK) return 1;
    memcpy(lstm_state_input(0), x[1], N_IN);
    if (lstm_state_run() != UTVM_OK) return 1;
    memcpy(y[2], lstm_state_output(0), N_OUT);
    fwrite(y, 1, sizeof y, stdout);
    return 0;
}
`;

test('state: two one-step runs = TFLM\'s two-step sequence; <name>_reset() starts over (C API, host)', () => {
  // The same LSTM with one time step (compiled) and with two (run by TFLM), time major, two batches.
  const base: Cell = { batches: 2, steps: 1, input: 6, state: 5, timeMajor: true, cellClip: 2, xq: [0.04, 3], hq: [0.008, -2], cellPower: -11, weightScale: 0.01 };
  const one = buildModel('int8', [base], 1330);
  const two = buildModel('int8', [{ ...base, steps: 2 }], 1330);
  const nIn = base.batches * base.input;
  const nOut = base.batches * base.state;
  const xs = Int8Array.from(randomInts(mulberry32(1331), 2 * nIn, -128, 127));
  const [seq] = runTflm(two.bytes, [[new Uint8Array(xs.buffer)]], 1);
  const [first] = runTflm(one.bytes, [[new Uint8Array(xs.buffer, 0, nIn)]], 1);
  const [second] = runTflm(one.bytes, [[new Uint8Array(xs.buffer, nIn, nIn)]], 1);
  const result = compile(one.bytes, 'lstm_state.tflite', { name: 'lstm_state', board: 'host' });
  const dir = mkdtempSync(join(tmpdir(), 'utvm-lstm-state-'));
  try {
    writeFileMap(dir, result.files);
    writeFileSync(join(dir, 'main.c'), `#define N_IN ${nIn}\n#define N_OUT ${nOut}\n${STATE_MAIN}`);
    const exe = buildHost(dir, 'lstm_state');
    writeFileSync(join(dir, 'x.bin'), xs);
    const out = new Uint8Array(execFileSync(exe, [join(dir, 'x.bin')]));
    assert.equal([...out.subarray(0, nOut)], [...seq[0].subarray(nOut)], 'run x0 then x1 = step 2 of the sequence x0, x1');
    assert.equal([...out.subarray(nOut, 2 * nOut)], [...first[0]], 'after reset, x0 alone');
    assert.equal([...out.subarray(2 * nOut)], [...second[0]], 'after reset, x1 alone');
    assert.not.equal([...second[0]], [...seq[0].subarray(nOut)], 'the state matters');
    const header = result.files.get('model/lstm_state.h') as string;
    assert.match(header, 'utvm_status lstm_state_reset(void);');
    assert.match(header, 'utvm_status lstm_state_reset_with_arena(void *arena, size_t size);');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('state tensors are planned for the whole run, apart from every other tensor', () => {
  const file = 'dtln_noise_suppression.tflite';
  const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, file)));
  const { plan, graph, program } = compile(bytes, file, { name: 'dtln', board: 'host' });
  const state = [...graph.tensors.values()].filter((t) => t.variable).map((t) => t.name);
  assert.is(state.length, 4);
  assert.equal(program.state.map((s) => s.name).sort(), [...state].sort());
  for (const b of plan.buffers.filter((b) => b.tensors.some((t) => state.includes(t)))) {
    assert.is(b.first, 0);
    assert.is(b.last, plan.steps - 1);
    assert.equal(b.tensors.length, 1, `${b.id} shares its buffer`);
  }
  // int8 hidden state starts at its zero point (-4 for the second LSTM), as TFLite Micro resets it
  assert.ok(program.state.some((s) => s.fill === -4));
});

// ---------------------------------------------------------------------------------------------------
// What TFLite Micro does not run

function refused(extra: Partial<Record<number, TensorSpec>>, cell: Partial<Cell>, options: Record<string, number> = {}): string {
  const c: Cell = { ...CELLS[0], ...cell };
  const tensors: TensorSpec[] = [];
  const operators: OpSpec[] = [];
  const { x, y } = addLstm(tensors, operators, c, 'int8', mulberry32(1340), 0, extra);
  if (options.activation !== undefined) operators[0].options = unidirectionalLstmOptions({ activation: options.activation });
  if (options.dropInputGate) operators[0].inputs[1] = -1;
  if (options.perChannel) tensors[operators[0].inputs[2]].quant = { scale: Array(c.state).fill(0.02), zeroPoint: Array(c.state).fill(0), axis: 0 };
  const bytes = buildTflite({ tensors, operators, inputs: [x], outputs: [y] });
  try {
    runModel(bytes, 'bad_lstm.tflite', [], { target: 'host', name: 'bad_lstm' });
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_UNSUPPORTED_ATTR', (e as Error).message);
    return (e as Error).message;
  }
  assert.unreachable('compiled');
  return '';
}

test('LSTM variants TFLite Micro does not run → E_UNSUPPORTED_ATTR', () => {
  const vec = (name: string): TensorSpec => ({ name, shape: [9], type: 'int16', data: Array(9).fill(1), quant: { scale: [0.001], zeroPoint: [0] } });
  assert.match(refused({ 9: vec('peephole') }, {}), 'an LSTM with peephole weights (TensorFlow Lite Micro runs the standard LSTM only) is not supported');
  assert.match(refused({ 16: { name: 'proj', shape: [9, 9], type: 'int8', data: Array(81).fill(1), quant: { scale: [0.01], zeroPoint: [0] } } }, {}), 'an LSTM with a projection layer');
  assert.match(refused({ 20: vec('ln') }, {}), 'an LSTM with layer normalization');
  assert.match(refused({}, {}, { dropInputGate: 1 }), 'an LSTM without input gate weights (CIFG');
  assert.match(refused({}, {}, { activation: 1 }), 'an LSTM cell activation other than TANH (1) is not supported');
  assert.match(refused({}, {}, { perChannel: 1 }), 'are quantized per channel; TensorFlow Lite Micro\'s LSTM takes per-tensor weights only');
});

test.run();
