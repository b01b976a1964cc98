/**
 * Reading the firmware's ELF file (32-bit little-endian ARM, as arm-none-eabi-ld writes it; the System V
 * ABI's "ELF" chapter for the layout): the loadable segments a host writes into the target (PT_LOAD, at
 * their load address), the entry point, and the symbol table (functions and objects, local ones too) to
 * find the firmware's mailbox and stop points and to name the function a fault happened in.
 *
 * The file is the compiler's own build output, but it is read as any file is: every offset and size is
 * checked against the file's length before it is used, and a bad file is one E_BUILD line.
 */

import { UtvmError } from '../../diagnostics.js';

export interface ElfSegment {
  /** Load (physical) address: where the bytes go in the target's memory (flash for .data's initial values). */
  address: number;
  data: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  address: number;
  size: number;
  kind: 'function' | 'object' | 'other';
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  symbols: Map<string, ElfSymbol>;
  /** The function holding `address`, for messages: `name+0x12`, or undefined. */
  functionAt(address: number): string | undefined;
}

const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const STT_OBJECT = 1;
const STT_FUNC = 2;

function bad(what: string): never {
  throw new UtvmError('E_BUILD', `the firmware's ELF file is not a 32-bit little-endian ARM executable: ${what}`);
}

/** Parses an ELF32 little-endian ARM executable. */
export function readElf(bytes: Uint8Array): ElfImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (offset: number, length: number, what: string) => {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length) bad(`${what} lie${/s$/.test(what) ? '' : 's'} outside the file`);
  };
  need(0, 52, 'the header');
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) bad('no ELF magic');
  if (bytes[4] !== 1 || bytes[5] !== 1) bad('not ELFCLASS32 little-endian');
  if (view.getUint16(18, true) !== 40) bad(`machine ${view.getUint16(18, true)} is not ARM (40)`);
  const u16 = (o: number) => view.getUint16(o, true);
  const u32 = (o: number) => view.getUint32(o, true);
  const entry = u32(24);
  const [phoff, shoff] = [u32(28), u32(32)];
  const [phentsize, phnum, shentsize, shnum] = [u16(42), u16(44), u16(46), u16(48)];

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < 32) bad('program header entries are too small');
    need(phoff, phnum * phentsize, 'the program headers');
  }
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (u32(p) !== PT_LOAD) continue;
    const [offset, paddr, filesz] = [u32(p + 4), u32(p + 12), u32(p + 16)];
    if (filesz === 0) continue;
    need(offset, filesz, `segment ${i}`);
    segments.push({ address: paddr, data: bytes.subarray(offset, offset + filesz) });
  }

  const symbols = new Map<string, ElfSymbol>();
  if (shnum > 0) {
    if (shentsize < 40) bad('section header entries are too small');
    need(shoff, shnum * shentsize, 'the section headers');
  }
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * shentsize;
    if (u32(s + 4) !== SHT_SYMTAB) continue;
    const [offset, size, link, entsize] = [u32(s + 16), u32(s + 20), u32(s + 24), u32(s + 36)];
    if (entsize < 16 || link >= shnum) bad('a malformed symbol table');
    need(offset, size, 'the symbol table');
    const str = shoff + link * shentsize;
    const [stroff, strsize] = [u32(str + 16), u32(str + 20)];
    need(stroff, strsize, 'the string table');
    const names = bytes.subarray(stroff, stroff + strsize);
    for (let e = offset; e + entsize <= offset + size; e += entsize) {
      const nameAt = u32(e);
      if (nameAt >= names.length) bad('a symbol name lies outside the string table');
      let end = nameAt;
      while (end < names.length && names[end] !== 0) end++;
      const name = Buffer.from(names.subarray(nameAt, end)).toString('latin1');
      const type = bytes[e + 12] & 0xf;
      if (name === '' || (type !== STT_FUNC && type !== STT_OBJECT)) continue;
      const kind = type === STT_FUNC ? 'function' : 'object';
      // Thumb functions have bit 0 set in their value: the code starts at the even address
      const address = kind === 'function' ? u32(e + 4) & ~1 : u32(e + 4);
      if (!symbols.has(name) || (bytes[e + 12] >> 4) === 1) symbols.set(name, { name, address: address >>> 0, size: u32(e + 8), kind });
    }
  }
  const functions = [...symbols.values()].filter((s) => s.kind === 'function').sort((a, b) => a.address - b.address);
  const functionAt = (address: number): string | undefined => {
    let best: ElfSymbol | undefined;
    for (const f of functions) {
      if (f.address > address) break;
      if (address < f.address + Math.max(f.size, 1)) best = f;
    }
    if (!best) return undefined;
    const off = address - best.address;
    return off === 0 ? best.name : `${best.name}+0x${off.toString(16)}`;
  };
  return { entry, segments, symbols, functionAt };
}
