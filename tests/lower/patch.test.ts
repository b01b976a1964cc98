/**
 * Patch-based execution (src/lower/patch/): the row bands of a window, the stages, modes (line buffers,
 * recomputation) and tile heights the planner picks for a RAM budget on the MLPerf Tiny int8 models (plans
 * on the emulated M7's board), the budget errors, and bit-exactness on the host: budgets down to 0.4x
 * TFLite Micro's planned area in both modes (kws's global pool folded band by band), the fixed input pattern
 * against TensorFlow Lite Micro's output (the baseline) and three random inputs against the reference
 * interpreter, each budget one host build with all four cases.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, importGraph, patternInput } from '../../src/compile.js';
import { windowBand } from '../../src/lower/patch/rows.js';
import { runModel, runReference } from '../../src/run/index.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { failure } from '../util/errors.js';
import { ModelKey, readBaseline, readModel, sameBytes } from '../util/mlperf.js';
import { linesOf, utvm } from '../util/cli.js';
import { mulberry32 } from '../util/random.js';

const M7 = 'qemu-mps2-an500';

function plan(key: ModelKey, ramBudget: number, board = M7) {
  const m = readModel(key, 'int8');
  return compile(m.bytes, m.fileName, { name: key, board, ramBudget, planOnly: true });
}

test('windowBand: the input rows of output rows, with the band padding at the image edges only', () => {
  const w = { kernel: 3, stride: 2, dilation: 1, padTop: 1 };
  assert.equal(windowBand(w, 10, 0, 2), { first: 0, count: 4, padTop: 1, padBottom: 0 });
  assert.equal(windowBand(w, 10, 2, 4), { first: 3, count: 5, padTop: 0, padBottom: 0 });
  assert.equal(windowBand(w, 10, 4, 5), { first: 7, count: 3, padTop: 0, padBottom: 0 });
  assert.equal(windowBand(w, 9, 4, 5), { first: 7, count: 2, padTop: 0, padBottom: 1 });
  assert.equal(windowBand({ kernel: 3, stride: 1, dilation: 2, padTop: 2 }, 8, 3, 5), { first: 1, count: 6, padTop: 0, padBottom: 0 });
});

test('vww, budget 36,864 B (0.5x TFLite Micro): two line-buffer stages over the 48x48 and 24x24 layers, arena 35,392 B', () => {
  const r = plan('vww', 36864);
  assert.is(r.patch!.baseArena, 46192);
  assert.is(r.plan.arenaBytes, 35392);
  assert.is(r.plan.lowerBound, 35392);
  const stages = r.patch!.stages.map((s) => `${s.nodes.join('+')} rows ${s.tileRows} x${s.tiles} tiles ${s.tileBytes} B +${s.extraMacs} MACs ${s.mode}${s.overwrites ? ' over input' : ''}`);
  assert.equal(stages, [
    'conv2d0+conv2d1 rows 16 x3 tiles 6912 B +0 MACs keep over input',
    'conv2d2+conv2d3+conv2d4+conv2d5 rows 2 x12 tiles 7680 B +0 MACs keep over input',
  ]);
});

test('kws, budget 8,000 B: the whole network to its global average pool in one line-buffer stage, arena 6,448 B', () => {
  const r = plan('kws', 8000);
  assert.is(r.patch!.baseArena, 16000);
  assert.is(r.plan.arenaBytes, 6448);
  const [s] = r.patch!.stages;
  assert.equal([s.nodes.length, s.nodes[9], s.mode, s.tileRows, s.tiles, s.tileBytes, s.macs, s.baseMacs, s.movedBytes], [10, 'pool2d9', 'keep', 1, 25, 5696, 2656000, 2656000, 56320]);
  // Row buffers: three 5x64 rows for each depthwise 3x3's input, one for each 1x1's, and 64 int32 sums.
  assert.is(5696, 4 * 3 * 320 + 5 * 320 + 256);
  // Recomputing instead of keeping rows: 6,128 B at 4.3x the MACs, the smallest arena there is.
  const tight = plan('kws', 6200);
  assert.equal(tight.patch!.stages.map((x) => [x.mode, x.tileBytes, x.macs]), [['recompute', 5376, 11500800]]);
  assert.is(tight.plan.arenaBytes, 6128);
});

test('a budget the layer-by-layer plan meets adds no stage; a looser budget picks cheaper stages', () => {
  const none = plan('vww', 46192);
  assert.is(none.patch!.stages.length, 0);
  assert.is(none.plan.arenaBytes, 46192);
  const loose = plan('vww', 40000);
  assert.is(loose.plan.arenaBytes, 39296);
  assert.equal(loose.patch!.stages.map((s) => [s.nodes.length, s.tileRows, s.movedBytes]), [[2, 24, 768], [2, 6, 2304], [4, 3, 14592]]);
  // ic: two stages (the first residual block from the input; the second block's two 3x3 convolutions)
  // at 30,000 B; at 24,576 B (0.5x TFLite Micro) one stage through both blocks.
  const ic = plan('ic', 30000);
  assert.is(ic.patch!.baseArena, 35392);
  assert.is(ic.plan.arenaBytes, 29824);
  assert.equal(ic.patch!.stages.map((s) => [s.nodes.join('+'), s.tileRows, s.tileBytes, s.extraMacs]), [
    ['conv2d0+conv2d1+conv2d2_add3', 8, 12288, 0],
    ['conv2d4+conv2d5', 6, 4096, 0],
  ]);
  const half = plan('ic', 24576);
  assert.is(half.plan.arenaBytes, 21120);
  assert.equal(half.patch!.stages.map((s) => [s.nodes.length, s.tileRows, s.tileBytes, s.extraMacs]), [[6, 2, 11776, 0]]);
});

test('budgets nothing meets: E_DOES_NOT_FIT, one line, by how many bytes', () => {
  assert.is(failure(() => plan('kws', 6000)), "E_DOES_NOT_FIT: --ram-budget 6000: the smallest arena the patch planner found for 'kws' is 6128 bytes, 128 bytes over the budget");
  assert.is(failure(() => plan('ad', 500)), "E_DOES_NOT_FIT: --ram-budget 500: the smallest arena the patch planner found for 'ad' is 1552 bytes, 1052 bytes over the budget");
  assert.is(failure(() => plan('ic', 17000)), "E_DOES_NOT_FIT: --ram-budget 17000: the smallest arena the patch planner found for 'ic' is 18688 bytes, 1688 bytes over the budget");
});

test('CLI: inspect --ram-budget prints the stages; a bad or unmeetable budget is one line', () => {
  const m = readModel('vww', 'int8');
  const ok = utvm(['inspect', m.path, '--board', M7, '--ram-budget', '36864']);
  assert.is(ok.status, 0, ok.stderr);
  const lines = linesOf(ok.stdout);
  assert.ok(lines.includes('patch stages (--ram-budget): 2; arena layer by layer 46192 bytes, with the stages 35392 bytes (lower bound 35392)'), ok.stdout.slice(-1500));
  assert.ok(lines.includes('  patch_conv2d0: 2 layers (conv2d0, conv2d1) in 3 bands of 16 rows, row buffers 6,912 bytes, output over input, 663,552 MACs, line buffers (1,536 bytes moved)'), ok.stdout.slice(-1500));
  const bad = utvm(['inspect', m.path, '--ram-budget', '12k']);
  assert.is(bad.status, 2);
  assert.equal(linesOf(bad.stderr), ["utvm-aot: error E_USAGE: --ram-budget '12k' is not a whole number"]);
  const ad = readModel('ad', 'int8');
  const tight = utvm(['export', ad.path, '--board', M7, '--ram-budget', '500', '-o', '/nonexistent/never-written']);
  assert.is(tight.status, 1);
  assert.equal(linesOf(tight.stderr), ["utvm-aot: error E_DOES_NOT_FIT: --ram-budget 500: the smallest arena the patch planner found for 'ad01_int8' is 1552 bytes, 1052 bytes over the budget"]);
});

/** The pattern input and three random ones. */
function cases(key: ModelKey): TensorValue[][] {
  const m = readModel(key, 'int8');
  const g = importGraph(m.bytes, m.fileName, key);
  const rand = mulberry32(18);
  const shape = g.tensor(g.inputs[0]).shape;
  const random = () => {
    const v = patternInput('int8', shape);
    const d = v.data as Int8Array;
    for (let i = 0; i < d.length; i++) d[i] = Math.floor(rand() * 256) - 128;
    return [v];
  };
  return [[patternInput('int8', shape)], random(), random(), random()];
}

const HOST_BUDGETS: [ModelKey, number][] = [['ic', 30000], ['ic', 24576], ['kws', 8000], ['kws', 6200], ['vww', 36864], ['vww', 35000]];

test('host: patch plans at several budgets give the layer-by-layer bytes (pattern = TFLite Micro, random = reference)', () => {
  const baseline = readBaseline();
  const expected = new Map<ModelKey, TensorValue[][]>();
  for (const [key, budget] of HOST_BUDGETS) {
    const m = readModel(key, 'int8');
    const input = cases(key);
    if (!expected.has(key)) expected.set(key, runReference(importGraph(m.bytes, m.fileName, key), input.slice(1)));
    const stages = plan(key, budget, 'host').patch!.stages.length;
    assert.ok(stages > 0, `${key} at ${budget}: a stage`);
    const got = runModel(m.bytes, m.fileName, input, { target: 'host', ramBudget: budget });
    assert.ok(sameBytes(got[0][0].data as Int8Array, baseline[key].output), `${key} at ${budget} B: pattern output ${[...(got[0][0].data as Int8Array)]} is TFLite Micro's ${baseline[key].output}`);
    expected.get(key)!.forEach((want, i) => {
      assert.ok(sameBytes(got[i + 1][0].data as Int8Array, want[0].data as Int8Array), `${key} at ${budget} B: random case ${i}`);
    });
    console.log(`  ${key} at ${budget} B: ${stages} stage(s), 4 of 4 cases exact`);
  }
});

test.run();
