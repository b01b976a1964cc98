/**
 * Progress output (src/progress.ts): on a terminal one redrawn line with a bar, counts and an ETA; in a
 * pipe or with CI=true plain lines, at most about ten per count.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { progressOn } from '../src/progress.js';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, write: (t: string) => out.push(t) } };
}

/** A clock the test sets: `time.ms`. */
function clock() {
  const time = { ms: 0 };
  return { time, now: () => time.ms };
}

test('plain lines in a pipe: steps, then at most ~10 count lines, the last with the time taken', () => {
  const { out, s } = sink(false);
  const { time, now } = clock();
  const p = progressOn(s, {}, now);
  p.step('compiling m.onnx');
  const c = p.count('running on the host:', 100, 'cases');
  for (let i = 0; i < 100; i++) {
    time.ms += 1000;
    c.tick();
  }
  c.done();
  assert.is(out[0], 'utvm-aot: compiling m.onnx\n');
  const counts = out.slice(1);
  assert.is(counts.length, 10, counts.join(''));
  assert.is(counts[0], 'utvm-aot: running on the host: 10/100 cases, ETA 1 min 30 s\n');
  assert.is(counts[4], 'utvm-aot: running on the host: 50/100 cases, ETA 50 s\n');
  assert.is(counts[9], 'utvm-aot: running on the host: 100/100 cases, 1 min 40 s\n');
});

test('a terminal gets one bar redrawn with \\r, then a final line', () => {
  const { out, s } = sink(true);
  const { time, now } = clock();
  const c = progressOn(s, {}, now).count('running on the emulator (qemu-mps2-an500):', 4, 'cases');
  time.ms = 2000;
  c.tick(1);
  time.ms = 4000;
  c.tick(1);
  time.ms = 8000;
  c.done();
  assert.equal(out, [
    '\r\x1b[2K[........................] running on the emulator (qemu-mps2-an500): 0/4 cases',
    '\r\x1b[2K[######..................] running on the emulator (qemu-mps2-an500): 1/4 cases, ETA 6 s',
    '\r\x1b[2K[############............] running on the emulator (qemu-mps2-an500): 2/4 cases, ETA 4 s',
    '\r\x1b[2Kutvm-aot: running on the emulator (qemu-mps2-an500): 4/4 cases, 8 s\n',
  ]);
});

test('CI=true on a terminal: plain lines, no escape codes', () => {
  const { out, s } = sink(true);
  const { time, now } = clock();
  const c = progressOn(s, { CI: 'true' }, now).count('running:', 2, 'cases');
  time.ms = 1000;
  c.tick();
  time.ms = 3000;
  c.tick();
  c.done();
  assert.equal(out, ['utvm-aot: running: 1/2 cases, ETA 1 s\n', 'utvm-aot: running: 2/2 cases, 3 s\n']);
});

test('a tick may carry a detail (tune: the best so far), shown after the count until the next one', () => {
  const { out, s } = sink(false);
  const { time, now } = clock();
  const c = progressOn(s, {}, now).count('tuning', 2, 'workloads');
  time.ms += 4000;
  c.tick(1, 'last pool2d 15,150 → 13,160');
  time.ms += 4000;
  c.tick();
  c.done();
  assert.equal(out, ['utvm-aot: tuning 1/2 workloads, ETA 4 s; last pool2d 15,150 → 13,160\n', 'utvm-aot: tuning 2/2 workloads, 8 s; last pool2d 15,150 → 13,160\n']);
});

test.run();
