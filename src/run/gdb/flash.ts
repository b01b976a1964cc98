/**
 * Flash programming through the GDB server (GDB manual, "Packets": vFlashErase, vFlashWrite,
 * vFlashDone), where the server offers it: the flash regions and their erase block sizes come from the
 * server's memory map (`qXfer:memory-map:read`). OpenOCD and pyOCD offer both; QEMU's gdbstub offers
 * neither (its "flash" is RAM: load there with writeMemory).
 */

import { UtvmError } from '../../diagnostics.js';
import type { GdbClient } from './client.js';
import { escapedLength } from './packet.js';
import { type MemoryRegion, parseMemoryMap } from './replies.js';

export type { MemoryRegion } from './replies.js';

/** Room kept in a vFlashWrite packet for its framing, address and the separators. */
const HEADER_ROOM = 32;

/** The server's memory map (`qXfer:memory-map:read`). */
export async function readMemoryMap(gdb: GdbClient): Promise<MemoryRegion[]> {
  if (!gdb.supports('qXfer:memory-map:read')) throw new UtvmError('E_TARGET', 'the GDB server offers no memory map (qXfer:memory-map:read), so it cannot program flash');
  const xml = await gdb.readXfer('memory-map');
  const regions = parseMemoryMap(xml);
  if (typeof regions === 'string') throw new UtvmError('E_TARGET', `the GDB server's memory map has ${regions}`);
  return regions;
}

/** The flash region holding [address, address + length), or null when none holds all of it. */
export function flashRegion(regions: MemoryRegion[], address: number, length: number): MemoryRegion | null {
  return regions.find((r) => r.type === 'flash' && address >= r.start && address + length <= r.start + r.length) ?? null;
}

/**
 * Programs `data` at `address` in flash: erases the blocks it covers (vFlashErase), writes it in
 * packet-sized pieces (vFlashWrite, binary, escaped), and commits (vFlashDone). Erasing may take seconds:
 * timeoutMs bounds each command.
 */
export async function writeFlash(gdb: GdbClient, address: number, data: Uint8Array, timeoutMs = 30000): Promise<void> {
  if (data.length === 0) return;
  const regions = await readMemoryMap(gdb);
  const region = flashRegion(regions, address, data.length);
  const end = address + data.length;
  if (region === null) throw new UtvmError('E_TARGET', `0x${address.toString(16)}–0x${end.toString(16)} is not inside one flash region of the GDB server's memory map`);
  const block = region.blockSize!;
  const first = region.start + Math.floor((address - region.start) / block) * block;
  const last = region.start + Math.ceil((end - region.start) / block) * block;
  const ok = async (payload: string | Uint8Array, what: string): Promise<void> => {
    const reply = await gdb.command(payload, what, timeoutMs);
    if (reply !== 'OK') throw new UtvmError('E_TARGET', `the GDB server answered ${what} with '${reply.slice(0, 20)}' instead of OK`);
  };
  await ok(`vFlashErase:${first.toString(16)},${(last - first).toString(16)}`, 'flash erase (vFlashErase)');
  const room = gdb.packetSize - HEADER_ROOM;
  for (let done = 0; done < data.length; ) {
    let stop = done;
    let size = 0;
    while (stop < data.length && size + escapedLength(data.subarray(stop, stop + 1)) <= room) size += escapedLength(data.subarray(stop, ++stop));
    const head = Buffer.from(`vFlashWrite:${(address + done).toString(16)}:`, 'latin1');
    await ok(Buffer.concat([head, data.subarray(done, stop)]), 'flash write (vFlashWrite)');
    done = stop;
  }
  await ok('vFlashDone', 'flash commit (vFlashDone)');
}
