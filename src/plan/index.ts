/**
 * The static memory planner: one arena, an offset for every runtime tensor and scratch buffer.
 *
 * Three stages chained by `planMemory`, as in TVM's USMP:
 *   1. liveness.ts  — buffer analysis: which tensors share a buffer (aliases, in-place ops), the
 *                     buffers' sizes and lifetimes, scratch buffers;
 *   2. place.ts     — placement: every strategy of PLACEMENT_STRATEGIES, the smallest arena wins;
 *   3. here         — the result as a MemoryPlan, checked for clashes (an internal error if any).
 * print.ts draws a plan as ASCII art for `utvm-aot inspect` and for tests.
 *
 * Several memories (`PlanOptions.memories`, from the board's memories that hold activations): when the one
 * arena does not fit the primary memory's capacity, memories.ts assigns every buffer to a memory and each
 * memory gets an arena of its own (offsets within it); `MemoryPlan.arenas` lists them, primary first, and
 * `memoryOf` says where a tensor lives. A plan that fits the primary memory is exactly the one-arena plan.
 *
 * The plan depends on the target through the kernels lowering chose for it (src/lower/index.ts):
 * `inPlaceKernels` (the nodes whose kernel may write over its input, `inPlaceNodes`) and `scratch` (the
 * scratch bytes those kernels need, `scratchBytesOf`).
 *
 * `{ reuse: false }` (the compiler's `debugTensors` option) gives every runtime tensor arena space of its
 * own that nothing else overwrites: no in-place kernels, and every tensor buffer live over the whole run
 * (scratch buffers keep their one-step lifetimes). After a run, the arena then holds every intermediate
 * tensor, so a test can compare each layer's output (tests/mlperf, src/run/debug.ts).
 */

import type { Graph } from '../ir/graph.js';
import { getOp } from '../ops/index.js';
import { computeBuffers } from './liveness.js';
import type { Buffer, OpInfoLookup } from './liveness.js';
import { checkPlan, lowerBound, placeBuffers } from './place.js';
import { assignMemories, bufferWork, pinnedBuffers } from './memories.js';
import type { ArenaMemory } from './memories.js';

export { ARENA_ALIGNMENT, alignUp, computeBuffers } from './liveness.js';
export type { Buffer, OpInfo, OpInfoLookup } from './liveness.js';
export { PLACEMENT_STRATEGIES, arenaBytesOf, checkPlan, liveTogether, lowerBound, placeBuffers } from './place.js';
export type { PlacementStrategy, PlanConflict, Placement } from './place.js';
export { printPlan } from './print.js';
export { assignMemories, bufferWork, pinnedBuffers } from './memories.js';
export type { ArenaMemory, MemoryArena } from './memories.js';

/** A buffer with its memory (an ArenaPlan's `memory`) and its offset in that memory's arena. */
export type PlannedBuffer = Buffer & { offset: number; memory: string };

/** One memory's arena of a plan: its size, its own lower bound and winning strategy. */
export interface ArenaPlan {
  /** The memory's name (board.json), or '' for a plan made without memories. */
  memory: string;
  arenaBytes: number;
  lowerBound: number;
  strategy: string;
  /** Bytes of the memory the arena may use (absent for a plan made without memories). */
  capacity?: number;
}

export interface MemoryPlan {
  /** Size of the arena: the highest end address of any buffer (0 when nothing is planned). */
  arenaBytes: number;
  /** Most bytes live at any one step: what a perfect plan would need. */
  lowerBound: number;
  /** Name of the winning strategy in PLACEMENT_STRATEGIES. */
  strategy: string;
  /** Buffers in liveness order, each with its offset. */
  buffers: PlannedBuffer[];
  /** Number of steps (= graph nodes). */
  steps: number;
  /** Arena offset of a runtime tensor (in its memory's arena); throws an internal Error for constants and unknown names. */
  offsetOf(tensor: string): number;
  /** The arenas, the primary memory's first; one for a one-arena plan (then `arenaBytes` is its size). */
  arenas: ArenaPlan[];
  /** The memory of a runtime tensor's buffer (an `arenas` entry's `memory`). */
  memoryOf(tensor: string): string;
}

export interface PlanOptions {
  /** Let buffers share addresses when their lifetimes are disjoint, and kernels run in place (default true). */
  reuse?: boolean;
  /**
   * Nodes whose lowered kernel may write output 0 over input 0 for this target (`KernelCall.inPlace`,
   * collected by src/lower/index.ts `inPlaceNodes`): the plan then depends on the target. Ignored
   * when `reuse` is false.
   */
  inPlaceKernels?: ReadonlySet<string>;
  /** Scratch bytes per node, for the nodes whose kernels need any (src/lower/index.ts `scratchBytesOf`). */
  scratch?: ReadonlyMap<string, number>;
  /**
   * The memories that may hold activations (board.json `holds` "activations") with their capacities, and
   * the primary one (placement.arena), which holds the one-arena plan when it fits and the graph inputs,
   * outputs and state always. Without it, or with `reuse` false, the plan is one arena.
   */
  memories?: { list: ArenaMemory[]; primary: string };
}

/** The lookup `opInfo` with in-place execution switched off (aliases kept). */
function withoutInPlace(opInfo: OpInfoLookup): OpInfoLookup {
  return (op) => ({ alias: opInfo(op).alias, inPlace: false });
}

/**
 * Plans the arena of `graph` (nodes in execution order). `opInfo` is for tests with fake operators;
 * `options.reuse === false` keeps every runtime tensor in a place of its own (see above).
 */
export function planMemory(graph: Graph, opInfo: OpInfoLookup = getOp, options: PlanOptions = {}): MemoryPlan {
  const reuse = options.reuse ?? true;
  const buffers = reuse
    ? computeBuffers(graph, opInfo, options.inPlaceKernels, options.scratch)
    : computeBuffers(graph, withoutInPlace(opInfo), undefined, options.scratch);
  if (!reuse) {
    const end = Math.max(graph.nodes.length - 1, 0);
    for (const b of buffers) {
      if (b.kind === 'tensor') {
        b.first = 0;
        b.last = end;
      }
    }
  }
  const placement = placeBuffers(buffers);
  check(graph, buffers, placement.offsets, placement.strategy);
  const bound = lowerBound(buffers);
  if (placement.arenaBytes < bound) throw new Error(`internal: arena of '${graph.name}' is below its lower bound`);
  const mem = options.memories;
  const primary = mem?.list.find((m) => m.name === mem.primary);
  if (!reuse || !mem || !primary || placement.arenaBytes <= primary.capacity || mem.list.length < 2) {
    const name = primary?.name ?? '';
    const one: ArenaPlan = { memory: name, arenaBytes: placement.arenaBytes, lowerBound: bound, strategy: placement.strategy, ...(primary ? { capacity: primary.capacity } : {}) };
    return makePlan(graph, [one], buffers.map((b) => ({ ...b, tensors: [...b.tensors], offset: placement.offsets.get(b.id) ?? -1, memory: name })), bound);
  }
  const arenas = assignMemories(buffers, mem.list, mem.primary, pinnedBuffers(graph, buffers), bufferWork(graph, buffers, opInfo));
  arenas.sort((a, b) => (a.memory === mem.primary ? -1 : b.memory === mem.primary ? 1 : 0));
  const planned: PlannedBuffer[] = [];
  for (const a of arenas) {
    check(graph, a.buffers, a.placement.offsets, `${a.placement.strategy} in ${a.memory}`);
    for (const b of a.buffers) planned.push({ ...b, tensors: [...b.tensors], offset: a.placement.offsets.get(b.id) ?? -1, memory: a.memory });
  }
  const order = new Map(buffers.map((b, i) => [b.id, i]));
  planned.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const list = arenas.map((a) => ({ memory: a.memory, arenaBytes: a.placement.arenaBytes, lowerBound: lowerBound(a.buffers), strategy: a.placement.strategy, capacity: a.capacity }));
  return makePlan(graph, list, planned, bound);
}

function check(graph: Graph, buffers: readonly Buffer[], offsets: ReadonlyMap<string, number>, strategy: string): void {
  const conflicts = checkPlan(buffers, offsets);
  if (conflicts.length > 0) {
    const first = conflicts.slice(0, 3).map((c) => c.message).join('; ');
    throw new Error(`internal: memory plan of '${graph.name}' (${strategy}) is wrong: ${first}`);
  }
}

function makePlan(graph: Graph, arenas: ArenaPlan[], planned: PlannedBuffer[], bound: number): MemoryPlan {
  const byTensor = new Map<string, PlannedBuffer>();
  for (const b of planned) for (const t of b.tensors) byTensor.set(t, b);
  const find = (tensor: string): PlannedBuffer => {
    const b = byTensor.get(tensor);
    if (b === undefined) throw new Error(`internal: tensor '${tensor}' has no arena offset (a constant, or not in the planned graph)`);
    return b;
  };
  return {
    arenaBytes: arenas[0].arenaBytes,
    lowerBound: bound,
    strategy: arenas[0].strategy,
    buffers: planned,
    steps: graph.nodes.length,
    offsetOf: (tensor: string) => find(tensor).offset,
    arenas,
    memoryOf: (tensor: string) => find(tensor).memory,
  };
}

/** Arena offset of node `nodeName`'s scratch buffer, or undefined when the node needs none. */
export function scratchOffsetOf(plan: MemoryPlan, nodeName: string): number | undefined {
  return plan.buffers.find((b) => b.kind === 'scratch' && b.id === `scratch:${nodeName}`)?.offset;
}
