/**
 * Byte-level mutations, blind to the format: truncation, bit flips, hostile integers written over
 * aligned words, and a chunk copied over another place (which duplicates offsets and lengths).
 */

import { HOSTILE_INTS, Rng } from './rng.js';

export const BYTE_KINDS = ['bytes:truncate', 'bytes:bitflip', 'bytes:hostile-int', 'bytes:splice'] as const;
export type ByteKind = (typeof BYTE_KINDS)[number];

export function mutateBytes(kind: ByteKind, input: Uint8Array, rng: Rng): Uint8Array {
  const out = new Uint8Array(input);
  const n = out.length;
  switch (kind) {
    case 'bytes:truncate': {
      const keep = rng.chance(0.3) ? rng.int(Math.min(n, 64)) : rng.int(n);
      return out.slice(0, keep);
    }
    case 'bytes:bitflip': {
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips; i++) out[rng.int(n)] ^= 1 << rng.int(8);
      return out;
    }
    case 'bytes:hostile-int': {
      const view = new DataView(out.buffer);
      const writes = 1 + rng.int(3);
      for (let i = 0; i < writes && n >= 4; i++) {
        const pos = rng.int(Math.floor(n / 4)) * 4;
        view.setUint32(pos, rng.pick(HOSTILE_INTS) >>> 0, true);
      }
      return out;
    }
    case 'bytes:splice': {
      const len = 1 + rng.int(Math.min(64, n));
      const from = rng.int(n - len + 1);
      const to = rng.int(n - len + 1);
      out.copyWithin(to, from, from + len);
      return out;
    }
  }
}
