/**
 * Memory planner, stage 1 of 3: buffer analysis (liveness).
 *
 * The compiled model has one static arena. This stage decides WHAT must live in it and WHEN; stage 2
 * (place.ts) decides WHERE. Step i is graph.nodes[i] (nodes are in execution order).
 *
 * 1. Every runtime tensor (no `data`; constants live in flash) starts a buffer of its own, named after
 *    it (its root tensor), live from the step of the node that produces it to the last step that reads
 *    it. Graph inputs are live from step 0; graph outputs stay live until the last step; a tensor that
 *    nobody reads is still live at the step that produces it.
 * 2. Alias nodes (`alias`, e.g. reshape): output 0 joins input 0's buffer — no new memory, no kernel.
 *    The buffer then lives until the last use of any of its tensors, so aliases can chain. Input 0 must
 *    be a runtime tensor (an alias of a constant must have been folded), and output 0 may not need more
 *    bytes than the buffer holds; both are internal errors otherwise.
 * 3. In-place nodes (`inPlace`, elementwise kernels): output 0 joins input 0's buffer — the kernel
 *    overwrites its input — when ALL of these hold, and gets a buffer of its own otherwise:
 *    a. input 0 is a runtime tensor;
 *    b. no tensor of input 0's buffer is read after this step, and none of them is a graph output;
 *    c. output 0 and input 0 have the same byte size;
 *    d. every OTHER input of the node that lives in the same buffer (input 0 itself again, as in
 *       mul(x, x), or a reshape of it) has output 0's byte size and element count: it is then read in
 *       lock-step with the writes (equal element counts rule out broadcasting), so nothing is
 *       overwritten before it is read.
 *    Graph inputs may be overwritten this way: the arena slot of an input is reused anyway once the
 *    input dies, so the caller must refill inputs before every run (it has to in any case).
 *    In-place kernels (`inPlaceKernels`: nodes whose lowered call is flagged `inPlace` for the target,
 *    e.g. the Cortex-M7 1x1 convolution) join the same way under a and b, with c relaxed to "output 0
 *    needs no more bytes than input 0" (the kernel's header argues why its writes never overtake its
 *    reads) and d strict: no other runtime input may live in input 0's buffer. Either way the step then
 *    holds one buffer, not two, and `lowerBound` counts it once.
 * 3'. An in-place kernel whose output 0 is LARGER than input 0 (an expanding 1x1 convolution) gets a
 *    buffer of its own, and input 0's buffer an `anchor`: it is placed so that it ENDS where output 0
 *    ends (anchor offset = output bytes - input bytes, a multiple of 16), the two overlapping only at
 *    this step. Conditions: a, b and strict d as above, input 0 is its buffer's only tensor of that size
 *    (buffer bytes = its aligned size), and neither buffer takes part in another anchor (no chains).
 * 4. A node with scratch bytes > 0 (`scratch`: the largest `scratchBytes` of its lowered kernel calls,
 *    src/lower/index.ts `scratchBytesOf`) adds a buffer `scratch:<node name>` (kind 'scratch', no
 *    tensors) live only at that node's step.
 * 1'. Variable tensors (TFLite state, `Tensor.variable`: no producer, read and written in place by their
 *    nodes, kept from one run to the next) get a buffer live over the whole run, steps 0 to the last,
 *    so nothing else ever shares their bytes. Nothing joins them (they are never a node's output 0).
 * 5. bytes = tensorBytes(root tensor) rounded up to ARENA_ALIGNMENT (16), so every tensor starts on a
 *    16-byte boundary (enough for any dtype and for the M7's cache lines / DSP loads).
 *
 * Buffers come out in creation order (graph inputs, then each node's outputs and scratch in node
 * order), tensors of a buffer in joining order: the result is a pure function of the graph.
 */

import type { Graph, Node } from '../ir/graph.js';
import { elementCount, tensorBytes } from '../ir/graph.js';
import { getOp } from '../ops/index.js';

/** Byte alignment of every buffer's offset and size in the arena. */
export const ARENA_ALIGNMENT = 16;

export interface Buffer {
  /** Root tensor name, or `scratch:<node name>` for a scratch buffer. */
  id: string;
  /** Tensors stored in this buffer (root first, then aliases / in-place outputs); empty for scratch. */
  tensors: string[];
  /** Size in bytes, a multiple of ARENA_ALIGNMENT. */
  bytes: number;
  /** First step at which the buffer is live (inclusive). */
  first: number;
  /** Last step at which the buffer is live (inclusive). */
  last: number;
  kind: 'tensor' | 'scratch';
  /**
   * Rule 3': this buffer must sit `offset` bytes into buffer `id` (it is the input of an in-place kernel
   * whose larger output is `id`, and dies at the step where `id` is born). The placer keeps the pair
   * together; they may overlap, at that one step only.
   */
  anchor?: { id: string; offset: number };
}

/** What the planner needs to know about an IR operator (a subset of OpDef). */
export interface OpInfo {
  alias?: boolean;
  inPlace?: boolean;
  /** Multiply-accumulates of a node (OpDef.macs): the work that makes a buffer hot (memories.ts). */
  macs?(node: Node, graph: Graph): number;
}

export type OpInfoLookup = (opName: string) => OpInfo;

/** `n` rounded up to a multiple of `alignment`. */
export function alignUp(n: number, alignment = ARENA_ALIGNMENT): number {
  return Math.ceil(n / alignment) * alignment;
}

/**
 * The buffers of `graph`'s runtime tensors and scratch memory, with their lifetimes (see above).
 * `inPlaceKernels` names the nodes whose lowered kernel may write output 0 over input 0 (rule 3),
 * `scratch` the scratch bytes of the nodes that need any (rule 4).
 */
export function computeBuffers(
  graph: Graph,
  opInfo: OpInfoLookup = getOp,
  inPlaceKernels: ReadonlySet<string> = new Set(),
  scratch: ReadonlyMap<string, number> = new Map(),
): Buffer[] {
  const state = new Liveness(graph);
  for (const name of graph.inputs) if (state.isRuntime(name)) state.open(name, 0);
  for (const t of graph.tensors.values()) if (t.variable && t.data === undefined) state.open(t.name, 0);
  graph.nodes.forEach((node, step) => visitNode(state, node, step, opInfo(node.op), inPlaceKernels.has(node.name), scratch.get(node.name) ?? 0));
  return state.finish();
}

function visitNode(state: Liveness, node: Node, step: number, info: OpInfo, kernelInPlace: boolean, scratch: number): void {
  for (const input of node.inputs) if (state.isRuntime(input)) state.read(input, step, node);
  node.outputs.forEach((output, k) => {
    if (output === '') return;
    if (!state.isRuntime(output)) {
      throw new Error(`internal: node '${node.name}' (${node.op}) writes constant tensor '${output}'`);
    }
    const first = k === 0 && !info.alias;
    const kernel = first && kernelInPlace;
    const elementwise = first && info.inPlace === true && state.canOverwrite(node, step);
    const overwrite = elementwise || (kernel && state.canOverwriteSmaller(node, step));
    if (k === 0 && info.alias) state.alias(node, step);
    else if (overwrite) state.join(output, state.bufferOf(node.inputs[0]));
    else {
      state.open(output, step);
      if (kernel) state.anchorAtTail(node, step);
    }
  });
  if (scratch > 0) state.openScratch(node, scratch, step);
}

/** Mutable bookkeeping of one computeBuffers run. */
class Liveness {
  readonly graph: Graph;
  private readonly steps: number;
  private readonly lastRead = new Map<string, number>();
  private readonly graphOutputs: Set<string>;
  private readonly buffers: Buffer[] = [];
  private readonly byTensor = new Map<string, Buffer>();
  private readonly ids = new Set<string>();
  /** Buffers some other buffer is anchored to (rule 3'). */
  private readonly anchored = new Set<string>();

  constructor(graph: Graph) {
    this.graph = graph;
    this.steps = graph.nodes.length;
    this.graphOutputs = new Set(graph.outputs);
    graph.nodes.forEach((node, step) => {
      for (const input of node.inputs) if (input !== '') this.lastRead.set(input, step);
    });
  }

  /** True for a named tensor without constant data (throws on unknown names). */
  isRuntime(name: string): boolean {
    return name !== '' && !this.graph.isConstant(name);
  }

  bufferOf(tensor: string): Buffer {
    const buffer = this.byTensor.get(tensor);
    if (!buffer) throw new Error(`internal: tensor '${tensor}' is used before it is produced`);
    return buffer;
  }

  open(tensor: string, step: number): void {
    if (this.byTensor.has(tensor)) throw new Error(`internal: tensor '${tensor}' is produced twice`);
    const bytes = alignUp(tensorBytes(this.graph.tensor(tensor)));
    this.add({ id: tensor, tensors: [tensor], bytes, first: step, last: step, kind: 'tensor' });
  }

  openScratch(node: Node, bytes: number, step: number): void {
    const id = `scratch:${node.name}`;
    this.add({ id, tensors: [], bytes: alignUp(bytes), first: step, last: step, kind: 'scratch' });
  }

  join(tensor: string, buffer: Buffer): void {
    if (this.byTensor.has(tensor)) throw new Error(`internal: tensor '${tensor}' is produced twice`);
    buffer.tensors.push(tensor);
    this.byTensor.set(tensor, buffer);
  }

  read(tensor: string, step: number, node: Node): void {
    const buffer = this.byTensor.get(tensor);
    if (!buffer) {
      throw new Error(`internal: node '${node.name}' reads tensor '${tensor}' before anything produces it`);
    }
    buffer.last = Math.max(buffer.last, step);
  }

  /** Rule 2: output 0 of an alias node shares input 0's buffer. */
  alias(node: Node, step: number): void {
    const input = node.inputs[0];
    const output = node.outputs[0];
    if (input === undefined || !this.isRuntime(input)) {
      const what = `alias node '${node.name}' (${node.op})`;
      throw new Error(`internal: ${what} needs a runtime input 0 (constants must be folded first)`);
    }
    const buffer = this.bufferOf(input);
    if (alignUp(tensorBytes(this.graph.tensor(output))) > buffer.bytes) {
      throw new Error(`internal: alias node '${node.name}' (${node.op}) output is larger than its input`);
    }
    this.join(output, buffer);
    buffer.last = Math.max(buffer.last, step);
  }

  /** Rule 3 a and b: input 0 is a runtime tensor whose buffer nobody needs after `step`; its buffer. */
  private dyingInput(node: Node, step: number): Buffer | undefined {
    const input = node.inputs[0];
    if (input === undefined || !this.isRuntime(input)) return undefined;
    const buffer = this.bufferOf(input);
    const readLater = (t: string) => this.graphOutputs.has(t) || (this.lastRead.get(t) ?? -1) > step;
    return buffer.tensors.some(readLater) ? undefined : buffer;
  }

  /** Rule 3 for an in-place kernel: input 0 dies here, output 0 is no larger, no other input shares the buffer. */
  canOverwriteSmaller(node: Node, step: number): boolean {
    const buffer = this.dyingInput(node, step);
    if (!buffer) return false;
    const outBytes = tensorBytes(this.graph.tensor(node.outputs[0]));
    if (outBytes > tensorBytes(this.graph.tensor(node.inputs[0])) || alignUp(outBytes) > buffer.bytes) return false;
    return this.onlyInput0In(node, buffer);
  }

  /** Strict rule 3 d: no runtime input of `node` but input 0 lives in `buffer`. */
  private onlyInput0In(node: Node, buffer: Buffer): boolean {
    return node.inputs.every((other, j) => j === 0 || !this.isRuntime(other) || this.byTensor.get(other) !== buffer);
  }

  /** Rule 3': anchors input 0's buffer at the tail of output 0's (just opened) when the conditions hold. */
  anchorAtTail(node: Node, step: number): void {
    const input = this.dyingInput(node, step);
    const output = this.bufferOf(node.outputs[0]);
    if (!input || input.anchor || output.anchor || this.anchored.has(input.id)) return;
    const inBytes = tensorBytes(this.graph.tensor(node.inputs[0]));
    const offset = tensorBytes(this.graph.tensor(node.outputs[0])) - inBytes;
    if (offset <= 0 || offset % ARENA_ALIGNMENT !== 0 || input.bytes !== alignUp(inBytes)) return;
    if (!this.onlyInput0In(node, input)) return;
    input.anchor = { id: output.id, offset };
    this.anchored.add(output.id);
  }

  /** Rule 3: may output 0 of in-place node `node` overwrite input 0's buffer? */
  canOverwrite(node: Node, step: number): boolean {
    const buffer = this.dyingInput(node, step);
    if (!buffer) return false;
    const input = node.inputs[0];
    const out = this.graph.tensor(node.outputs[0]);
    const outBytes = tensorBytes(out);
    if (outBytes !== tensorBytes(this.graph.tensor(input)) || alignUp(outBytes) > buffer.bytes) return false;
    return node.inputs.every((other, j) => {
      if (j === 0 || !this.isRuntime(other) || this.byTensor.get(other) !== buffer) return true;
      const t = this.graph.tensor(other);
      return tensorBytes(t) === outBytes && elementCount(t.shape) === elementCount(out.shape);
    });
  }

  /** Applies rule 1's "graph outputs live to the end" and returns the buffers in creation order. */
  finish(): Buffer[] {
    const end = Math.max(this.steps - 1, 0);
    for (const t of this.graph.tensors.values()) if (t.variable && t.data === undefined) this.bufferOf(t.name).last = end;
    for (const name of this.graph.outputs) {
      if (!this.isRuntime(name)) continue;
      const buffer = this.byTensor.get(name);
      if (!buffer) throw new Error(`internal: graph output '${name}' is never produced`);
      buffer.last = Math.max(buffer.last, end);
    }
    return this.buffers;
  }

  private add(buffer: Buffer): void {
    if (this.ids.has(buffer.id)) throw new Error(`internal: two planner buffers are named '${buffer.id}'`);
    this.ids.add(buffer.id);
    this.buffers.push(buffer);
    for (const t of buffer.tensors) this.byTensor.set(t, buffer);
  }
}
