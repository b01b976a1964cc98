/**
 * Patch-based execution, part 3 of 4: one patch stage's geometry (row buffers, MACs, cost) and its kernel calls.
 *
 * A stage is a run of consecutive nodes [first, last] of the lowered graph, every one tileable
 * (rows.ts), whose tensors other than the last node's output 0 are read only inside the run (and are no
 * graph output). It reads its external inputs (in the arena, whole) and writes output 0 of its last
 * node, Y (in the arena, whole). The bands walk the rows of the driver: Y, a band of `tileRows` rows at
 * a time — or, when the last node is a global int8 pool, the pool's input, which the pool folds into an
 * int32 accumulator band by band and turns into Y after the last band. Each step of the schedule
 * (schedule.ts: `keep`, line buffers, or `recompute`, MCUNetV2's patches) runs a node's own lowering on a
 * band (same kernels, same arithmetic: bit-exact by construction) into a small row buffer. The
 * intermediate tensors never exist whole: the arena holds the inputs, Y and the row buffers (placed
 * among themselves by the planner's own placement, by their lifetimes in the stage: through the whole
 * stage in `keep` mode), as one extra output of the stage node, `tiles`.
 *
 * The stage becomes one node (op `patch_stage`, src/ops/patch-stage.ts) in place of its nodes, with the
 * calls of every band in order; kernel scratch is the stage node's scratch buffer.
 */

import { bytesOf } from '../../ir/dtype.js';
import type { DType, TensorData } from '../../ir/dtype.js';
import { Graph, tensorBytes } from '../../ir/graph.js';
import type { Node, Tensor } from '../../ir/graph.js';
import { getOp } from '../../ops/index.js';
import type { CArg, KernelCall, LowerContext } from '../../ops/op.js';
import { ARENA_ALIGNMENT, alignUp } from '../../plan/liveness.js';
import type { Buffer } from '../../plan/liveness.js';
import { placeBuffers } from '../../plan/place.js';
import type { LoweredGraph } from '../index.js';
import { tileAttrs, windowedInput } from './rows.js';
import { BandPlan, StageMode, StageShape, bandPlan, bandsOf, keepSchedule, rowElems } from './schedule.js';
import { globalPoolRowsS8 } from '../../ops/pool2d/s8.js';

/** The attributes of a `patch_stage` node: what inspect and the bench report. */
export interface PatchStageAttrs {
  nodes: string[];
  tileRows: number;
  tiles: number;
  /** Bytes of the tile buffers (the `tiles` output). */
  tileBytes: number;
  /** MACs the stage performs, recomputation included, and the layer-by-layer MACs of its nodes. */
  macs: number;
  baseMacs: number;
  /** Output 0 may be placed over input 0 (stage.ts `overwriteIsSafe`): the planner's in-place rules 3 / 3'. */
  overwrites: boolean;
  mode: StageMode;
  /** Bytes the `keep` mode moves to the top of its row buffers, over all bands. */
  movedBytes: number;
  /** Estimated instructions the stage costs over its layers run whole (`stageOverhead`). */
  overhead: number;
}

/** Geometry of a stage at one tile height: band plans, tile buffers and their placement, MACs. */
export interface StageGeometry {
  shape: StageShape;
  tileRows: number;
  mode: StageMode;
  plans: BandPlan[];
  /** Offset in `tiles` of each tile buffer (internal tensors, conv2d_add band buffers, the pool's accumulator). */
  offsets: Map<string, number>;
  tileBytes: number;
  macs: number;
  baseMacs: number;
  movedBytes: number;
  overhead: number;
  /** Y may overwrite X (the stage's input 0) as the planner would place them (see `overwriteIsSafe`). */
  overwrites: boolean;
}

/** The name of a global pool tail's accumulator among the tile buffers. */
export const accumulatorOf = (s: StageShape): string => `${s.output}#acc`;

/**
 * Whether Y may share X's memory (external input 0) as the planner places an in-place pair
 * (src/plan/liveness.ts): at the same address when Y needs no more bytes (rule 3), else with X ending
 * where Y ends (rule 3'). Safe when no band writes a byte of Y over a byte of X that a later band reads,
 * or that its own last node reads (the nodes before it have read theirs before the last node writes);
 * a `keep` step without the last node only reads. A global pool writes Y once, after every band has read X.
 */
function overwriteIsSafe(g: Graph, s: StageShape, plans: BandPlan[]): boolean {
  if (s.pool) return true;
  const x = g.tensor(s.externals[0]);
  const y = g.tensor(s.output);
  const [xb, yb] = [tensorBytes(x), tensorBytes(y)];
  // in elements, as the row offsets below (a stage's images share one dtype)
  const xOff = (yb <= xb ? 0 : yb - xb) / bytesOf(x.dtype);
  const [rx, ry] = [rowElems(x), rowElems(y)];
  const reads = (p: BandPlan, nodes: number[]): [number, number][] =>
    nodes.flatMap((k) => {
      const o = p.out[k];
      if (!o) return [];
      return [...o.bands].filter(([i]) => s.nodes[k].inputs[i] === x.name).map(([, b]): [number, number] => [xOff + b.first * rx, xOff + (b.first + b.count) * rx]);
    });
  const all = s.nodes.map((_, k) => k);
  const last = [s.nodes.length - 1];
  // The lowest X byte any band from b on reads (suffix minimum), and what band b's last node reads.
  let later = Infinity;
  for (let b = plans.length - 1; b >= 0; b--) {
    const p = plans[b];
    const o = p.out[s.nodes.length - 1];
    if (o) {
      const [w0, w1] = [o.r0 * ry, o.r1 * ry];
      if (w1 > later) return false;
      if (reads(p, last).some(([lo, hi]) => w0 < hi && lo < w1)) return false;
    }
    for (const [lo] of reads(p, all)) later = Math.min(later, lo);
  }
  return true;
}

/**
 * Estimated instructions a stage adds over its layers run whole, to choose among stages: recomputed
 * MACs (about 0.6 instruction each in the int8 DSP kernels), moved bytes (memmove: about 0.5 each), and
 * a kernel call's set-up (about 150) for each call beyond one per layer.
 */
export function stageOverhead(extraMacs: number, movedBytes: number, extraCalls: number): number {
  return Math.round(0.6 * extraMacs + 0.5 * movedBytes + 150 * extraCalls);
}

export function stageGeometry(g: Graph, s: StageShape, tileRows: number, mode: StageMode = 'recompute'): StageGeometry {
  const plans = mode === 'keep' ? keepSchedule(g, s, tileRows) : bandsOf(g.tensor(s.driver).shape[1], tileRows).map(([o0, o1]) => bandPlan(g, s, o0, o1));
  const rowsOf = new Map<string, number>();
  const grow = (name: string, rows: number) => rowsOf.set(name, Math.max(rowsOf.get(name) ?? 0, rows));
  let macs = 0;
  let baseMacs = 0;
  let calls = 0;
  let movedBytes = 0;
  s.nodes.forEach((node, k) => {
    const height = g.tensor(node.outputs[0]).shape[1];
    const perRow = s.pool && k === s.nodes.length - 1 ? 0 : (getOp(node.op).macs?.(node, g) ?? 0) / height;
    baseMacs += perRow * height;
    for (const p of plans) {
      const o = p.out[k];
      if (!o) continue;
      calls++;
      macs += perRow * (o.r1 - o.r0);
      if (node.op === 'conv2d_add') grow(node.outputs[1], Math.min((node.attrs as { chunkRows: number }).chunkRows, o.r1 - o.r0));
    }
  });
  for (const p of plans) {
    for (const [name, r] of p.held) if (s.internals.has(name)) grow(name, r.hi - r.lo);
    for (const m of p.moves) {
      calls++;
      movedBytes += m.rows * rowElems(g.tensor(m.name)) * bytesOf(g.tensor(m.name).dtype);
    }
  }
  // Lifetimes within a band: from the producing node to the last reader in the run; in keep mode the
  // internal tensors' buffers (and always the pool's accumulator) live through the whole stage.
  const whole = s.nodes.length - 1;
  const buffers: Buffer[] = [];
  s.nodes.forEach((node, k) => {
    for (const o of node.outputs) {
      if (!rowsOf.has(o)) continue;
      let lastUse = k;
      s.nodes.forEach((n, m) => { if (m > k && n.inputs.includes(o)) lastUse = m; });
      const keep = mode === 'keep' && s.internals.has(o) && o !== node.outputs[1];
      const bytes = alignUp(rowsOf.get(o)! * rowElems(g.tensor(o)) * bytesOf(g.tensor(o).dtype), ARENA_ALIGNMENT);
      buffers.push({ id: o, tensors: [o], bytes, first: keep ? 0 : k, last: keep ? whole : lastUse, kind: 'tensor' });
    }
  });
  if (s.pool) {
    const acc = accumulatorOf(s);
    buffers.push({ id: acc, tensors: [acc], bytes: alignUp(4 * g.tensor(s.driver).shape[3], ARENA_ALIGNMENT), first: 0, last: whole, kind: 'tensor' });
  }
  const placement = placeBuffers(buffers);
  const extraCalls = calls + (s.pool ? 1 : 0) - s.nodes.length;
  return {
    shape: s, tileRows, mode, plans, offsets: placement.offsets, tileBytes: placement.arenaBytes, macs: Math.round(macs), baseMacs: Math.round(baseMacs),
    movedBytes, overhead: stageOverhead(macs - baseMacs, movedBytes, extraCalls),
    overwrites: overwriteIsSafe(g, s, plans),
  };
}

/** addConstant that hands out one name for equal constants (every band lowers the same layers). */
function sharedConstants(g: Graph): LowerContext<unknown>['addConstant'] {
  const seen = new Map<string, { data: TensorData; name: string }[]>();
  return (base: string, dtype: DType, shape: number[], data: TensorData) => {
    const key = `${base}|${dtype}|${shape.join(',')}|${data.length}`;
    const list = seen.get(key) ?? [];
    const hit = list.find((s) => s.data.every((v, i) => v === data[i]));
    if (hit) return hit.name;
    const name = g.freshName(base);
    g.addTensor({ name, dtype, shape: [...shape], data });
    list.push({ data, name });
    seen.set(key, list);
    return name;
  };
}

/**
 * Replaces the stage's nodes in (a clone of) `lowered` with one `patch_stage` node running every band
 * through the nodes' own lowerings. Returns the new lowered graph and the stage node's name.
 */
export function buildStage(lowered: LoweredGraph, geo: StageGeometry, target: LowerContext<unknown>['target']): { lowered: LoweredGraph; stage: string } {
  const g = lowered.graph.clone();
  const s = geo.shape;
  const stageName = g.freshNodeName(`patch_${s.nodes[0].name}`);
  const tilesName = g.freshName(`${stageName}_tiles`);
  // The tile buffers have the stage's dtype (int8 or float32: one for every image of a stage), so that
  // their pointers are typed as the kernels take them; `geo.offsets` are bytes, ARENA_ALIGNMENT-aligned.
  const dtype = g.tensor(s.output).dtype;
  const elem = bytesOf(dtype);
  g.addTensor({ name: tilesName, dtype, shape: [Math.max(geo.tileBytes, ARENA_ALIGNMENT) / elem] });
  const addConstant = sharedConstants(g);
  const calls: KernelCall[] = [];
  const tileArg = (offset: number): CArg => (offset ? { tensor: tilesName, elementOffset: offset } : { tensor: tilesName });
  const tail = s.nodes[s.nodes.length - 1];
  const pool = s.pool ? globalPoolRowsS8(
    { node: tail, graph: g, input: (i) => g.tensor(tail.inputs[i]), optionalInput: (i) => (tail.inputs[i] ? g.tensor(tail.inputs[i]) : undefined), output: (i) => g.tensor(tail.outputs[i]), addConstant, target } as LowerContext<never>,
    tileArg(geo.offsets.get(accumulatorOf(s))! / elem),
  ) : undefined;
  let poolStarted = false;
  geo.plans.forEach((plan) => {
    for (const m of plan.moves) {
      const row = rowElems(g.tensor(m.name));
      const off = geo.offsets.get(m.name)! / elem;
      calls.push({ kernel: 'utvm_move', header: 'utvm/copy.h', args: [tileArg(off + m.from * row), tileArg(off), { value: m.rows * row * elem }] });
    }
    s.nodes.forEach((node, k) => {
      const o = plan.out[k];
      if (!o) return;
      const where = new Map<string, { tensor: string; offset: number }>();
      const place = (real: string, rowStart: number, tileName: string): void => {
        const t = g.tensor(real);
        if (s.internals.has(real)) {
          const lo = plan.held.get(real)?.lo ?? rowStart;
          where.set(tileName, { tensor: tilesName, offset: geo.offsets.get(real)! / elem + (rowStart - lo) * rowElems(t) });
        } else {
          where.set(tileName, { tensor: real, offset: rowStart * rowElems(t) });
        }
      };
      if (pool && node === tail) {
        const x = g.tensor(s.driver);
        const off = geo.offsets.get(s.driver)! / elem + (o.r0 - plan.held.get(s.driver)!.lo) * rowElems(x);
        calls.push(pool.rows(tileArg(off), (o.r1 - o.r0) * x.shape[2], !poolStarted));
        poolStarted = true;
        return;
      }
      const tileInputs = new Map<number, Tensor>();
      for (const [i, b] of o.bands) {
        const real = g.tensor(node.inputs[i]);
        const name = `${node.name}#in${i}`;
        tileInputs.set(i, { ...real, name, shape: [1, b.count, real.shape[2], real.shape[3]] });
        place(real.name, b.first, name);
      }
      const rows = o.r1 - o.r0;
      const tileOutputs = node.outputs.map((out, i) => {
        const real = g.tensor(out);
        const name = `${node.name}#out${i}`;
        if (i === 0) {
          place(out, o.r0, name);
          return { ...real, name, shape: [1, rows, real.shape[2], real.shape[3]] };
        }
        // conv2d_add's band buffer: a tile buffer of its own.
        const chunk = Math.min((node.attrs as { chunkRows: number }).chunkRows, rows);
        where.set(name, { tensor: tilesName, offset: geo.offsets.get(out)! / elem });
        return { ...real, name, shape: [1, chunk, real.shape[2], real.shape[3]] };
      });
      const band = o.bands.get(windowedInput(node))!;
      const tileNode: Node = { ...node, attrs: tileAttrs(node, band, rows) };
      const base: LowerContext<Record<string, unknown>> = {
        node: tileNode,
        graph: g,
        input: (i) => tileInputs.get(i) ?? g.tensor(node.inputs[i]),
        optionalInput: (i) => tileInputs.get(i) ?? (node.inputs[i] ? g.tensor(node.inputs[i]) : undefined),
        output: (i) => tileOutputs[i],
        addConstant,
        target,
      };
      // a band calls its kernels once per band: no `specialise` (a kernel body inlined at every call would
      // multiply the code by the bands; gcc took minutes and a gigabyte on kws's 25 bands)
      const knobs = getOp(node.op).knobs?.(base) ?? [];
      const ctx = knobs.some((k) => k.name === 'specialise') ? { ...base, schedule: { specialise: 0 } } : base;
      const remap = (a: CArg): CArg => {
        if (!('tensor' in a)) return a;
        const w = where.get(a.tensor);
        if (!w) return a;
        const off = w.offset + (a.elementOffset ?? 0);
        return off ? { tensor: w.tensor, elementOffset: off } : { tensor: w.tensor };
      };
      // Lowerings may look their tensors up by name: the band tensors are in the graph while they lower.
      const bandTensors = [...tileInputs.values(), ...tileOutputs];
      for (const t of bandTensors) g.tensors.set(t.name, t);
      const nodeCalls = getOp(node.op).lower!(ctx);
      for (const t of bandTensors) g.tensors.delete(t.name);
      for (const call of nodeCalls) {
        const { inPlace: _inPlace, ...rest } = call;
        calls.push({ ...rest, args: call.args.map(remap) });
      }
    });
  });
  if (pool) calls.push(pool.finish({ tensor: s.output }));
  const attrs: PatchStageAttrs = {
    nodes: s.nodes.map((n) => n.name), tileRows: geo.tileRows, tiles: bandsOf(g.tensor(s.driver).shape[1], geo.tileRows).length, tileBytes: geo.tileBytes, macs: geo.macs, baseMacs: geo.baseMacs,
    overwrites: geo.overwrites, mode: geo.mode, movedBytes: geo.movedBytes, overhead: geo.overhead,
  };
  const stageNode: Node = {
    name: stageName,
    op: 'patch_stage',
    inputs: [...s.externals],
    outputs: [s.output, tilesName],
    attrs: attrs as unknown as Record<string, unknown>,
    source: { op: 'patch stage', name: `${s.nodes[0].source.name}..${s.nodes[s.nodes.length - 1].source.name}` },
  };
  g.nodes = [...g.nodes.slice(0, s.first), stageNode, ...g.nodes.slice(s.last + 1)];
  const newCalls = new Map(lowered.calls);
  for (const n of s.nodes) newCalls.delete(n.name);
  newCalls.set(stageName, calls);
  return { lowered: { graph: g, calls: newCalls }, stage: stageName };
}

/** A graph with the stage's nodes replaced by a stage node (no calls): for the planner's estimate of a candidate. */
export function sketchStage(g: Graph, geo: StageGeometry): Graph {
  const s = geo.shape;
  const sketch = new Graph(g.name);
  sketch.tensors = new Map(g.tensors);
  sketch.inputs = g.inputs;
  sketch.outputs = g.outputs;
  const tiles = `patch_sketch_tiles_${s.first}`;
  sketch.tensors.set(tiles, { name: tiles, dtype: 'int8', shape: [Math.max(geo.tileBytes, ARENA_ALIGNMENT)] });
  const node: Node = { name: `patch_sketch_${s.first}`, op: 'patch_stage', inputs: [...s.externals], outputs: [s.output, tiles], attrs: {}, source: { op: 'patch stage', name: '' } };
  sketch.nodes = [...g.nodes.slice(0, s.first), node, ...g.nodes.slice(s.last + 1)];
  return sketch;
}
