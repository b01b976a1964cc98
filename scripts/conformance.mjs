#!/usr/bin/env node
// Runs the in-scope ONNX conformance tests whose name contains the given substring (all when none): a
// developer's tool to check operators end to end. Needs `npx tsc -p .` first. `--all` also runs the
// out-of-scope ones. The CI suite is tests/conformance/onnx-node.test.ts.
import { readIndex, runConformanceCase } from '../dist/tests/conformance/harness.js';
import { scopeOf } from '../dist/tests/conformance/scope.js';

const args = process.argv.slice(2);
const all = args.includes('--all');
const filter = args.find((a) => !a.startsWith('--')) ?? '';
let passed = 0;
let failed = 0;
for (const e of readIndex().filter((x) => x.name.includes(filter))) {
  const scope = scopeOf(e);
  if (!scope.inScope && !all) continue;
  const r = runConformanceCase(e);
  if (r.ok) passed++;
  else failed++;
  const tag = scope.inScope ? '' : ' (out of scope)';
  console.log(`${r.ok ? 'PASS' : 'FAIL'} ${e.name}${tag}  ${r.ok ? '' : r.message.split('\n').slice(0, 6).join('\n      ')}`);
}
console.log(`${passed} passed, ${failed} failed`);
