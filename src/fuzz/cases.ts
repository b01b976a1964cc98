/**
 * One fuzz case: (seed, index) → a mutated model, and what compiling it did.
 *
 * A case picks a format (ONNX or TensorFlow Lite, even odds), a model of the corpus, and a mutation kind
 * (byte-level for 40 % of cases, structure-aware for the rest), all from its own generator, so every case
 * is reproduced alone. `runCase` compiles the mutant in-process for the host and for stm32f746-nucleo:
 * a UtvmError is the expected refusal; anything else — another exception, a message of more than one
 * line — is a failure.
 */

import { UtvmError } from '../diagnostics.js';
import { compile } from '../compile.js';
import type { Corpus, CorpusModel } from './corpus.js';
import { BYTE_KINDS, ByteKind, mutateBytes } from './mutate-bytes.js';
import { ONNX_KINDS, OnnxKind, mutateOnnx } from './mutate-onnx.js';
import { TFLITE_KINDS, TfliteKind, TfliteSites, mutateTflite, tfliteSites } from './mutate-tflite.js';
import { Rng } from './rng.js';

export const ALL_KINDS: readonly string[] = [...BYTE_KINDS.map((k) => `onnx+${k}`), ...BYTE_KINDS.map((k) => `tflite+${k}`), ...ONNX_KINDS, ...TFLITE_KINDS];

export const FUZZ_BOARDS = ['host', 'stm32f746-nucleo'] as const;

export interface FuzzCase {
  seed: number;
  index: number;
  /** e.g. "onnx:rename", "tflite:offset", "onnx+bytes:truncate". */
  kind: string;
  format: 'onnx' | 'tflite';
  /** The corpus model it was made from. */
  model: string;
  bytes: Uint8Array;
  /** The file name compile() sees: its extension routes it. */
  fileName: string;
}

const siteCache = new Map<string, TfliteSites>();

export function makeCase(corpus: Corpus, seed: number, index: number): FuzzCase {
  const rng = new Rng(seed, index);
  const format = rng.chance(0.5) ? 'onnx' : 'tflite';
  const supported = corpus[format].filter((m) => m.supported);
  const model: CorpusModel = rng.pick(supported.length > 0 && rng.chance(0.8) ? supported : corpus[format]);
  const fileName = format === 'onnx' ? 'fuzz.onnx' : 'fuzz.tflite';
  if (rng.chance(0.4)) {
    const kind: ByteKind = rng.pick(BYTE_KINDS);
    return { seed, index, kind: `${format}+${kind}`, format, model: model.path, bytes: mutateBytes(kind, model.bytes, rng), fileName };
  }
  if (format === 'onnx') {
    const kind: OnnxKind = rng.pick(ONNX_KINDS);
    return { seed, index, kind, format, model: model.path, bytes: mutateOnnx(kind, model.bytes, rng), fileName };
  }
  let sites = siteCache.get(model.path);
  if (!sites) {
    sites = tfliteSites(model.bytes);
    siteCache.set(model.path, sites);
  }
  const kind: TfliteKind = rng.pick(TFLITE_KINDS);
  return { seed, index, kind, format, model: model.path, bytes: mutateTflite(kind, model.bytes, rng, sites), fileName };
}

export type Status = 'ok' | 'refused' | 'crash' | 'multiline' | 'hang' | 'cli';

export interface Outcome {
  status: Status;
  /** The error code (refused) or the exception's class (crash). */
  code?: string;
  /** The message, or for a crash its first line and the first frame of its stack. */
  message?: string;
  board?: string;
}

/** Any character that ends or breaks a line on a terminal or in a log. */
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function isOneLine(message: string): boolean {
  return !LINE_BREAKING.test(message);
}

/** Compiles the case for each fuzz board; the first failure (or refusal) is the outcome. */
export function runCase(c: FuzzCase): Outcome {
  let outcome: Outcome = { status: 'ok' };
  for (const board of FUZZ_BOARDS) {
    try {
      compile(c.bytes, c.fileName, { name: 'fuzz', board });
    } catch (e) {
      if (e instanceof UtvmError) {
        if (!isOneLine(e.message)) return { status: 'multiline', code: e.code, message: JSON.stringify(e.message).slice(0, 300), board };
        if (outcome.status === 'ok') outcome = { status: 'refused', code: e.code, message: e.message, board };
        continue;
      }
      const err = e instanceof Error ? e : new Error(String(e));
      const frame = (err.stack ?? '').split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
      return { status: 'crash', code: err.name, message: `${err.message.split('\n')[0].slice(0, 300)} ${frame.trim()}`, board };
    }
  }
  return outcome;
}
