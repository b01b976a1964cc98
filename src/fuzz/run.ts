/**
 * The fuzz driver: runs cases [0, cases) of a seed on a pool of worker threads, each case with a time
 * limit (a worker that does not answer in time is terminated and the case counted as a hang), and every
 * `cliEvery`-th case also through the CLI (`utvm-aot export`, in a child process), where exit status 3,
 * a signal, a stderr that is not one `utvm-aot: error E_…` line, or an output folder left after a
 * failure is a failure. Returns the counts per mutation kind and the failures, grouped by signature.
 */

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ALL_KINDS, FuzzCase, Outcome, Status, isOneLine, makeCase } from './cases.js';
import { DEFAULT_MODELS, PROJECT_ROOT, loadCorpus } from './corpus.js';
import type { WorkerReply } from './worker.js';

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** First case index (default 0). */
  start?: number;
  workers?: number;
  timeoutMs?: number;
  /** Every cliEvery-th case also runs through the CLI; 0: none. */
  cliEvery?: number;
  models?: string;
  /** Called after each case (progress). */
  onCase?: (done: number, total: number) => void;
}

export interface KindCount {
  cases: number;
  ok: number;
  refused: number;
  failed: number;
  cli: number;
}

export interface Failure {
  index: number;
  kind: string;
  model: string;
  status: Status;
  detail: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  kinds: Map<string, KindCount>;
  failures: Failure[];
  slowestMs: number;
  /** The slowest case that finished: "index kind model". */
  slowest: string;
  cliCases: number;
}

/** A failure's signature: its status and message with numbers and quoted names blanked out. */
export function signature(f: Failure): string {
  return `${f.status} ${f.detail.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N')}`;
}

const BIN = join(PROJECT_ROOT, 'bin', 'utvm-aot.js');

/** Runs one case through `utvm-aot export`; undefined when all is well, else what went wrong. */
function runCli(c: FuzzCase, timeoutMs: number): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-fuzz-'));
  const file = join(dir, c.fileName);
  writeFileSync(file, c.bytes);
  const out = join(dir, 'out');
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'export', file, '--board', 'host', '-o', out], { timeout: timeoutMs, maxBuffer: 1 << 24 }, (err, _stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const lines = stderr.split('\n').filter((l) => l !== '');
      let problem: string | undefined;
      if (err && (err.killed || err.signal)) problem = `killed (${err.signal ?? 'timeout'}) after ${timeoutMs} ms`;
      else if (status !== 0 && status !== 1) problem = `exit ${status}: ${lines[0] ?? ''}`;
      else if (status === 1 && (lines.length !== 1 || !/^utvm-aot: error E_[A-Z_]+: /.test(lines[0]))) problem = `exit 1 with ${lines.length} stderr lines: ${JSON.stringify(stderr.slice(0, 200))}`;
      else if (status === 1 && readdirSync(dir).some((f) => f !== c.fileName)) problem = `failed export left ${readdirSync(dir).filter((f) => f !== c.fileName).join(', ')}`;
      else if (status === 0 && !existsSync(join(out, 'main.c'))) problem = 'exit 0 without main.c';
      rmSync(dir, { recursive: true, force: true });
      resolve(problem);
    });
  });
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const models = o.models ?? DEFAULT_MODELS;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const cliEvery = o.cliEvery ?? 50;
  const start = o.start ?? 0;
  const corpus = loadCorpus(models); // the main thread rebuilds cases for the CLI and for hangs
  const report: FuzzReport = { seed: o.seed, cases: 0, kinds: new Map(ALL_KINDS.map((k) => [k, { cases: 0, ok: 0, refused: 0, failed: 0, cli: 0 }])), failures: [], slowestMs: 0, slowest: '', cliCases: 0 };
  const count = (kind: string) => report.kinds.get(kind)!;
  const fail = (c: { index: number; kind: string; model: string }, status: Status, detail: string) => {
    report.failures.push({ index: c.index, kind: c.kind, model: c.model, status, detail });
    count(c.kind).failed++;
  };
  let next = start;
  const end = start + o.cases;
  const cliJobs: Promise<void>[] = [];

  const workerUrl = new URL('./worker.js', import.meta.url);
  const runWorker = () =>
    new Promise<void>((resolve) => {
      let current: { index: number; kind: string; model: string } | undefined;
      let timer: NodeJS.Timeout | undefined;
      let worker: Worker;
      const spawn = () => {
        worker = new Worker(workerUrl, { workerData: { models } });
        worker.on('message', onMessage);
        worker.on('error', (e) => {
          // A worker that dies (out of memory, ...) takes its case with it.
          clearTimeout(timer);
          if (current) fail(current, 'crash', `worker died: ${String(e.message).split('\n')[0]}`);
          current = undefined;
          spawn();
          feed();
        });
      };
      const feed = () => {
        if (next >= end) {
          void worker.terminate();
          resolve();
          return;
        }
        const index = next++;
        current = { index, kind: '?', model: '?' };
        timer = setTimeout(() => {
          const c = current ?? { index, kind: '?', model: '?' };
          current = undefined;
          worker.removeAllListeners();
          void worker.terminate();
          report.cases++;
          if (c.kind === '?') Object.assign(c, (({ kind, model }) => ({ kind, model }))(makeCase(corpus, o.seed, index)));
          count(c.kind).cases++;
          fail(c, 'hang', `no answer after ${timeoutMs} ms`);
          o.onCase?.(report.cases, o.cases);
          spawn();
          feed();
        }, timeoutMs);
        worker.postMessage({ seed: o.seed, index });
      };
      const onMessage = (m: WorkerReply) => {
        if (m.type === 'start') {
          current = { index: m.index, kind: m.kind, model: m.model };
          return;
        }
        clearTimeout(timer);
        const c = current!;
        current = undefined;
        report.cases++;
        const k = count(c.kind);
        k.cases++;
        if (m.ms > report.slowestMs) {
          report.slowestMs = m.ms;
          report.slowest = `case ${m.index}, ${c.kind} from ${c.model}`;
        }
        const out: Outcome = m.outcome;
        if (out.status === 'ok') k.ok++;
        else if (out.status === 'refused') k.refused++;
        else fail(c, out.status, `[${out.board}] ${out.code}: ${out.message}`);
        if (cliEvery > 0 && m.index % cliEvery === 0) {
          report.cliCases++;
          k.cli++;
          const fc = makeCase(corpus, o.seed, m.index);
          cliJobs.push(runCli(fc, timeoutMs + 5000).then((problem) => (problem ? fail(c, 'cli', problem) : undefined)));
        }
        o.onCase?.(report.cases, o.cases);
        feed();
      };
      spawn();
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, o.workers ?? 1) }, runWorker));
  await Promise.all(cliJobs);
  report.failures.sort((a, b) => a.index - b.index);
  return report;
}

/** The report as text: counts per kind, then each distinct failure with its reproducer. */
export function formatReport(r: FuzzReport): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  lines.push(`${'kind'.padEnd(28)} ${pad('cases', 6)} ${pad('ok', 6)} ${pad('refused', 8)} ${pad('cli', 5)} ${pad('failed', 7)}`);
  for (const [kind, k] of r.kinds) {
    if (k.cases === 0) continue;
    lines.push(`${kind.padEnd(28)} ${pad(k.cases, 6)} ${pad(k.ok, 6)} ${pad(k.refused, 8)} ${pad(k.cli, 5)} ${pad(k.failed, 7)}`);
  }
  const crashes = r.failures.filter((f) => f.status !== 'hang').length;
  const hangs = r.failures.length - crashes;
  lines.push(`seed ${r.seed}: ${r.cases} cases (${r.cliCases} also through the CLI), ${crashes} crashes, ${hangs} hangs; slowest case ${Math.round(r.slowestMs)} ms (${r.slowest})`);
  const groups = new Map<string, Failure[]>();
  for (const f of r.failures) {
    const s = signature(f);
    groups.set(s, [...(groups.get(s) ?? []), f]);
  }
  for (const [, fs] of groups) {
    const f = fs[0];
    lines.push(`FAIL ${f.status} ×${fs.length} ${f.kind} from ${f.model}: ${f.detail}`);
    lines.push(`  reproduce: npm run fuzz -- --seed ${r.seed} --case ${f.index} --write case-${f.index}.${f.kind.startsWith('onnx') ? 'onnx' : 'tflite'}`);
  }
  return lines.join('\n');
}
