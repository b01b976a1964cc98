/**
 * `utvm-aot ops [--format tflite|onnx] [--json]`: the supported operators as the registry has them
 * (src/ops/index.ts through src/supported.ts), counted against the registry itself; usage errors are
 * one E_USAGE line with exit 2.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allOps } from '../../src/ops/index.js';
import { onnxImporters, supportedOnnxOps } from '../../src/import/onnx.js';
import { supportedTfliteOps } from '../../src/import/tflite.js';
import { assertFails, linesOf, utvm } from '../util/cli.js';

const HINT = "run 'utvm-aot --help' for usage";

interface Listing {
  tflite?: { builtin: string; maxVersion: number; types: string[]; importedBy: string }[];
  onnx?: { opType: string; domain: string; opsets?: [number, number]; importedBy?: string; int8FromQdq?: boolean }[];
}

/** The registry's own count of TFLite builtins and their version caps. */
function registryTflite(): Map<string, number> {
  const m = new Map<string, number>();
  for (const op of allOps()) for (const [name, def] of Object.entries(op.tflite ?? {})) m.set(name, def.maxVersion);
  return m;
}

function json(args: string[]): Listing {
  const r = utvm(['ops', ...args]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  return JSON.parse(r.stdout) as Listing;
}

test('ops --json: both formats, counts equal to the registry, CONV_2D and Conv with their facts', () => {
  const s = json(['--json']);
  const tfl = registryTflite();
  assert.is(s.tflite!.length, tfl.size);
  assert.is(s.onnx!.length, onnxImporters().size);
  assert.equal(s.tflite!.map((e) => e.builtin), supportedTfliteOps());
  for (const e of s.tflite!) assert.is(e.maxVersion, tfl.get(e.builtin), e.builtin);
  for (const e of s.tflite!) assert.ok(e.types.length > 0, `${e.builtin} declares its types`);
  assert.equal(s.tflite!.find((e) => e.builtin === 'CONV_2D'), { builtin: 'CONV_2D', maxVersion: 6, types: ['float32', 'int8', 'int16'], importedBy: 'conv2d' });
  assert.equal(s.onnx!.find((e) => e.opType === 'Conv'), { opType: 'Conv', domain: '', opsets: [6, 25], importedBy: 'conv2d', int8FromQdq: true });
  const qadd = s.onnx!.find((e) => e.opType === 'QLinearAdd');
  assert.equal(qadd, { opType: 'QLinearAdd', domain: 'com.microsoft' });
  const keys = s.onnx!.map((e) => (e.domain === '' ? e.opType : `${e.domain}:${e.opType}`));
  assert.equal([...keys].sort(), supportedOnnxOps());
});

test('ops --format tflite / onnx: one section only', () => {
  const t = json(['--format', 'tflite', '--json']);
  assert.equal(Object.keys(t), ['tflite']);
  const o = json(['--json', '--format=onnx']);
  assert.equal(Object.keys(o), ['onnx']);
});

test('ops as text: a heading with the count, then one builtin a line', () => {
  const r = utvm(['ops', '--format', 'tflite']);
  assert.is(r.status, 0, r.stderr);
  const lines = linesOf(r.stdout);
  const n = registryTflite().size;
  assert.is(lines[0], `TensorFlow Lite builtins (${n}): name, versions, activation types, IR operator file that imports it`);
  assert.is(lines.length, n + 1);
  assert.match(lines.find((l) => l.trimStart().startsWith('CONV_2D ')) ?? '', /^ {2}CONV_2D +v1-6 {2}float32,int8,int16 +conv2d$/);
  const both = linesOf(utvm(['ops']).stdout);
  assert.is(both.length, n + 1 + 1 + 1 + onnxImporters().size);
  assert.ok(both.some((l) => /^ {2}Conv +opsets 6-25 {2}conv2d {2}\(int8 between DequantizeLinear and QuantizeLinear\)$/.test(l)), both.join('\n'));
});

test('ops usage errors: one E_USAGE line, exit 2', () => {
  assertFails(utvm(['ops', '--format', 'tfilte']), 2, [`utvm-aot: error E_USAGE: unknown --format 'tfilte' (did you mean 'tflite'?); choose one of: tflite, onnx`]);
  assertFails(utvm(['ops', 'model.onnx']), 2, [`utvm-aot: error E_USAGE: unexpected argument 'model.onnx' for 'ops' ('ops' takes no model file); ${HINT}`]);
  assertFails(utvm(['ops', '--jsno']), 2, [`utvm-aot: error E_USAGE: unknown option --jsno for 'ops' (did you mean --json?); ${HINT}`]);
  assertFails(utvm(['ops', '--format', 'onnx', '--format', 'tflite']), 2, ['utvm-aot: error E_USAGE: --format is given 2 times; give it once']);
});

test.run();
