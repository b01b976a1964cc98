/**
 * The tuning log (issue 17): JSON lines, one record per measured candidate, appended by `utvm-aot tune`
 * as it goes and read by `--tuning-log` and `tune --resume`:
 *
 *   {"key":"pool2d|dsp|...","config":{"channel_words":4},"instructions":6120,"flash":412,"ok":true,"op":"pool2d","tool":"utvm-aot 0.1.0"}
 *
 * `key` is the workload key (key.ts), `config` the knob values measured (every knob of the node, so the
 * default is written out too), `instructions` one run of the layer alone on the emulator, `flash` the code
 * and constants of that layer (its model object and its kernels' objects), `ok` whether it ran and its
 * output bytes equal the default config's (a candidate that is not ok is never applied); `error` says why
 * not. Other fields are kept for people and ignored.
 *
 * The log is a file from the user: it is read defensively. Its size is checked before it is read
 * (MAX_LOG_BYTES), each line is parsed on its own, and every field is checked; the first bad line stops
 * everything with one E_TUNING_LOG line naming the file and the line. Only `tune --resume` forgives a last
 * line cut short (no newline: an interrupted append), which it then overwrites.
 */

import { fail } from '../diagnostics.js';
import type { Schedule } from '../ops/op.js';
import { stableJson } from './key.js';

/** The largest tuning log read (64 MiB: about 300,000 records). */
export const MAX_LOG_BYTES = 64 * 1024 * 1024;
const MAX_LINE = 64 * 1024;
const MAX_KEY = 4096;
const MAX_KNOBS = 32;
const KNOB_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface TuningRecord {
  key: string;
  config: Schedule;
  /** Absent when the candidate did not run (not ok). */
  instructions?: number;
  flash?: number;
  ok: boolean;
  error?: string;
  op?: string;
  tool?: string;
}

/** A parsed log: its records in file order, and where they came from (for messages). */
export interface TuningLog {
  file: string;
  records: TuningRecord[];
}

/** The config as a canonical string (sorted knob names): equal configs give equal strings. */
export function configId(config: Schedule): string {
  return stableJson(config);
}

/** One record as its log line (with the newline). */
export function formatRecord(r: TuningRecord): string {
  const out: Record<string, unknown> = { key: r.key, config: JSON.parse(stableJson(r.config)) };
  if (r.instructions !== undefined) out.instructions = r.instructions;
  if (r.flash !== undefined) out.flash = r.flash;
  out.ok = r.ok;
  if (r.error !== undefined) out.error = r.error;
  if (r.op !== undefined) out.op = r.op;
  if (r.tool !== undefined) out.tool = r.tool;
  return `${JSON.stringify(out)}\n`;
}

function count(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The record of one line, or the reason it is not one. */
function readRecord(line: string): TuningRecord | string {
  if (line.length > MAX_LINE) return `longer than ${MAX_LINE} characters`;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.key !== 'string' || o.key === '' || o.key.length > MAX_KEY) return `"key" must be a string of 1 to ${MAX_KEY} characters`;
  if (o.config === null || typeof o.config !== 'object' || Array.isArray(o.config)) return '"config" must be an object';
  const entries = Object.entries(o.config as Record<string, unknown>);
  if (entries.length > MAX_KNOBS) return `"config" has more than ${MAX_KNOBS} knobs`;
  for (const [name, value] of entries) {
    if (!KNOB_NAME.test(name)) return `knob name ${JSON.stringify(name.slice(0, 80))} is not an identifier of at most 64 characters`;
    const okValue = (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= 64);
    if (!okValue) return `knob '${name}' must be a finite number or a string of at most 64 characters`;
  }
  if (typeof o.ok !== 'boolean') return '"ok" must be true or false';
  if (o.instructions !== undefined && !count(o.instructions)) return '"instructions" must be a whole number ≥ 0';
  if (o.flash !== undefined && !count(o.flash)) return '"flash" must be a whole number ≥ 0';
  if (o.ok && o.instructions === undefined) return 'an ok record needs "instructions"';
  const text = (k: string) => (typeof o[k] === 'string' ? (o[k] as string).slice(0, 200) : undefined);
  const r: TuningRecord = { key: o.key, config: o.config as Schedule, ok: o.ok };
  if (o.instructions !== undefined) r.instructions = o.instructions as number;
  if (o.flash !== undefined) r.flash = o.flash as number;
  for (const k of ['error', 'op', 'tool'] as const) if (text(k) !== undefined) r[k] = text(k);
  return r;
}

/**
 * The records of a tuning log's text. Blank lines are skipped; the first line that is not a record fails
 * with E_TUNING_LOG (`<file> line <n>: <why>`). With `forgiveCutTail`, a last line without a newline
 * that does not parse is left out and `cutTail` gives the length of the text before it.
 */
export function parseTuningLog(text: string, file: string, forgiveCutTail = false): TuningLog & { cutTail?: number } {
  if (text.length > MAX_LOG_BYTES) fail('E_TUNING_LOG', `${file}: the tuning log is larger than ${MAX_LOG_BYTES} bytes`);
  const records: TuningRecord[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(start, end).replace(/\r$/, '');
    lineNo++;
    if (line.trim() !== '') {
      const r = readRecord(line);
      if (typeof r === 'string') {
        if (forgiveCutTail && nl < 0) return { file, records, cutTail: start };
        fail('E_TUNING_LOG', `${file} line ${lineNo}: ${r}; is it a log written by 'utvm-aot tune'?`);
      }
      records.push(r);
    }
    start = end + 1;
  }
  return { file, records };
}
