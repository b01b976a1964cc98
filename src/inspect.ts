/**
 * `utvm-aot inspect`: what the compiler made of a model — operators and shapes, the memory plan (drawn
 * over time), arena bytes against the lower bound, and weight bytes. Text for people, JSON for tools.
 */

import { displayText as d } from './emit/escape.js';
import { bytesOf } from './ir/dtype.js';
import { elementCount, Graph } from './ir/graph.js';
import type { Program } from './emit/program.js';
import { MemoryPlan, printPlan } from './plan/index.js';
import type { CompileResult } from './compile.js';
import type { PatchStageReport } from './lower/patch/choose.js';

/** A graph input or output: its type and, for a quantized tensor, real = scale · (q − zeroPoint). */
export interface IoReport {
  name: string;
  dtype: string;
  shape: number[];
  /** One entry per tensor, or per channel of `axis`. */
  quant?: { scale: number[]; zeroPoint: number[]; axis?: number };
}

export interface InspectReport {
  model: string;
  name: string;
  inputs: IoReport[];
  outputs: IoReport[];
  operators: { name: string; op: string; source: string; inputs: string[]; outputs: string[]; kernels: string[] }[];
  arenaBytes: number;
  lowerBound: number;
  strategy: string;
  weightBytes: number;
  kernels: string[];
  buffers: { id: string; tensors: string[]; bytes: number; offset: number; first: number; last: number; kind: string }[];
  /** The arenas, one per memory the plan uses (the primary one first); memory '' for a board without memories. */
  arenas: { memory: string; arenaBytes: number; lowerBound: number; strategy: string; capacity?: number }[];
  /** Weight bytes per memory when the weights are spread over several (absent otherwise). */
  weightMemories?: { memory: string; bytes: number }[];
  /** Why the model does not fit the board inspected for (export refuses it with this text); absent when it fits. */
  doesNotFit?: string;
  /**
   * With --ram-budget: the patch stages (runs of layers executed band by band, src/lower/patch/) and the
   * arena layer by layer; `arenaBytes` and `lowerBound` are then the patched plan's.
   */
  patch?: { layerByLayerArena: number; stages: PatchStageReport[]; byDefault?: { budget: number; memory: string } };
}

const shapeText = (g: Graph, n: string) => `${g.tensor(n).dtype}[${g.tensor(n).shape}]`;

/** Weight bytes per memory when some weights are placed outside the board's weights memory; else undefined. */
function weightsPerMemory(p: Program, weightsMemory: string): { memory: string; bytes: number }[] | undefined {
  if (!p.constants.some((c) => c.memory !== undefined)) return undefined;
  const by = new Map<string, number>([[weightsMemory, 0]]);
  for (const c of p.constants) by.set(c.memory ?? weightsMemory, (by.get(c.memory ?? weightsMemory) ?? 0) + c.count * bytesOf(c.dtype));
  return [...by.entries()].map(([memory, bytes]) => ({ memory, bytes }));
}

export function inspectReport(fileName: string, g: Graph, plan: MemoryPlan, p: Program, doesNotFit?: string, weightsMemory = 'FLASH', patch?: CompileResult['patch']): InspectReport {
  const weightMemories = weightsPerMemory(p, weightsMemory);
  const kernelsOf = new Map(p.steps.map((s) => [s.node, s.kernels]));
  const io = (names: string[]): IoReport[] =>
    names.map((n) => {
      const t = g.tensor(n);
      const q = t.quant;
      return { name: n, dtype: t.dtype, shape: [...t.shape], ...(q ? { quant: { scale: [...q.scale], zeroPoint: [...q.zeroPoint], ...(q.axis !== undefined && q.scale.length > 1 ? { axis: q.axis } : {}) } } : {}) };
    });
  return {
    model: fileName,
    name: g.name,
    inputs: io(g.inputs),
    outputs: io(g.outputs),
    operators: g.nodes.map((n) => ({
      name: n.name,
      op: n.op,
      source: `${n.source.op} '${n.source.name}'`,
      inputs: n.inputs.filter((x) => x !== '').map((x) => `${x}: ${shapeText(g, x)}${g.isConstant(x) ? ' (constant)' : g.tensor(x).variable ? ' (state, kept across runs)' : ''}`),
      outputs: n.outputs.map((x) => `${x}: ${shapeText(g, x)}`),
      kernels: [...new Set(kernelsOf.get(n.name) ?? [])],
    })),
    arenaBytes: plan.arenaBytes,
    lowerBound: plan.lowerBound,
    strategy: plan.strategy,
    weightBytes: p.weightBytes,
    kernels: p.kernels,
    buffers: plan.buffers.map((b) => ({ id: b.id, tensors: b.tensors, bytes: b.bytes, offset: b.offset, first: b.first, last: b.last, kind: b.kind, ...(plan.arenas.length > 1 ? { memory: b.memory } : {}) })),
    arenas: plan.arenas.map((a) => ({ ...a })),
    ...(weightMemories ? { weightMemories } : {}),
    ...(doesNotFit ? { doesNotFit } : {}),
    ...(patch ? { patch: { layerByLayerArena: patch.baseArena, stages: patch.stages, ...(patch.byDefault ? { byDefault: patch.byDefault } : {}) } } : {}),
  };
}

const group = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** One patch stage as inspect prints it. */
export function stageText(s: PatchStageReport): string {
  const pct = s.baseMacs > 0 ? ` (+${((100 * s.extraMacs) / s.baseMacs).toFixed(1)} %)` : '';
  const how = s.mode === 'keep' ? `line buffers (${group(s.movedBytes)} bytes moved)` : `${group(s.extraMacs)} MACs recomputed${pct}`;
  return `${s.name}: ${s.nodes.length} layers (${s.nodes.join(', ')}) in ${s.tiles} bands of ${s.tileRows} row${s.tileRows === 1 ? '' : 's'}, ` +
    `row buffers ${group(s.tileBytes)} bytes${s.overwrites ? ', output over input' : ''}, ${group(s.macs)} MACs, ${how}`;
}

/** ", scale 0.584703 zero point 83" (real = scale · (q − zero point)); per channel: the count and the axis. */
function quantText(t: IoReport): string {
  const q = t.quant;
  if (!q || t.dtype === 'float32') return '';
  if (q.scale.length === 1) return `, scale ${q.scale[0].toPrecision(6)} zero point ${q.zeroPoint[0]}`;
  return `, ${q.scale.length} scales and zero points along axis ${q.axis ?? 0}`;
}

export function formatInspect(r: InspectReport, g: Graph, plan: MemoryPlan): string {
  const lines: string[] = [];
  lines.push(`model: ${d(r.model)} (C prefix '${r.name}')`); // names as one line of printable ASCII each
  for (const t of r.inputs) lines.push(`input  ${d(t.name)}: ${t.dtype}[${t.shape}] (${elementCount(t.shape) * bytesOf(t.dtype as never)} bytes)${quantText(t)}`);
  for (const t of r.outputs) lines.push(`output ${d(t.name)}: ${t.dtype}[${t.shape}]${quantText(t)}`);
  lines.push('', `operators (${r.operators.length}, in execution order):`);
  r.operators.forEach((o, i) => {
    const kernel = o.kernels.length ? `  -> ${o.kernels.join(', ')}` : '  (alias: no kernel, no memory)';
    lines.push(`  ${String(i).padStart(3)} ${d(o.name)}: ${o.op} from ${d(o.source)}${kernel}`);
    for (const x of o.inputs) lines.push(`        in  ${d(x)}`);
    for (const x of o.outputs) lines.push(`        out ${d(x)}`);
  });
  // printPlan ends with the summary line `arena: N bytes, lower bound: M bytes (+X.X %)`; its header names the strategy.
  if (plan.arenas.length > 1) {
    // one drawing per memory: each memory's arena is its own offset space
    lines.push('', `memory plan across ${plan.arenas.length} memories (${plan.arenas.map((a) => `${a.memory} ${a.arenaBytes} of ${a.capacity ?? '?'} bytes`).join(', ')}):`);
    for (const a of plan.arenas) {
      const sub = { ...plan, buffers: plan.buffers.filter((b) => b.memory === a.memory), arenaBytes: a.arenaBytes, lowerBound: a.lowerBound, strategy: a.strategy };
      lines.push('', `${a.memory}:`, printPlan(sub, g).trimEnd());
    }
  } else {
    lines.push('', 'memory plan:', printPlan(plan, g).trimEnd());
  }
  const wm = r.weightMemories;
  lines.push(`weights: ${r.weightBytes} bytes${wm ? ` (${wm.map((w) => `${w.memory} ${w.bytes}`).join(', ')})` : ''}`);
  lines.push(`kernels: ${r.kernels.join(', ')}`);
  if (r.patch) {
    const by = r.patch.byDefault ? `--ram-budget ${r.patch.byDefault.budget} by default, ${r.patch.byDefault.memory}'s capacity` : '--ram-budget';
    lines.push(`patch stages (${by}): ${r.patch.stages.length === 0 ? 'none needed' : r.patch.stages.length}; arena layer by layer ${r.patch.layerByLayerArena} bytes, with the stages ${r.arenaBytes} bytes (lower bound ${r.lowerBound})`);
    for (const st of r.patch.stages) lines.push(`  ${d(stageText(st))}`);
  }
  if (r.doesNotFit) lines.push(`does not fit: ${r.doesNotFit}`); // our text; the model's name in it is a checked C identifier
  return lines.join('\n');
}
