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

export { ARENA_ALIGNMENT, alignUp, computeBuffers } from './liveness.js';
export type { Buffer, OpInfo, OpInfoLookup } from './liveness.js';
export { PLACEMENT_STRATEGIES, arenaBytesOf, checkPlan, liveTogether, lowerBound, placeBuffers } from './place.js';
export type { PlacementStrategy, PlanConflict, Placement } from './place.js';
export { printPlan } from './print.js';

export type PlannedBuffer = Buffer & { offset: number };

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
  /** Arena offset of a runtime tensor; throws an internal Error for constants and unknown names. */
  offsetOf(tensor: string): number;
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
  const conflicts = checkPlan(buffers, placement.offsets);
  if (conflicts.length > 0) {
    const first = conflicts.slice(0, 3).map((c) => c.message).join('; ');
    throw new Error(`internal: memory plan of '${graph.name}' (${placement.strategy}) is wrong: ${first}`);
  }
  const bound = lowerBound(buffers);
  if (placement.arenaBytes < bound) throw new Error(`internal: arena of '${graph.name}' is below its lower bound`);
  const planned: PlannedBuffer[] = buffers.map((b) => ({
    ...b,
    tensors: [...b.tensors],
    offset: placement.offsets.get(b.id) ?? -1,
  }));
  const byTensor = new Map<string, number>();
  for (const b of planned) for (const t of b.tensors) byTensor.set(t, b.offset);
  return {
    arenaBytes: placement.arenaBytes,
    lowerBound: bound,
    strategy: placement.strategy,
    buffers: planned,
    steps: graph.nodes.length,
    offsetOf(tensor: string): number {
      const offset = byTensor.get(tensor);
      if (offset === undefined) {
        throw new Error(`internal: tensor '${tensor}' has no arena offset (a constant, or not in the planned graph)`);
      }
      return offset;
    },
  };
}

/** Arena offset of node `nodeName`'s scratch buffer, or undefined when the node needs none. */
export function scratchOffsetOf(plan: MemoryPlan, nodeName: string): number | undefined {
  return plan.buffers.find((b) => b.kind === 'scratch' && b.id === `scratch:${nodeName}`)?.offset;
}
