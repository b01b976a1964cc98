/**
 * Applying a tuning log (`--tuning-log`, CompileOptions.tuning): each layer's workload key (key.ts) →
 * the best measured config of that key → the layer's schedule (LowerContext.schedule).
 *
 *   1. Records are checked against the layer's knobs as its operator declares them now (`OpDef.knobs`):
 *      a record with a knob the operator does not have, or a value outside the knob's values, was
 *      measured for code this compiler cannot make; it is ignored (and counted in the summary).
 *   2. Of the remaining ok records of a key (ran, output bytes equal to the default's), the best is the
 *      one with the fewest instructions; ties go to the default config, then to less flash, then to the
 *      config's canonical text, so the choice never depends on the log's order.
 *   3. `flashBudget`: specialised code costs flash. The extra flash of a tuned key is its best record's
 *      flash minus its default record's (the whole best flash when the default was not measured) times the
 *      key's layers in this model (each layer has its own weights and its own specialised call); while
 *      the sum over the tuned keys exceeds the budget, the key that saves the fewest instructions per
 *      extra byte (over all its layers) goes back to its default.
 * Layers whose key the log does not hold keep their defaults.
 */

import type { Graph } from '../ir/graph.js';
import { getOp } from '../ops/index.js';
import type { Knob, LowerTarget, Schedule } from '../ops/op.js';
import { nodeKnobs } from '../lower/index.js';
import { workloadKey } from './key.js';
import { TuningLog, TuningRecord, configId } from './log.js';

export interface TuningSummary {
  file: string;
  /** Layers given a config from the log. */
  tuned: number;
  /** Layers with kernel calls. */
  layers: number;
  /** Records of the model's keys ignored for an unknown knob or value. */
  ignored: number;
  /** Layers put back to their defaults by the flash budget. */
  droppedForFlash: number;
  /** Extra flash of the kept tuned configs over their defaults (bytes, as measured per layer). */
  extraFlash: number;
}

/** `config` with every knob of `knobs` present (defaults filled in), or undefined when it names an unknown knob or value. */
export function fullConfig(knobs: readonly Knob[], config: Schedule): Schedule | undefined {
  const names = new Set(knobs.map((k) => k.name));
  for (const [name, value] of Object.entries(config)) {
    const knob = knobs.find((k) => k.name === name);
    if (!names.has(name) || !knob || !knob.values.includes(value)) return undefined;
  }
  const out: Record<string, number | string> = {};
  for (const k of [...knobs].sort((a, b) => (a.name < b.name ? -1 : 1))) out[k.name] = config[k.name] ?? k.default;
  return out;
}

/** The all-default config of `knobs`. */
export function defaultConfig(knobs: readonly Knob[]): Schedule {
  return fullConfig(knobs, {})!;
}

interface Choice {
  best: TuningRecord & { instructions: number };
  config: Schedule;
  base?: TuningRecord & { instructions: number };
}

/** The best ok record of `records` (all of one key, valid for `knobs`) by rule 2, and the default's record. */
export function bestRecord(knobs: readonly Knob[], records: readonly TuningRecord[]): Choice | undefined {
  const defaultId = configId(defaultConfig(knobs));
  let choice: Choice | undefined;
  let base: Choice['base'];
  const rank = (r: TuningRecord, id: string) => [r.instructions!, id === defaultId ? 0 : 1, r.flash ?? Number.MAX_SAFE_INTEGER] as const;
  for (const r of records) {
    if (!r.ok || r.instructions === undefined) continue;
    const config = fullConfig(knobs, r.config)!;
    const id = configId(config);
    if (id === defaultId && (!base || r.instructions < base.instructions)) base = r as Choice['base'];
    if (!choice) {
      choice = { best: r as Choice['best'], config };
      continue;
    }
    const [a, b] = [rank(r, id), rank(choice.best, configId(choice.config))];
    const better = a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] !== b[2] ? a[2] < b[2] : id < configId(choice.config);
    if (better) choice = { best: r as Choice['best'], config };
  }
  return choice ? { ...choice, ...(base ? { base } : {}) } : undefined;
}

/** The schedule of each node of `g` (by name) that the log tunes, and what was done (see the file's comment). */
export function chooseSchedules(g: Graph, target: LowerTarget, log: TuningLog, flashBudget?: number): { schedules: Map<string, Schedule>; summary: TuningSummary } {
  const byKey = new Map<string, TuningRecord[]>();
  for (const r of log.records) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }
  const summary: TuningSummary = { file: log.file, tuned: 0, layers: 0, ignored: 0, droppedForFlash: 0, extraFlash: 0 };
  const chosen = new Map<string, { choice: Choice; nodes: string[] }>();
  const seenKeys = new Set<string>();
  for (const node of g.nodes) {
    if (!getOp(node.op).lower) continue;
    summary.layers++;
    const key = workloadKey(g, node, target);
    const records = byKey.get(key);
    if (!records) continue;
    const knobs = nodeKnobs(g, node, target);
    const valid = records.filter((r) => fullConfig(knobs, r.config) !== undefined);
    if (!seenKeys.has(key)) summary.ignored += records.length - valid.length;
    seenKeys.add(key);
    const choice = bestRecord(knobs, valid);
    if (!choice) continue;
    const entry = chosen.get(key);
    if (entry) entry.nodes.push(node.name);
    else chosen.set(key, { choice, nodes: [node.name] });
  }
  if (flashBudget !== undefined) applyFlashBudget(chosen, flashBudget, summary);
  const schedules = new Map<string, Schedule>();
  for (const { choice, nodes } of chosen.values()) {
    for (const n of nodes) schedules.set(n, choice.config);
    summary.tuned += nodes.length;
    summary.extraFlash += extraFlash(choice) * nodes.length;
  }
  return { schedules, summary };
}

function extraFlash(c: Choice): number {
  return Math.max(0, (c.best.flash ?? 0) - (c.base?.flash ?? 0));
}

/** Rule 3: put keys back to their defaults, worst instructions saved per extra byte first, until the extra flash fits `budget`. */
function applyFlashBudget(chosen: Map<string, { choice: Choice; nodes: string[] }>, budget: number, summary: TuningSummary): void {
  const rate = (key: string) => {
    const { choice, nodes } = chosen.get(key)!;
    const saved = choice.base ? (choice.base.instructions - choice.best.instructions) * nodes.length : 0;
    return saved / keyFlash(key);
  };
  const keyFlash = (key: string) => extraFlash(chosen.get(key)!.choice) * chosen.get(key)!.nodes.length;
  const costly = [...chosen.keys()].filter((k) => keyFlash(k) > 0);
  costly.sort((a, b) => rate(a) - rate(b) || (a < b ? -1 : 1));
  let total = costly.reduce((s, k) => s + keyFlash(k), 0);
  for (const key of costly) {
    if (total <= budget) break;
    total -= keyFlash(key);
    summary.droppedForFlash += chosen.get(key)!.nodes.length;
    chosen.delete(key);
  }
}

/** "tuning: 9 of 13 layers from tuning.jsonl" (+ what was ignored or dropped). */
export function formatTuningSummary(s: TuningSummary): string {
  const notes = [
    s.ignored > 0 ? `${s.ignored} record${s.ignored === 1 ? '' : 's'} with an unknown knob or value ignored` : '',
    s.droppedForFlash > 0 ? `${s.droppedForFlash} layer${s.droppedForFlash === 1 ? '' : 's'} kept at the default for --flash-budget` : '',
    s.tuned > 0 ? `${s.extraFlash} bytes of extra flash` : '',
  ].filter((t) => t !== '');
  return `tuning: ${s.tuned} of ${s.layers} layers from ${s.file}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}
