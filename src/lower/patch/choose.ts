/**
 * Patch-based execution, part 3 of 3: choosing the stages and tile heights that meet a RAM budget.
 *
 *   1. Plan the lowered graph layer by layer. An arena within the budget: done, no stage.
 *   2. Otherwise take the first step whose live bytes exceed the budget. Every candidate — a run of at
 *      most MAX_STAGE_NODES consecutive nodes that forms a stage (stage.ts) and covers that step, at
 *      every tile height of TILE_ROWS below its output's height — is sketched into the graph and planned
 *      by the real planner.
 *   3. Branch and bound on the recomputed MACs: the cheapest candidate (fewest MACs; ties: the earlier
 *      run, the shorter, the taller tiles) whose whole arena meets the budget is built and ends a branch;
 *      the cheapest whose own step (the stage) fits the budget is built too, and its branch goes back to
 *      2 for the next step over; a branch already as costly as the best found is cut. With neither, the
 *      candidate with the fewest bytes live at its step is built while that number falls. The cheapest
 *      branch within the budget wins; none: E_DOES_NOT_FIT with the smallest arena any plan or
 *      candidate seen reached, and by how many bytes it misses.
 * Deterministic: candidates are visited in a fixed order and ties break as above.
 */

import { fail } from '../../diagnostics.js';
import { getOp } from '../../ops/index.js';
import type { LowerTarget } from '../../ops/op.js';
import { computeBuffers } from '../../plan/liveness.js';
import { planMemory } from '../../plan/index.js';
import type { MemoryPlan } from '../../plan/index.js';
import { LoweredGraph, inPlaceNodes, scratchBytesOf } from '../index.js';
import { PatchStageAttrs, StageGeometry, buildStage, sketchStage, stageGeometry, stageShape } from './stage.js';

export const MAX_STAGE_NODES = 16;
export const TILE_ROWS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];

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
  arena: number;
  /** Bytes live at the stage's own step. */
  stageLive: number;
}

/** Bytes live at `step` of a plan (an anchored buffer lies inside its partner and counts once). */
function liveAt(plan: MemoryPlan, step: number): number {
  return plan.buffers.reduce((sum, b) => sum + (!b.anchor && b.first <= step && step <= b.last ? b.bytes : 0), 0);
}

export function candidates(l: LoweredGraph, budget: number): Candidate[] {
  const g = l.graph;
  const hot = [...hotSteps(l, budget)].sort((a, b) => a - b);
  const consumers = g.consumers();
  const inPlace = inPlaceNodes(l);
  const scratch = scratchBytesOf(l);
  const found: Candidate[] = [];
  for (let first = 0; first < g.nodes.length; first++) {
    for (let last = first; last < Math.min(g.nodes.length, first + MAX_STAGE_NODES); last++) {
      if (g.nodes[last].op === 'patch_stage' || g.nodes[first].op === 'patch_stage') break;
      if (hot.length > 0 && (first > hot[0] || last < hot[0])) continue;
      const shape = stageShape(g, first, last, consumers);
      if (!shape) continue;
      const height = g.tensor(shape.output).shape[1];
      const stageScratch = Math.max(0, ...shape.nodes.map((n) => scratch.get(n.name) ?? 0));
      for (const rows of TILE_ROWS) {
        if (rows >= height) break;
        const geo = stageGeometry(g, shape, rows);
        const sketch = sketchStage(g, geo);
        const sketchScratch = new Map([...scratch].filter(([n]) => !shape.nodes.some((s) => s.name === n)));
        if (stageScratch > 0) sketchScratch.set(sketch.nodes[first].name, stageScratch);
        const sketchInPlace = geo.overwrites ? new Set([...inPlace, sketch.nodes[first].name]) : inPlace;
        const plan = planMemory(sketch, getOp, { inPlaceKernels: sketchInPlace, scratch: sketchScratch });
        found.push({ geo, arena: plan.arenaBytes, stageLive: liveAt(plan, first) });
      }
    }
  }
  return found;
}

const extra = (c: Candidate) => c.geo.macs - c.geo.baseMacs;

/** Order: fewest extra MACs, earlier run, shorter run, taller tiles. */
function cheaper(a: Candidate, b: Candidate): number {
  return extra(a) - extra(b) || a.geo.shape.first - b.geo.shape.first || a.geo.shape.nodes.length - b.geo.shape.nodes.length || b.geo.tileRows - a.geo.tileRows;
}

/** Patch stages (maybe none) that bring the arena of `lowered` within `budget` bytes, at the least recomputation. */
interface SearchState {
  lowered: LoweredGraph;
  plan: MemoryPlan;
  stages: PatchStageReport[];
  /** Recomputed MACs of the stages so far. */
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
  return { lowered: built.lowered, plan: planOf(built.lowered), stages: [...state.stages, report], extra: state.extra + report.extraMacs };
}

/**
 * Step 2-3 from `state`, branch and bound: the cheapest candidate meeting the budget ends a branch; the
 * cheapest one fitting its own step continues another; a branch whose recomputation already reaches the
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
  s.reached = all.reduce((m, c) => Math.min(m, c.arena), s.reached);
  const meets = all.filter((c) => c.arena <= s.budget).sort(cheaper)[0];
  const local = all.filter((c) => c.stageLive <= s.budget).sort(cheaper)[0];
  const least = [...all].sort((a, b) => a.stageLive - b.stageLive || cheaper(a, b))[0];
  const options = [meets, local !== meets ? local : undefined].filter((c): c is Candidate => c !== undefined);
  if (options.length === 0 && least && least.stageLive < liveBefore) options.push(least);
  for (const c of options) {
    if (s.best && state.extra + extra(c) >= s.best.extra) continue;
    search(withStage(state, c, s.target), s, c.stageLive <= s.budget ? Infinity : c.stageLive);
  }
}

/** Patch stages (maybe none) that bring the arena of `lowered` within `budget` bytes, at the least recomputation. */
export function patchForBudget(lowered: LoweredGraph, budget: number, target: LowerTarget): PatchResult {
  const plan = planOf(lowered);
  const s: Search = { budget, target, reached: plan.arenaBytes };
  search({ lowered, plan, stages: [], extra: 0 }, s, Infinity);
  if (!s.best) {
    fail('E_DOES_NOT_FIT', `--ram-budget ${budget}: the smallest arena the patch planner found for '${lowered.graph.name}' is ${s.reached} bytes, ${s.reached - budget} bytes over the budget`);
  }
  return { lowered: s.best.lowered, plan: s.best.plan, baseArena: plan.arenaBytes, stages: s.best.stages };
}
