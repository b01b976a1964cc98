/**
 * Memory planner, stage 2 of 3: placement — an arena offset for every buffer of liveness.ts.
 *
 * Two buffers may share addresses only when their lifetimes [first, last] are disjoint. Every strategy
 * is the same greedy first-fit placer (TensorFlow Lite Micro's GreedyMemoryPlanner) fed a different
 * ORDER of buffers:
 *   1. sort the buffers by the strategy's keys, ties broken by id (plain code-unit order);
 *   2. for each buffer in that order, collect the buffers placed so far whose lifetimes overlap it;
 *   3. walk them by increasing offset and take the lowest ARENA_ALIGNMENT-aligned offset whose
 *      [offset, offset + bytes) range intersects none of them — a gap between two of them, or the end.
 * The strategies (the PLACEMENT_STRATEGIES table, in the spirit of TVM's USMP algorithm table):
 *   greedy_by_size       size descending, then first use (TFLM's order)
 *   greedy_by_conflicts  number of buffers it lives together with, descending, then size
 *   greedy_by_lifetime   lifetime length descending, then size
 *   greedy_by_first_use  first use ascending, then size descending (a linear scan over time)
 * A buffer with an `anchor` (rule 3' of liveness.ts: the input of an in-place kernel whose output is
 * larger) is not placed on its own: its anchor is placed together with it, as one shape, at the lowest
 * offset where both fit; the pair may overlap at the one step they share, and counts once there.
 * `placeBuffers` runs them all and keeps the smallest arena; on a tie the earlier strategy in the table
 * wins, so the result is deterministic. `lowerBound` is the most bytes live at any one step — no plan can
 * beat it — and `checkPlan` lists address clashes between buffers that are live at a common step.
 */

import { ARENA_ALIGNMENT, alignUp } from './liveness.js';
import type { Buffer } from './liveness.js';

export type PlacementStrategy = (buffers: readonly Buffer[]) => Map<string, number>;

/** Two buffers live at a common step whose address ranges intersect (or one buffer with a bad offset). */
export interface PlanConflict {
  a: string;
  b: string;
  message: string;
}

/** The result of `placeBuffers`: the winning strategy's offsets. */
export interface Placement {
  strategy: string;
  offsets: Map<string, number>;
  arenaBytes: number;
}

type SortKey = (b: Buffer) => number;

export const PLACEMENT_STRATEGIES: Readonly<Record<string, PlacementStrategy>> = Object.freeze({
  greedy_by_size: (buffers: readonly Buffer[]) => placeInOrder(buffers, [(b) => -b.bytes, (b) => b.first]),
  greedy_by_conflicts: (buffers: readonly Buffer[]) => {
    const degree = conflictDegrees(buffers);
    return placeInOrder(buffers, [(b) => -(degree.get(b.id) ?? 0), (b) => -b.bytes, (b) => b.first]);
  },
  greedy_by_lifetime: (buffers: readonly Buffer[]) =>
    placeInOrder(buffers, [(b) => -(b.last - b.first), (b) => -b.bytes, (b) => b.first]),
  greedy_by_first_use: (buffers: readonly Buffer[]) => placeInOrder(buffers, [(b) => b.first, (b) => -b.bytes]),
});

/** Runs every strategy of `strategies` and keeps the smallest arena (earliest strategy on ties). */
export function placeBuffers(
  buffers: readonly Buffer[],
  strategies: Readonly<Record<string, PlacementStrategy>> = PLACEMENT_STRATEGIES,
): Placement {
  let best: Placement | undefined;
  for (const [strategy, place] of Object.entries(strategies)) {
    const offsets = place(buffers);
    const arenaBytes = arenaBytesOf(buffers, offsets);
    if (!best || arenaBytes < best.arenaBytes) best = { strategy, offsets, arenaBytes };
  }
  if (!best) throw new Error('internal: no placement strategy to run');
  return best;
}

/** Arena size of a placement: the highest end address of any buffer, 0 without buffers. */
export function arenaBytesOf(buffers: readonly Buffer[], offsets: ReadonlyMap<string, number>): number {
  let end = 0;
  for (const b of buffers) end = Math.max(end, offsetIn(offsets, b.id) + b.bytes);
  return end;
}

/** The largest sum of bytes of buffers live at one step: no placement can use less. */
export function lowerBound(buffers: readonly Buffer[]): number {
  if (buffers.length === 0) return 0;
  const lo = buffers.reduce((m, b) => Math.min(m, b.first), Infinity);
  const hi = buffers.reduce((m, b) => Math.max(m, b.last), -Infinity);
  const delta = new Array<number>(hi - lo + 2).fill(0);
  const byId = new Map(buffers.map((b) => [b.id, b]));
  for (const b of buffers) {
    if (b.last < b.first) continue;
    delta[b.first - lo] += b.bytes;
    delta[b.last - lo + 1] -= b.bytes;
    // An anchored buffer inside its anchor adds nothing at the step they share (rule 3' of liveness.ts).
    const outer = b.anchor ? byId.get(b.anchor.id) : undefined;
    if (outer && b.anchor!.offset + b.bytes <= outer.bytes && b.last === outer.first) {
      delta[b.last - lo] -= b.bytes;
      delta[b.last - lo + 1] += b.bytes;
    }
  }
  let live = 0;
  let most = 0;
  for (let i = 0; i <= hi - lo; i++) {
    live += delta[i];
    most = Math.max(most, live);
  }
  return most;
}

/** Every clash of `offsets`: missing or misaligned offsets, and overlaps in both time and address. */
export function checkPlan(buffers: readonly Buffer[], offsets: ReadonlyMap<string, number>): PlanConflict[] {
  const conflicts: PlanConflict[] = [];
  const placed: Buffer[] = [];
  for (const b of buffers) {
    const offset = offsets.get(b.id);
    if (offset === undefined) conflicts.push({ a: b.id, b: b.id, message: `buffer '${b.id}' has no offset` });
    else if (!Number.isInteger(offset) || offset < 0 || offset % ARENA_ALIGNMENT !== 0) {
      conflicts.push({ a: b.id, b: b.id, message: `buffer '${b.id}' has a misaligned offset ${offset}` });
    } else placed.push(b);
  }
  const byId = new Map(placed.map((b) => [b.id, b]));
  for (const b of placed) {
    if (b.anchor && (!byId.has(b.anchor.id) || offsetIn(offsets, b.id) !== offsetIn(offsets, b.anchor.id) + b.anchor.offset)) {
      conflicts.push({ a: b.id, b: b.anchor.id, message: `buffer '${b.id}' is not at offset ${b.anchor.offset} of '${b.anchor.id}'` });
    }
  }
  const byFirst = [...placed].sort((x, y) => x.first - y.first || compareIds(x.id, y.id));
  for (let i = 0; i < byFirst.length; i++) {
    const x = byFirst[i];
    for (let j = i + 1; j < byFirst.length && byFirst[j].first <= x.last; j++) {
      const y = byFirst[j];
      if (anchoredPair(x, y) && lastStepOfOne(x, y)) continue;
      if (addressesOverlap(offsetIn(offsets, x.id), x.bytes, offsetIn(offsets, y.id), y.bytes)) {
        const message = `buffers '${x.id}' and '${y.id}' are live together and overlap in the arena`;
        conflicts.push({ a: x.id, b: y.id, message });
      }
    }
  }
  return conflicts;
}

/** One of `a`, `b` is anchored to the other (its offset is checked separately). */
function anchoredPair(a: Buffer, b: Buffer): boolean {
  return a.anchor?.id === b.id || b.anchor?.id === a.id;
}

/** The anchored buffer dies at the step its anchor is born: the only step where they may overlap. */
function lastStepOfOne(a: Buffer, b: Buffer): boolean {
  const [inner, outer] = a.anchor?.id === b.id ? [a, b] : [b, a];
  return inner.last === outer.first;
}

/** True when lifetimes [first, last] of `a` and `b` share a step. */
export function liveTogether(a: Buffer, b: Buffer): boolean {
  return a.first <= b.last && b.first <= a.last;
}

function addressesOverlap(offsetA: number, bytesA: number, offsetB: number, bytesB: number): boolean {
  return offsetA < offsetB + bytesB && offsetB < offsetA + bytesA;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function offsetIn(offsets: ReadonlyMap<string, number>, id: string): number {
  const offset = offsets.get(id);
  if (offset === undefined) throw new Error(`internal: buffer '${id}' has no offset`);
  return offset;
}

/** Steps 1–3 of the overview: greedy first-fit in the order given by `keys`, then by id. */
function placeInOrder(buffers: readonly Buffer[], keys: SortKey[]): Map<string, number> {
  const order = [...buffers].sort((x, y) => {
    for (const key of keys) {
      const d = key(x) - key(y);
      if (d !== 0) return d;
    }
    return compareIds(x.id, y.id);
  });
  const placed: { buffer: Buffer; offset: number }[] = [];
  const found = new Map<string, number>();
  for (const buffer of order) {
    if (buffer.anchor) continue;
    // An anchor target is placed with the buffers anchored to it (rule 3' of liveness.ts), as one shape.
    const parts = [{ buffer, at: 0 }, ...buffers.filter((b) => b.anchor?.id === buffer.id).map((b) => ({ buffer: b, at: b.anchor!.offset }))];
    const offset = lowestFreeOffset(parts, placed);
    for (const part of parts) {
      placed.push({ buffer: part.buffer, offset: offset + part.at });
      found.set(part.buffer.id, offset + part.at);
    }
  }
  // Same key order as the input, whatever the placement order was.
  return new Map(buffers.map((b) => [b.id, offsetIn(found, b.id)]));
}

type Placed = { buffer: Buffer; offset: number };

/** The lowest offset o where every part fits at o + part.at beside the placed buffers live with it. */
function lowestFreeOffset(parts: readonly { buffer: Buffer; at: number }[], placed: readonly Placed[]): number {
  if (parts.length === 1) return lowestFreeSingle(parts[0].buffer, placed);
  const neighbours = parts.map((part) => placed.filter((p) => liveTogether(p.buffer, part.buffer)));
  // The lowest fit is 0 or puts some part right after some neighbour of it.
  const candidates = [0, ...parts.flatMap((part, i) => neighbours[i].map((p) => alignUp(p.offset + p.buffer.bytes) - part.at))];
  const fits = (o: number) =>
    parts.every((part, i) => neighbours[i].every((p) => !addressesOverlap(o + part.at, part.buffer.bytes, p.offset, p.buffer.bytes)));
  return Math.min(...candidates.filter((o) => o >= 0 && fits(o)));
}

function lowestFreeSingle(buffer: Buffer, placed: readonly Placed[]): number {
  const neighbours = placed
    .filter((p) => liveTogether(p.buffer, buffer))
    .sort((x, y) => x.offset - y.offset || x.buffer.bytes - y.buffer.bytes);
  let offset = 0;
  for (const p of neighbours) {
    if (p.offset >= offset + buffer.bytes) break;
    offset = Math.max(offset, alignUp(p.offset + p.buffer.bytes));
  }
  return offset;
}

/** For each buffer, how many other buffers are live at a common step with it. */
function conflictDegrees(buffers: readonly Buffer[]): Map<string, number> {
  const degree = new Map<string, number>(buffers.map((b) => [b.id, 0]));
  for (let i = 0; i < buffers.length; i++) {
    for (let j = i + 1; j < buffers.length; j++) {
      if (!liveTogether(buffers[i], buffers[j])) continue;
      degree.set(buffers[i].id, (degree.get(buffers[i].id) ?? 0) + 1);
      degree.set(buffers[j].id, (degree.get(buffers[j].id) ?? 0) + 1);
    }
  }
  return degree;
}
