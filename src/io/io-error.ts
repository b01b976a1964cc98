/**
 * Errors of the environment (disk full, permissions, a file where a folder should be) said in one line
 * with their own code (E_IO, exit status 4), instead of a stack trace: the model is not at fault, and
 * neither is utvm-aot.
 */

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UtvmError, fail } from '../diagnostics.js';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system (or the file-size limit, ulimit -f)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a file is where a folder should be',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
};

/** `e` as a one-line E_IO error about `path` (UtvmErrors pass through unchanged). */
export function ioError(e: unknown, path: string, action: string): UtvmError {
  if (e instanceof UtvmError) return e;
  const code = (e as { code?: string }).code;
  const reason = code && REASONS[code] ? `${REASONS[code]} (${code})` : `${(e as Error).message ?? e}`.split('\n')[0];
  return new UtvmError('E_IO', `${path}: cannot ${action}: ${reason}`);
}

/**
 * A file-system error of the environment thrown anywhere (a temporary folder on a full or read-only
 * /tmp, say) as an E_IO error naming its path; undefined for anything else (a bug).
 */
export function environmentError(e: unknown): UtvmError | undefined {
  const err = e as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof err?.code !== 'string' || !REASONS[err.code] || err.code === 'EEXIST') return undefined;
  return ioError(e, typeof err.path === 'string' ? err.path : 'a file', typeof err.syscall === 'string' ? err.syscall : 'access it');
}

/** Runs `fn`, turning a file-system error into ioError(path, action). */
export function withIo<T>(path: string, action: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw ioError(e, path, action);
  }
}

/**
 * Checks that `dir` can be a folder: it is not a file, and no folder above it is a file. Said as E_IO
 * before anything is written.
 */
export function checkFolderPath(dir: string, option: string): void {
  let p = resolve(dir);
  if (existsSync(p) && !statSync(p).isDirectory()) fail('E_IO', `${option} ${dir}: is a file, not a folder`);
  for (;;) {
    const up = dirname(p);
    if (up === p) return;
    p = up;
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) fail('E_IO', `${option} ${dir}: ${p} is a file, not a folder`);
      return;
    }
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir reports ENOENT (not EROFS or EACCES) when a level
 * cannot be made, and loops on some pseudo file systems.
 */
export function makeDirs(dir: string): void {
  const p = resolve(dir);
  if (existsSync(p)) return;
  makeDirs(dirname(p));
  mkdirSync(p);
}
