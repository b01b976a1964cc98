/**
 * writeProject (src/io/export-folder.ts): a re-export updates only its own files, keeps the user's files
 * and edits (or needs --force), and a failure or an interruption leaves the earlier export as it was and
 * no temporary folder. The disk-full case injects the writer (ENOSPC on the third file); the e2e tests
 * (tests/e2e/cli-env.test.ts) fill a real tmpfs where the machine allows mounting one.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../src/diagnostics.js';
import { EXPORT_MARKER, ExportInterrupted, manifestText, writeProject } from '../../src/io/export-folder.js';
import { assertSameFiles, listFiles, snapshot } from '../util/cli.js';

let scratch = '';
let n = 0;

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-export-folder-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const V1 = new Map([
  ['main.c', 'int main(void) { return 0; }\n'],
  ['model/net.c', '/* v1 */\n'],
  ['model/net.h', '/* header */\n'],
  ['runtime/src/utvm_relu_f32.c', '/* relu */\n'],
]);
const V2 = new Map([
  ['main.c', 'int main(void) { return 0; }\n'],
  ['model/net.c', '/* v2 */\n'],
  ['model/net.h', '/* header */\n'],
  ['runtime/src/utvm_tanh_f32.c', '/* tanh */\n'],
]);

function freshOut(): string {
  return join(scratch, `out${n++}`);
}

/** Sibling entries of `out` (a temporary or backup folder left behind would show here). */
function siblings(out: string): string[] {
  return readdirSync(dirname(out)).filter((e) => e.startsWith(`${out.slice(dirname(out).length + 1)}.`));
}

async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.unreachable('expected a failure');
}

test('a fresh export writes every file and a manifest of their hashes', async () => {
  const out = freshOut();
  const s = await writeProject(out, V1);
  assert.equal(s.written.sort(), [...V1.keys()].sort());
  assert.equal(listFiles(out), [EXPORT_MARKER, ...V1.keys()].sort());
  assert.is(readFileSync(join(out, EXPORT_MARKER), 'utf8'), manifestText(new Map([...V1].map(([p, c]) => [p, sha(c)]))));
  const manifest = JSON.parse(readFileSync(join(out, EXPORT_MARKER), 'utf8')) as { files: Record<string, string> };
  assert.is(manifest.files['main.c'], sha(V1.get('main.c')!));
  assert.equal(siblings(out), []);
});

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

test('a re-export writes only what changed, removes its stale files, keeps the user\'s NOTES.md and build folder', async () => {
  const out = freshOut();
  await writeProject(out, V1);
  writeFileSync(join(out, 'NOTES.md'), 'my notes\n');
  mkdirSync(join(out, 'cmake-build'));
  writeFileSync(join(out, 'cmake-build', 'CMakeCache.txt'), 'cache\n');
  const mainBefore = statSync(join(out, 'main.c')).ino;
  const s = await writeProject(out, V2);
  assert.equal(s.written.sort(), ['model/net.c', 'runtime/src/utvm_tanh_f32.c']);
  assert.equal(s.unchanged.sort(), ['main.c', 'model/net.h']);
  assert.equal(s.removed, ['runtime/src/utvm_relu_f32.c']);
  assert.equal(listFiles(out), [EXPORT_MARKER, 'NOTES.md', 'cmake-build/CMakeCache.txt', ...V2.keys()].sort());
  assert.is(readFileSync(join(out, 'NOTES.md'), 'utf8'), 'my notes\n');
  assert.is(readFileSync(join(out, 'model/net.c'), 'utf8'), '/* v2 */\n');
  assert.is(statSync(join(out, 'main.c')).ino, mainBefore, 'an unchanged file is not rewritten');
  assert.equal(siblings(out), []);
  const again = await writeProject(out, V2);
  assert.equal(again.written, [], 'the same export again writes nothing');
});

test('an edited main.c stops the re-export (E_USAGE naming it, folder untouched); --force overwrites it and keeps NOTES.md', async () => {
  const out = freshOut();
  await writeProject(out, V1);
  writeFileSync(join(out, 'main.c'), 'int main(void) { return 42; } /* mine */\n');
  writeFileSync(join(out, 'NOTES.md'), 'my notes\n');
  const before = snapshot(out);
  const e = (await rejects(writeProject(out, V2))) as UtvmError;
  assert.instance(e, UtvmError);
  assert.is(e.code, 'E_USAGE');
  assert.is(e.exitCode, 2);
  assert.is(e.message, `${out}: main.c changed since utvm-aot wrote it (or was not written by it); move your changes elsewhere, or pass --force to overwrite`);
  assertSameFiles(snapshot(out), before, 'the refused re-export');
  await writeProject(out, V2, { force: true });
  assert.is(readFileSync(join(out, 'main.c'), 'utf8'), V2.get('main.c'));
  assert.is(readFileSync(join(out, 'NOTES.md'), 'utf8'), 'my notes\n');
});

test('an edited file the new export no longer has is kept (and dropped from the manifest)', async () => {
  const out = freshOut();
  await writeProject(out, V1);
  writeFileSync(join(out, 'runtime/src/utvm_relu_f32.c'), '/* my faster relu */\n');
  const s = await writeProject(out, V2);
  assert.equal(s.kept, ['runtime/src/utvm_relu_f32.c']);
  assert.is(readFileSync(join(out, 'runtime/src/utvm_relu_f32.c'), 'utf8'), '/* my faster relu */\n');
  const manifest = JSON.parse(readFileSync(join(out, EXPORT_MARKER), 'utf8')) as { files: Record<string, string> };
  assert.equal(Object.keys(manifest.files).sort(), [...V2.keys()].sort());
});

test('a folder the user made: refused unless empty; --force adds the export and keeps the rest', async () => {
  const out = freshOut();
  mkdirSync(out);
  writeFileSync(join(out, 'README.txt'), 'mine\n');
  const e = (await rejects(writeProject(out, V1))) as UtvmError;
  assert.is(e.message, `${out} exists and was not written by utvm-aot; choose another output folder with -o, or pass --force to export into it (its other files are kept)`);
  assert.equal(listFiles(out), ['README.txt']);
  writeFileSync(join(out, 'main.c'), '/* the user\'s own main.c */\n');
  const clash = (await rejects(writeProject(out, V1, { force: false }))) as UtvmError;
  assert.is(clash.code, 'E_USAGE');
  await writeProject(out, V1, { force: true });
  assert.equal(listFiles(out), [EXPORT_MARKER, 'README.txt', ...V1.keys()].sort());
  const empty = freshOut();
  mkdirSync(empty);
  await writeProject(empty, V1);
  assert.equal(listFiles(empty), [EXPORT_MARKER, ...V1.keys()].sort());
});

test('a marker from before manifests: the re-export replaces its files and keeps the others', async () => {
  const out = freshOut();
  mkdirSync(join(out, 'model'), { recursive: true });
  writeFileSync(join(out, EXPORT_MARKER), 'This folder was generated by utvm-aot; `utvm-aot export` may replace it.\n');
  writeFileSync(join(out, 'model/net.c'), '/* old */\n');
  writeFileSync(join(out, 'NOTES.md'), 'notes\n');
  await writeProject(out, V1);
  assert.is(readFileSync(join(out, 'model/net.c'), 'utf8'), '/* v1 */\n');
  assert.ok(existsSync(join(out, 'NOTES.md')));
});

test('disk full on the third file (injected ENOSPC): E_IO, exit 4, the earlier export intact, nothing left beside it', async () => {
  const out = freshOut();
  await writeProject(out, V1);
  writeFileSync(join(out, 'NOTES.md'), 'notes\n');
  const before = snapshot(out);
  let calls = 0;
  const full = (path: string, content: string) => {
    if (++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    writeFileSync(path, content);
  };
  const e = (await rejects(writeProject(out, V2, { writeFile: full }))) as UtvmError;
  assert.instance(e, UtvmError);
  assert.is(e.code, 'E_IO');
  assert.is(e.exitCode, 4);
  assert.is(e.message, `${out}: cannot write the export: no space left on the device (ENOSPC)`);
  assertSameFiles(snapshot(out), before, 'the earlier export');
  assert.equal(siblings(out), []);
  // A fresh export that fails leaves no folder at all.
  const fresh = freshOut();
  calls = 0;
  await rejects(writeProject(fresh, V1, { writeFile: full }));
  assert.not.ok(existsSync(fresh), 'no half-written folder');
  assert.equal(siblings(fresh), []);
});

test('an interrupted export (the signal aborted after the first file) leaves no temporary folder and changes nothing', async () => {
  const out = freshOut();
  await writeProject(out, V1);
  const before = snapshot(out);
  const ac = new AbortController();
  const interrupting = (path: string, content: string) => {
    writeFileSync(path, content);
    ac.abort('SIGINT');
  };
  const e = await rejects(writeProject(out, V2, { signal: ac.signal, writeFile: interrupting }));
  assert.instance(e, ExportInterrupted);
  assert.is((e as ExportInterrupted).reason, 'SIGINT');
  assertSameFiles(snapshot(out), before, 'the earlier export');
  assert.equal(siblings(out), []);
});

test.run();
