/**
 * A lowered graph (src/lower/) and its memory plan (src/plan/) → a Program, the complete, C-ready
 * description of model.c.
 *
 * `buildProgram`, given the plan: this file resolves the kernel calls' arguments to C expressions (arena offsets from the memory plan, weight array names), gives parameter structs and
 * weight arrays stable identifiers, and records which kernels and headers the model uses. Nothing here
 * knows any template: src/emit/model.ts renders the Program.
 */

import { DType, TensorData, bytesOf, cTypeOf } from '../ir/dtype.js';
import { Graph, Tensor, elementCount, tensorBytes } from '../ir/graph.js';
import { getOp } from '../ops/index.js';
import type { CArg } from '../ops/op.js';
import { LoweredGraph, inPlaceNodes } from '../lower/index.js';
import type { MemoryPlan } from '../plan/index.js';
import { formatCValue } from '../ir/c-value.js';
import { cIdentifier } from './escape.js';

export interface ProgramConstant {
  id: string;
  tensor: string;
  ctype: string;
  dtype: DType;
  count: number;
  data: TensorData;
  /** The memory it is placed in when not the board's weights memory (src/emit/weights.ts), e.g. 'QSPI'. */
  memory?: string;
}

/**
 * One arena of the program: `id` is its C name in model.c ('arena' for the primary one, whose offsets
 * every ProgramTensor uses; 'arena_<memory>' for the others), `bytes` its size.
 */
export interface ProgramArena {
  memory: string;
  id: string;
  bytes: number;
  capacity?: number;
}

export interface ProgramParams {
  id: string;
  type: string;
  initializer: string;
}

export interface ProgramStep {
  node: string;
  op: string;
  /** Human-readable summary for the comment above the calls. */
  summary: string;
  params: ProgramParams[];
  /** C call statements without the trailing semicolon. */
  calls: string[];
  kernels: string[];
}

export interface ProgramTensor {
  name: string;
  dtype: DType;
  shape: number[];
  bytes: number;
  offset: number;
  scale: number;
  zeroPoint: number;
}

/** A variable tensor's arena bytes: set to `fill` (an int8 tensor's zero point, else 0) at init and by <name>_reset(). */
export interface ProgramState {
  name: string;
  offset: number;
  bytes: number;
  fill: number;
}

export interface Program {
  name: string;
  /** The model's state (TFLite variable tensors), in graph order: empty for a stateless model. */
  state: ProgramState[];
  arenaBytes: number;
  /** Every arena, the primary one (arenaBytes) first; more than one when the plan spans several memories. */
  arenas: ProgramArena[];
  constants: ProgramConstant[];
  steps: ProgramStep[];
  headers: string[];
  kernels: string[];
  inputs: ProgramTensor[];
  outputs: ProgramTensor[];
  weightBytes: number;
}

class Identifiers {
  private readonly used = new Set<string>();
  take(base: string): string {
    let id = cIdentifier(base);
    if (this.used.has(id)) {
      let i = 1;
      while (this.used.has(`${id}_${i}`)) i++;
      id = `${id}_${i}`;
    }
    this.used.add(id);
    return id;
  }
}

function ioTensor(g: Graph, plan: MemoryPlan, name: string): ProgramTensor {
  const t = g.tensor(name);
  if (plan.memoryOf(name) !== plan.arenas[0].memory) throw new Error(`internal: graph input/output '${name}' is not in the primary arena`);
  return {
    name,
    dtype: t.dtype,
    shape: [...t.shape],
    bytes: elementCount(t.shape) * bytesOf(t.dtype),
    offset: plan.offsetOf(name),
    scale: t.quant?.scale[0] ?? 0,
    zeroPoint: t.quant?.zeroPoint[0] ?? 0,
  };
}

function describe(g: Graph, node: Graph['nodes'][number]): string {
  const shapes = (names: string[]) => names.filter((n) => n !== '').map((n) => `[${g.tensor(n).shape}]`).join(', ');
  return `${node.name}: ${node.op}${node.source.op !== node.op ? ` (${node.source.op})` : ''} ${shapes(node.inputs)} -> ${shapes(node.outputs)}`;
}

/** Fails (internal) when the plan puts output 0 of `node` over input 0 but neither the operator nor its kernel allows it. */
function checkOverwrite(g: Graph, plan: MemoryPlan, node: Graph['nodes'][number], inPlace: Set<string>): void {
  const [x, y] = [node.inputs[0], node.outputs[0]];
  if (!x || !y || g.isConstant(x) || getOp(node.op).inPlace || inPlace.has(node.name)) return;
  if (tensorBytes(g.tensor(y)) > 0 && plan.offsetOf(x) === plan.offsetOf(y) && plan.memoryOf(x) === plan.memoryOf(y)) {
    throw new Error(`internal: the memory plan puts '${y}' over '${x}', but node '${node.name}' (${node.op}) cannot run in place`);
  }
}

/** The Program of a graph lowerGraph lowered, with the memory plan made for it. */
export function buildProgram(input: LoweredGraph, plan: MemoryPlan): Program {
  const { graph: g, calls: lowered } = input;
  const inPlace = inPlaceNodes(input);
  const ids = new Identifiers();
  const constants = new Map<string, ProgramConstant>();
  const scratch = new Map(plan.buffers.filter((b) => b.kind === 'scratch').map((b) => [b.id, b]));
  const arenas: ProgramArena[] = plan.arenas.map((a, i) => ({
    memory: a.memory,
    id: i === 0 ? 'arena' : `arena_${cIdentifier(a.memory.toLowerCase())}`,
    bytes: a.arenaBytes,
    ...(a.capacity !== undefined ? { capacity: a.capacity } : {}),
  }));
  const arenaId = new Map(arenas.map((a) => [a.memory, a.id]));
  const base = (memory: string): string => arenaId.get(memory) ?? 'arena';

  const pointer = (arg: { tensor: string; elementOffset?: number }): string => {
    const t: Tensor = g.tensor(arg.tensor);
    const off = arg.elementOffset ?? 0;
    if (t.data !== undefined) {
      let c = constants.get(t.name);
      if (!c) {
        c = { id: ids.take(`w_${t.name}`), tensor: t.name, ctype: cTypeOf(t.dtype), dtype: t.dtype, count: elementCount(t.shape), data: t.data };
        constants.set(t.name, c);
      }
      return off ? `(${c.id} + ${off})` : c.id;
    }
    const byteOffset = plan.offsetOf(t.name) + off * bytesOf(t.dtype);
    return `(${cTypeOf(t.dtype)} *)(${base(plan.memoryOf(t.name))} + ${byteOffset})`;
  };

  const steps: ProgramStep[] = [];
  const headersOf = new Set<string>();
  for (const node of g.nodes) {
    const calls = lowered.get(node.name);
    if (!calls) continue;
    checkOverwrite(g, plan, node, inPlace);
    const params: ProgramParams[] = [];
    const argText = (a: CArg): string => {
      if ('tensor' in a) return pointer(a);
      if ('params' in a) {
        const id = ids.take(`${node.name}_params`);
        params.push({ id, type: a.type, initializer: formatCValue(a.params) });
        return `&${id}`;
      }
      if ('value' in a) return formatCValue(a.value);
      const b = scratch.get(`scratch:${node.name}`);
      if (b === undefined) throw new Error(`internal: no scratch buffer planned for ${node.name}`);
      return `(void *)(${base(b.memory)} + ${b.offset})`;
    };
    steps.push({
      node: node.name,
      op: node.op,
      summary: describe(g, node),
      params,
      calls: calls.map((c) => `${c.kernel}(${c.args.map(argText).join(', ')})`),
      kernels: calls.map((c) => c.kernel),
    });
    for (const c of calls) headersOf.add(c.header);
  }
  const kernels = [...new Set(steps.flatMap((s) => s.kernels))].sort();
  const constantList = [...constants.values()];
  const state = [...g.tensors.values()]
    .filter((t) => t.variable && t.data === undefined)
    .map((t) => {
      if (plan.memoryOf(t.name) !== plan.arenas[0].memory) throw new Error(`internal: state '${t.name}' is not in the primary arena`);
      return t;
    })
    .map((t) => ({ name: t.name, offset: plan.offsetOf(t.name), bytes: tensorBytes(t), fill: t.dtype === 'int8' ? t.quant?.zeroPoint[0] ?? 0 : 0 }));
  return {
    name: g.name,
    state,
    arenaBytes: plan.arenaBytes,
    arenas,
    constants: constantList,
    steps,
    headers: [...headersOf].sort(),
    kernels,
    inputs: g.inputs.map((n) => ioTensor(g, plan, n)),
    outputs: g.outputs.map((n) => ioTensor(g, plan, n)),
    weightBytes: constantList.reduce((s, c) => s + c.count * bytesOf(c.dtype), 0),
  };
}
