#!/usr/bin/env node
// Runs every uvu test file under dist/tests and ends with the line CI reads: `N passed, N failed`.
// uvu prints its totals as "Total: / Passed: / Skipped:" blocks; this sums them. Exit code 1 on any
// failure, on a skipped test (a skipped test is not a passed one) or when no test ran.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const pattern = process.argv[2] ?? '\\.test\\.js$';
const child = spawnSync(process.execPath, [uvu, 'dist/tests', pattern, '--no-color'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined },
  maxBuffer: 1 << 28,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const out = (child.stdout ?? '').replace(/\x1b\[[0-9;]*m/g, '');
process.stdout.write(out);
const num = (label) => [...out.matchAll(new RegExp(`${label}:\\s+(\\d+)`, 'g'))].reduce((s, m) => s + Number(m[1]), 0);
const total = num('Total');
const passed = num('Passed');
const skipped = num('Skipped');
const failed = total - passed - skipped + (child.status !== 0 && total === passed + skipped ? 1 : 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || skipped > 0 || total === 0 ? 1 : 0);
