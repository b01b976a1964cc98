/**
 * Writing an export's FileMap into its folder: all or nothing, and never losing what utvm-aot did not
 * write.
 *
 * The folder's `.utvm-aot` file is the manifest of the last export: every file it wrote with the SHA-256
 * of the bytes it wrote. A new export into the folder
 *   - writes only the files whose bytes change, and removes the files of the last export that this one
 *     no longer has (when they are as it wrote them);
 *   - keeps every file the manifest does not list (the user's NOTES.md, a cmake-build/ folder);
 *   - refuses, with E_USAGE naming them, to overwrite a file the user edited since (its hash differs from
 *     the manifest's) or one it did not write; `--force` overwrites them. An edited file the new export
 *     no longer has is kept.
 * A folder without a manifest is written into only when it is empty (or with `--force`). A `.utvm-aot`
 * from before manifests (plain text) counts as listing the files of the new export that exist.
 *
 * All or nothing: the new files are first written into `<out>.tmp-<pid>` (the slow part, one file per
 * turn of the event loop so SIGINT/SIGTERM can stop it: the caller aborts `signal`), then moved into
 * place with renames; files they replace are moved aside into `<out>.old-<pid>` first and moved back if
 * any step fails. A failure or an interruption leaves the folder as it was and no temporary folder.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fail } from '../diagnostics.js';
import type { FileMap } from '../emit/project.js';
import { WriteFile, writeFileMap } from './files.js';
import { checkFolderPath, ioError, makeDirs, withIo } from './io-error.js';

/** The manifest file: marks a folder as written by utvm-aot and lists what it wrote. */
export const EXPORT_MARKER = '.utvm-aot';

/** Thrown when the export was interrupted (the caller's signal was aborted); nothing was changed. */
export class ExportInterrupted extends Error {
  constructor(readonly reason: string) {
    super(`interrupted (${reason})`);
  }
}

export interface WriteProjectOptions {
  /** Overwrite files the user edited or that utvm-aot did not write. */
  force?: boolean;
  /** Aborted on SIGINT/SIGTERM: the export stops and removes its temporary folder. */
  signal?: AbortSignal;
  /** Writes one file (tests inject failures here); default fs.writeFileSync. */
  writeFile?: WriteFile;
}

export interface WriteSummary {
  written: string[];
  unchanged: string[];
  removed: string[];
  /** Files of the folder the export left alone: the user's own, and edited files it no longer has. */
  kept: string[];
}

function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The hash of the file at `full`; undefined when missing, 'folder' for a folder. */
function currentHash(full: string): string | undefined {
  if (!existsSync(full)) return undefined;
  if (statSync(full).isDirectory()) return 'folder';
  return sha256(readFileSync(full));
}

export function manifestText(files: Map<string, string>): string {
  const sorted = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const about = 'written by utvm-aot export: the files it wrote and their sha256; a new export updates these and keeps every other file';
  return `${JSON.stringify({ about, files: sorted }, null, 1)}\n`;
}

/** The last export's files (path → sha256), or undefined when the folder has no manifest. */
function readManifest(target: string, files: FileMap): Map<string, string> | undefined {
  const path = join(target, EXPORT_MARKER);
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    const parsed = JSON.parse(text) as { files?: Record<string, unknown> };
    if (parsed && typeof parsed.files === 'object' && parsed.files !== null) {
      return new Map(Object.entries(parsed.files).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    // a marker from before manifests: below
  }
  const owned = new Map<string, string>();
  for (const p of files.keys()) {
    const h = currentHash(join(target, p));
    if (h !== undefined && h !== 'folder') owned.set(p, h);
  }
  return owned;
}

function listed(paths: string[]): string {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}

/** Removes the folders above `path` (inside `root`) that became empty. */
function pruneEmpty(root: string, path: string): void {
  for (let d = dirname(join(root, path)); d.startsWith(`${root}/`) && readdirSync(d).length === 0; d = dirname(d)) rmdirSync(d);
}

/** Writes `entries` into `tmp` one file at a time, letting a signal in between files. */
async function stage(tmp: string, entries: [string, string][], options: WriteProjectOptions): Promise<void> {
  for (const entry of entries) {
    if (options.signal?.aborted) throw new ExportInterrupted(String(options.signal.reason ?? 'aborted'));
    writeFileMap(tmp, [entry], options.writeFile);
    await new Promise((done) => setImmediate(done));
  }
  if (options.signal?.aborted) throw new ExportInterrupted(String(options.signal.reason ?? 'aborted'));
}

/** Writes `files` into `dir` as described above. */
export async function writeProject(dir: string, files: FileMap, options: WriteProjectOptions = {}): Promise<WriteSummary> {
  checkFolderPath(dir, '-o');
  const target = resolve(dir);
  const fresh = !existsSync(target);
  const owned = fresh ? new Map<string, string>() : readManifest(target, files);
  if (!fresh && owned === undefined && withIo(dir, 'read the folder', () => readdirSync(target)).length > 0 && !options.force) {
    fail('E_USAGE', `${dir} exists and was not written by utvm-aot; choose another output folder with -o, or pass --force to export into it (its other files are kept)`);
  }
  const last = owned ?? new Map<string, string>();
  const hashes = new Map([...files].map(([p, c]) => [p, sha256(c)]));
  const summary: WriteSummary = { written: [], unchanged: [], removed: [], kept: [] };
  const conflicts: string[] = [];
  for (const [p, h] of hashes) {
    const cur = fresh ? undefined : currentHash(join(target, p));
    if (cur === 'folder') fail('E_IO', `${join(dir, p)}: is a folder where the export writes a file`);
    if (cur === h) {
      summary.unchanged.push(p);
      continue;
    }
    if (cur !== undefined && cur !== last.get(p)) conflicts.push(p);
    summary.written.push(p);
  }
  for (const [p, h] of last) {
    if (hashes.has(p)) continue;
    const cur = currentHash(join(target, p));
    if (cur === h) summary.removed.push(p);
    else if (cur !== undefined) summary.kept.push(p);
  }
  if (conflicts.length > 0 && !options.force) {
    fail('E_USAGE', `${dir}: ${listed(conflicts)} changed since utvm-aot wrote ${conflicts.length > 1 ? 'them' : 'it'} (or ${conflicts.length > 1 ? 'were' : 'was'} not written by it); move your changes elsewhere, or pass --force to overwrite`);
  }
  const manifest = manifestText(hashes);
  const manifestChanged = fresh || currentHash(join(target, EXPORT_MARKER)) !== sha256(manifest);
  if (!fresh && summary.written.length === 0 && summary.removed.length === 0 && !manifestChanged) return summary;

  withIo(dir, 'create the folder', () => makeDirs(dirname(target)));
  const tmp = `${target}.tmp-${process.pid}`;
  const backup = `${target}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const staged: [string, string][] = [...summary.written.map((p): [string, string] => [p, files.get(p)!]), [EXPORT_MARKER, manifest]];
  try {
    await stage(tmp, fresh ? [...files, [EXPORT_MARKER, manifest]] : staged, options).catch((e) => {
      throw e instanceof ExportInterrupted ? e : ioError(e, dir, 'write the export');
    });
    if (fresh) {
      withIo(dir, 'write the export', () => renameSync(tmp, target));
      return summary;
    }
    commit(target, tmp, backup, staged.map(([p]) => p), summary.removed, dir);
    for (const p of summary.removed) pruneEmpty(target, p);
    return summary;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(backup, { recursive: true, force: true });
  }
}

/** Moves the staged files into place, the replaced and removed ones aside; undoes every move on failure. */
function commit(target: string, tmp: string, backup: string, staged: string[], removed: string[], dir: string): void {
  const moved: string[] = [];
  const placed: string[] = [];
  const move = (from: string, to: string) => {
    makeDirs(dirname(to));
    renameSync(from, to);
  };
  try {
    for (const p of [...staged, ...removed]) {
      if (!existsSync(join(target, p))) continue;
      move(join(target, p), join(backup, p));
      moved.push(p);
    }
    for (const p of staged) {
      move(join(tmp, p), join(target, p));
      placed.push(p);
    }
  } catch (e) {
    for (const p of placed) rmSync(join(target, p), { force: true });
    for (const p of moved) renameSync(join(backup, p), join(target, p));
    throw ioError(e, dir, 'update the export');
  }
}
