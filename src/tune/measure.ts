/**
 * Measuring a batch of candidate configs of one workload (issue 17): one firmware (firmware.ts), one
 * build with make, one emulator run (QEMU under -icount shift=0: exact instruction counts), as child
 * processes that do not block the event loop, so `tune --jobs J` keeps J of them going.
 *
 * Per candidate: instructions of one run of the layer (the firmware's count over REPEATS runs, divided),
 * flash (its model object's code, constants and data plus its kernels' objects' code and constants, from
 * arm-none-eabi-size), and whether every output byte equals the default's (candidate 0). A candidate the
 * compiler refuses, or a firmware that does not build or run, gives records that are not ok, with the
 * reason's first line: the search goes on.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UtvmError } from '../diagnostics.js';
import type { Graph, Node } from '../ir/graph.js';
import type { Schedule } from '../ops/op.js';
import { writeFileMap } from '../io/files.js';
import { sectionSizes } from '../run/measure.js';
import { qemuTimeoutSeconds } from '../run/qemu.js';
import { configId } from './log.js';
import { CompiledCandidate, REPEATS, candidateFiles, candidateName, compileCandidate, layerGraph } from './firmware.js';

export interface CandidateResult {
  config: Schedule;
  ok: boolean;
  instructions?: number;
  flash?: number;
  error?: string;
}

/** Folders and processes of the batches in flight: `stopMeasuring` removes and kills them (tune interrupted). */
const liveDirs = new Set<string>();
const liveChildren = new Set<ReturnType<typeof spawn>>();

/** Kills the build and emulator processes in flight and removes their folders (on SIGINT / SIGTERM). */
export function stopMeasuring(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
}

interface Exec {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a program to its end without blocking; kills it (SIGKILL) after `timeoutS`. */
export function execAsync(command: string, args: string[], cwd: string, timeoutS: number): Promise<Exec> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-(1 << 20))));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-(1 << 20))));
    child.on('error', (e) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      resolve({ status: null, stdout, stderr: `${stderr}${e.message}`, timedOut });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      resolve({ status, stdout, stderr, timedOut });
    });
  });
}

function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return (lines.find((l) => /error|fail|undefined|overflow/i.test(l)) ?? lines[0] ?? 'no output').slice(0, 200);
}

/** `candidate <k>: <N> <unit>` lines of the firmware's console. */
export function parseCandidates(stdout: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of stdout.matchAll(/^candidate (\d+): (\d+) \w+\s*$/gm)) out.set(Number(m[1]), Number(m[2]));
  return out;
}

function flashOf(dir: string, k: number, c: CompiledCandidate): number {
  const model = sectionSizes(join(dir, 'build', 'obj', 'model', `${candidateName(k)}.o`));
  let bytes = model.code + model.rodata + model.data;
  for (const kernel of c.program.kernels) {
    const s = sectionSizes(join(dir, 'build', 'obj', 'runtime', 'src', `${kernel}.o`));
    bytes += s.code + s.rodata;
  }
  return bytes;
}

/**
 * Measures `configs` of `node` of `g` in one firmware, `base` (the default config) first as candidate 0.
 * Returns one result per config of `configs` (the default's too when it is among them).
 */
export async function measureBatch(g: Graph, node: Node, base: Schedule, configs: Schedule[]): Promise<CandidateResult[]> {
  const cap = candidatesPerFirmware(g, node, base);
  if (configs.length > cap) {
    const results: CandidateResult[] = [];
    for (let i = 0; i < configs.length; i += cap) results.push(...(await measureFirmware(g, node, base, configs.slice(i, i + cap))));
    return results;
  }
  return measureFirmware(g, node, base, configs);
}

/** Flash and RAM the emulated board gives one measuring firmware (of its 4 MB of flash and 16 MB of PSRAM). */
const FLASH_FOR_CANDIDATES = 3_500_000;
const ARENA_FOR_CANDIDATES = 15_000_000;

/**
 * How many configs besides the default fit one firmware: each candidate has its own copy of the layer's
 * weights (flash) and its own arena; a big layer is measured in several firmwares.
 */
export function candidatesPerFirmware(g: Graph, node: Node, base: Schedule): number {
  let probe: CompiledCandidate;
  try {
    probe = compileCandidate(layerGraph(g, node), node.name, base, 0);
  } catch {
    return 64;
  }
  const perFlash = Math.floor(FLASH_FOR_CANDIDATES / (probe.program.weightBytes + 16384));
  const perArena = Math.floor(ARENA_FOR_CANDIDATES / (probe.program.arenaBytes + 64));
  return Math.max(1, Math.min(64, perFlash, perArena) - 1);
}

async function measureFirmware(g: Graph, node: Node, base: Schedule, configs: Schedule[]): Promise<CandidateResult[]> {
  const layer = layerGraph(g, node);
  // The default is candidate 0 in every firmware; asked for again, it is not built twice.
  const baseId = configId(base);
  const all = [base, ...configs.filter((c) => configId(c) !== baseId)];
  const compiled: (CompiledCandidate | string)[] = all.map((config, k) => {
    try {
      return compileCandidate(layer, node.name, config, k);
    } catch (e) {
      if (e instanceof UtvmError) return `${e.code}: ${e.message}`.slice(0, 200);
      throw e;
    }
  });
  const slot = (i: number) => (configId(configs[i]) === baseId ? 0 : all.indexOf(configs[i]));
  const refused = (i: number) => (typeof compiled[slot(i)] === 'string' ? (compiled[slot(i)] as string) : undefined);
  if (typeof compiled[0] === 'string') return configs.map((config) => ({ config, ok: false, error: `the default config failed: ${compiled[0]}` }));
  // Candidates renumbered without the refused ones, so the prefixes stay tune_c0..tune_c<n-1>.
  const runnable: { index: number; config: Schedule }[] = all.map((config, index) => ({ index, config })).filter((c) => typeof compiled[c.index] !== 'string');
  const candidates = runnable.map((c, k) => (k === c.index ? (compiled[c.index] as CompiledCandidate) : compileCandidate(layer, node.name, c.config, k)));
  const dir = mkdtempSync(join(tmpdir(), 'utvm-tune-'));
  liveDirs.add(dir);
  try {
    writeFileMap(dir, candidateFiles(candidates));
    const timeout = qemuTimeoutSeconds();
    const fail = (why: string) => configs.map((config, i) => ({ config, ok: false, error: refused(i) ?? why }));
    const make = await execAsync('make', ['-s', '-C', dir], dir, timeout);
    if (make.status !== 0) return fail(`the measuring firmware did not build: ${firstLine(`${make.stderr}\n${make.stdout}`)}`);
    const emu = candidates[0].board.emulator ?? { command: 'qemu-system-arm', args: [] };
    const run = await execAsync(emu.command, [...emu.args, '-kernel', join(dir, 'build', 'tune.elf')], dir, timeout);
    if (run.timedOut) return fail(`the emulator timed out after ${timeout} s`);
    if (run.status !== 0) return fail(`the measuring firmware failed on the emulator (exit ${run.status}): ${firstLine(`${run.stdout}\n${run.stderr}`)}`);
    const counts = parseCandidates(run.stdout);
    const outputsOf = (k: number) => candidates[k].program.outputs.map((_, o) => {
      const path = join(dir, `c${k}_o${o}.bin`);
      return existsSync(path) ? readFileSync(path) : undefined;
    });
    const reference = outputsOf(0);
    return configs.map((config, i) => {
      const k = runnable.findIndex((c) => c.index === slot(i));
      if (k < 0) return { config, ok: false, error: refused(i) };
      const count = counts.get(k);
      if (count === undefined) return { config, ok: false, error: 'the firmware printed no count for it' };
      const outs = outputsOf(k);
      const same = outs.every((b, o) => b !== undefined && reference[o] !== undefined && b.equals(reference[o]!));
      const result: CandidateResult = { config, ok: same, instructions: Math.round(count / REPEATS), flash: flashOf(dir, k, candidates[k]) };
      if (!same) result.error = 'output bytes differ from the default config\'s';
      return result;
    });
  } finally {
    liveDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
