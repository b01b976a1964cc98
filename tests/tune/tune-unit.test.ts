/**
 * The tuner's pure parts (src/tune/): workload keys, the log's parser (every kind of bad line gives one
 * exact E_TUNING_LOG line), choosing schedules from a log (best, ties, unknown knobs, the flash budget),
 * and the search (exhaustive, seeded and deterministic, within its budget).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGraph } from '../../src/compile.js';
import { UtvmError } from '../../src/diagnostics.js';
import type { Knob, Schedule } from '../../src/ops/op.js';
import { workloadKey } from '../../src/tune/key.js';
import { TuningRecord, configId, formatRecord, parseTuningLog } from '../../src/tune/log.js';
import { chooseSchedules, formatTuningSummary } from '../../src/tune/apply.js';
import { allConfigs, search } from '../../src/tune/space.js';
import { findWorkloads } from '../../src/tune/index.js';
import { resumeTuningLog } from '../../src/io/tuning-file.js';
import { buildTflite, conv2dOptions, poolOptions } from '../util/tflite-build.js';
import { candidatesPerFirmware } from '../../src/tune/measure.js';
import { defaultConfig } from '../../src/tune/apply.js';
import { nodeKnobs } from '../../src/lower/index.js';

const DSP = { dsp: true, rounding: 'tflite' as const };
const Q = { scale: [0.05], zeroPoint: [-3] };

/** An int8 model: input [1,h,w,c] → AVERAGE_POOL_2D (filter, stride) → then a MAX_POOL_2D 1x1 (no knob). */
function poolModel(h: number, w: number, c: number, filter: [number, number], scale = 0.05): Uint8Array {
  const q = { scale: [scale], zeroPoint: [-3] };
  const oh = Math.floor((h - filter[0]) / filter[0]) + 1;
  const ow = Math.floor((w - filter[1]) / filter[1]) + 1;
  return buildTflite({
    tensors: [
      { name: 'x', shape: [1, h, w, c], type: 'int8', quant: q },
      { name: 'p', shape: [1, oh, ow, c], type: 'int8', quant: q },
      { name: 'y', shape: [1, oh, ow, c], type: 'int8', quant: q },
    ],
    inputs: [0],
    outputs: [2],
    operators: [
      { op: 'AVERAGE_POOL_2D', version: 2, inputs: [0], outputs: [1], options: poolOptions({ padding: 'VALID', stride: filter, filter }) },
      { op: 'MAX_POOL_2D', version: 2, inputs: [1], outputs: [2], options: poolOptions({ padding: 'VALID', stride: [1, 1], filter: [1, 1] }) },
    ],
  });
}

function keysOf(bytes: Uint8Array, target = DSP): string[] {
  const g = loadGraph(bytes, 'm.tflite', 'm');
  return g.nodes.map((n) => workloadKey(g, n, target));
}

test('workload key: operator, shapes, dtypes, attributes, quantization kind and core; not the scales', () => {
  const [pool] = keysOf(poolModel(8, 8, 64, [8, 8]));
  assert.is(pool, 'pool2d|dsp|in=i8[1,8,8,64]p|out=i8[1,1,1,64]p|{"countIncludePad":false,"dilations":[1,1],"kernel":[8,8],"kind":"avg","pads":[0,0,0,0],"strides":[8,8]}');
  assert.is(keysOf(poolModel(8, 8, 64, [8, 8], 0.5))[0], pool, 'another model, other scales: the same workload');
  assert.is.not(keysOf(poolModel(8, 8, 32, [8, 8]))[0], pool, 'channels');
  assert.is.not(keysOf(poolModel(8, 8, 64, [4, 4]))[0], pool, 'window');
  assert.is(keysOf(poolModel(8, 8, 64, [8, 8]), { dsp: false, rounding: 'tflite' })[0], pool.replace('|dsp|', '|c|'), 'core');
});

test('workloads: the layers with knobs on the core, grouped by key', () => {
  const g = loadGraph(poolModel(25, 5, 64, [25, 5]), 'm.tflite', 'm');
  const w = findWorkloads(g, DSP);
  assert.equal(w.map((x) => [x.op, x.layers.length, x.knobs.map((k) => `${k.name}:${k.values.join('|')}:${k.default}`)]), [['pool2d', 1, ['channel_words:1|2|4:2']]]);
  assert.equal(findWorkloads(g, { dsp: false }), [], 'the portable kernel has no knob');
  assert.equal(findWorkloads(loadGraph(poolModel(4, 4, 4, [2, 2]), 'm.tflite', 'm'), DSP), [], 'one word of channels: nothing to tune');
});

const KEY = 'pool2d|dsp|x';
const rec = (config: Schedule, instructions: number, flash: number, ok = true): TuningRecord => ({ key: KEY, config, instructions, flash, ok });

test('log: records round-trip; blank lines skipped', () => {
  const r: TuningRecord = { key: KEY, config: { b: 'x', a: 2 }, instructions: 10, flash: 20, ok: true, op: 'pool2d', tool: 'utvm-aot 0.1.0' };
  const line = formatRecord(r);
  assert.is(line, '{"key":"pool2d|dsp|x","config":{"a":2,"b":"x"},"instructions":10,"flash":20,"ok":true,"op":"pool2d","tool":"utvm-aot 0.1.0"}\n');
  const log = parseTuningLog(`\n${line}\r\n  \n${line}`, 'l.jsonl');
  assert.is(log.records.length, 2);
  assert.equal(log.records[0], { ...r, config: { a: 2, b: 'x' } });
  assert.is(configId(log.records[0].config), configId(r.config));
});

test('log: every kind of corrupt line is one exact E_TUNING_LOG line naming the file and line', () => {
  const good = formatRecord(rec({ channel_words: 4 }, 5, 6));
  const cases: [string, string][] = [
    ['{"key":', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"config":{},"ok":true,"instructions":1}', '"key" must be a string of 1 to 4096 characters'],
    [`{"key":"${'k'.repeat(4097)}","config":{},"ok":true,"instructions":1}`, '"key" must be a string of 1 to 4096 characters'],
    ['{"key":"k","config":[],"ok":true,"instructions":1}', '"config" must be an object'],
    ['{"key":"k","config":{"a b":1},"ok":true,"instructions":1}', 'knob name "a b" is not an identifier of at most 64 characters'],
    ['{"key":"k","config":{"a":null},"ok":true,"instructions":1}', "knob 'a' must be a finite number or a string of at most 64 characters"],
    ['{"key":"k","config":{},"ok":"yes","instructions":1}', '"ok" must be true or false'],
    ['{"key":"k","config":{},"ok":true,"instructions":-1}', '"instructions" must be a whole number ≥ 0'],
    ['{"key":"k","config":{},"ok":true,"instructions":1,"flash":1.5}', '"flash" must be a whole number ≥ 0'],
    ['{"key":"k","config":{},"ok":true}', 'an ok record needs "instructions"'],
    [`{"key":"k","config":{},"ok":true,"instructions":1,"x":"${'y'.repeat(70000)}"}`, 'longer than 65536 characters'],
  ];
  for (const [line, why] of cases) {
    try {
      parseTuningLog(`${good}\n${line}\n${good}`, 'l.jsonl');
      assert.unreachable(line);
    } catch (e) {
      assert.instance(e, UtvmError);
      assert.is((e as UtvmError).code, 'E_TUNING_LOG');
      assert.is((e as UtvmError).exitCode, 1);
      assert.is((e as Error).message, `l.jsonl line 3: ${why}; is it a log written by 'utvm-aot tune'?`);
    }
  }
});

test('resume: a last line cut short is cut off the file; a complete last line gets its newline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-tune-test-'));
  try {
    const path = join(dir, 'l.jsonl');
    const line = formatRecord(rec({ channel_words: 2 }, 5, 6));
    writeFileSync(path, `${line}${line.slice(0, 30)}`);
    assert.is(resumeTuningLog(path).length, 1);
    assert.is(readFileSync(path, 'utf8'), line);
    writeFileSync(path, line.trimEnd());
    assert.is(resumeTuningLog(path).length, 1);
    assert.is(readFileSync(path, 'utf8'), line);
    assert.equal(resumeTuningLog(join(dir, 'none.jsonl')), []);
    writeFileSync(path, `garbage\n${line}`);
    assert.throws(() => resumeTuningLog(path), (e: Error) => e.message === `${path} line 1: not JSON; is it a log written by 'utvm-aot tune'?`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('apply: the best ok config per key; ties to the default; unknown knobs and values ignored and counted', () => {
  const g = loadGraph(poolModel(25, 5, 64, [25, 5]), 'm.tflite', 'm');
  const key = workloadKey(g, g.nodes[0], DSP);
  const r = (config: Schedule, instructions: number, flash: number, ok = true): TuningRecord => ({ key, config, instructions, flash, ok });
  const log = (records: TuningRecord[]) => ({ file: 't.jsonl', records });
  let c = chooseSchedules(g, DSP, log([r({ channel_words: 2 }, 100, 10), r({ channel_words: 4 }, 50, 30), r({ channel_words: 1 }, 40, 20, false)]));
  assert.equal([...c.schedules], [[g.nodes[0].name, { channel_words: 4 }]]);
  assert.is(formatTuningSummary(c.summary), 'tuning: 1 of 2 layers from t.jsonl (20 bytes of extra flash)');
  c = chooseSchedules(g, DSP, log([r({ channel_words: 4 }, 100, 5), r({}, 100, 10)]));
  assert.equal(c.schedules.get(g.nodes[0].name), { channel_words: 2 }, 'a tie goes to the default (an empty config is the default)');
  c = chooseSchedules(g, DSP, log([r({ channel_words: 8 }, 1, 5), r({ unroll: 2 }, 1, 5), r({ channel_words: 1 }, 60, 5)]));
  assert.equal(c.schedules.get(g.nodes[0].name), { channel_words: 1 });
  assert.is(formatTuningSummary(c.summary), 'tuning: 1 of 2 layers from t.jsonl (2 records with an unknown knob or value ignored; 5 bytes of extra flash)', 'no default measured: its whole flash counts');
  c = chooseSchedules(g, DSP, log([r({ channel_words: 1 }, 100, 10, false)]));
  assert.is(c.schedules.size, 0, 'no ok record: the default');
});

test('apply: --flash-budget drops the configs that save the fewest instructions per extra byte first', () => {
  const a = loadGraph(poolModel(25, 5, 64, [25, 5]), 'm.tflite', 'm');
  const b = loadGraph(poolModel(8, 8, 64, [8, 8]), 'n.tflite', 'n');
  const g = a.clone();
  for (const [k, t] of b.tensors) if (!g.has(k)) g.addTensor(t);
  const extra = { ...b.nodes[0], name: 'other', inputs: [b.nodes[0].inputs[0]], outputs: [b.nodes[0].outputs[0]] };
  for (const n of [...b.nodes[0].inputs, ...b.nodes[0].outputs]) if (!g.has(n)) g.addTensor(b.tensor(n));
  g.nodes.push(extra);
  const [k1, k2] = [workloadKey(g, g.nodes[0], DSP), workloadKey(g, extra, DSP)];
  assert.is.not(k1, k2);
  const records: TuningRecord[] = [
    { key: k1, config: { channel_words: 2 }, instructions: 1000, flash: 100, ok: true },
    { key: k1, config: { channel_words: 4 }, instructions: 500, flash: 200, ok: true }, // 5 saved per byte
    { key: k2, config: { channel_words: 2 }, instructions: 1000, flash: 100, ok: true },
    { key: k2, config: { channel_words: 4 }, instructions: 900, flash: 200, ok: true }, // 1 saved per byte
  ];
  const log = { file: 't.jsonl', records };
  assert.is(chooseSchedules(g, DSP, log).summary.extraFlash, 200);
  const c = chooseSchedules(g, DSP, log, 150);
  assert.equal([...c.schedules.keys()], [g.nodes[0].name]);
  assert.is(formatTuningSummary(c.summary), 'tuning: 1 of 3 layers from t.jsonl (1 layer kept at the default for --flash-budget; 100 bytes of extra flash)');
  assert.is(chooseSchedules(g, DSP, log, 99).schedules.size, 0);
  assert.is(chooseSchedules(g, DSP, log, 200).schedules.size, 2);
});

const KNOBS: Knob[] = [
  { name: 'a', values: [1, 2, 4, 8], default: 1, doc: '' },
  { name: 'b', values: ['x', 'y', 'z'], default: 'x', doc: '' },
  { name: 'c', values: [0, 1], default: 0, doc: '' },
];

/** A cost with one best config (a=4, b='z', c=1) that coordinate descent reaches. */
function cost(c: Schedule): number {
  return 1000 + 10 * Math.abs(Math.log2(Number(c.a)) - 2) + ({ x: 30, y: 20, z: 0 } as Record<string, number>)[String(c.b)] + (c.c === 1 ? 0 : 5);
}

async function runSearch(budget: number, seed: number, knobs = KNOBS) {
  const batches: string[][] = [];
  const found = await search(knobs, { budget, seed, key: 'k' }, async (batch) => {
    batches.push(batch.map(configId));
    return new Map(batch.map((c) => [configId(c), cost(c)]));
  });
  return { batches, found };
}

test('search: exhaustive in one batch when the space fits the budget, the default first', async () => {
  const { batches, found } = await runSearch(24, 0);
  assert.is(batches.length, 1);
  assert.is(batches[0].length, 24);
  assert.is(batches[0][0], '{"a":1,"b":"x","c":0}');
  assert.equal(allConfigs(KNOBS).map(configId), batches[0]);
  assert.equal(found.best, { a: 4, b: 'z', c: 1 });
  assert.is(found.instructions, 1000);
});

test('search: seeded, deterministic, within its budget, default in the first batch, no config twice', async () => {
  const one = await runSearch(10, 7);
  const two = await runSearch(10, 7);
  assert.equal(one.batches, two.batches, 'same seed, same candidates');
  const all = one.batches.flat();
  assert.ok(all.length <= 10, `${all.length} configs measured`);
  assert.is(new Set(all).size, all.length);
  assert.is(one.batches[0][0], '{"a":1,"b":"x","c":0}');
  assert.is(one.batches[0].length, 5, 'the first batch: half the budget');
  assert.ok(one.batches.length >= 2, 'then coordinate descent');
  const other = await runSearch(10, 8);
  assert.not.equal(other.batches, one.batches, 'another seed, other candidates');
  const more = await runSearch(18, 7);
  assert.equal(more.found.best, { a: 4, b: 'z', c: 1 }, 'coordinate descent finds the optimum');
  assert.ok(more.batches.flat().length <= 18);
});

test('search: a config that fails (undefined) is never the best; mayContinue stops after the first batch', async () => {
  const batches: number[] = [];
  const found = await search(KNOBS, { budget: 10, seed: 1, key: 'k', mayContinue: () => false }, async (batch) => {
    batches.push(batch.length);
    return new Map(batch.map((c) => [configId(c), configId(c) === '{"a":1,"b":"x","c":0}' ? 5000 : undefined]));
  });
  assert.equal(batches, [5]);
  assert.equal(found.best, { a: 1, b: 'x', c: 0 });
});

test('a big layer is measured in several firmwares: each candidate carries its own weights', () => {
  const small = loadGraph(poolModel(25, 5, 64, [25, 5]), 'm.tflite', 'm');
  assert.is(candidatesPerFirmware(small, small.nodes[0], defaultConfig(nodeKnobs(small, small.nodes[0], DSP))), 63, 'no weights: the cap of 64 candidates');
  const [o, k, c] = [64, 3, 512];
  const conv = buildTflite({
    tensors: [
      { name: 'x', shape: [1, 4, 4, c], type: 'int8', quant: Q },
      { name: 'w', shape: [o, k, k, c], type: 'int8', data: Array.from({ length: o * k * k * c }, (_, i) => (i % 251) - 125), quant: { scale: [0.01], zeroPoint: [0] } },
      { name: 'y', shape: [1, 2, 2, o], type: 'int8', quant: Q },
    ],
    inputs: [0],
    outputs: [2],
    operators: [{ op: 'CONV_2D', version: 3, inputs: [0, 1, -1], outputs: [2], options: conv2dOptions({ padding: 'VALID' }) }],
  });
  const g = loadGraph(conv, 'c.tflite', 'c');
  // 294,912 bytes of weights (+16 KB of code allowance) per candidate in 3.5 MB of the board's 4 MB of flash: 11, the default included
  assert.is(candidatesPerFirmware(g, g.nodes[0], {}), 10);
});

test.run();
