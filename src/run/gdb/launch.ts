/**
 * `--launch qemu`: starts the emulated board's QEMU halted, with its gdbstub on a free local port
 * (`-S -gdb tcp:127.0.0.1:PORT`) and without semihosting (the host-driven firmware makes no semihosting
 * call), for a GDB session to drive. With `kernel`, QEMU loads that ELF itself (as a board flashed by the
 * user: `--no-load`); without, the memory is empty until the session loads the firmware. The caller
 * connects with retries (src/run/gdb/target.ts): the gdbstub listens a moment after the process starts.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { fail } from '../../diagnostics.js';
import type { Board } from '../../emit/boards.js';
import { installHint } from '../tools.js';
import { freePort } from './connection.js';

export interface LaunchedEmulator {
  host: string;
  port: number;
  /** Stops the emulator (idempotent). */
  stop(): void;
  /** The emulator's stderr so far, for messages. */
  stderr(): string;
  /** Why the emulator ended ('exit code 1', 'SIGKILL'), or null while it runs. */
  ended(): string | null;
}


/** The emulator's arguments without semihosting, halted, with its gdbstub on `port`. */
export function gdbEmulatorArgs(board: Board, port: number, kernel?: string): string[] {
  const emu = board.emulator;
  if (!emu) fail('E_USAGE', `--launch qemu needs an emulated board; '${board.name}' has no emulator`);
  const args: string[] = [];
  for (let i = 0; i < emu.args.length; i++) {
    if (emu.args[i] === '-semihosting-config') {
      i++;
      continue;
    }
    args.push(emu.args[i]);
  }
  return [...args, '-S', '-gdb', `tcp:127.0.0.1:${port}`, ...(kernel ? ['-kernel', kernel] : [])];
}

/** Starts the board's emulator for a GDB session; fails with E_TOOL when it is not installed. */
export async function launchEmulator(board: Board, kernel?: string): Promise<LaunchedEmulator> {
  const port = await freePort();
  const command = board.emulator!.command;
  let child: ChildProcess;
  let stderr = '';
  let exited: string | null = null;
  try {
    child = spawn(command, gdbEmulatorArgs(board, port, kernel), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    fail('E_TOOL', `${command} could not start: ${(e as Error).message}`);
  }
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
  const started = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    child.once('spawn', () => resolve(null));
  });
  if (started) fail(started.code === 'ENOENT' ? 'E_TOOL' : 'E_TARGET', started.code === 'ENOENT' ? `${command} is not installed (needed for --launch qemu): ${installHint(command)}` : `${command} could not start: ${started.message}`);
  child.once('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  const kill = () => {
    if (exited === null && child.exitCode === null) child.kill('SIGKILL');
  };
  const stop = () => {
    process.off('exit', kill);
    kill();
  };
  process.once('exit', kill);
  return { host: '127.0.0.1', port, stop, stderr: () => stderr, ended: () => exited };
}
