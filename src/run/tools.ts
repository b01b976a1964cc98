/**
 * The programs utvm-aot runs (make, the C compilers, the emulator): looked up on PATH before they are
 * needed, so a missing one is one line that says how to install it (E_TOOL, exit status 4) instead of a
 * build failure blamed on the model.
 */

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fail } from '../diagnostics.js';

/** The Debian/Ubuntu package of each tool. */
const PACKAGE: Record<string, string> = {
  make: 'make',
  cc: 'gcc',
  gcc: 'gcc',
  cmake: 'cmake',
  'arm-none-eabi-gcc': 'gcc-arm-none-eabi',
  'arm-none-eabi-size': 'binutils-arm-none-eabi',
  'arm-none-eabi-nm': 'binutils-arm-none-eabi',
  'qemu-system-arm': 'qemu-system-arm',
};

/** The full path of `name` on PATH, or undefined. */
export function findTool(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      if (statSync(full).isFile()) return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The install advice for `name`: its apt-get package, or the project's setup script. */
export function installHint(name: string): string {
  const pkg = PACKAGE[name];
  return pkg ? `install it with 'sudo apt-get install ${pkg}' (or run 'bash scripts/setup.sh' in the utvm-aot folder)` : `install it and put it on PATH`;
}

/** Fails with E_TOOL unless every tool in `names` is on PATH; `purpose` says what they are for. */
export function requireTools(names: string[], purpose: string): void {
  for (const name of names) {
    if (!findTool(name)) fail('E_TOOL', `${name} is not installed (needed to ${purpose}): ${installHint(name)}`);
  }
}

/** The host build's tools: make and the C compiler the generated Makefile uses ($CC, default cc). */
export function requireHostTools(): void {
  requireTools(['make', process.env.CC && /^[\w.+-]+$/.test(process.env.CC) ? process.env.CC : 'cc'], 'build the model for the host');
}

/** The firmware build's and the emulator's tools. */
export function requireFirmwareTools(emulator?: string): void {
  requireTools(['make', 'arm-none-eabi-gcc'], 'build the firmware for the Cortex-M7');
  if (emulator) requireTools([emulator], 'run the firmware on the emulated Cortex-M7');
}
