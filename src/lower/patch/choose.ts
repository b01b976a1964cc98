/**
 * Patch-based execution, part 4 of 4: choosing the stages, modes and tile heights that meet a RAM budget.
 *
 *   1. Plan the lowered graph layer by layer. An arena within the budget: done, no stage.
 *   2. Otherwise take the first step whose live bytes exceed the budget (none, but the arena over it: the
 *      placement's gaps, which no stage removes — stop). Every candidate — a run of at most
 *      MAX_STAGE_NODES consecutive nodes that forms a stage (stage.ts) and covers that step, in each mode
 *      (line buffers, recomputation), at each tile height of TILE_ROWS below its driver's height — gets
 *      its geometry, its estimated overhead (`stageOverhead`: recomputed MACs, moved bytes, extra calls)
 *      and a cheap bound of the bytes live at its step.
 *   3. Branch and bound on the overhead, planning candidates lazily, cheapest first: the cheapest whose
 *      whole arena (the real planner on the graph with the stage sketched in) meets the budget is built
 *      and ends a branch — only a run covering every step over the budget can; the cheapest whose own
 *      step fits the budget is built too, and its branch goes back to 2 for the next step over; a branch
 *      already as costly as the best found is cut. With neither, among the LEAST_PLANNED candidates of
 *      smallest bound the one with the fewest bytes live at its step is built while that number falls.
 *      The cheapest branch within the budget wins; none: E_DOES_NOT_FIT with the smallest arena any
 *      plan or planned candidate reached, and by how many bytes it misses.
 * Deterministic: candidates are visited in a fixed order and ties break as `cheaper` says.
 */

import { fail } from '../../diagnostics.js';
import { getOp } from '../../ops/index.js';
import type { LowerTarget } from '../../ops/op.js';
import { ARENA_ALIGNMENT, alignUp, computeBuffers } from '../../plan/liveness.js';
import { tensorBytes } from '../../ir/graph.js';
import { planMemory } from '../../plan/index.js';
import type { MemoryPlan } from '../../plan/index.js';
import { LoweredGraph, inPlaceNodes, scratchBytesOf } from '../index.js';
import { PatchStageAttrs, StageGeometry, buildStage, sketchStage, stageGeometry } from './stage.js';
import { StageMode, stageShape } from './schedule.js';

export const MAX_STAGE_NODES = 16;
/** When no candidate fits its own step: how many of the smallest bounds are planned to pick the fewest live bytes. */
export const LEAST_PLANNED = 8;
export const TILE_ROWS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];
/** Line buffers first: at equal cost the earlier mode wins. */
export const MODES: StageMode[] = ['keep', 'recompute'];

/** One chosen stage, for inspect and the bench. */
export interface PatchStageReport extends PatchStageAttrs {
  name: string;
  /** The layer-by-layer arena before any stage, and after all of them. */
  extraMacs: number;
}

export interface PatchResult {
  lowered: LoweredGraph;
  plan: MemoryPlan;
  /** The arena layer by layer (no stage). */
  baseArena: number;
  stages: PatchStageReport[];
}

function planOf(l: LoweredGraph): MemoryPlan {
  return planMemory(l.graph, getOp, { inPlaceKernels: inPlaceNodes(l), scratch: scratchBytesOf(l) });
}

/** Steps whose live bytes exceed `budget`. */
function hotSteps(l: LoweredGraph, budget: number): Set<number> {
  const buffers = computeBuffers(l.graph, getOp, inPlaceNodes(l), scratchBytesOf(l));
  const live = new Array<number>(l.graph.nodes.length).fill(0);
  for (const b of buffers) {
    if (b.anchor) continue;
    for (let s = b.first; s <= b.last; s++) live[s] += b.bytes;
  }
  return new Set(live.flatMap((v, i) => (v > budget ? [i] : [])));
}

interface Candidate {
  geo: StageGeometry;
  /** A lower bound of the bytes live at the stage's step: its external inputs, output, row buffers and scratch. */
  bound: number;
  /** The run covers every step over the budget: only then may the candidate meet it alone. */
  coversHot: boolean;
  /** Set by `evaluate` (the real planner on the graph with the stage sketched in). */
  arena?: number;
  /** Bytes live at the stage's own step. */
  stageLive?: number;
  /** How to plan it. */
  evaluate(): { arena: number; stageLive: number };
}

/** Bytes live at `step` of a plan (an anchored buffer lies inside its partner and counts once). */
function liveAt(plan: MemoryPlan, step: number): number {
  return plan.buffers.reduce((sum, b) => sum + (!b.anchor && b.first <= step && step <= b.last ? b.bytes : 0), 0);
}

/**
 * Every stage that may help at the first step over `budget`: each run covering it, in each mode, at each
 * tile height — with its geometry and a cheap bound, planned only when `evaluate` is called. For one run
 * and mode, taller tiles only grow the row buffers: the heights stop at the first whose bound is over.
 */
export function candidates(l: LoweredGraph, budget: number): Candidate[] {
  const g = l.graph;
  const hot = [...hotSteps(l, budget)].sort((a, b) => a - b);
  // Every step within the budget but the arena over it: the placement's gaps, which no stage removes.
  if (hot.length === 0) return [];
  const consumers = g.consumers();
  const inPlace = inPlaceNodes(l);
  const scratch = scratchBytesOf(l);
  const found: Candidate[] = [];
  const bytes = (name: string) => alignUp(tensorBytes(g.tensor(name)), ARENA_ALIGNMENT);
  for (let first = 0; first < g.nodes.length; first++) {
    for (let last = first; last < Math.min(g.nodes.length, first + MAX_STAGE_NODES); last++) {
      if (g.nodes[last].op === 'patch_stage' || g.nodes[first].op === 'patch_stage') break;
      if (first > hot[0] || last < hot[0]) continue;
      const shape = stageShape(g, first, last, consumers);
      if (!shape) continue;
      const height = g.tensor(shape.driver).shape[1];
      const stageScratch = Math.max(0, ...shape.nodes.map((n) => scratch.get(n.name) ?? 0));
      const io = shape.externals.reduce((sum, x) => sum + bytes(x), 0) + bytes(shape.output);
      const coversHot = first <= hot[0] && last >= hot[hot.length - 1];
      for (const mode of MODES) {
        for (const rows of TILE_ROWS) {
          if (rows >= height) break;
          const geo = stageGeometry(g, shape, rows, mode);
          const shared = geo.overwrites ? Math.min(bytes(shape.externals[0]), bytes(shape.output)) : 0;
          const bound = io - shared + alignUp(geo.tileBytes, ARENA_ALIGNMENT) + stageScratch;
          const c: Candidate = {
            geo, bound, coversHot,
            evaluate() {
              if (c.arena === undefined) {
                const sketch = sketchStage(g, geo);
                const sketchScratch = new Map([...scratch].filter(([n]) => !shape.nodes.some((x) => x.name === n)));
                if (stageScratch > 0) sketchScratch.set(sketch.nodes[first].name, stageScratch);
                const sketchInPlace = geo.overwrites ? new Set([...inPlace, sketch.nodes[first].name]) : inPlace;
                const plan = planMemory(sketch, getOp, { inPlaceKernels: sketchInPlace, scratch: sketchScratch });
                c.arena = plan.arenaBytes;
                c.stageLive = liveAt(plan, first);
              }
              return { arena: c.arena, stageLive: c.stageLive! };
            },
          };
          found.push(c);
          if (bound > budget) break;
        }
      }
    }
  }
  return found;
}

const extra = (c: Candidate) => c.geo.overhead;

/** Order: least estimated overhead, earlier run, shorter run, taller tiles, line buffers. */
function cheaper(a: Candidate, b: Candidate): number {
  return (
    extra(a) - extra(b) || a.geo.shape.first - b.geo.shape.first || a.geo.shape.nodes.length - b.geo.shape.nodes.length ||
    b.geo.tileRows - a.geo.tileRows || MODES.indexOf(a.geo.mode) - MODES.indexOf(b.geo.mode)
  );
}

interface SearchState {
  lowered: LoweredGraph;
  plan: MemoryPlan;
  stages: PatchStageReport[];
  /** Estimated overhead (instructions, `stageOverhead`) of the stages so far. */
  extra: number;
}

interface Search {
  budget: number;
  target: LowerTarget;
  /** The smallest arena any plan or candidate reached (for the error). */
  reached: number;
  /** The cheapest state within the budget found so far (the bound). */
  best?: SearchState;
}

function withStage(state: SearchState, c: Candidate, target: LowerTarget): SearchState {
  const built = buildStage(state.lowered, c.geo, target);
  const attrs = built.lowered.graph.nodes.find((n) => n.name === built.stage)!.attrs as unknown as PatchStageAttrs;
  const report = { name: built.stage, ...attrs, extraMacs: attrs.macs - attrs.baseMacs };
  return { lowered: built.lowered, plan: planOf(built.lowered), stages: [...state.stages, report], extra: state.extra + attrs.overhead };
}

/**
 * Step 2-3 from `state`, branch and bound: the cheapest candidate meeting the budget ends a branch; the
 * cheapest one fitting its own step continues another; a branch whose overhead already reaches the
 * best found is cut. Without either, the candidate with the fewest bytes at its step continues while
 * that falls.
 */
function search(state: SearchState, s: Search, liveBefore: number): void {
  s.reached = Math.min(s.reached, state.plan.arenaBytes);
  if (state.plan.arenaBytes <= s.budget) {
    if (!s.best || state.extra < s.best.extra) s.best = state;
    return;
  }
  const all = candidates(state.lowered, s.budget);
  // Cheapest first, planning only what can still change the answer: the cheapest candidate that meets
  // the budget (it must cover every step over it) and the cheapest that fits its own step.
  let meets: Candidate | undefined;
  let local: Candidate | undefined;
  for (const c of all.filter((x) => x.bound <= s.budget).sort(cheaper)) {
    const canMeet = !meets && c.coversHot;
    if (!canMeet && local) continue;
    const { arena, stageLive } = c.evaluate();
    s.reached = Math.min(s.reached, arena);
    if (canMeet && arena <= s.budget) meets = c;
    if (!local && stageLive <= s.budget) local = c;
  }
  const options = [meets, local !== meets ? local : undefined].filter((c): c is Candidate => c !== undefined);
  if (options.length === 0) {
    // None fits: the candidate with the fewest bytes at its step, among the few with the smallest bounds.
    const fewest = [...all].sort((a, b) => a.bound - b.bound || cheaper(a, b)).slice(0, LEAST_PLANNED);
    for (const c of fewest) s.reached = Math.min(s.reached, c.evaluate().arena);
    const least = fewest.sort((a, b) => a.stageLive! - b.stageLive! || cheaper(a, b))[0];
    if (least && least.stageLive! < liveBefore) options.push(least);
  }
  for (const c of options) {
    if (s.best && state.extra + extra(c) >= s.best.extra) continue;
    search(withStage(state, c, s.target), s, c.stageLive! <= s.budget ? Infinity : c.stageLive!);
  }
}

/** Patch stages (maybe none) that bring the arena of `lowered` within `budget` bytes, at the least estimated overhead. */
export function patchForBudget(lowered: LoweredGraph, budget: number, target: LowerTarget): PatchResult {
  const r = searchBudget(lowered, budget, target);
  if ('reached' in r) {
    fail('E_DOES_NOT_FIT', `--ram-budget ${budget}: the smallest arena the patch planner found for '${lowered.graph.name}' is ${r.reached} bytes, ${r.reached - budget} bytes over the budget`);
  }
  return r;
}

/** `patchForBudget` without the error: the stages, or the smallest arena any plan or planned candidate reached. */
export function searchBudget(lowered: LoweredGraph, budget: number, target: LowerTarget): PatchResult | { reached: number } {
  const plan = planOf(lowered);
  const s: Search = { budget, target, reached: plan.arenaBytes };
  search({ lowered, plan, stages: [], extra: 0 }, s, Infinity);
  if (!s.best) return { reached: s.reached };
  return { lowered: s.best.lowered, plan: s.best.plan, baseArena: plan.arenaBytes, stages: s.best.stages };
}
