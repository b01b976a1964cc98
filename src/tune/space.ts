/**
 * The search over one workload's knobs (issue 17). A config gives every knob a value; the space is their
 * cartesian product. Measuring is done in batches — every config of a batch goes into one firmware and
 * one emulator run (measure.ts) — so the strategy proposes batches:
 *
 *   - exhaustive: when the space holds at most `budget` configs, all of them in one batch (the default
 *     first, then in the knobs' declared order);
 *   - otherwise seeded random + coordinate descent: the first batch is the default and random configs
 *     (half the budget, drawn with mulberry32 seeded from `seed` and the workload key); then, while the
 *     budget lasts, a batch of the best config's unmeasured neighbours (one knob changed to each of its
 *     other values), or, when they are all measured, a quarter of the budget of random unmeasured ones.
 *
 * The same knobs, budget, seed and key give the same batches; and since the emulator's counts are exact,
 * the same measurements: the search is deterministic from end to end.
 */

import type { Knob, Schedule } from '../ops/op.js';
import { mulberry32 } from '../random.js';
import { defaultConfig } from './apply.js';
import { configId } from './log.js';

/** Configs in the space of `knobs`. */
export function spaceSize(knobs: readonly Knob[]): number {
  return knobs.reduce((n, k) => n * Math.max(1, k.values.length), 1);
}

function sorted(knobs: readonly Knob[]): Knob[] {
  return [...knobs].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Every config of the space: the default first, then the others in the knobs' value order. */
export function allConfigs(knobs: readonly Knob[]): Schedule[] {
  let configs: Record<string, number | string>[] = [{}];
  for (const k of sorted(knobs)) configs = configs.flatMap((c) => k.values.map((v) => ({ ...c, [k.name]: v })));
  const base = configId(defaultConfig(knobs));
  return [...configs.filter((c) => configId(c) === base), ...configs.filter((c) => configId(c) !== base)];
}

/** FNV-1a of a string: the key's share of the seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

function randomConfig(knobs: Knob[], rng: () => number): Schedule {
  const c: Record<string, number | string> = {};
  for (const k of knobs) c[k.name] = k.values[Math.floor(rng() * k.values.length)];
  return c;
}

/** Instructions of each measured config (by configId); undefined: it did not run or was not bit-exact. */
export type Measure = (batch: Schedule[]) => Promise<Map<string, number | undefined>>;

export interface SearchOptions {
  budget: number;
  seed: number;
  key: string;
  /** Checked before each batch after the first: false stops the search. */
  mayContinue?: () => boolean;
}

/** Runs the search of `knobs`; returns the best config and its instructions (undefined when nothing ran). */
export async function search(knobs: readonly Knob[], options: SearchOptions, measure: Measure): Promise<{ best?: Schedule; instructions?: number; measured: number }> {
  const ks = sorted(knobs);
  const seen = new Map<string, number | undefined>();
  let best: Schedule | undefined;
  let bestCost = Infinity;
  const run = async (batch: Schedule[]) => {
    const results = await measure(batch);
    for (const c of batch) {
      const cost = results.get(configId(c));
      seen.set(configId(c), cost);
      if (cost !== undefined && cost < bestCost) {
        bestCost = cost;
        best = c;
      }
    }
  };
  const budget = Math.max(1, options.budget);
  if (spaceSize(ks) <= budget) {
    await run(allConfigs(ks));
    return { best, instructions: best ? bestCost : undefined, measured: seen.size };
  }
  const rng = mulberry32((options.seed ^ hash32(options.key)) >>> 0);
  const fresh = (batch: Schedule[], c: Schedule) => !seen.has(configId(c)) && !batch.some((b) => configId(b) === configId(c));
  const fill = (batch: Schedule[], size: number) => {
    for (let tries = 0; batch.length < size && tries < 64 * size; tries++) {
      const c = randomConfig(ks, rng);
      if (fresh(batch, c)) batch.push(c);
    }
    return batch;
  };
  await run(fill([defaultConfig(ks)], Math.max(2, Math.ceil(budget / 2))));
  while (seen.size < budget && (options.mayContinue?.() ?? true)) {
    const centre = best ?? defaultConfig(ks);
    let batch: Schedule[] = [];
    for (const k of ks) {
      for (const v of k.values) {
        const c = { ...centre, [k.name]: v };
        if (batch.length + seen.size < budget && fresh(batch, c)) batch.push(c);
      }
    }
    if (batch.length === 0) batch = fill([], Math.min(budget - seen.size, Math.max(1, Math.ceil(budget / 4))));
    if (batch.length === 0) break;
    await run(batch);
  }
  return { best, instructions: best ? bestCost : undefined, measured: seen.size };
}
