/**
 * Patch-based execution, part 2 of 4: which runs of nodes form a stage, and the order in which a stage
 * computes its rows — its schedule, a list of steps (stage.ts turns them into kernel calls).
 *
 *   - `recompute` (`bandPlan`): one step per band of driver rows; walking the nodes backwards gives the
 *     rows each intermediate tensor must hold for the band (the union over its readers' bands), every
 *     one computed in the band, so rows two bands share are computed twice.
 *   - `keep` (`keepSchedule`, line buffers): demand-driven; the driver advances a band at a time and a
 *     node computes the rows its readers ask for next, at most `tileRows` per step, each row once. Before
 *     a node writes, its buffer drops the rows no reader will read again and moves the rest to its top.
 */

import type { Graph, Node, Tensor } from '../../ir/graph.js';
import { Band, RowInput, globalPoolTail, rowInputs } from './rows.js';

/** A run of nodes that may form a stage. */
export interface StageShape {
  first: number;
  last: number;
  nodes: Node[];
  /** Runtime tensors read from outside the run. */
  externals: string[];
  /** Tensors produced and read only inside the run (and conv2d_add band buffers). */
  internals: Set<string>;
  /** The stage's output: output 0 of its last node. */
  output: string;
  /** The last node is a global pool run band by band (rows.ts `globalPoolTail`). */
  pool: boolean;
  /** The tensor whose rows the bands walk: the output, or the global pool's input. */
  driver: string;
}

/** How a stage treats the rows two bands share (see the top of the file). */
export type StageMode = 'keep' | 'recompute';

/** The stage the nodes [first, last] of `g` form, or undefined when they cannot form one. */
export function stageShape(g: Graph, first: number, last: number, consumers: Map<string, Node[]>): StageShape | undefined {
  const nodes = g.nodes.slice(first, last + 1);
  const inRun = new Set(nodes.map((n) => n.name));
  const produced = new Set<string>();
  const internals = new Set<string>();
  const externals: string[] = [];
  let pool = false;
  for (const [k, node] of nodes.entries()) {
    const tail = k === nodes.length - 1 ? globalPoolTail(g, node) : undefined;
    const ins = tail ?? rowInputs(g, node);
    if (!ins) return undefined;
    pool = tail !== undefined;
    for (const ri of ins) {
      const name = node.inputs[ri.index];
      if (!produced.has(name) && !externals.includes(name)) externals.push(name);
    }
    for (const name of node.inputs) {
      if (name && !g.isConstant(name) && !ins.some((ri) => node.inputs[ri.index] === name)) return undefined;
    }
    node.outputs.forEach((o) => produced.add(o));
  }
  const tailNode = nodes[nodes.length - 1];
  const output = tailNode.outputs[0];
  const driver = pool ? tailNode.inputs[0] : output;
  if (pool && !produced.has(driver)) return undefined;
  if (g.tensor(driver).shape[1] < 2) return undefined;
  for (const name of produced) {
    if (name === output) continue;
    if (g.outputs.includes(name)) return undefined;
    if ((consumers.get(name) ?? []).some((c) => !inRun.has(c.name))) return undefined;
    // Row buffers share one element type (stage.ts types the tile buffer by the driver's).
    if (g.tensor(name).dtype !== g.tensor(driver).dtype) return undefined;
    internals.add(name);
  }
  return { first, last, nodes, externals, internals, output, pool, driver };
}

export const rowElems = (t: Tensor) => t.shape[2] * t.shape[3];

export interface Range {
  lo: number;
  hi: number;
}

/** Rows a `keep` band moves to the top of a buffer before it computes: `rows` rows from row offset `from`. */
export interface Move {
  name: string;
  from: number;
  rows: number;
}

/**
 * One step of a stage: each node's output rows it computes and its inputs' bands (undefined: the node
 * does not run), the rows [lo, hi) of each row buffer the step touches (`held`: row lo at the buffer's
 * start; the largest hi − lo sizes the buffer), and the moves the step starts with.
 */
export interface BandPlan {
  out: ({ r0: number; r1: number; bands: Map<number, Band> } | undefined)[];
  held: Map<string, Range>;
  moves: Move[];
}

/** The row inputs of node `k` of a stage: a global pool tail reads its input's rows as they are. */
function inputsOf(g: Graph, s: StageShape, k: number): RowInput[] {
  return (s.pool && k === s.nodes.length - 1 ? globalPoolTail(g, s.nodes[k]) : rowInputs(g, s.nodes[k]))!;
}

/** `recompute` mode: the band of driver rows [o0, o1), every row it needs computed in it. */
export function bandPlan(g: Graph, s: StageShape, o0: number, o1: number): BandPlan {
  const need = new Map<string, Range>([[s.driver, { lo: o0, hi: o1 }]]);
  const out: BandPlan['out'] = new Array(s.nodes.length).fill(undefined);
  for (let k = s.nodes.length - 1; k >= 0; k--) {
    const node = s.nodes[k];
    const rows = s.pool && k === s.nodes.length - 1 ? { lo: o0, hi: o1 } : need.get(node.outputs[0]);
    if (!rows) continue;
    const bands = new Map<number, Band>();
    for (const ri of inputsOf(g, s, k)) {
      const b = ri.band(rows.lo, rows.hi);
      bands.set(ri.index, b);
      const name = node.inputs[ri.index];
      if (!s.internals.has(name)) continue;
      const had = need.get(name);
      const [lo, hi] = [b.first, b.first + b.count];
      need.set(name, had ? { lo: Math.min(had.lo, lo), hi: Math.max(had.hi, hi) } : { lo, hi });
    }
    out[k] = { r0: rows.lo, r1: rows.hi, bands };
  }
  return { out, held: need, moves: [] };
}

/**
 * `keep` mode (line buffers), demand-driven: the driver advances `tileRows` rows at a time; a node
 * computes the rows its readers ask for next, at most `tileRows` per call (after its own inputs' rows,
 * recursively), once.
 * Before it writes, its buffer drops the rows no reader will read again (below every reader's next
 * window) and moves the rest to the top. One step per node call, so a buffer holds about a reader's
 * window of rows.
 */
export function keepSchedule(g: Graph, s: StageShape, tileRows: number): BandPlan[] {
  const n = s.nodes.length;
  const ins = s.nodes.map((_, k) => inputsOf(g, s, k));
  const producer = new Map<string, number>();
  const readers = new Map<string, { k: number; ri: RowInput }[]>();
  s.nodes.forEach((node, k) => {
    producer.set(node.outputs[0], k);
    for (const ri of ins[k]) {
      const name = node.inputs[ri.index];
      if (s.internals.has(name)) readers.set(name, [...(readers.get(name) ?? []), { k, ri }]);
    }
  });
  const height = (k: number) => g.tensor(s.pool && k === n - 1 ? s.driver : s.nodes[k].outputs[0]).shape[1];
  const next = new Array<number>(n).fill(0);
  const held = new Map<string, Range>();
  const steps: BandPlan[] = [];
  const lowWater = (name: string) =>
    Math.min(...(readers.get(name) ?? []).map(({ k, ri }) => (next[k] >= height(k) ? Infinity : ri.band(next[k], next[k] + 1).first)));
  const ensure = (name: string, hi: number): void => {
    const k = producer.get(name)!;
    while (next[k] < hi) produce(k, Math.min(hi, next[k] + tileRows));
  };
  function produce(k: number, r1: number): void {
    const node = s.nodes[k];
    const r0 = next[k];
    const bands = new Map<number, Band>();
    for (const ri of ins[k]) {
      const b = ri.band(r0, r1);
      bands.set(ri.index, b);
      const name = node.inputs[ri.index];
      if (s.internals.has(name)) ensure(name, b.first + b.count);
    }
    const moves: Move[] = [];
    const name = node.outputs[0];
    const touched = new Map<string, Range>();
    if (s.internals.has(name) && !(s.pool && k === n - 1)) {
      const h = held.get(name) ?? { lo: r0, hi: r0 };
      const lo = Math.min(lowWater(name), r0);
      if (lo > h.lo && h.hi > lo) moves.push({ name, from: lo - h.lo, rows: h.hi - lo });
      held.set(name, { lo, hi: r1 });
      touched.set(name, { lo, hi: r1 });
    }
    for (const ri of ins[k]) {
      const input = node.inputs[ri.index];
      if (!s.internals.has(input)) continue;
      const h = held.get(input)!;
      const b = bands.get(ri.index)!;
      if (b.first < h.lo || b.first + b.count > h.hi) throw new Error(`internal: patch step of '${node.name}' reads rows of '${input}' its buffer does not hold`);
      touched.set(input, h);
    }
    const out: BandPlan['out'] = new Array(n).fill(undefined);
    out[k] = { r0, r1, bands };
    steps.push({ out, held: touched, moves });
    next[k] = r1;
  }
  for (const [, o1] of bandsOf(height(n - 1), tileRows)) produce(n - 1, o1);
  return steps;
}

/** The bands of a driver of `height` rows with `tileRows` rows per band. */
export function bandsOf(height: number, tileRows: number): [number, number][] {
  const bands: [number, number][] = [];
  for (let r = 0; r < height; r += tileRows) bands.push([r, Math.min(height, r + tileRows)]);
  return bands;
}
