/**
 * GDB Remote Serial Protocol framing (GDB manual, appendix E "Remote Protocol", "Overview" and
 * "Binary Data"): a packet is `$data#cs` where cs is the sum of data's bytes modulo 256 in two hex
 * digits. Inside data, '#', '$', '}' and '*' are sent as '}' followed by the byte XOR 0x20; a reply
 * may also be run-length encoded: `c*N` repeats c (N - 29) more times. Pure functions on bytes.
 */

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;
const STAR = 0x2a;

/** The 8-bit checksum of a packet's data (its bytes as sent, escapes included). */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

function needsEscape(b: number): boolean {
  return b === DOLLAR || b === HASH || b === ESCAPE || b === STAR;
}

/** How many bytes `data` takes on the wire once escaped. */
export function escapedLength(data: Uint8Array): number {
  let n = data.length;
  for (const b of data) if (needsEscape(b)) n++;
  return n;
}

/** `data` with '#', '$', '}' and '*' escaped as '}' + (byte ^ 0x20). */
export function escape(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(escapedLength(data));
  let k = 0;
  for (const b of data) {
    if (needsEscape(b)) {
      out[k++] = ESCAPE;
      out[k++] = b ^ 0x20;
    } else out[k++] = b;
  }
  return out;
}

/** The whole packet `$data#cs` for `payload` (a string is taken as latin1: one byte per character). */
export function frame(payload: string | Uint8Array): Buffer {
  const data = escape(typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload);
  const cs = checksum(data).toString(16).padStart(2, '0');
  return Buffer.concat([Buffer.from('$'), data, Buffer.from(`#${cs}`)]);
}

/**
 * A received packet's data with escapes undone and run-length encoding expanded, or a message saying
 * why it is malformed (a dangling escape, a repeat with nothing before it or a count out of range).
 */
export function unescape(raw: Uint8Array): Buffer | string {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === ESCAPE) {
      if (i + 1 >= raw.length) return 'an escape character at the end of a packet';
      out.push(raw[++i]! ^ 0x20);
    } else if (b === STAR) {
      if (out.length === 0 || i + 1 >= raw.length) return 'a run-length repeat with nothing to repeat';
      const n = raw[++i]! - 29;
      if (n < 3 || n > 97) return `a run-length count out of range (${n})`;
      const last = out[out.length - 1]!;
      for (let r = 0; r < n; r++) out.push(last);
    } else out.push(b);
  }
  return Buffer.from(out);
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The bytes of an even-length hex string, or null when it is not one. */
export function fromHex(text: string): Buffer | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  return Buffer.from(text, 'hex');
}

/** A 32-bit register value as the target sends it: 8 hex digits, least significant byte first. */
export function leHex32(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b.toString('hex');
}

/** The value of a little-endian hex register (up to 4 bytes), or null when `text` is not one. */
export function parseLeHex(text: string): number | null {
  const b = fromHex(text);
  if (b === null || b.length === 0 || b.length > 4) return null;
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}

/** A packet for a message: printable, at most 40 characters. */
export function shown(payload: string | Uint8Array): string {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('latin1');
  const printable = text.slice(0, 40).replace(/[^\x20-\x7e]/g, '.');
  return `'${printable}${text.length > 40 ? '…' : ''}'`;
}
