/**
 * Parsing the GDB server's replies that carry structure: stop replies (`S`, `T`, `W`, `X`), the
 * `qSupported` feature list and the `qXfer:memory-map:read` XML. Pure functions; null or a message
 * where the text is not what the protocol allows.
 */

import { parseLeHex } from './packet.js';

/** Why the target stopped (GDB manual, "Stop Reply Packets"). */
export type StopReason =
  | { kind: 'signal'; signal: number; registers: Map<number, number>; reason?: string; pc?: number }
  | { kind: 'exited'; code: number }
  | { kind: 'terminated'; signal: number };

/** The register number of the program counter (r15) in the ARM numbering GDB servers use. */
export const PC_REGNUM = 15;

/** A stop reply, or null when `text` is not one. */
export function parseStop(text: string): StopReason | null {
  const m = /^([STWX])([0-9a-fA-F]{2})(.*)$/s.exec(text);
  if (!m) return null;
  const [, letter, hex, rest] = m as unknown as [string, string, string, string];
  const value = parseInt(hex, 16);
  if (letter === 'W') return { kind: 'exited', code: value };
  if (letter === 'X') return { kind: 'terminated', signal: value };
  const registers = new Map<number, number>();
  let reason: string | undefined;
  if (letter === 'T') {
    for (const pair of rest.split(';')) {
      if (pair === '') continue;
      const colon = pair.indexOf(':');
      const key = colon < 0 ? pair : pair.slice(0, colon);
      const val = colon < 0 ? '' : pair.slice(colon + 1);
      if (/^[0-9a-fA-F]+$/.test(key)) {
        const v = parseLeHex(val.slice(0, 8));
        if (v === null) return null;
        registers.set(parseInt(key, 16), v);
      } else if (['watch', 'rwatch', 'awatch', 'swbreak', 'hwbreak', 'library', 'replaylog', 'fork', 'vfork', 'exec', 'create'].includes(key)) {
        reason ??= key;
      }
    }
  } else if (rest !== '') return null;
  const stop: StopReason = { kind: 'signal', signal: value, registers };
  if (reason !== undefined) stop.reason = reason;
  const pc = registers.get(PC_REGNUM);
  if (pc !== undefined) stop.pc = pc;
  return stop;
}

/** A stop for a message: "signal 5 (SIGTRAP) at pc 0x00000400", "exit code 0". */
export function describeStop(stop: StopReason): string {
  if (stop.kind === 'exited') return `the program exited with code ${stop.code}`;
  if (stop.kind === 'terminated') return `the program was terminated by signal ${stop.signal}`;
  const pc = stop.pc === undefined ? '' : ` at pc 0x${stop.pc.toString(16).padStart(8, '0')}`;
  return `stopped by signal ${stop.signal}${stop.signal === 5 ? ' (SIGTRAP)' : ''}${pc}`;
}

/** The server's features from a qSupported reply: `name+`/`name-` as 'yes'/'no', `name=value` as the value. */
export function parseFeatures(text: string): Map<string, string> {
  const features = new Map<string, string>();
  for (const item of text.split(';')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq >= 0) features.set(item.slice(0, eq), item.slice(eq + 1));
    else if (item.endsWith('+')) features.set(item.slice(0, -1), 'yes');
    else if (item.endsWith('-')) features.set(item.slice(0, -1), 'no');
    else if (item.endsWith('?')) features.set(item.slice(0, -1), 'maybe');
  }
  return features;
}

export interface MemoryRegion {
  type: 'ram' | 'rom' | 'flash';
  start: number;
  length: number;
  /** Erase block size (flash only). */
  blockSize?: number;
}

function number(text: string | undefined): number | null {
  if (text === undefined) return null;
  const v = Number(text.trim());
  return Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** The regions of a GDB memory map (`<memory-map><memory type=… start=… length=…>`), or a message. */
export function parseMemoryMap(xml: string): MemoryRegion[] | string {
  const regions: MemoryRegion[] = [];
  const memory = /<memory\s([^>]*?)(\/>|>([\s\S]*?)<\/memory>)/g;
  for (let m = memory.exec(xml); m; m = memory.exec(xml)) {
    const attrs = new Map<string, string>();
    for (const a of m[1]!.matchAll(/(\w+)\s*=\s*"([^"]*)"/g)) attrs.set(a[1]!, a[2]!);
    const type = attrs.get('type');
    const start = number(attrs.get('start'));
    const length = number(attrs.get('length'));
    if ((type !== 'ram' && type !== 'rom' && type !== 'flash') || start === null || length === null) return `a memory region the client cannot read (${m[0].slice(0, 80)})`;
    const region: MemoryRegion = { type, start, length };
    const block = /<property\s+name\s*=\s*"blocksize"\s*>([^<]*)<\/property>/.exec(m[3] ?? '');
    if (type === 'flash') {
      const size = number(block?.[1]);
      if (size === null || size === 0) return `the flash region at 0x${start.toString(16)} has no block size`;
      region.blockSize = size;
    }
    regions.push(region);
  }
  return regions;
}
