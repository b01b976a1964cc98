#!/usr/bin/env node
// Runs the uvu test files under dist/tests, each in its own Node process, at most JOBS at a time, and
// prints one line per file as it finishes (its counts and time; a failing file's whole output follows).
// Ends with the line CI reads: `N passed, N failed` (`, N skipped` when any: a skipped test is not a
// passed one, so it fails the run as a failed one does). Exit code 1 on any failure, skip, or when no
// test ran.
//
//   node tests/run.mjs [--unit] [--list] [regex]      (--list: print the files and their tier, run nothing)
//
// `regex` selects files by their path (e.g. 'tests/passes/'). `--unit` keeps the unit tier: the files
// that start no process — nothing they import, directly or through other modules, imports
// node:child_process (so no gcc, arm-none-eabi, qemu or CLI run). A test declares its tier by what it
// imports; there is no list to keep. JOBS: $UTVM_TEST_JOBS, else 2 (the CI machine has 2 cores). A file
// running longer than $UTVM_TEST_TIMEOUT seconds (default 1800) is stopped and counts as failed.
// Files run longest first, by the times of the last run (dist/.test-times.json), so that the two lanes
// end together.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const pattern = new RegExp(args.find((a) => !a.startsWith('--')) ?? '\\.test\\.js$');
const jobs = Math.max(1, Number(process.env.UTVM_TEST_JOBS) || 2);
/** A file still running after this long is stopped (with the processes it started) and counts as failed. */
const timeoutSeconds = Number(process.env.UTVM_TEST_TIMEOUT) || 1800;
const timesFile = join(dist, '.test-times.json');

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Test files compiled from a source that still exists (a deleted test's stale .js is not run). */
function testFiles() {
  return walk(join(dist, 'tests'))
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => existsSync(join(root, relative(dist, f)).replace(/\.js$/, '.ts')))
    .map((f) => relative(root, f))
    .filter((f) => pattern.test(f))
    .sort();
}

const IMPORT = /\bimport\s*(?:[^'"()]*?\bfrom\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bexport\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g;
const startsProcess = new Map();

/** True when module `file` (absolute .js path) imports node:child_process, directly or transitively. */
function needsProcess(file, visiting = new Set()) {
  if (startsProcess.has(file)) return startsProcess.get(file);
  if (visiting.has(file) || !existsSync(file)) return false;
  visiting.add(file);
  let found = false;
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec === 'node:child_process' || spec === 'child_process') found = true;
    else if (spec.startsWith('.')) found = needsProcess(resolve(dirname(file), spec), visiting);
    if (found) break;
  }
  startsProcess.set(file, found);
  return found;
}

/** uvu's totals from one file's output; a file that exits non-zero without a failed test counts one failure. */
function countsOf(out, code) {
  const num = (label) => [...out.matchAll(new RegExp(`${label}:\\s+(\\d+)`, 'g'))].reduce((s, m) => s + Number(m[1]), 0);
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped');
  let failed = total - passed - skipped;
  if (failed === 0 && (code !== 0 || total === 0)) failed = 1;
  return { passed, failed, skipped };
}

/** Running children: their process groups are stopped when the runner is interrupted (they are detached). */
const running = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

function runFile(file) {
  return new Promise((done) => {
    const start = Date.now();
    const child = spawn(process.execPath, [file], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so that a timeout also stops the gcc / qemu it started
    });
    running.add(child.pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutSeconds * 1000);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child.pid);
      out = out.replace(/\x1b\[[0-9;]*m/g, '');
      if (timedOut) out += `\n(stopped after ${timeoutSeconds} s: UTVM_TEST_TIMEOUT)\n`;
      else if (signal) out += `\n(killed by ${signal})\n`;
      done({ file, out, code: code ?? 1, seconds: (Date.now() - start) / 1000, ...countsOf(out, code ?? 1) });
    });
  });
}

const files = testFiles().filter((f) => !unitOnly || !needsProcess(join(root, f)));
if (args.includes('--list')) {
  for (const f of files) console.log(`${needsProcess(join(root, f)) ? 'process' : 'unit   '} ${f}`);
  process.exit(0);
}
let times = {};
try {
  times = JSON.parse(readFileSync(timesFile, 'utf8'));
} catch {
  // first run: unknown times, files that start processes (the slow ones) first
}
const guess = (f) => times[f] ?? (needsProcess(join(root, f)) ? 60 : 1);
const queue = [...files].sort((a, b) => guess(b) - guess(a) || (a < b ? -1 : 1));
const width = Math.max(0, ...files.map((f) => f.length));
const total = { passed: 0, failed: 0, skipped: 0 };
const started = Date.now();

async function lane() {
  while (queue.length > 0) {
    const r = await runFile(queue.shift());
    total.passed += r.passed;
    total.failed += r.failed;
    total.skipped += r.skipped;
    times[r.file] = Math.round(r.seconds * 10) / 10;
    const bad = r.failed > 0 || r.skipped > 0;
    const counts = `${r.passed} passed${r.failed ? `, ${r.failed} failed` : ''}${r.skipped ? `, ${r.skipped} skipped` : ''}`;
    process.stdout.write(`${bad ? 'FAIL' : 'ok  '} ${r.file.padEnd(width)}  ${counts.padEnd(22)} ${r.seconds.toFixed(1).padStart(6)} s\n`);
    if (bad) process.stdout.write(`${r.out.replace(/\s+$/, '')}\n\n`);
  }
}

console.log(`${files.length} test files${unitOnly ? ' (unit tier: no process started)' : ''}, ${jobs} at a time`);
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, lane));
writeFileSync(timesFile, `${JSON.stringify(times, null, 1)}\n`);
console.log(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 || total.skipped > 0 || total.passed === 0 ? 1 : 0);
