/**
 * A fuzz worker thread: builds and compiles the cases the main thread sends, one at a time. It says
 * which case it starts before compiling, so that the main thread can name a case that never finishes
 * (it then terminates this worker and starts another).
 */

import { parentPort, workerData } from 'node:worker_threads';
import { loadCorpus } from './corpus.js';
import { makeCase, runCase } from './cases.js';

export interface WorkerRequest {
  seed: number;
  index: number;
}

export type WorkerReply =
  | { type: 'start'; index: number; kind: string; model: string }
  | { type: 'done'; index: number; outcome: ReturnType<typeof runCase>; ms: number };

const corpus = loadCorpus((workerData as { models: string }).models);

parentPort!.on('message', (req: WorkerRequest) => {
  const c = makeCase(corpus, req.seed, req.index);
  parentPort!.postMessage({ type: 'start', index: c.index, kind: c.kind, model: c.model } satisfies WorkerReply);
  const t0 = performance.now();
  const outcome = runCase(c);
  parentPort!.postMessage({ type: 'done', index: c.index, outcome, ms: performance.now() - t0 } satisfies WorkerReply);
});
