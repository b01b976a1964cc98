/**
 * `utvm-aot tune` end to end on the emulated Cortex-M7 (needs arm-none-eabi-gcc and qemu-system-arm): a
 * tiny int8 model of three average pools (23 channels with SAME padding and a fused RELU: five words and
 * three single channels; two 7x7 global pools of 64 channels: one workload for two layers) is tuned; every
 * value of the pool's knob is bit-exact with the default on these shapes (each record ok); --resume
 * measures nothing again; the tuned build's outputs equal the untuned build's byte for byte, and its
 * instructions are fewer.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench } from '../../src/bench.js';
import { parseTuningLog } from '../../src/tune/log.js';
import { mulberry32 } from '../../src/random.js';
import { buildTflite, poolOptions } from '../util/tflite-build.js';
import { assertFails, utvm } from '../util/cli.js';

const Q = { scale: [0.05], zeroPoint: [-3] };

function model(): Uint8Array {
  return buildTflite({
    tensors: [
      { name: 'a', shape: [1, 6, 5, 23], type: 'int8', quant: Q },
      { name: 'pa', shape: [1, 3, 3, 23], type: 'int8', quant: Q },
      { name: 'b', shape: [1, 7, 7, 64], type: 'int8', quant: Q },
      { name: 'pb', shape: [1, 1, 1, 64], type: 'int8', quant: Q },
      { name: 'c', shape: [1, 7, 7, 64], type: 'int8', quant: Q },
      { name: 'pc', shape: [1, 1, 1, 64], type: 'int8', quant: Q },
    ],
    inputs: [0, 2, 4],
    outputs: [1, 3, 5],
    operators: [
      { op: 'AVERAGE_POOL_2D', version: 2, inputs: [0], outputs: [1], options: poolOptions({ padding: 'SAME', stride: [2, 2], filter: [3, 3], activation: 1 }) },
      { op: 'AVERAGE_POOL_2D', version: 2, inputs: [2], outputs: [3], options: poolOptions({ padding: 'VALID', stride: [7, 7], filter: [7, 7] }) },
      { op: 'AVERAGE_POOL_2D', version: 2, inputs: [4], outputs: [5], options: poolOptions({ padding: 'VALID', stride: [7, 7], filter: [7, 7] }) },
    ],
  });
}

test('tune, resume, apply: bit-exact candidates, nothing measured twice, tuned outputs identical and cheaper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-tune-qemu-'));
  try {
    const m = join(dir, 'pools.tflite');
    writeFileSync(m, model());
    const log = join(dir, 'pools.jsonl');
    const r = utvm(['tune', m, '-o', log, '--jobs', '2']);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 workload\(s\) with knobs among 3 layers on qemu-mps2-an500; 6 new record\(s\)/);
    const records = parseTuningLog(readFileSync(log, 'utf8'), log).records;
    assert.is(records.length, 6);
    assert.is(new Set(records.map((x) => x.key)).size, 2);
    for (const x of records) assert.ok(x.ok && x.instructions! > 0 && x.flash! > 0, JSON.stringify(x));
    for (const key of new Set(records.map((x) => x.key))) {
      const cost = (w: number) => records.find((x) => x.key === key && x.config.channel_words === w)!.instructions!;
      assert.ok(cost(4) < cost(1), `${key}: x4 ${cost(4)} < x1 ${cost(1)}`);
    }
    assert.match(r.stderr, /tuning 2\/2 workloads.*saved so far/);

    const again = utvm(['tune', m, '-o', log, '--resume']);
    assert.is(again.status, 0, again.stderr);
    assert.match(again.stdout, /; 0 new record\(s\) in /);
    assert.is(parseTuningLog(readFileSync(log, 'utf8'), log).records.length, 6);
    assertFails(utvm(['tune', m, '-o', log]), 2, [`utvm-aot: error E_USAGE: ${log} exists: pass --resume to continue it (or remove it)`]);

    const rng = mulberry32(17);
    const inputs = [23 * 30, 64 * 49, 64 * 49].map((n, i) => {
      const path = join(dir, `in${i}.bin`);
      writeFileSync(path, Uint8Array.from({ length: n }, () => Math.floor(rng() * 256)));
      return path;
    });
    const outs = (tag: string) => [0, 1, 2].map((i) => join(dir, `${tag}${i}.bin`));
    const plain = utvm(['run', m, '--target', 'qemu', ...inputs.flatMap((p) => ['--input', p]), ...outs('u').flatMap((p) => ['--output', p])]);
    assert.is(plain.status, 0, plain.stderr);
    const tuned = utvm(['run', m, '--target', 'qemu', '--tuning-log', log, ...inputs.flatMap((p) => ['--input', p]), ...outs('t').flatMap((p) => ['--output', p])]);
    assert.is(tuned.status, 0, tuned.stderr);
    assert.match(tuned.stderr, /^utvm-aot: tuning: 3 of 3 layers from .*pools\.jsonl \(\d+ bytes of extra flash\)$/m);
    outs('u').forEach((u, i) => assert.ok(readFileSync(u).equals(readFileSync(outs('t')[i])), `output ${i}: tuned bytes equal untuned`));

    const bytes = model();
    const untunedBench = bench(bytes, 'pools.tflite', 'pools');
    const tunedBench = bench(bytes, 'pools.tflite', 'pools', undefined, undefined, { tuning: parseTuningLog(readFileSync(log, 'utf8'), log) });
    assert.ok(tunedBench.instructions <= untunedBench.instructions, `tuned ${tunedBench.instructions} ≤ untuned ${untunedBench.instructions}`);
    assert.ok(tunedBench.instructions < untunedBench.instructions - 1000, `x4 pools save instructions: ${untunedBench.instructions} → ${tunedBench.instructions}`);
    assert.is(tunedBench.tuning?.tuned, 3);

    writeFileSync(join(dir, 'bad.jsonl'), `${readFileSync(log, 'utf8')}{"key": 1}\n`);
    assertFails(utvm(['inspect', m, '--tuning-log', join(dir, 'bad.jsonl')]), 1, [
      `utvm-aot: error E_TUNING_LOG: ${join(dir, 'bad.jsonl')} line 7: "key" must be a string of 1 to 4096 characters; is it a log written by 'utvm-aot tune'?`,
    ]);
    assertFails(utvm(['inspect', m, '--flash-budget', '100']), 2, ['utvm-aot: error E_USAGE: --flash-budget limits the flash of tuned configs: give --tuning-log too']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
