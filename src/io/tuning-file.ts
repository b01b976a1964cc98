/**
 * The tuning log on disk (src/tune/log.ts holds the format): read with its size checked first, and
 * appended record by record by `tune`. Problems are one line each: E_TUNING_LOG for a log that is not one
 * (exit 1), E_IO for the environment.
 */

import { appendFileSync, existsSync, openSync, closeSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { fail } from '../diagnostics.js';
import { MAX_LOG_BYTES, TuningLog, TuningRecord, formatRecord, parseTuningLog } from '../tune/log.js';

function readText(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) fail('E_TUNING_LOG', `${path}: is a folder, not a tuning log`);
    size = st.size;
  } catch (e) {
    if (e instanceof Error && e.name === 'UtvmError') throw e;
    const code = (e as { code?: string }).code;
    fail('E_TUNING_LOG', code === 'ENOENT' ? `${path}: no such tuning log` : `${path}: cannot read the tuning log (${code ?? 'error'})`);
  }
  if (size > MAX_LOG_BYTES) fail('E_TUNING_LOG', `${path}: the tuning log is ${size} bytes, more than the ${MAX_LOG_BYTES} read`);
  const bytes = readFileSync(path);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return text;
}

/** `--tuning-log FILE`: the parsed log (every line must be a record). */
export function readTuningLog(path: string): TuningLog {
  return parseTuningLog(readText(path), path);
}

/**
 * `tune --resume`: the records already in `path` (none when it does not exist yet); a last line cut short
 * by an interrupted append is cut off the file so that the next append starts on a line of its own.
 */
export function resumeTuningLog(path: string): TuningRecord[] {
  if (!existsSync(path)) return [];
  const text = readText(path);
  const log = parseTuningLog(text, path, true);
  if (log.cutTail !== undefined) truncateSync(path, Buffer.byteLength(text.slice(0, log.cutTail), 'utf8'));
  else if (text !== '' && !text.endsWith('\n')) appendFileSync(path, '\n');
  return log.records;
}

/** Starts a fresh log at `path` (tune without --resume): an existing file is refused rather than mixed. */
export function createTuningLog(path: string, force: boolean): void {
  if (existsSync(path) && !force) fail('E_USAGE', `${path} exists: pass --resume to continue it (or remove it)`);
  closeSync(openSync(path, 'w'));
}

/** Appends one record as one line (one write: a crash leaves at most that line cut short). */
export function appendTuningRecord(path: string, record: TuningRecord): void {
  appendFileSync(path, formatRecord(record));
}
