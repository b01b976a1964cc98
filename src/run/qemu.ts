/**
 * Running a compiled model on the emulated Cortex-M7 (board qemu-mps2-an500): write the firmware project
 * to a temporary folder, build it with its generated Makefile (arm-none-eabi-gcc), and run every case in
 * one emulator process. The firmware reads its command line (`--batch <list>`), the input files and
 * writes the output files through Arm semihosting, so no data crosses a serial port. Every emulator run
 * has a time limit: a hung or crashed firmware fails with E_BUILD instead of blocking the caller.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail } from '../diagnostics.js';
import type { Board } from '../emit/boards.js';
import type { FileMap } from '../emit/project.js';
import type { ProgramTensor } from '../emit/program.js';
import type { TensorValue } from '../io/tensor-value.js';
import { writeFileMap } from '../io/files.js';
import { fromBytes } from '../io/tensor-value.js';
import { Progress, silent } from '../progress.js';
import { ArenaDump, DEBUG_CFLAGS, batchLists, readArena, writeBatch } from './host.js';
import { installHint, requireFirmwareTools } from './tools.js';

export const QEMU_BOARD = 'qemu-mps2-an500';

/** Seconds one emulator run may take before it is killed (UTVM_QEMU_TIMEOUT overrides). */
export const DEFAULT_QEMU_TIMEOUT_S = 300;

const DEFAULT_EMULATOR = {
  command: 'qemu-system-arm',
  args: ['-M', 'mps2-an500', '-nographic', '-monitor', 'none', '-serial', 'none', '-icount', 'shift=0', '-semihosting-config', 'enable=on,target=native'],
};

export interface FirmwareRun {
  stdout: string;
  status: number;
}

function errorText(e: unknown): string {
  const err = e as { stderr?: Buffer | string; stdout?: Buffer | string; message?: string };
  const text = `${err.stdout?.toString() ?? ''}\n${err.stderr?.toString() ?? ''}`.trim() || (err.message ?? String(e));
  const lines = text.split('\n').filter((l) => /error|undefined|overflow|will not fit|No such|not found/i.test(l));
  return (lines.length > 0 ? lines : text.split('\n')).slice(0, 12).join('\n');
}

/** Builds the firmware in `dir` with make (`make` → build/<name>.elf); returns the ELF's path. */
export function buildFirmware(dir: string, name: string, makeArgs: string[] = []): string {
  requireFirmwareTools();
  try {
    execFileSync('make', ['-s', '-C', dir, ...makeArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    fail('E_BUILD', `the generated firmware did not build:\n${errorText(e)}`);
  }
  const elf = join(dir, 'build', `${name}.elf`);
  if (!existsSync(elf)) fail('E_BUILD', `the firmware build finished without producing build/${name}.elf`);
  return elf;
}

/** A QEMU option value with its commas doubled (QEMU's escape for ',' inside -opt key=value lists). */
function qemuValue(text: string): string {
  return text.replace(/,/g, ',,');
}

/** UTVM_QEMU_TIMEOUT in seconds (a positive number), else the default; anything else is a usage error. */
export function qemuTimeoutSeconds(env = process.env.UTVM_QEMU_TIMEOUT): number {
  if (env === undefined || env === '') return DEFAULT_QEMU_TIMEOUT_S;
  const s = Number(env);
  if (!/^\s*[0-9]*\.?[0-9]+\s*$/.test(env) || !Number.isFinite(s) || s <= 0) fail('E_USAGE', `UTVM_QEMU_TIMEOUT='${env}' is not a positive number of seconds`);
  return s;
}

/**
 * Runs `elf` in the emulator with `args` as its semihosting command line (argv[0] is the ELF's name).
 * Returns the console output and the firmware's exit code; fails with E_BUILD on a timeout.
 */
export function runFirmware(board: Board, elf: string, args: string[], timeoutS = qemuTimeoutSeconds()): FirmwareRun {
  const emu = board.emulator ?? DEFAULT_EMULATOR;
  const semihostingArgs = ['firmware', ...args].map((a) => `,arg=${qemuValue(a)}`).join('');
  const argv = emu.args.map((a) => (a.startsWith('enable=on') ? `${a}${semihostingArgs}` : a));
  const run = spawnSync(emu.command, [...argv, '-kernel', elf], {
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.error && (run.error as { code?: string }).code === 'ENOENT') fail('E_TOOL', `${emu.command} is not installed (needed to run the firmware on the emulated Cortex-M7): ${installHint(emu.command)}`);
  if (run.error && (run.error as { code?: string }).code === 'ETIMEDOUT') fail('E_BUILD', `the emulator timed out after ${timeoutS} s`);
  if (run.signal) fail('E_BUILD', `the emulator was killed by ${run.signal}`);
  if (run.error) fail('E_BUILD', `the emulator could not run: ${run.error.message}`);
  return { stdout: run.stdout ?? '', status: run.status ?? -1 };
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/** UTVM_BATCH_LIST_BYTES of boards/common/batch.h (the firmware's batch mode). */
const BATCH_LIST_LIMIT = 1 << 20;

/**
 * Runs every case through one emulator process (`--batch <list>`; one per batch list when `progress`
 * watches). With `dump` the firmware is a debug build (-DUTVM_DEBUG) that writes each case's arena after
 * its outputs (boards/common/batch.c), and `dump` receives them.
 */
export function runOnQemu(
  files: FileMap,
  board: Board,
  name: string,
  inputs: ProgramTensor[],
  outputs: ProgramTensor[],
  cases: TensorValue[][],
  progress: Progress = silent,
  dump?: ArenaDump & { arenaBytes: number },
): TensorValue[][] {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-qemu-'));
  try {
    writeFileMap(dir, files);
    requireFirmwareTools((board.emulator ?? DEFAULT_EMULATOR).command);
    progress.step(dump ? 'building the firmware with the arena readable (make, arm-none-eabi-gcc, -DUTVM_DEBUG)' : 'building the firmware (make, arm-none-eabi-gcc)');
    const elf = buildFirmware(dir, name, dump ? [`CFLAGS=${DEBUG_CFLAGS}`] : []);
    const lists = batchLists(dir, writeBatch(dir, inputs, outputs, cases, dump !== undefined), progress);
    const count = progress.count(`running on the emulator (${board.name}):`, cases.length, 'cases');
    let stdout = '';
    for (const { list } of lists) {
      const listBytes = statSync(list).size;
      if (listBytes >= BATCH_LIST_LIMIT) fail('E_USAGE', `${cases.length} cases are too many for one emulator run (their list takes ${listBytes} bytes; the firmware reads at most ${BATCH_LIST_LIMIT - 1}): split them`);
    }
    let first = 0;
    for (const { list, count: n } of lists) {
      const run = runFirmware(board, elf, ['--batch', list]);
      if (run.status !== 0) {
        fail('E_BUILD', `the compiled model failed on the emulator (exit code ${run.status}):\n${lastLines(run.stdout, 8)}`);
      }
      stdout = run.stdout;
      if (dump) for (let k = first; k < first + n; k++) readArena(dir, k, dump.arenaBytes, dump);
      first += n;
      count.tick(n);
    }
    count.done();
    const run = { stdout };
    return cases.map((_, k) =>
      outputs.map((t, i) => {
        const path = join(dir, `case${k}_out${i}.bin`);
        if (!existsSync(path)) fail('E_BUILD', `the firmware did not write output ${i} of case ${k}:\n${lastLines(run.stdout, 8)}`);
        const bytes = readFileSync(path);
        if (bytes.length !== t.bytes) fail('E_BUILD', `output ${i} of case ${k} has ${bytes.length} bytes, expected ${t.bytes}`);
        return fromBytes(t, bytes);
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
