/**
 * Lowering, the stage between the passes and the memory planner: each node's operator turns it into
 * kernel calls (`OpDef.lower`) for the target — the kernel variant, the parameters computed at compile
 * time, weights re-laid out for the kernel — before any memory is planned, so the planner can see which
 * calls may run in place (`inPlaceNodes`). src/emit/program.ts then resolves the calls' arguments
 * against the memory plan.
 *
 * The helpers the int8 lowerings share live beside this file: s8.ts (quantization checks,
 * requantization), dsp-layout.ts (weights packed for SMLAD), fast-requant.ts, onnx-rounding.ts.
 */

import type { Graph } from '../ir/graph.js';
import { getOp } from '../ops/index.js';
import type { KernelCall, Knob, LowerContext, LowerTarget, Schedule } from '../ops/op.js';

/** A graph lowered for one target: a clone holding the constants lowering added, and each node's calls. */
export interface LoweredGraph {
  graph: Graph;
  /** Kernel calls per node name (nodes without `lower`, the aliases, have none). */
  calls: Map<string, KernelCall[]>;
}

/** The context an operator's `lower` and `knobs` see for `node` of `g` (constants it adds go into `g`). */
export function lowerContext(g: Graph, node: Graph['nodes'][number], target: LowerTarget = { dsp: false }, schedule?: Schedule): LowerContext<Record<string, unknown>> {
  return {
    node,
    graph: g,
    input: (i) => {
      const n = node.inputs[i];
      if (n === undefined || n === '') throw new Error(`internal: ${node.name} input ${i} is omitted`);
      return g.tensor(n);
    },
    optionalInput: (i) => (node.inputs[i] ? g.tensor(node.inputs[i]) : undefined),
    output: (i) => g.tensor(node.outputs[i]),
    addConstant: (base, dtype, shape, data) => {
      const name = g.freshName(base);
      g.addTensor({ name, dtype, shape: [...shape], data });
      return name;
    },
    target,
    ...(schedule ? { schedule } : {}),
  };
}

/** The schedule knobs of `node` on `target` (its operator's `knobs`; none when it declares none). */
export function nodeKnobs(g: Graph, node: Graph['nodes'][number], target: LowerTarget = { dsp: false }): Knob[] {
  const def = getOp(node.op);
  return def.lower && def.knobs ? def.knobs(lowerContext(g, node, target)) : [];
}

/**
 * The kernel calls of `node` of `g` for `target` with `schedule` (knob values; absent knobs take their
 * defaults), exactly as the compiler makes them; constants the lowering adds go into `g`. Undefined for
 * a node without `lower` (the aliases).
 */
export function lowerNode(g: Graph, node: Graph['nodes'][number], target: LowerTarget = { dsp: false }, schedule?: Schedule): KernelCall[] | undefined {
  const def = getOp(node.op);
  if (!def.lower) return undefined;
  return def.lower(lowerContext(g, node, target, schedule));
}

/**
 * Lowers every node of `input` (on a clone) for `target`; the memory plan is not needed yet. `schedules`
 * gives nodes (by name) their tuned knob values (src/tune/apply.ts); the others take the defaults.
 */
export function lowerGraph(input: Graph, target: LowerTarget = { dsp: false }, schedules?: ReadonlyMap<string, Schedule>): LoweredGraph {
  const g = input.clone();
  const calls = new Map<string, KernelCall[]>();
  for (const node of g.nodes) {
    const nodeCalls = lowerNode(g, node, target, schedules?.get(node.name));
    if (nodeCalls) calls.set(node.name, nodeCalls);
  }
  return { graph: g, calls };
}

/**
 * The nodes run by one kernel call flagged `inPlace` whose arguments are the node's input 0 and output 0
 * themselves: the planner's `inPlaceKernels` (src/plan/index.ts) for this target.
 */
export function inPlaceNodes(lowered: LoweredGraph): Set<string> {
  const names = new Set<string>();
  for (const node of lowered.graph.nodes) {
    // A patch stage whose bands never write over input rows still to be read (src/lower/patch/stage.ts).
    if (node.op === 'patch_stage' && (node.attrs as { overwrites?: boolean }).overwrites === true) names.add(node.name);
    const calls = lowered.calls.get(node.name);
    if (!calls || calls.length !== 1 || calls[0].inPlace !== true) continue;
    const plain = calls[0].args.filter((a): a is { tensor: string } => 'tensor' in a && !a.elementOffset).map((a) => a.tensor);
    if (plain.includes(node.inputs[0]) && plain.includes(node.outputs[0])) names.add(node.name);
  }
  return names;
}

/**
 * Scratch bytes per node, for the nodes whose kernel calls need any: the largest `scratchBytes` of the
 * node's calls (they run one after another and share the node's one scratch buffer). The planner's
 * `scratch` option (src/plan/index.ts).
 */
export function scratchBytesOf(lowered: LoweredGraph): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const [node, calls] of lowered.calls) {
    const most = Math.max(0, ...calls.map((c) => c.scratchBytes ?? 0));
    if (most > 0) bytes.set(node, most);
  }
  return bytes;
}
