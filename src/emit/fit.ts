/**
 * The fit check: refuses, at export time and from the memory plan, a model that cannot fit the board —
 * naming the memory and the overflow — instead of leaving it to a linker error.
 *
 *   arena   → the memory board.json's placement.arena names, minus what shares it: the stack when
 *            placement.stack is the same memory, and DATA_RESERVE for .data/.bss when placement.data is.
 *   weights → the memory placement.weights names, minus CODE_RESERVE for the code, the firmware's own
 *            constants and .data's load image (when placement.code is the same memory), minus the sample
 *            input compiled into main.c (`sampleBytes`: a given --sample-input; the fixed pattern is made at run
 *            time and takes none), and minus the arena/stack/data when those are placed there too
 *            (an emulator board whose "flash" is RAM).
 *
 * A plan across several memories (Program.arenas has more than one; weights with a `memory`) is checked per
 * memory: each arena against the capacity of its memory (`arenaMemories`), the weights of each weights memory
 * against what is left of it, and an overflow is named as "the arena does not fit (by N bytes, in SDRAM:
 * needs X bytes, has Y)".
 *
 * Boards without memories (host) are not checked. The reserves are measured, with margin: the CIFAR-10
 * sample's firmware for stm32f746-nucleo has 9.5 KB of code (6 kernels, main.c, board code, the libgcc
 * and libm pieces) and 108 bytes of .data + 4 of .bss; an emulator board's batch buffers add 17 KB of .bss.
 */

import { fail } from '../diagnostics.js';
import { HOST_MAX_BYTES } from '../import/limits.js';
import { bytesOf } from '../ir/dtype.js';
import type { Board, BoardMemory } from './boards.js';
import type { Program } from './program.js';
import type { ArenaMemory } from '../plan/index.js';

/** Flash kept for code (kernels, main.c, board code, libc/libm pieces) and small constants. */
export const CODE_RESERVE = 64 * 1024;
/** RAM kept for .data and .bss (main.c's buffers, libc state) when they share the arena's memory. */
export const DATA_RESERVE = 24 * 1024;

export interface FitReport {
  /** The memories the arena and the weights go to, and the bytes of each they may use. */
  arenaMemory: string;
  arenaAvailable: number;
  weightsMemory: string;
  weightsAvailable: number;
}

function memory(board: Board, role: string): BoardMemory {
  const name = board.placement[role];
  const m = board.memories.find((x) => x.name === name);
  if (!m) throw new Error(`internal: board '${board.name}' places ${role} in '${name}', which is not in its memories`);
  return m;
}

/** Whether board.json says memory `m` may hold `what` (memories without `holds`: only what placement puts there). */
export function holds(board: Board, m: BoardMemory, what: 'activations' | 'weights'): boolean {
  return m.holds ? m.holds.includes(what) : board.placement[what === 'activations' ? 'arena' : 'weights'] === m.name;
}

/** The bytes of memory `m` left for `role` once what else board.json puts there is taken out. */
export function capacityOf(board: Board, m: BoardMemory, role: 'arena' | 'weights', p: Program | undefined, sampleBytes = 0): number {
  const others = sharers(board, m, role, p, sampleBytes);
  return Math.max(0, m.size - others.reduce((s, [, bytes]) => s + bytes, 0));
}

/**
 * The memories the planner may put activations in (board.json `holds` "activations"), with the bytes each
 * has for them, and the primary one (placement.arena); undefined for a board without memories (host).
 */
export function arenaMemories(board: Board): { list: ArenaMemory[]; primary: string } | undefined {
  const primary = board.placement.arena;
  if (board.memories.length === 0 || !primary) return undefined;
  const list = board.memories
    .filter((m) => m.name === primary || holds(board, m, 'activations'))
    .map((m) => ({ name: m.name, capacity: capacityOf(board, m, 'arena', undefined), speed: m.speed ?? 0 }));
  return { list, primary };
}

/** What else board.json places in memory `m` (besides `role`), as [what, bytes] pairs. */
function sharers(board: Board, m: BoardMemory, role: 'arena' | 'weights', p: Program | undefined, sampleBytes: number): [string, number][] {
  const shares = (other: string) => board.placement[other] === m.name;
  const out: [string, number][] = [];
  if (role === 'weights' && shares('code')) out.push(['reserved for code', CODE_RESERVE]);
  if (role === 'weights') out.push(['for the sample input', sampleBytes]);
  if (role === 'weights' && shares('arena')) out.push(['for the arena', p?.arenaBytes ?? 0]);
  if (shares('stack')) out.push(['for the stack', board.stackBytes ?? 0]);
  if (shares('data')) out.push(['reserved for .data/.bss', DATA_RESERVE]);
  return out.filter(([, bytes]) => bytes > 0);
}

/** One placement: `needs` bytes of `what` against what is left of its memory, and the overflow text if it does not fit. */
function check(board: Board, p: Program, sampleBytes: number, role: 'arena' | 'weights', what: string, needs: number): { memory: string; available: number; problem?: string } {
  const m = memory(board, role);
  const others = sharers(board, m, role, p, sampleBytes);
  const available = Math.max(0, m.size - others.reduce((s, [, bytes]) => s + bytes, 0));
  if (needs <= available) return { memory: m.name, available };
  const breakdown = others.length === 0 ? '' : `; ${m.name} is ${m.size} bytes, ${others.map(([w, bytes]) => `${bytes} ${w}`).join(', ')}`;
  return { memory: m.name, available, problem: `${what} ${needs} bytes but ${m.name} has ${available} (over by ${needs - available} bytes${breakdown})` };
}

/**
 * The fit of the program on the board, each placement checked once: the memories the arena and the
 * weights go to (undefined for a board without memories) and, when it does not fit, why — every memory that
 * overflows, e.g.
 *   model 'big' does not fit board 'stm32f746-nucleo': the arena needs 280000 bytes but SRAM1 has 245760 (over by 34240 bytes)
 * (a memory shared with other things adds "; FLASH is 1048576 bytes, 65536 reserved for code, ..."; when both
 * the arena and the weights overflow, both are named, separated by " and "). A board without memories (the
 * host) takes an arena and weights of at most HOST_MAX_BYTES each (src/import/limits.ts: arena offsets are
 * uint32_t).
 */
function fit(board: Board, p: Program, sampleBytes: number): { report?: FitReport; problem?: string } {
  const head = `model '${p.name}' does not fit board '${board.name}': `;
  const problem = (over: string[]) => (over.length === 0 ? {} : { problem: head + over.join(' and ') });
  if (board.memories.length === 0 || !board.placement.arena || !board.placement.weights) {
    return problem(
      ([['the arena needs', p.arenaBytes], ['the weights need', p.weightBytes]] as const)
        .filter(([, bytes]) => bytes > HOST_MAX_BYTES)
        .map(([what, bytes]) => `${what} ${bytes} bytes, more than the ${HOST_MAX_BYTES} bytes the host takes`),
    );
  }
  const { arena, weights } = placements(board, p, sampleBytes);
  return {
    report: { arenaMemory: arena.memory, arenaAvailable: arena.available, weightsMemory: weights.memory, weightsAvailable: weights.available },
    ...problem([arena, weights].flatMap((c) => (c.problem ? [c.problem] : []))),
  };
}

/** The arena's and the weights' checks (a board with memories). */
function placements(board: Board, p: Program, sampleBytes: number) {
  const arena = p.arenas.length > 1 ? perMemory(board, p, 'arena', p.arenas.map((a) => [a.memory, a.bytes])) : check(board, p, sampleBytes, 'arena', 'the arena needs', p.arenaBytes);
  const spread = p.constants.some((c) => c.memory !== undefined);
  const weights = spread ? perMemory(board, p, 'weights', weightsByMemory(board, p), sampleBytes) : check(board, p, sampleBytes, 'weights', 'the weights need', p.weightBytes);
  return { arena, weights };
}

/** Bytes of weights per memory, the board's weights memory first. */
export function weightsByMemory(board: Board, p: Program): [string, number][] {
  const by = new Map<string, number>([[board.placement.weights, 0]]);
  for (const c of p.constants) {
    const m = c.memory ?? board.placement.weights;
    by.set(m, (by.get(m) ?? 0) + c.count * bytesOf(c.dtype));
  }
  return [...by.entries()];
}

/** A plan across memories: each memory's bytes against its capacity; every overflow in one text. */
function perMemory(board: Board, p: Program, role: 'arena' | 'weights', needs: [string, number][], sampleBytes = 0): { memory: string; available: number; problem?: string } {
  const over: string[] = [];
  for (const [name, bytes] of needs) {
    const m = board.memories.find((x) => x.name === name);
    if (!m) throw new Error(`internal: board '${board.name}' has no memory '${name}'`);
    const has = capacityOf(board, m, role, p, sampleBytes);
    const what = role === 'arena' ? 'the arena does not fit' : 'the weights do not fit';
    if (bytes > has) over.push(`${what} (by ${bytes - has} bytes, in ${name}: ${role === 'arena' ? 'needs' : 'need'} ${bytes} bytes, has ${has})`);
  }
  const first = memory(board, role);
  return { memory: first.name, available: capacityOf(board, first, role, p, sampleBytes), ...(over.length ? { problem: over.join(' and ') } : {}) };
}

/**
 * The fit of the activations alone, checked as `fit` checks them: which arena memory overflows and by how
 * much, or undefined when the arena fits (or the board has no memories: the host). The weights, unlike the
 * arena, cannot be brought down by patch stages; `weightsFit` says whether they fit.
 */
export function arenaFit(board: Board, p: Program, sampleBytes = 0): { problem?: string; weightsFit: boolean } {
  if (board.memories.length === 0 || !board.placement.arena || !board.placement.weights) return { weightsFit: true };
  const { arena, weights } = placements(board, p, sampleBytes);
  return { ...(arena.problem ? { problem: arena.problem } : {}), weightsFit: weights.problem === undefined };
}

/** Why the program does not fit the board (E_DOES_NOT_FIT's text, see `fit`), or undefined when it fits. */
export function fitProblem(board: Board, p: Program, sampleBytes = 0): string | undefined {
  return fit(board, p, sampleBytes).problem;
}

/** Throws E_DOES_NOT_FIT with `fitProblem`'s text when the program does not fit the board; else the memories used. */
export function checkFit(board: Board, p: Program, sampleBytes = 0): FitReport | undefined {
  const { report, problem } = fit(board, p, sampleBytes);
  if (problem) fail('E_DOES_NOT_FIT', problem);
  return report;
}
