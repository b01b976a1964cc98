/**
 * compile(model bytes, options) → the exported project as a FileMap, with the graph and memory plan that
 * produced it. Pure: nothing here touches the disk (src/cli.ts writes the FileMap, all or nothing).
 *
 *   import (import/onnx.ts, import/tflite.ts) → passes (passes/index.ts) → checks → lowering (lower/:
 *   kernel calls for the board) → patch stages when a RAM budget asks for them (lower/patch/: the
 *   --ram-budget given, or by default the primary arena memory's capacity when the layer-by-layer plan
 *   does not fit the board's activation memories) → memory plan (plan/) → Program (emit/program.ts) → C
 *   sources and project files (emit/project.ts, emit/library.ts)
 */

import { describeNode, fail } from './diagnostics.js';
import { RUNTIME_DTYPES, bytesOf, isRuntimeDType } from './ir/dtype.js';
import { Graph, elementCount } from './ir/graph.js';
import { importOnnx } from './import/onnx.js';
import { importTflite } from './import/tflite.js';
import { detectModelFormat } from './import/format.js';
import { getOp } from './ops/index.js';
import { runPipeline } from './passes/index.js';
import { MemoryPlan, planMemory } from './plan/index.js';
import { Program, buildProgram } from './emit/program.js';
import { inPlaceNodes, lowerGraph, scratchBytesOf } from './lower/index.js';
import { FileMap, assembleProject } from './emit/project.js';
import { Board, firmwareBoardNames, loadBoard } from './emit/boards.js';
import { arenaFit, arenaMemories, fitProblem } from './emit/fit.js';
import { placeWeights } from './emit/weights.js';
import type { TensorValue } from './io/tensor-value.js';
import { allocData } from './ir/dtype.js';
import { ExportFormat, assembleLibrary } from './emit/library.js';
import type { Rounding } from './ir/quant.js';
import type { LowerTarget, Schedule } from './ops/op.js';
import type { TuningLog } from './tune/log.js';
import { TuningSummary, chooseSchedules } from './tune/apply.js';
import { patchForBudget, searchBudget } from './lower/patch/choose.js';
import type { PatchResult } from './lower/patch/choose.js';
import type { LoweredGraph } from './lower/index.js';

export interface CompileOptions {
  /** Prefix of the C API and file names: a C identifier. */
  name: string;
  board: string;
  /** One value per model input, compiled into the firmware's main.c; a fixed pattern when absent. */
  sampleInputs?: TensorValue[];
  sampleOrigin?: string;
  /** Stop after the memory plan (no files) and report a model that does not fit the board instead of failing (inspect): `CompileResult.doesNotFit` says why. */
  planOnly?: boolean;
  /** Graph inputs given fixed values at compile time (they become constants). */
  bindInputs?: Map<string, TensorValue>;
  /**
   * Debugging: every runtime tensor gets arena space of its own (no reuse, no in-place kernels), so the
   * arena holds every intermediate tensor after a run (build with -DUTVM_DEBUG to read it: src/run/debug.ts).
   */
  debugTensors?: boolean;
  /**
   * The graph keeps every tensor the passes could drop (as with debugTensors) but the plan reuses memory
   * as usual: per-layer reads at the host-driven firmware's layer stops (src/run/gdb/target.ts).
   */
  keepTensors?: boolean;
  /** What `files` holds: a whole project (default), a CMake library or a Makefile fragment (src/emit/library.ts). */
  format?: ExportFormat;
  /**
   * Requantization of the int8 kernels: 'tflite' (default: CMSIS-NN's fixed point, bit-exact with TFLite
   * Micro) or 'onnx' (onnxruntime's float requantization, round half to even: src/lower/onnx-rounding.ts).
   */
  rounding?: Rounding;
  /** A firmware project whose main.c a host drives over the debug link (src/emit/project.ts `hostDriven`). */
  hostDriven?: boolean;
  /** A parsed tuning log (`--tuning-log`, src/tune/): each layer takes the best config measured for its workload key. */
  tuning?: TuningLog;
  /** With `tuning`: bytes of flash the tuned configs may add over the defaults (src/tune/apply.ts rule 3). */
  flashBudget?: number;
  /** Schedules by node name (the tuner's candidates); they win over `tuning`. */
  schedules?: ReadonlyMap<string, Schedule>;
  /**
   * Bytes the arena may take (`--ram-budget`): when the layer-by-layer plan needs more, patch stages
   * (src/lower/patch/) run runs of convolution / pooling layers band by band until it fits, at the least
   * recomputation; E_DOES_NOT_FIT (by how many bytes) when nothing reaches it.
   * Absent: what the board's memories hold (`defaultBudget`): layer by layer when that fits the board's
   * activation memories, else patch stages for the primary arena memory's capacity. 'none': layer by layer.
   */
  ramBudget?: number | 'none';
}

export interface CompileResult {
  /** With `tuning`: how many layers it tuned. */
  tuning?: TuningSummary;
  /** With `planOnly`: why the model does not fit the board (E_DOES_NOT_FIT's text), when it does not. */
  doesNotFit?: string;
  graph: Graph;
  plan: MemoryPlan;
  program: Program;
  board: Board;
  files: FileMap;
  /**
   * With `ramBudget`: the stages chosen (maybe none), the layer-by-layer arena, and the lowered graph the
   * plan's steps are (its `patch_stage` nodes stand for their runs of layers). Without `ramBudget`, when
   * the board's default budget chose stages: `byDefault` names that budget and its memory.
   */
  patch?: Omit<PatchResult, 'lowered' | 'plan'> & { graph: Graph; byDefault?: { budget: number; memory: string } };
  /**
   * The one line export, inspect, run and bench print when the default budget (no `ramBudget`) put patch
   * stages in a plan that did not fit the board layer by layer.
   */
  ramBudgetNote?: string;
}

/**
 * A C identifier made from a model file name: "models/My-Net.onnx" → "my_net"; one that starts with a
 * digit gets a `model_` prefix, and a long one is cut to the 48 characters checkModelName allows.
 */
export function defaultModelName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  let id = base.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/_+/g, '_');
  if (!/^[a-z_]/.test(id)) id = `model_${id}`;
  id = id.slice(0, 48).replace(/_+$/, '');
  return id === '' ? 'model' : id;
}

export function checkModelName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.length > 48) {
    fail('E_USAGE', `--name '${name}' is not a C identifier (letters, digits and _, not starting with a digit, at most 48 characters)`);
  }
}

/** Reads a model file's bytes into a Graph, whatever its format, as imported (before the pass pipeline). */
export function importGraph(bytes: Uint8Array, fileName: string, name: string, bindInputs?: Map<string, TensorValue>): Graph {
  if (detectModelFormat(bytes, fileName) === 'tflite') {
    if (bindInputs && bindInputs.size > 0) fail('E_USAGE', `${fileName}: --bind is not supported for TensorFlow Lite models`);
    return importTflite(bytes, fileName, name);
  }
  const bound = new Map([...(bindInputs ?? new Map<string, TensorValue>())].map(([k, v]) => [k, { name: k, ...v }]));
  return importOnnx(bytes, fileName, name, { bindInputs: bound });
}

/** Reads a model file's bytes into a Graph, whatever its format, and runs the pass pipeline. */
export function loadGraph(
  bytes: Uint8Array,
  fileName: string,
  name: string,
  bindInputs?: Map<string, TensorValue>,
  pipeline: { keepTensors?: boolean; rounding?: Rounding } = {},
): Graph {
  return runPipeline(importGraph(bytes, fileName, name, bindInputs), pipeline);
}

/** Everything the C code cannot run is reported here, before any file is produced. */
export function checkLowerable(g: Graph, fileName: string): void {
  for (const node of g.nodes) {
    const def = getOp(node.op);
    if (!def.lower && !def.alias) {
      fail('E_UNSUPPORTED_OP', `${fileName}: ${describeNode(node.source)} needs constant inputs here (it is supported only when it folds at compile time)`);
    }
    for (const name of [...node.inputs, ...node.outputs]) {
      if (name === '') continue;
      const t = g.tensor(name);
      if (t.data === undefined && !isRuntimeDType(t.dtype)) {
        fail('E_UNSUPPORTED_TYPE', `${fileName}: ${describeNode(node.source)} computes tensor '${name}' of type ${t.dtype} at run time; supported run-time types: ${RUNTIME_DTYPES.join(', ')}`);
      }
    }
  }
  for (const name of g.inputs) {
    const t = g.tensor(name);
    if (!isRuntimeDType(t.dtype)) fail('E_UNSUPPORTED_TYPE', `${fileName}: graph input '${name}' has type ${t.dtype}; supported: ${RUNTIME_DTYPES.join(', ')}`);
  }
}

/** The fixed pattern fed when no sample input is given: the baseline's byte pattern, scaled for floats. */
export function patternInput(dtype: TensorValue['dtype'], shape: number[]): TensorValue {
  const n = elementCount(shape);
  const data = allocData(dtype, n);
  for (let i = 0; i < n; i++) {
    const byte = ((i * 37 + 11) % 256) - 128;
    (data as unknown as number[])[i] = dtype === 'float32' ? byte / 128 : byte;
  }
  return { dtype, shape: [...shape], data };
}

export function compile(bytes: Uint8Array, fileName: string, options: CompileOptions): CompileResult {
  checkModelName(options.name);
  loadBoard(options.board); // an unknown board fails before the model is read
  const graph = loadGraph(bytes, fileName, options.name, options.bindInputs, { keepTensors: options.debugTensors || options.keepTensors, rounding: options.rounding });
  return compileGraph(graph, fileName, options);
}

/** `compile` from a graph that has been through the pass pipeline (the tuner's one-layer graphs). */
export function compileGraph(graph: Graph, fileName: string, options: CompileOptions): CompileResult {
  checkModelName(options.name);
  const board = loadBoard(options.board);
  checkLowerable(graph, fileName);
  const target = { dsp: board.core === 'cortex-m7', rounding: options.rounding ?? 'tflite' } as const;
  const tuned = options.tuning ? chooseSchedules(graph, target, options.tuning, options.flashBudget) : undefined;
  const schedules = new Map([...(tuned?.schedules ?? []), ...(options.schedules ?? [])]);
  const layered = lowerGraph(graph, target, schedules);
  const explicit = typeof options.ramBudget === 'number' && !options.debugTensors ? patchForBudget(layered, options.ramBudget, target) : undefined;
  const sampleBytes = (options.sampleInputs ?? []).reduce((sum, s) => sum + elementCount(s.shape) * bytesOf(s.dtype), 0);
  const planned = planAndPlace(explicit?.lowered ?? layered, board, sampleBytes, options.debugTensors);
  const fallback = options.ramBudget === undefined && !options.debugTensors && !options.keepTensors ? defaultBudget(layered, planned.program, board, sampleBytes, target) : undefined;
  const chosen = fallback?.patched ?? explicit;
  const { lowered, plan, program } = fallback?.patched ? planAndPlace(fallback.patched.lowered, board, sampleBytes, false) : planned;
  const byDefault = fallback?.patched ? { byDefault: { budget: fallback.budget, memory: fallback.memory } } : {};
  const patch = chosen ? { baseArena: chosen.baseArena, stages: chosen.stages, graph: lowered.graph, ...byDefault } : undefined;
  const note = fallback?.patched ? { ramBudgetNote: fallback.note } : {};
  if (options.planOnly) {
    const problem = fitProblem(board, program, sampleBytes);
    const doesNotFit = problem && fallback && !fallback.patched ? `${problem}; ${fallback.note}` : problem;
    return { graph, plan, program, board, files: new Map(), patch, ...note, ...(doesNotFit ? { doesNotFit } : {}), ...(tuned ? { tuning: tuned.summary } : {}) };
  }
  const problem = fitProblem(board, program, sampleBytes);
  if (problem) fail('E_DOES_NOT_FIT', fallback && !fallback.patched ? `${problem}; ${fallback.note}` : problem);
  if (options.hostDriven && (board.template !== 'firmware' || (options.format ?? 'project') !== 'project')) {
    fail('E_USAGE', `--host-driven makes a firmware project for a board with a debug link: board '${board.name}' is not one (choose ${firmwareBoardNames().join(', ')})`);
  }
  const samples = options.sampleInputs ?? [];
  samples.forEach((s, i) => {
    const t = program.inputs[i];
    if (elementCount(s.shape) * bytesOf(s.dtype) !== t.bytes || s.dtype !== t.dtype) {
      fail('E_INPUT_FILE', `sample input ${i} is ${s.dtype}[${s.shape}] but the model's input '${t.name}' is ${t.dtype}[${t.shape}]`);
    }
  });
  if (options.format === 'library' || options.format === 'make') {
    const libOptions = { board: board.name, format: options.format, name: options.name, debugTensors: options.debugTensors ?? false };
    const files = assembleLibrary(program, { format: options.format, board, sourceName: fileName.replace(/^.*[\\/]/, ''), lowerBound: plan.lowerBound, options: libOptions });
    return { graph, plan, program, board, files, patch, ...note, ...(tuned ? { tuning: tuned.summary } : {}) };
  }
  const files = assembleProject(program, {
    board,
    sourceName: fileName.replace(/^.*[\\/]/, ''),
    lowerBound: plan.lowerBound,
    samples: options.sampleInputs,
    sampleOrigin: options.sampleOrigin ?? (options.sampleInputs ? 'given sample input' : 'fixed pattern ((i*37+11) % 256 - 128) / 128'),
    hostDriven: options.hostDriven,
  });
  return { graph, plan, program, board, files, patch, ...note, ...(tuned ? { tuning: tuned.summary } : {}) };
}

/** The memory plan of `lowered` across the board's activation memories, and the Program with its weights placed. */
function planAndPlace(lowered: LoweredGraph, board: Board, sampleBytes: number, debugTensors = false) {
  const memories = arenaMemories(board);
  const plan = planMemory(lowered.graph, undefined, { reuse: !debugTensors, inPlaceKernels: inPlaceNodes(lowered), scratch: scratchBytesOf(lowered), ...(memories ? { memories } : {}) });
  const program = placeWeights(buildProgram(lowered, plan), lowered.graph, board, sampleBytes);
  return { lowered, plan, program };
}

/**
 * The default RAM budget (no --ram-budget): when the layer-by-layer `program` overflows the board's
 * activation memories (the fit check's arena part) while its weights fit, patch stages for the primary
 * arena memory's capacity (fit.ts `arenaMemories`: what is left of it for the arena). Undefined when the
 * arena fits, the weights do not (no stage helps then), or the board has no memories (host). Otherwise the
 * budget, and either the stages with the one line saying so, or (`patched` absent) the clause the
 * E_DOES_NOT_FIT line gains: the smallest arena the patch planner reached.
 */
function defaultBudget(layered: LoweredGraph, program: Program, board: Board, sampleBytes: number, target: LowerTarget) {
  const memories = arenaMemories(board);
  const over = arenaFit(board, program, sampleBytes);
  if (!memories || over.problem === undefined || !over.weightsFit) return undefined;
  const primary = memories.list.find((m) => m.name === memories.primary)!;
  const budget = primary.capacity;
  const by = `--ram-budget ${budget} by default, ${primary.name}'s capacity`;
  const patched = searchBudget(layered, budget, target);
  if ('reached' in patched) {
    const layerByLayer = planMemory(layered.graph, undefined, { inPlaceKernels: inPlaceNodes(layered), scratch: scratchBytesOf(layered) }).arenaBytes;
    const note = patched.reached < layerByLayer
      ? `with patch stages (${by}) the smallest arena is ${patched.reached} bytes`
      : `patch stages (${by}) find no smaller arena`;
    return { budget, memory: primary.name, note };
  }
  const extra = patched.stages.reduce((s, st) => s + st.extraMacs, 0);
  const stageModes = (stages: { mode: string }[]) => {
    const keep = stages.filter((st) => st.mode === 'keep').length;
    const parts = [keep ? `${keep} with line buffers` : '', keep < stages.length ? `${stages.length - keep} recomputing` : ''];
    return parts.filter(Boolean).join(', ');
  };
  const macs = layered.graph.nodes.reduce((s, n) => s + (getOp(n.op).macs?.(n, layered.graph) ?? 0), 0);
  const pct = macs > 0 ? ` (+${((100 * extra) / macs).toFixed(1)} % of the model's MACs)` : '';
  const note = `ram budget: layer by layer the arena needs ${patched.baseArena} bytes, more than board '${board.name}' holds; ` +
    `patch stages (${by}) bring it to ${patched.plan.arenaBytes} bytes: ${patched.stages.length} stage${patched.stages.length === 1 ? '' : 's'} (${stageModes(patched.stages)}), ${extra} MACs recomputed${pct}; --ram-budget none keeps layer by layer`;
  return { budget, memory: primary.name, patched, note };
}
