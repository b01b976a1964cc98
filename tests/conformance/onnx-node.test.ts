/**
 * ONNX conformance: every in-scope test of ../shared/models/onnx-node exported, built with the host gcc,
 * run, and compared with its expected outputs (rtol 1e-4, atol 1e-5). The out-of-scope tests and their
 * reasons are listed by tests/conformance/scope.ts and printed here.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readIndex, runConformanceCase } from './harness.js';
import { scopeOf } from './scope.js';

const entries = readIndex();
const inScope = entries.filter((e) => scopeOf(e).inScope);
let passed = 0;

test('the index lists the conformance tests and most float32 ones are in scope', () => {
  assert.ok(entries.length >= 300, `INDEX.tsv lists ${entries.length} tests`);
  assert.ok(inScope.length >= 130, `${inScope.length} tests in scope`);
});

for (const e of inScope) {
  test(`conformance ${e.name}`, () => {
    const r = runConformanceCase(e);
    assert.ok(r.ok, `${e.name}: ${r.message}`);
    passed++;
  });
}

test('conformance summary', () => {
  const excluded = entries.filter((e) => !scopeOf(e).inScope);
  const reasons = new Map<string, number>();
  for (const e of excluded) {
    const s = scopeOf(e);
    const why = s.inScope ? '' : s.reason.replace(/:.*$/, '');
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  console.log(`\n  ONNX conformance: ${passed} of ${inScope.length} in-scope tests pass; ${excluded.length} out of scope:`);
  for (const [why, n] of [...reasons].sort()) console.log(`    ${n} — ${why}`);
  assert.is(passed, inScope.length);
});

test.run();
