/**
 * Helpers for the CLI tests (tests/e2e/cli*.test.ts): run `node bin/utvm-aot.js` from the repository
 * root as a user would, and look at what it left on disk.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { repoRoot } from '../../samples/cifar10/make-model.js';

export const ROOT = repoRoot();
/** The sample model, relative to ROOT (the CLI runs with cwd = ROOT). */
export const CIFAR = 'samples/cifar10/cifar10.onnx';
export const CIFAR_INPUT = 'samples/cifar10/input.npy';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment for child processes, without the colour switches the test runner may set. */
const CHILD_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'FORCE_COLOR' && k !== 'NO_COLOR'));

/** Runs the CLI with `args` (cwd = the repository root; `env` added to the environment) and waits for it. */
export function utvm(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'utvm-aot.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...CHILD_ENV, ...env } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs any command in `cwd`; returns its status and merged text. */
export function sh(cmd: string, args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The lines of a process's output, without the final newline. */
export function linesOf(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}

/** Asserts that `r` exited with `status`, printed nothing on stdout and exactly `lines` on stderr. */
export function assertFails(r: CliResult, status: number, lines: (string | RegExp)[]): void {
  const got = linesOf(r.stderr);
  const show = `stderr:\n${r.stderr}`;
  assert.is(r.status, status, `exit status; ${show}`);
  assert.is(r.stdout, '', 'nothing on stdout');
  assert.is(got.length, lines.length, `number of stderr lines; ${show}`);
  lines.forEach((want, i) => {
    if (typeof want === 'string') assert.is(got[i], want, `stderr line ${i + 1}`);
    else assert.match(got[i], want, `stderr line ${i + 1}`);
  });
}

/** Every file under `dir` (recursively), as sorted paths relative to `dir` with '/' separators. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const full = join(dir, e);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, `${prefix}${e}/`));
    else out.push(`${prefix}${e}`);
  }
  return out.sort();
}

/** Path → contents of every file under `dir`. */
export function snapshot(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'latin1')]));
}

/** Asserts two snapshots hold the same files with the same bytes. */
export function assertSameFiles(actual: Map<string, string>, expected: Map<string, string>, what: string): void {
  assert.equal([...actual.keys()], [...expected.keys()], `${what}: file list`);
  for (const [f, content] of expected) assert.ok(actual.get(f) === content, `${what}: ${f} differs`);
}

/** Regex-escapes `s` (for building exact-line patterns around a variable part). */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
