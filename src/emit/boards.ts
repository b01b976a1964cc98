/**
 * Boards as data: boards/<name>/board.json describes each target; this file loads and checks them.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../diagnostics.js';
import { packageDir, packageFile, packageRoot } from './templates.js';

export interface BoardMemory {
  name: string;
  origin: number;
  size: number;
  kind: 'flash' | 'ram';
  /** Speed class, compared between memories that hold the same thing: 0 fastest (DTCM, internal flash), 1 (SRAM1/SRAM2, QSPI flash), 2 (external SDRAM). */
  speed?: number;
  /** What the planner may put there: 'activations' (an arena), 'weights', and (placement only) 'code', 'data'. */
  holds?: string[];
  /** External memories: what sets them up (the board's init code), for people. */
  init?: string;
}

export interface Board {
  name: string;
  description: string;
  kind: 'host' | 'mcu' | 'emulator';
  /** Folder under templates/project/ holding this board's project templates. */
  template: string;
  /** Output path → template file name (under templates/project/<template>/). */
  files: Record<string, string>;
  /** Files of boards/<name>/ (paths relative to it) copied into <project>/board/. */
  boardFiles: string[];
  core?: string;
  fpu?: string;
  clockHz?: number;
  cflags: string[];
  memories: BoardMemory[];
  /** Which memory holds what: keys arena, weights, code, data, stack. */
  placement: Record<string, string>;
  stackBytes?: number;
  console?: Record<string, string | number>;
  /** Emulator boards: the command and arguments that run the firmware (the ELF is appended as -kernel). */
  emulator?: { command: string; args: string[] };
  /** OpenOCD configuration for `make flash` (e.g. "board/st_nucleo_f7.cfg"); absent for boards not flashed. */
  openocd?: string;
}

const HOST_FILES = { 'main.c': 'main.c.hbs', Makefile: 'Makefile.hbs', 'CMakeLists.txt': 'CMakeLists.txt.hbs' };
/** Every firmware project gets these (templates/project/firmware/); board.json "files" may add more. */
const FIRMWARE_FILES = {
  'main.c': 'main.c.hbs',
  'CMakeLists.txt': 'CMakeLists.txt.hbs',
  Makefile: 'Makefile.hbs',
  'cmake/arm-none-eabi.cmake': 'arm-none-eabi.cmake.hbs',
  'utvm_profile.h': 'utvm_profile.h.hbs',
};

export function boardNames(): string[] {
  return packageDir('boards').filter((d) => existsSync(join(packageRoot(), 'boards', d, 'board.json')));
}

/** The boards that run a firmware (template "firmware": the MCU boards and the emulators), sorted. */
export function firmwareBoardNames(): string[] {
  return boardNames().filter((b) => loadBoard(b).template === 'firmware');
}

export function loadBoard(name: string): Board {
  if (!boardNames().includes(name)) fail('E_USAGE', `unknown board '${name}'; available boards: ${boardNames().join(', ')}`);
  const raw = JSON.parse(packageFile(`boards/${name}/board.json`)) as Partial<Board>;
  return {
    ...raw,
    name,
    description: raw.description ?? '',
    kind: raw.kind ?? 'host',
    template: raw.template ?? name,
    files: raw.template === 'firmware' ? { ...FIRMWARE_FILES, ...raw.files } : (raw.files ?? HOST_FILES),
    boardFiles: raw.boardFiles ?? [],
    cflags: raw.cflags ?? [],
    memories: raw.memories ?? [],
    placement: raw.placement ?? {},
  };
}
