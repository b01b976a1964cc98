/**
 * bench: the cost of a model on the emulated Cortex-M7 (board qemu-mps2-an500).
 *
 *   1. compile for the board; build the firmware twice with its Makefile: plain, and with
 *      `make UTVM_PROFILE=1` (-DUTVM_PROFILE=1: per-layer counters around every step);
 *   2. run each build's sample mode (the fixed input pattern, made by main.c before the timed run) in QEMU under
 *      -icount shift=0, and parse the console lines `cycles per inference: N <unit>` and
 *      `layer <i> <name>: N <unit>`;
 *   3. add what the compiler knows (MACs per layer from the graph, arena bytes from the plan) and what the
 *      linker produced (flash bytes from `arm-none-eabi-size -A`; the weights' share from the sizes of
 *      the weight arrays' symbols in `arm-none-eabi-nm -S`).
 *
 * The total is the unprofiled build's count (the profiled build adds a few instructions per layer). Both
 * are deterministic: QEMU counts instructions, not time, so the same build gives the same numbers.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompileOptions, type CompileResult, compile, patternInput } from './compile.js';
import type { TuningSummary } from './tune/apply.js';
import { type GdbTargetSpec, runOnGdb } from './run/gdb/target.js';
import { getOp } from './ops/index.js';
import { fail } from './diagnostics.js';
import { Graph, elementCount } from './ir/graph.js';
import type { Program } from './emit/program.js';
import type { FileMap } from './emit/project.js';
import { writeFileMap } from './io/files.js';
import { QEMU_BOARD, buildFirmware, runFirmware } from './run/qemu.js';
import { requireFirmwareTools, requireTools } from './run/tools.js';
import { Progress, silent } from './progress.js';
import type { Rounding } from './ir/quant.js';

export interface BenchLayer {
  index: number;
  node: string;
  op: string;
  macs: number;
  /** Elements of the layer's outputs: the unit of cost for a layer without MACs. */
  elements: number;
  /** From the profiled build. */
  instructions: number;
}

export interface BenchReport {
  model: string;
  board: string;
  unit: string;
  /** Per inference, from the unprofiled build (second run: warm). */
  instructions: number;
  /** Per inference, from the profiled build. */
  profiledInstructions: number;
  macs: number;
  layers: BenchLayer[];
  arenaBytes: number;
  /** The plan's lower bound: the most bytes live at any one step (an in-place step counts once). */
  arenaLowerBound: number;
  flash: { code: number; weights: number; total: number };
  ram: { data: number; bss: number };
  /** On a board counting cycles: the inference's time at its clock. */
  milliseconds?: number;
  clockHz?: number;
  /** With a tuning log (`--tuning-log`): how many layers it tuned. */
  tuning?: TuningSummary;
  /** When the board's default RAM budget put patch stages in the plan: the line saying so (CompileResult.ramBudgetNote). */
  ramBudgetNote?: string;
}

/** The tuning options bench passes on to compile (`--tuning-log`, `--flash-budget`). */
/** Compile options bench passes on: the tuning log and its flash budget (issue 17), the RAM budget of patch stages (issue 18). */
export type BenchTuning = Pick<CompileOptions, 'tuning' | 'flashBudget' | 'ramBudget'>;

/** Multiply-accumulates of one graph node (its operator's `macs`: convolutions, dense layers); 0 for everything else. */
export function nodeMacs(g: Graph, node: Graph['nodes'][number]): number {
  return getOp(node.op).macs?.(node, g) ?? 0;
}

/** `cycles per inference: N unit` and `layer i name: N unit` lines of the firmware's console. */
export function parseConsole(text: string): { total?: number; unit?: string; layers: Map<number, { name: string; count: number }> } {
  const layers = new Map<number, { name: string; count: number }>();
  let total: number | undefined;
  let unit: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const t = /^cycles per inference: (\d+) (\w+)\s*$/.exec(line);
    if (t) {
      total = Number(t[1]);
      unit = t[2];
    }
    const l = /^layer (\d+) (.*): (\d+) (\w+)\s*$/.exec(line);
    if (l) layers.set(Number(l[1]), { name: l[2], count: Number(l[3]) });
  }
  return { total, unit, layers };
}

function tool(name: string, args: string[]): string {
  requireTools([name], 'measure the firmware');
  try {
    return execFileSync(name, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  } catch (e) {
    fail('E_BUILD', `${name} failed: ${(e as Error).message.split('\n')[0]}`);
  }
}

const FLASH_SECTIONS = ['.isr_vector', '.text', '.rodata', '.ARM.exidx', '.preinit_array', '.init_array', '.fini_array', '.data'];

/** Flash and RAM bytes from `arm-none-eabi-size -A`; the weights from their symbols' sizes. */
export function elfSizes(elf: string, p: Program): Pick<BenchReport, 'flash' | 'ram'> {
  const sections = new Map<string, number>();
  for (const line of tool('arm-none-eabi-size', ['-A', elf]).split('\n')) {
    const m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line);
    if (m) sections.set(m[1], Number(m[2]));
  }
  const total = FLASH_SECTIONS.reduce((s, name) => s + (sections.get(name) ?? 0), 0);
  const ids = new Set(p.constants.map((c) => c.id));
  let weights = 0;
  for (const line of tool('arm-none-eabi-nm', ['-S', elf]).split('\n')) {
    const m = /^[0-9a-f]+ ([0-9a-f]+) [rRdD] (\S+)$/.exec(line.trim());
    if (m && ids.has(m[2])) weights += parseInt(m[1], 16);
  }
  return { flash: { code: total - weights, weights, total }, ram: { data: sections.get('.data') ?? 0, bss: sections.get('.bss') ?? 0 } };
}

function buildAndRun(files: FileMap, program: Program, board: ReturnType<typeof compile>['board'], profile: boolean, progress: Progress) {
  const label = profile ? 'profiled' : 'benchmark';
  const name = program.name;
  const dir = mkdtempSync(join(tmpdir(), 'utvm-bench-'));
  try {
    writeFileMap(dir, files);
    progress.step(`building the ${label} firmware (make, arm-none-eabi-gcc)`);
    const elf = buildFirmware(dir, name, profile ? ['UTVM_PROFILE=1'] : []);
    progress.step(`running the ${label} firmware on the emulator (${board.name})`);
    const run = runFirmware(board, elf, []);
    if (run.status !== 0) fail('E_BUILD', `the ${label} firmware failed on the emulator (exit code ${run.status}):\n${run.stdout.trim().split('\n').slice(-8).join('\n')}`);
    const parsed = parseConsole(run.stdout);
    if (parsed.total === undefined) fail('E_BUILD', `the ${label} firmware printed no 'cycles per inference:' line:\n${run.stdout.trim().split('\n').slice(-8).join('\n')}`);
    return { ...parsed, total: parsed.total, sizes: elfSizes(elf, program) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function bench(model: Uint8Array, fileName: string, name: string, rounding?: Rounding, progress: Progress = silent, tuning: BenchTuning = {}): BenchReport {
  const result = compile(model, fileName, { name, board: QEMU_BOARD, rounding, ...tuning });
  requireFirmwareTools((result.board.emulator ?? { command: 'qemu-system-arm' }).command);
  const plain = buildAndRun(result.files, result.program, result.board, false, progress);
  const profiled = buildAndRun(result.files, result.program, result.board, true, progress);
  return benchReport(result, fileName, plain.unit ?? 'instructions', plain.total, profiled.total, (i) => profiled.layers.get(i)?.count ?? 0, plain.sizes);
}

/** One patch plan measured (`npm run bench`'s arena-against-instructions table): the plain firmware only. */
export interface PatchBench {
  ramBudget?: number;
  arenaBytes: number;
  lowerBound: number;
  instructions: number;
  /** MACs the firmware performs (recomputation included) and flash bytes of the whole firmware. */
  macs: number;
  flash: number;
  stages: number;
}

/** Builds and runs the sample firmware for `model` on the emulator with `ramBudget` (undefined: layer by layer). */
export function benchPatch(model: Uint8Array, fileName: string, name: string, ramBudget?: number, progress: Progress = silent): PatchBench {
  const result = compile(model, fileName, { name, board: QEMU_BOARD, ramBudget: ramBudget ?? 'none' });
  requireFirmwareTools((result.board.emulator ?? { command: 'qemu-system-arm' }).command);
  const run = buildAndRun(result.files, result.program, result.board, false, progress);
  const g = result.patch?.graph ?? result.graph;
  return {
    ...(ramBudget !== undefined ? { ramBudget } : {}),
    arenaBytes: result.plan.arenaBytes,
    lowerBound: result.plan.lowerBound,
    instructions: run.total,
    macs: g.nodes.reduce((s, n) => s + nodeMacs(g, n), 0),
    flash: run.sizes.flash.total,
    stages: result.patch?.stages.length ?? 0,
  };
}

/**
 * bench over a debug link (`bench --target gdb`): the host-driven firmware for `board`, built plain and
 * profiled as bench builds the sample firmware, each run twice on the fixed input pattern through one GDB
 * session, the second run measured. The timed code (board/timing.c) is the sample mode's, so on the
 * emulator the counts equal bench's; on a board they are core cycles (DWT CYCCNT). Flash is the
 * host-driven firmware's.
 */
export async function benchOnGdb(
  model: Uint8Array,
  fileName: string,
  name: string,
  board: string,
  spec: GdbTargetSpec,
  rounding?: Rounding,
  progress: Progress = silent,
  tuning: BenchTuning = {},
): Promise<BenchReport> {
  const result = compile(model, fileName, { name, board, rounding, hostDriven: true, ...tuning });
  const input = result.program.inputs.map((t) => patternInput(t.dtype, t.shape));
  let sizes: Pick<BenchReport, 'flash' | 'ram'> | undefined;
  const plain = await runOnGdb(result, [input, input], spec, { onBuilt: (elf) => (sizes = elfSizes(elf, result.program)) }, progress);
  const profiled = await runOnGdb(result, [input, input], spec, { profile: true }, progress);
  const layerCost = profiled.layerCost![1];
  return benchReport(result, fileName, plain.unit, plain.cost[1], profiled.cost[1], (i) => layerCost[i] ?? 0, sizes!);
}

function benchReport(
  result: CompileResult,
  fileName: string,
  unit: string,
  total: number,
  profiledTotal: number,
  layerCount: (index: number) => number,
  sizes: Pick<BenchReport, 'flash' | 'ram'>,
): BenchReport {
  // With patch stages the steps are the lowered graph's: a stage's MACs include its recomputation.
  const g = result.patch?.graph ?? result.graph;
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const layers = result.program.steps.map((s, i) => {
    const node = byName.get(s.node);
    const elements = node ? node.outputs.slice(0, node.op === 'patch_stage' ? 1 : undefined).reduce((sum, o) => sum + elementCount(g.tensor(o).shape), 0) : 0;
    return { index: i, node: s.node, op: s.op, macs: node ? nodeMacs(g, node) : 0, elements, instructions: layerCount(i) };
  });
  return {
    model: fileName,
    board: result.board.name,
    unit,
    instructions: total,
    profiledInstructions: profiledTotal,
    macs: layers.reduce((s, l) => s + l.macs, 0),
    layers,
    arenaBytes: result.program.arenaBytes,
    arenaLowerBound: result.plan.lowerBound,
    flash: sizes.flash,
    ram: sizes.ram,
    ...(unit === 'cycles' && result.board.clockHz ? { milliseconds: (total / result.board.clockHz) * 1000, clockHz: result.board.clockHz } : {}),
    ...(result.tuning ? { tuning: result.tuning } : {}),
    ...(result.ramBudgetNote ? { ramBudgetNote: result.ramBudgetNote } : {}),
  };
}

function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A layer's instructions per MAC ("1.23 /MAC"), or per output element for a layer without MACs ("4.56 /elem"). */
export function layerRate(l: BenchLayer): string {
  if (l.macs > 0) return `${(l.instructions / l.macs).toFixed(2)} /MAC`;
  return l.elements > 0 ? `${(l.instructions / l.elements).toFixed(2)} /elem` : '–';
}

export function formatBench(r: BenchReport): string {
  const lines = [
    r.unit === 'instructions' ? `${r.model} on ${r.board} (QEMU -icount shift=0: 1 instruction = 1 ns)` : `${r.model} on ${r.board}`,
    `  ${r.unit} per inference: ${group(r.instructions)} (profiled build: ${group(r.profiledInstructions)})${r.milliseconds !== undefined ? `: ${r.milliseconds.toFixed(3)} ms at ${r.clockHz! / 1e6} MHz` : ''}`,
    `  MACs: ${group(r.macs)}${r.macs > 0 ? ` (${(r.instructions / r.macs).toFixed(2)} ${r.unit} per MAC)` : ''}`,
    `  arena: ${group(r.arenaBytes)} bytes (lower bound ${group(r.arenaLowerBound)})`,
    `  flash: ${group(r.flash.total)} bytes (code ${group(r.flash.code)}, weights ${group(r.flash.weights)}); RAM .data ${group(r.ram.data)}, .bss ${group(r.ram.bss)}`,
    '',
    `  ${'#'.padStart(3)}  ${'layer'.padEnd(28)} ${'op'.padEnd(16)} ${'MACs'.padStart(12)} ${'out elements'.padStart(12)} ${r.unit.padStart(14)}  per MAC / element`,
  ];
  for (const l of r.layers) {
    lines.push(
      `  ${String(l.index).padStart(3)}  ${l.node.slice(0, 28).padEnd(28)} ${l.op.padEnd(16)} ${group(l.macs).padStart(12)} ${group(l.elements).padStart(12)} ${group(l.instructions).padStart(14)}  ${layerRate(l)}`,
    );
  }
  return lines.join('\n');
}
