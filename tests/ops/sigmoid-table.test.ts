/**
 * The int16 sigmoid table of runtime-c/include/utvm/lstm_cell.h (TFLite's sigmoid_table_uint16, which the
 * int16 LSTM gates interpolate) recomputed from its formula: F(k) = 65536 sigmoid(k/24), each entry raised by
 * half the mean of the linear interpolation's midpoint errors on its two sides, rounded; the last entry is the
 * uint16 limit. Bit-exactness with TFLite Micro needs every entry, so the table is derived, not just kept.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = join(process.cwd(), 'runtime-c', 'include', 'utvm', 'lstm_cell.h');

function formulaTable(): number[] {
  const f = (k: number) => 65536 / (1 + Math.exp(-k / 24));
  const midError = (k: number) => f(k + 0.5) - (f(k) + f(k + 1)) / 2;
  return Array.from({ length: 256 }, (_, k) => (k === 255 ? 65535 : Math.round(f(k) + (midError(k - 1) + midError(k)) / 4)));
}

test('the 256-entry int16 sigmoid table equals its formula', () => {
  const text = readFileSync(HEADER, 'utf8');
  const body = /utvm_lstm_sigmoid_table\[256\]\s*=\s*\{([^}]*)\}/.exec(text);
  assert.ok(body, 'table found');
  const entries = body![1].split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
  assert.is(entries.length, 256);
  const expected = formulaTable();
  const differ = entries.map((v, k) => [k, v, expected[k]]).filter(([, v, e]) => v !== e);
  assert.equal(differ, []);
  // not a plain rounding: 43 entries below the last sit one above round(F(k))
  const plain = entries.filter((v, k) => k < 255 && v !== Math.round(65536 / (1 + Math.exp(-k / 24)))).length;
  assert.is(plain, 43);
});

test.run();
