/**
 * validate's arithmetic (src/validate/metrics.ts, labels.ts, data.ts) on vectors computed by hand:
 * every metric, every policy, the worst element's index, top-1, both labels CSV forms and their errors,
 * the random inputs' ranges.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../src/diagnostics.js';
import { Accumulator, unravel } from '../../src/validate/metrics.js';
import { accuracy, parseLabels } from '../../src/validate/labels.js';
import { parseFloatRange, randomCases, randomInputs } from '../../src/validate/data.js';
import { comparable } from '../../src/validate/layers.js';

function close(actual: number, expected: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${label}: ${actual}, expected ${expected}`);
}

function throwsUtvm(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as Error).message, message);
    return;
  }
  assert.unreachable(`expected: ${message}`);
}

// a = [1, 2, 3, 4], e = [1, 2.5, 2, 4]: d = [0, -0.5, 1, 0]
// Σ|d| = 1.5, Σd = 0.5, Σd² = 1.25, Σe² = 27.25, Σa² = 30, Σae = 28
test('float metrics of one case, by hand', () => {
  const acc = new Accumulator('t', 'float32', [2, 2], { kind: 'float', rtol: 0.1, atol: 0, relative: 'element' });
  acc.add([1, 2, 3, 4], [1, 2.5, 2, 4]);
  const m = acc.result();
  assert.is(m.elements, 4);
  assert.is(m.maxAbs, 1);
  close(m.mae, 1.5 / 4, 'MAE');
  close(m.rmse, Math.sqrt(1.25 / 4), 'RMSE');
  close(m.l2rel, Math.sqrt(1.25 / 27.25), 'L2 rel');
  close(m.cosine, 28 / Math.sqrt(30 * 27.25), 'cosine');
  close(m.errMean, 0.5 / 4, 'error mean');
  close(m.errStd, Math.sqrt(1.25 / 4 - (0.5 / 4) ** 2), 'error std');
  assert.is(m.differing, 2);
  assert.is(m.differingPct, 50);
  assert.is(m.maxLsb, undefined, 'no LSB for a float tensor');
  assert.equal(m.worst, { case: 0, index: [1, 0], ours: 3, reference: 2 });
  assert.is(m.ok, false, '0.5 > 0.1·2.5');
  assert.is(m.measure, 'float');
});

test('float policy relative to the tensor: max|e| = 4 scales the tolerance', () => {
  const judge = (rtol: number) => {
    const acc = new Accumulator('t', 'float32', [4], { kind: 'float', rtol, atol: 0, relative: 'tensor' });
    acc.add([1, 2, 3, 4], [1, 2.5, 2, 4]);
    return acc.result().ok;
  };
  assert.is(judge(0.2), false, '|d| 1 > 0.2·4');
  assert.is(judge(0.25), true, '|d| 1 ≤ 0.25·4');
});

test('integer tensors: LSB, bit-exact policy, two cases, top-1', () => {
  const acc = new Accumulator('y', 'int8', [1, 3], { kind: 'exact' }, 1);
  acc.add(Int8Array.of(-128, 5, 7), Int8Array.of(-128, 3, 7), 'a.bin');
  acc.add(Int8Array.of(9, 5, 7), Int8Array.of(9, 5, 7), 'b.bin');
  const m = acc.result();
  assert.is(m.cases, 2);
  assert.is(m.elements, 6);
  assert.is(m.maxLsb, 2);
  assert.is(m.differing, 1);
  close(m.differingPct, 100 / 6, '% differing');
  assert.is(m.top1Agree, 2, 'argmax 2 both times');
  assert.equal(m.worst, { case: 0, caseName: 'a.bin', index: [0, 1], ours: 5, reference: 3 });
  assert.is(m.ok, false);
  const same = new Accumulator('y', 'int8', [3], { kind: 'exact' }, 1);
  same.add(Int8Array.of(1, 2, 3), Int8Array.of(1, 2, 3));
  const s = same.result();
  assert.ok(s.ok && s.maxLsb === 0 && s.l2rel === 0 && s.cosine === 1 && s.rmse === 0);
});

test('top-1 disagreement and a non-classification shape', () => {
  const acc = new Accumulator('y', 'float32', [1, 3], { kind: 'measure' });
  acc.add([0.1, 0.5, 0.4], [0.1, 0.4, 0.5]);
  assert.is(acc.result().top1Agree, 0);
  const img = new Accumulator('y', 'float32', [1, 2, 2], { kind: 'measure' });
  img.add([1, 2, 3, 4], [1, 2, 3, 4]);
  assert.is(img.result().top1Agree, undefined, '[1,2,2] has two dimensions above 1');
});

test('LSB policy with a dequantization scale, and the L2 threshold of a measurement', () => {
  const lsb = (d: number) => {
    const acc = new Accumulator('y', 'float32', [2], { kind: 'lsb', lsb: 0.5, maxLsb: 1 }, 0.5);
    acc.add([1 + d, 2], [1, 2]);
    return acc.result();
  };
  assert.is(lsb(0.5).maxLsb, 1);
  assert.is(lsb(0.5).ok, true);
  assert.is(lsb(1).maxLsb, 2);
  assert.is(lsb(1).ok, false);
  // a = [3, 4], e = [3, 5]: L2 rel = 1 / sqrt(34) = 0.1715
  const measure = (maxL2rel?: number) => {
    const acc = new Accumulator('y', 'float32', [2], { kind: 'measure', maxL2rel });
    acc.add([3, 4], [3, 5]);
    return acc.result();
  };
  close(measure().l2rel, 1 / Math.sqrt(34), 'L2 rel');
  assert.is(measure().ok, true, 'no threshold: a measurement');
  assert.is(measure(0.2).ok, true);
  assert.is(measure(0.1).ok, false);
});

test('NaN against a number is an infinite error; zero tensors', () => {
  const acc = new Accumulator('y', 'float32', [2], { kind: 'float', rtol: 1e-4, atol: 1e-5, relative: 'tensor' });
  acc.add([NaN, 0], [1, 0]);
  const m = acc.result();
  assert.is(m.maxAbs, Infinity);
  assert.is(m.ok, false);
  const zero = new Accumulator('z', 'float32', [2], { kind: 'measure' });
  zero.add([1, 0], [0, 0]);
  assert.is(zero.result().l2rel, Infinity, 'error against an all-zero reference');
  assert.is(zero.result().cosine, 0);
});

test('unravel: row-major multi-dimensional index', () => {
  assert.equal(unravel(23, [2, 3, 4]), [1, 2, 3]);
  assert.equal(unravel(5, [1, 2, 1, 3]), [0, 1, 0, 2]);
  assert.equal(unravel(0, []), []);
});

test('dequantized comparison: per tensor and per channel (last axis)', () => {
  const per = comparable({ dtype: 'int8', shape: [3], data: Int8Array.of(-128, 0, 10) }, { scale: [0.5], zeroPoint: [-128] }, true);
  assert.equal(Array.from(per), [0, 64, 69]);
  const ch = comparable({ dtype: 'int8', shape: [2, 2], data: Int8Array.of(1, 1, 3, 3) }, { scale: [1, 0.25], zeroPoint: [0, 1], axis: 1 }, true);
  assert.equal(Array.from(ch), [1, 0, 3, 0.5]);
  assert.equal(Array.from(comparable({ dtype: 'int8', shape: [1], data: Int8Array.of(5) }, { scale: [2], zeroPoint: [0] }, false)), [5], 'kept as integers');
});

test('labels: file,class and MLPerf file,classes,label (with a header)', () => {
  const two = parseLabels('file,class\na.npy,3\n\nb.npy, 0\r\n', 'l.csv');
  assert.equal([...two], [['a.npy', 3], ['b.npy', 0]]);
  const mlperf = parseLabels('tst_000000_Stop_7.bin,12,7\ntst_000001_Left_2.bin,12,2\n', 'y.csv');
  assert.equal([...mlperf], [['tst_000000_Stop_7.bin', 7], ['tst_000001_Left_2.bin', 2]]);
});

test('labels: one line per error, with file and line', () => {
  throwsUtvm(() => parseLabels('a.npy,3\nb.npy,x\n', 'l.csv'), "l.csv:2: expected 'file,class' or 'file,classes,label' with whole-number classes, got 'b.npy,x'");
  throwsUtvm(() => parseLabels('a.bin,12,12\n', 'y.csv'), 'y.csv:1: label 12 is not below the class count 12');
  throwsUtvm(() => parseLabels('a.bin,1\na.bin,2\n', 'l.csv'), "l.csv:2: 'a.bin' is labelled twice");
  throwsUtvm(() => parseLabels('\n\n', 'e.csv'), "e.csv: no labels (expected rows 'file,class' or 'file,classes,label')");
});

test('accuracy: matched by file name or name without extension; no match is an error', () => {
  const labels = parseLabels('a.bin,2\nb,0\nc.bin,1\n', 'l.csv');
  // a: ours argmax 2 (right), ref 0 (wrong); b: both 0 (right); d: unlabelled
  const a = accuracy(labels, 'l.csv', ['a.bin', 'b.bin', 'd.bin'], [[0, 1, 5], [9, 1, 1], [1, 0, 0]], [[5, 1, 0], [9, 1, 1], [0, 0, 1]]);
  assert.equal({ ...a }, { labelled: 2, cases: 3, ours: 2, reference: 1, oursPct: 100, referencePct: 50 });
  throwsUtvm(() => accuracy(labels, 'l.csv', ['x.bin'], [[1]], [[1]]), "l.csv: names none of the 1 case(s) (first case 'x.bin', first label 'a.bin')");
});

test('random inputs: integers over their range, floats in the stated range, case k from seed s + k', () => {
  const [x, y] = randomInputs([{ dtype: 'int8', shape: [4000] }, { dtype: 'float32', shape: [4000] }], 7, [2, 3]);
  const xs = Array.from(x.data as Int8Array);
  assert.is(Math.min(...xs), -128);
  assert.is(Math.max(...xs), 127);
  const ys = Array.from(y.data as Float32Array);
  assert.ok(Math.min(...ys) >= 2 && Math.max(...ys) < 3 && Math.max(...ys) > 2.99, `floats in [2, 3): ${Math.min(...ys)}..${Math.max(...ys)}`);
  const set = randomCases([{ dtype: 'int8', shape: [8] }], 3, 7);
  assert.equal(set.values[1][0].data, randomInputs([{ dtype: 'int8', shape: [8] }], 8)[0].data);
  assert.is(set.origin, '3 random case(s) (seed 7)');
});

test('--float-range parsing', () => {
  assert.equal(parseFloatRange('-0.5, 2'), [-0.5, 2]);
  throwsUtvm(() => parseFloatRange('1,1'), "--float-range '1,1' is not LO,HI with LO < HI (e.g. -1,1)");
  throwsUtvm(() => parseFloatRange('a,2'), "--float-range 'a,2' is not LO,HI with LO < HI (e.g. -1,1)");
  throwsUtvm(() => parseFloatRange('1'), "--float-range '1' is not LO,HI with LO < HI (e.g. -1,1)");
});

test.run();
