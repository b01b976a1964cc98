/**
 * The reference interpreter (src/reference/, float64) on every in-scope ONNX conformance test of
 * ../shared/models/onnx-node: the same cases and tolerances as the compiled C (tests/conformance/), no C
 * build. Proves the interpreter's float semantics against the ONNX reference outputs.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readIndex, runConformanceCase } from '../conformance/harness.js';
import { scopeOf } from '../conformance/scope.js';

const inScope = readIndex().filter((e) => scopeOf(e).inScope);
const failures: string[] = [];

test('the reference interpreter passes every in-scope ONNX conformance test', () => {
  for (const e of inScope) {
    const r = runConformanceCase(e, 'reference');
    if (!r.ok) failures.push(`${e.name}: ${r.message.split('\n')[0]}`);
  }
  console.log(`  reference interpreter: ${inScope.length - failures.length} of ${inScope.length} in-scope conformance tests pass`);
  assert.is(failures.length, 0, failures.join('\n'));
});

test.run();
