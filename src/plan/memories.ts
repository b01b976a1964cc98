/**
 * Memory planner, placement across memories: which memory each buffer lives in, when one arena in the
 * board's primary memory (board.json placement.arena, SRAM1 on the STM32F746 boards) cannot hold the plan.
 *
 * Every memory that holds activations gets an arena of its own (its own offset space, its own lower
 * bound, its own linker section). The rule, in order:
 *   1. The buffers the C API reaches through the primary arena — graph inputs and outputs and the
 *      state (variable tensors) — are pinned to the primary memory.
 *   2. Every other buffer gets a heat: accesses per byte, estimated as the multiply-accumulates (or,
 *      for a layer without MACs, the output elements) of the nodes that read or write it, divided by
 *      its bytes. A buffer and its anchor (liveness.ts rule 3') move together as one unit, with the
 *      sum of their work over the sum of their bytes.
 *   3. Units are taken hottest first (ties: fewer bytes first, then id), and each goes to the fastest
 *      memory (lowest `speed`, ties in the order given) where the memory's arena, re-planned with it
 *      by place.ts's placer, still fits the memory's capacity.
 *   4. A unit that fits no memory goes to the memory with the most capacity: the plan is then over
 *      there, and the fit check (src/emit/fit.ts) says by how many bytes, in that memory.
 * Deterministic: the same buffers and memories give the same assignment.
 */

import type { Graph } from '../ir/graph.js';
import { elementCount } from '../ir/graph.js';
import { getOp } from '../ops/index.js';
import type { Buffer, OpInfoLookup } from './liveness.js';
import { placeBuffers } from './place.js';
import type { Placement } from './place.js';

/** A memory that may hold activations, with the bytes the plan may use of it. */
export interface ArenaMemory {
  name: string;
  /** Bytes available to the model's arena in this memory (its size minus what else the board puts there). */
  capacity: number;
  /** Speed class: 0 fastest (DTCM), 1 on-chip SRAM, 2 external SDRAM. */
  speed: number;
}

/** One memory's arena of a plan across memories. */
export interface MemoryArena {
  memory: string;
  capacity: number;
  buffers: Buffer[];
  placement: Placement;
}

/** The work (accesses) of each buffer: the MACs, or else output elements, of the nodes that touch it. */
export function bufferWork(graph: Graph, buffers: readonly Buffer[], opInfo: OpInfoLookup = getOp): Map<string, number> {
  const owner = new Map<string, string>();
  for (const b of buffers) for (const t of b.tensors) owner.set(t, b.id);
  const work = new Map<string, number>(buffers.map((b) => [b.id, 0]));
  graph.nodes.forEach((node) => {
    const macs = opInfo(node.op).macs?.(node, graph) ?? 0;
    const out = node.outputs[0] ? elementCount(graph.tensor(node.outputs[0]).shape) : 0;
    const w = Math.max(macs, out, 1);
    const touched = new Set<string>();
    for (const t of [...node.inputs, ...node.outputs]) {
      const id = t === '' ? undefined : owner.get(t);
      if (id) touched.add(id);
    }
    touched.add(`scratch:${node.name}`);
    for (const id of touched) if (work.has(id)) work.set(id, (work.get(id) ?? 0) + w);
  });
  return work;
}

/** Buffers that must stay in the primary memory: graph inputs and outputs, and the state. */
export function pinnedBuffers(graph: Graph, buffers: readonly Buffer[]): Set<string> {
  const pinnedTensors = new Set([...graph.inputs, ...graph.outputs, ...[...graph.tensors.values()].filter((t) => t.variable).map((t) => t.name)]);
  return new Set(buffers.filter((b) => b.tensors.some((t) => pinnedTensors.has(t))).map((b) => b.id));
}

/** The buffers that move together: a buffer and the one anchored to it (rule 3'), else one each. */
function units(buffers: readonly Buffer[]): Buffer[][] {
  const anchoredTo = new Map<string, Buffer>();
  for (const b of buffers) if (b.anchor) anchoredTo.set(b.anchor.id, b);
  const out: Buffer[][] = [];
  for (const b of buffers) {
    if (b.anchor) continue;
    const a = anchoredTo.get(b.id);
    out.push(a ? [b, a] : [b]);
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/**
 * Assigns every buffer to one of `memories` (see the rule above); `primary` names the memory of the
 * pinned buffers. Returns one arena per memory that holds anything, in the order of `memories`.
 */
export function assignMemories(
  buffers: readonly Buffer[],
  memories: readonly ArenaMemory[],
  primary: string,
  pinned: ReadonlySet<string>,
  work: ReadonlyMap<string, number>,
): MemoryArena[] {
  if (!memories.some((m) => m.name === primary)) throw new Error(`internal: primary memory '${primary}' is not among the arena memories`);
  const bySpeed = [...memories].map((m, i) => ({ m, i })).sort((a, b) => a.m.speed - b.m.speed || a.i - b.i).map((x) => x.m);
  const largest = [...memories].sort((a, b) => b.capacity - a.capacity)[0];
  const held = new Map<string, Buffer[]>(memories.map((m) => [m.name, []]));
  const all = units(buffers);
  const isPinned = (u: Buffer[]) => u.some((b) => pinned.has(b.id));
  for (const u of all.filter(isPinned)) held.get(primary)?.push(...u);
  const heat = (u: Buffer[]) => sum(u.map((b) => work.get(b.id) ?? 0)) / Math.max(1, sum(u.map((b) => b.bytes)));
  const free = all
    .filter((u) => !isPinned(u))
    .map((u) => ({ u, heat: heat(u), bytes: sum(u.map((b) => b.bytes)), id: u[0].id }))
    .sort((a, b) => b.heat - a.heat || a.bytes - b.bytes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const { u } of free) {
    const home = bySpeed.find((m) => {
      const trial = [...(held.get(m.name) ?? []), ...u];
      return placeBuffers(trial).arenaBytes <= m.capacity;
    });
    held.get((home ?? largest).name)?.push(...u);
  }
  return memories
    .filter((m) => (held.get(m.name) ?? []).length > 0 || m.name === primary)
    .map((m) => {
      const mine = held.get(m.name) ?? [];
      return { memory: m.name, capacity: m.capacity, buffers: mine, placement: placeBuffers(mine) };
    });
}
