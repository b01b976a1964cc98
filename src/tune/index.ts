/**
 * `utvm-aot tune` (issue 17): measure schedule candidates of each workload of a model on the emulated
 * Cortex-M7 and log them (log.ts), so that `--tuning-log` (apply.ts) compiles each layer with the best.
 *
 *   1. the model through the pass pipeline, as `compile` sees it; its layers whose operators declare
 *      knobs on the board's core (`OpDef.knobs`) grouped by workload key (key.ts): layers of one key are
 *      measured once;
 *   2. per workload, the search of space.ts proposes batches of configs; each batch is measured in one
 *      firmware and one emulator run (measure.ts, firmware.ts), each config against the default's output
 *      bytes; every measured config is appended to the log at once (`append`), so an interrupted run loses
 *      at most the batches in flight;
 *   3. `jobs` workloads are measured at a time (a build or emulator process each); `timeS` stops starting
 *      new batches once that many seconds have passed; `previous` records (--resume) are not measured again.
 * Pure apart from the child processes and the temporary folders of measure.ts: the log is written by the
 * caller's `append`.
 */

import { loadGraph } from '../compile.js';
import type { Node } from '../ir/graph.js';
import { loadBoard } from '../emit/boards.js';
import { compilerVersion } from '../emit/templates.js';
import { nodeKnobs } from '../lower/index.js';
import { getOp } from '../ops/index.js';
import type { Knob, LowerTarget, Schedule } from '../ops/op.js';
import { Progress, silent } from '../progress.js';
import { QEMU_BOARD } from '../run/qemu.js';
import { requireFirmwareTools } from '../run/tools.js';
import { defaultConfig } from './apply.js';
import { workloadKey } from './key.js';
import { TuningRecord, configId } from './log.js';
import { measureBatch } from './measure.js';
import { search } from './space.js';

export interface Workload {
  key: string;
  op: string;
  /** The first layer of the key: the one measured. */
  node: Node;
  /** Every layer of the model with this key. */
  layers: string[];
  knobs: Knob[];
}

export interface TuneOptions {
  /** Configs measured per workload at most. */
  budget: number;
  /** Seconds after which no new batch starts. */
  timeS?: number;
  jobs: number;
  seed: number;
  /** Records already in the log (--resume): their (key, config) pairs are not measured again. */
  previous?: readonly TuningRecord[];
  /** Called with each new record as soon as it is measured. */
  append(record: TuningRecord): void;
  progress?: Progress;
  now?: () => number;
}

export interface WorkloadResult {
  key: string;
  op: string;
  layers: string[];
  knobs: string[];
  measured: number;
  defaultInstructions?: number;
  bestInstructions?: number;
  best?: Schedule;
  /** The time limit stopped it before it began. */
  skipped: boolean;
}

export interface TuneReport {
  model: string;
  board: string;
  /** Layers with kernel calls, and those with knobs. */
  layers: number;
  records: number;
  workloads: WorkloadResult[];
}

/** The model's layers with knobs on `target`, grouped by workload key, in first-layer order. */
export function findWorkloads(g: ReturnType<typeof loadGraph>, target: LowerTarget): Workload[] {
  const byKey = new Map<string, Workload>();
  for (const node of g.nodes) {
    const knobs = nodeKnobs(g, node, target);
    if (knobs.length === 0) continue;
    const key = workloadKey(g, node, target);
    const w = byKey.get(key);
    if (w) w.layers.push(node.name);
    else byKey.set(key, { key, op: node.op, node, layers: [node.name], knobs });
  }
  return [...byKey.values()];
}

function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export async function tune(bytes: Uint8Array, fileName: string, name: string, options: TuneOptions): Promise<TuneReport> {
  const board = loadBoard(QEMU_BOARD);
  requireFirmwareTools((board.emulator ?? { command: 'qemu-system-arm' }).command);
  const target: LowerTarget = { dsp: board.core === 'cortex-m7', rounding: 'tflite' };
  const g = loadGraph(bytes, fileName, name);
  const work = findWorkloads(g, target);
  const now = options.now ?? Date.now;
  const deadline = options.timeS === undefined ? Infinity : now() + options.timeS * 1000;
  const tool = `utvm-aot ${compilerVersion()}`;
  const known = new Map<string, TuningRecord>();
  for (const r of options.previous ?? []) known.set(`${r.key}\u0000${configId(r.config)}`, r);
  const progress = options.progress ?? silent;
  const counter = progress.count('tuning', work.length, 'workloads');
  let records = 0;
  let saved = 0;
  const results: WorkloadResult[] = work.map((w) => ({ key: w.key, op: w.op, layers: w.layers, knobs: w.knobs.map((k) => k.name), measured: 0, skipped: true }));

  const runOne = async (i: number) => {
    const w = work[i];
    const result = results[i];
    if (now() >= deadline) return;
    result.skipped = false;
    const base = defaultConfig(w.knobs);
    const measure = async (batch: Schedule[]) => {
      const costs = new Map<string, number | undefined>();
      const fresh = batch.filter((c) => !known.has(`${w.key}\u0000${configId(c)}`));
      for (const c of batch) {
        const r = known.get(`${w.key}\u0000${configId(c)}`);
        if (r) costs.set(configId(c), r.ok ? r.instructions : undefined);
      }
      if (fresh.length > 0) {
        for (const m of await measureBatch(g, w.node, base, fresh)) {
          const record: TuningRecord = { key: w.key, config: m.config, ok: m.ok, op: w.op, tool };
          if (m.instructions !== undefined) record.instructions = m.instructions;
          if (m.flash !== undefined) record.flash = m.flash;
          if (m.error !== undefined) record.error = m.error;
          known.set(`${w.key}\u0000${configId(m.config)}`, record);
          options.append(record);
          records++;
          costs.set(configId(m.config), m.ok ? m.instructions : undefined);
        }
      }
      result.measured += batch.length;
      return costs;
    };
    const found = await search(w.knobs, { budget: options.budget, seed: options.seed, key: w.key, mayContinue: () => now() < deadline }, measure);
    const d = known.get(`${w.key}\u0000${configId(base)}`);
    if (d?.ok) result.defaultInstructions = d.instructions;
    if (found.best) {
      result.best = found.best;
      result.bestInstructions = found.instructions;
    }
    if (result.defaultInstructions !== undefined && result.bestInstructions !== undefined) saved += (result.defaultInstructions - result.bestInstructions) * w.layers.length;
  };

  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const i = next++;
      await runOne(i);
      const r = results[i];
      const best = r.bestInstructions !== undefined ? `${r.op} ${group(r.defaultInstructions ?? r.bestInstructions)} → ${group(r.bestInstructions)}` : `${r.op} –`;
      counter.tick(1, `last ${best}; saved so far ${group(saved)} instructions per inference`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, work.length)) }, worker));
  counter.done();
  const layers = g.nodes.filter((n) => getOp(n.op).lower).length;
  return { model: fileName, board: QEMU_BOARD, layers, records, workloads: results };
}

/** The report `tune` prints: a row per workload (default and best instructions, the best config). */
export function formatTune(r: TuneReport, logFile: string): string {
  const lines = [`${r.model}: ${r.workloads.length} workload(s) with knobs among ${r.layers} layers on ${r.board}; ${r.records} new record(s) in ${logFile}`];
  for (const w of r.workloads) {
    const cfg = w.best ? Object.entries(w.best).map(([k, v]) => `${k}=${v}`).join(' ') : '–';
    const cost = w.skipped ? 'not measured (--time)' : `${w.defaultInstructions !== undefined ? group(w.defaultInstructions) : '?'} → ${w.bestInstructions !== undefined ? group(w.bestInstructions) : '?'} instructions`;
    lines.push(`  ${w.op.padEnd(12)} ${String(w.layers.length).padStart(2)} layer(s)  ${cost}  (${w.measured} config(s); best ${cfg})  ${w.key.length > 100 ? `${w.key.slice(0, 100)}…` : w.key}`);
  }
  return lines.join('\n');
}
