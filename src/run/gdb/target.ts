/**
 * `--target gdb[:HOST:PORT]`: running a model on a board (or the emulator) driven over its debug link.
 *
 * The model is compiled as a host-driven firmware (compile option `hostDriven`) for the board; this file
 * builds it with its generated Makefile, starts QEMU with its gdbstub when asked (`--launch qemu`),
 * opens one FirmwareSession (src/run/gdb/session.ts), runs every case through it, and returns the
 * outputs, each case's cost (counter ticks × scale: instructions on the emulator, core cycles on a board)
 * and, with `perLayer`, every layer's tensors read at the firmware's stop after that layer, with the
 * model's real memory plan (nothing kept that the plan reuses).
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompileResult } from '../../compile.js';
import { UtvmError, fail } from '../../diagnostics.js';
import { modelBuildId } from '../../emit/project.js';
import { writeFileMap } from '../../io/files.js';
import { type TensorValue, fromBytes, toBytes } from '../../io/tensor-value.js';
import { tensorBytes } from '../../ir/graph.js';
import { getOp } from '../../ops/index.js';
import { Progress, silent } from '../../progress.js';
import { buildFirmware } from '../qemu.js';
import { requireFirmwareTools } from '../tools.js';
import type { GdbClient } from './client.js';
import { type ElfImage, readElf } from './elf.js';
import { type LaunchedEmulator, launchEmulator } from './launch.js';
import { FirmwareSession } from './session.js';

/** Where the GDB server is: a host and port (a probe's server, OpenOCD's 3333 by default), or an emulator to start. */
export interface GdbTargetSpec {
  host: string;
  port: number;
  /** Start the board's emulator with its gdbstub (then host and port are its own). */
  launch?: 'qemu';
  /** Write the firmware through the server (false: it is already on the board: `--no-load`). */
  load: boolean;
}

export const DEFAULT_GDB_PORT = 3333;

/** Parses `gdb`, `gdb:PORT` or `gdb:HOST:PORT` (a usage error otherwise); undefined when `target` is not a gdb target. */
export function parseGdbTarget(target: string): { host: string; port: number } | undefined {
  if (target !== 'gdb' && !target.startsWith('gdb:')) return undefined;
  const rest = target.slice(4);
  if (target === 'gdb') return { host: 'localhost', port: DEFAULT_GDB_PORT };
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):)?([0-9]{1,5})$/.exec(rest);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) fail('E_USAGE', `--target '${target}': expected gdb, gdb:PORT or gdb:HOST:PORT (e.g. gdb:localhost:3333)`);
  return { host: (m[1] ?? 'localhost').replace(/^\[|\]$/g, ''), port };
}

/** For messages and reports: 'gdb (qemu-mps2-an500, emulator launched)', 'gdb (stm32f746-disco at localhost:3333)'. */
export function gdbTargetText(spec: GdbTargetSpec, board: string): string {
  return spec.launch ? `gdb (${board}, emulator launched)` : `gdb (${board} at ${spec.host}:${spec.port})`;
}

export interface GdbRunOptions {
  /** Build with -DUTVM_PROFILE=1: per-layer ticks (and layer stops). */
  profile?: boolean;
  /** Read every layer's tensors at its stop (implies profile). */
  perLayer?: boolean;
  /** Time limit of one debug command (default 5 s) and of one case on the target (default 60 s), ms. */
  timeoutMs?: number;
  runTimeoutMs?: number;
  /** Tests only: runs once the firmware waits in host_wait (to break it on purpose). */
  afterStart?: (gdb: GdbClient, elf: ElfImage) => Promise<void>;
  /** Called with the built ELF's path before it is loaded (bench measures its sizes). */
  onBuilt?: (elf: string) => void;
}

export interface GdbRunResult {
  outputs: TensorValue[][];
  /** Per case: the run's cost in `unit`. */
  cost: number[];
  /** Per case and layer (profiled builds). */
  layerCost?: number[][];
  unit: 'instructions' | 'cycles';
  /** Per case (perLayer): tensor name → bytes (graph inputs, every layer's outputs and their aliases). */
  tensors?: Map<string, Uint8Array>[];
}

/** Per step: the tensors complete after it (its node's outputs and their aliases), with arena offset and bytes. */
function layerTensors(result: CompileResult): { name: string; offset: number; bytes: number }[][] {
  const g = result.graph;
  const aliasesOf = new Map<string, string[]>();
  for (const node of g.nodes) {
    if (!getOp(node.op).alias) continue;
    const list = aliasesOf.get(node.inputs[0]) ?? [];
    list.push(node.outputs[0]);
    aliasesOf.set(node.inputs[0], list);
  }
  const closure = (names: string[]): string[] => {
    const out: string[] = [];
    const todo = [...names];
    while (todo.length > 0) {
      const n = todo.shift()!;
      if (n === '' || g.isConstant(n) || out.includes(n)) continue;
      out.push(n);
      todo.push(...(aliasesOf.get(n) ?? []));
    }
    return out;
  };
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  return result.program.steps.map((s) =>
    closure(byName.get(s.node)?.outputs ?? []).map((name) => ({ name, offset: result.plan.offsetOf(name), bytes: tensorBytes(g.tensor(name)) })),
  );
}

/** Graph inputs and their aliases, from the case's values. */
function inputTensors(result: CompileResult, values: TensorValue[]): Map<string, Uint8Array> {
  const g = result.graph;
  const map = new Map<string, Uint8Array>();
  result.program.inputs.forEach((t, i) => map.set(t.name, toBytes(values[i])));
  for (const node of g.nodes) {
    if (getOp(node.op).alias && map.has(node.inputs[0])) map.set(node.outputs[0], map.get(node.inputs[0])!);
  }
  return map;
}

async function openSession(elf: ElfImage, spec: GdbTargetSpec, emulator: LaunchedEmulator | undefined, buildId: number, options: GdbRunOptions): Promise<FirmwareSession> {
  const host = emulator?.host ?? spec.host;
  const port = emulator?.port ?? spec.port;
  const sessionOptions = {
    host,
    port,
    load: spec.load,
    startByRegisters: emulator !== undefined,
    timeoutMs: options.timeoutMs ?? 5000,
    runTimeoutMs: options.runTimeoutMs ?? 60000,
    buildId,
    afterStart: options.afterStart,
  };
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      return await FirmwareSession.open(elf, sessionOptions);
    } catch (e) {
      // an emulator we started opens its gdbstub a moment after it starts: try again until it does
      const refused = e instanceof UtvmError && /connection refused/.test(e.message);
      if (!emulator || !refused || Date.now() > deadline) throw e;
      if (emulator.ended() !== null) fail('E_TARGET', `the emulator ended (${emulator.ended()}) before its GDB server was up: ${emulator.stderr().trim().split('\n').slice(-1)[0] ?? ''}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * Builds `result` (compiled with `hostDriven` for the board behind the server), runs every case through
 * one debug session and returns what the firmware reported.
 */
export async function runOnGdb(result: CompileResult, cases: TensorValue[][], spec: GdbTargetSpec, options: GdbRunOptions = {}, progress: Progress = silent): Promise<GdbRunResult> {
  const { program, board, files } = result;
  if (!result.files.get('main.c')?.includes('utvm_host_mailbox')) throw new Error('internal: runOnGdb needs a model compiled with hostDriven');
  const profile = options.profile === true || options.perLayer === true;
  requireFirmwareTools(spec.launch ? board.emulator?.command : undefined);
  const dir = mkdtempSync(join(tmpdir(), 'utvm-gdb-'));
  let emulator: LaunchedEmulator | undefined;
  let session: FirmwareSession | undefined;
  try {
    writeFileMap(dir, files);
    progress.step(`building the host-driven firmware for ${board.name} (make, arm-none-eabi-gcc${profile ? ', -DUTVM_PROFILE=1' : ''})`);
    const elfPath = buildFirmware(dir, program.name, profile ? ['UTVM_PROFILE=1'] : []);
    options.onBuilt?.(elfPath);
    const elf = readElf(readFileSync(elfPath));
    if (spec.launch) emulator = await launchEmulator(board, spec.load ? undefined : elfPath);
    const where = emulator ? `the emulator's GDB server (${board.name})` : `the GDB server at ${spec.host}:${spec.port}`;
    progress.step(`${spec.load ? 'loading and starting' : 'starting'} the firmware through ${where}`);
    session = await openSession(elf, spec, emulator, modelBuildId(files, program.name), options);
    const perLayer = options.perLayer ? layerTensors(result) : undefined;
    if (perLayer) await session.stopAfterLayers(true);
    const arenaBase = session.tensorAt(0).address - (program.inputs[0]?.offset ?? 0);
    const out: GdbRunResult = { outputs: [], cost: [], unit: session.unit, ...(profile ? { layerCost: [] } : {}), ...(perLayer ? { tensors: [] } : {}) };
    const count = progress.count(`running through ${where}:`, cases.length, 'cases');
    for (let k = 0; k < cases.length; k++) {
      const tensors = perLayer ? inputTensors(result, cases[k]) : undefined;
      const s = session;
      const onLayer = perLayer
        ? async (index: number) => {
            for (const t of perLayer[index] ?? []) tensors!.set(t.name, await s.gdb.readMemory(arenaBase + t.offset, t.bytes));
          }
        : undefined;
      const r = await session.run(cases[k].map(toBytes), `case ${k + 1} of ${cases.length}`, onLayer);
      out.outputs.push(program.outputs.map((t, i) => fromBytes(t, r.outputs[i])));
      out.cost.push(r.ticks * session.cycleScale);
      if (out.layerCost) out.layerCost.push((r.layerTicks ?? []).map((t) => t * session!.cycleScale));
      if (out.tensors) out.tensors.push(tensors!);
      count.tick();
    }
    count.done();
    return out;
  } finally {
    if (session) await session.close(emulator !== undefined);
    emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
