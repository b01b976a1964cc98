/**
 * A fake GDB server for the GDB client's tests: a small simulated Cortex-M target (sparse memory,
 * r0–r15 and xPSR, breakpoints, continue/step/interrupt, an optional flash region with vFlash*) behind
 * the Remote Serial Protocol, with knobs that make it misbehave on purpose: replies with bad
 * checksums, packets refused with '-', run-length encoded replies, silence, a closed socket, garbage.
 * Every test scripts it through its options and `handle`, and reads what it received in `packets`.
 */

import { type Server, type Socket, createServer } from 'node:net';

/** What `handle` returns: a reply, null for no reply at all, undefined for the simulated target's answer. */
export type Scripted = string | Buffer | null | undefined;

export interface FakeGdbOptions {
  /** PacketSize advertised in qSupported (hex in the reply), default 0x1000. */
  packetSize?: number;
  /** Offer QStartNoAckMode+ (default true). */
  noAck?: boolean;
  /** Accept binary writes (X) (default true). */
  binary?: boolean;
  /** Run-length encode every reply (default false). */
  rle?: boolean;
  /** A flash region offered through qXfer:memory-map:read and vFlash* (default none). */
  flash?: { start: number; length: number; blockSize: number };
  /** A target description offered through qXfer:features:read (default none). */
  targetXml?: string;
  /** The first N replies are sent with a wrong checksum. */
  corruptReplies?: number;
  /** The first N packets received are answered '-' (the client must send them again). */
  nakPackets?: number;
  /** Runs before the simulated target on every packet (latin1 text and raw bytes). */
  handle?: (packet: string, raw: Buffer, server: FakeGdbServer) => Scripted;
}

function checksum(bytes: Buffer): string {
  let s = 0;
  for (const b of bytes) s = (s + b) & 0xff;
  return s.toString(16).padStart(2, '0');
}

/** `data` escaped ('#$}*' as '}' + byte^0x20) and, with `rle`, runs of 4+ equal plain bytes as c*N. */
export function encodeReply(data: Buffer, rle: boolean): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; ) {
    const b = data[i]!;
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) {
      out.push(0x7d, b ^ 0x20);
      i++;
      continue;
    }
    let run = 1;
    while (rle && i + run < data.length && data[i + run] === b && run < 98) run++;
    let repeats = run - 1;
    if (repeats === 6 || repeats === 7) repeats = 5; // counts 35 '#' and 36 '$' are not allowed
    if (rle && repeats >= 3) {
      out.push(b, 0x2a, repeats + 29);
      i += repeats + 1;
    } else {
      out.push(b);
      i++;
    }
  }
  return Buffer.from(out);
}

export class FakeGdbServer {
  readonly options: FakeGdbOptions;
  readonly port: number;
  /** Every packet received, in order (latin1), retransmissions included. */
  readonly packets: string[] = [];
  /** '+' and '-' received from the client, and packets whose checksum was wrong. */
  acksReceived = 0;
  naksReceived = 0;
  badChecksums = 0;
  interrupts = 0;
  readonly memory = new Map<number, number>();
  readonly registers = new Array<number>(26).fill(0);
  readonly breakpoints = new Map<number, 'Z0' | 'Z1'>();
  flashErased: Array<[number, number]> = [];
  flashDone = 0;
  private readonly server: Server;
  private socket: Socket | null = null;
  private noAckMode = false;
  private corrupt: number;
  private nak: number;
  private running = false;

  private constructor(server: Server, port: number, options: FakeGdbOptions) {
    this.server = server;
    this.port = port;
    this.options = options;
    this.corrupt = options.corruptReplies ?? 0;
    this.nak = options.nakPackets ?? 0;
    this.registers[13] = 0x20008000;
    this.registers[15] = 0x400;
    this.registers[25] = 0x01000000;
  }

  static start(options: FakeGdbOptions = {}): Promise<FakeGdbServer> {
    return new Promise((resolve) => {
      let fake: FakeGdbServer | undefined;
      const server = createServer((socket) => fake!.attach(socket));
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        fake = new FakeGdbServer(server, typeof address === 'object' && address ? address.port : 0, options);
        resolve(fake);
      });
    });
  }

  /** Answers the next `n` packets with '-'. */
  nakCount(n: number): void {
    this.nak = n;
  }

  /** Sends raw bytes to the client. */
  sendRaw(bytes: string | Buffer): void {
    this.socket?.write(bytes);
  }

  /** Sends one packet (escaped, run-length encoded with options.rle, corrupted while corruptReplies lasts). */
  reply(data: string | Buffer): void {
    const body = encodeReply(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, this.options.rle ?? false);
    let cs = checksum(body);
    if (this.corrupt > 0) {
      this.corrupt--;
      cs = ((parseInt(cs, 16) + 1) & 0xff).toString(16).padStart(2, '0');
      this.lastCorrupt = Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${checksum(body)}`)]);
    }
    this.sendRaw(Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${cs}`)]));
  }

  private lastCorrupt: Buffer | null = null;

  /** Ends the connection from the server's side. */
  dropConnection(): void {
    this.socket?.destroy();
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  writeBytes(address: number, bytes: Uint8Array): void {
    bytes.forEach((b, i) => this.memory.set(address + i, b));
  }

  readBytes(address: number, length: number): Buffer {
    return Buffer.from(Array.from({ length }, (_, i) => this.memory.get(address + i) ?? 0));
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    let state: 'idle' | 'data' | 'cs' = 'idle';
    let raw: number[] = [];
    let cs = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const b of chunk) {
        if (state === 'idle') {
          if (b === 0x24) {
            state = 'data';
            raw = [];
          } else if (b === 0x2b) this.acksReceived++;
          else if (b === 0x2d) {
            this.naksReceived++;
            if (this.lastCorrupt) this.sendRaw(this.lastCorrupt);
            this.lastCorrupt = null;
          } else if (b === 0x03) this.interrupt();
        } else if (state === 'data') {
          if (b === 0x23) {
            state = 'cs';
            cs = '';
          } else raw.push(b);
        } else {
          cs += String.fromCharCode(b);
          if (cs.length === 2) {
            state = 'idle';
            this.receive(Buffer.from(raw), cs);
          }
        }
      }
    });
  }

  private receive(escaped: Buffer, cs: string): void {
    this.packets.push(escaped.toString('latin1'));
    if (checksum(escaped) !== cs.toLowerCase()) {
      this.badChecksums++;
      this.sendRaw('-');
      return;
    }
    if (this.nak > 0) {
      this.nak--;
      this.sendRaw('-');
      return;
    }
    if (!this.noAckMode) this.sendRaw('+');
    const data: number[] = [];
    for (let i = 0; i < escaped.length; i++) data.push(escaped[i] === 0x7d ? escaped[++i]! ^ 0x20 : escaped[i]!);
    const bytes = Buffer.from(data);
    const text = bytes.toString('latin1');
    const scripted = this.options.handle?.(text, bytes, this);
    if (scripted === null) return;
    const answer = scripted !== undefined ? scripted : this.simulate(text, bytes);
    if (answer !== null) this.reply(answer);
  }

  private interrupt(): void {
    this.interrupts++;
    if (this.running) {
      this.running = false;
      this.reply(`T02${this.stopRegisters()}`);
    }
  }

  private stopRegisters(): string {
    const le = (v: number): string => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(v >>> 0);
      return b.toString('hex');
    };
    return `0d:${le(this.registers[13]!)};0f:${le(this.registers[15]!)};`;
  }

  /** The simulated target's answer to a packet (null: none now, e.g. while running). */
  private simulate(text: string, bytes: Buffer): string | null {
    const o = this.options;
    const le = (v: number): string => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(v >>> 0);
      return b.toString('hex');
    };
    let m: RegExpExecArray | null;
    if (text.startsWith('qSupported')) {
      const features = [`PacketSize=${(o.packetSize ?? 0x1000).toString(16)}`, 'swbreak+', 'hwbreak+', 'vContSupported+'];
      if (o.noAck ?? true) features.push('QStartNoAckMode+');
      if (o.flash) features.push('qXfer:memory-map:read+');
      if (o.targetXml !== undefined) features.push('qXfer:features:read+');
      return features.join(';');
    }
    if (text === 'QStartNoAckMode' && (o.noAck ?? true)) {
      this.reply('OK');
      this.noAckMode = true;
      return null;
    }
    if ((m = /^m([0-9a-f]+),([0-9a-f]+)$/.exec(text))) {
      const [a, n] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
      if (a >= 0xf0000000) return 'E01';
      return this.readBytes(a, n).toString('hex');
    }
    if ((m = /^M([0-9a-f]+),([0-9a-f]+):([0-9a-f]*)$/.exec(text))) {
      this.writeBytes(parseInt(m[1]!, 16), Buffer.from(m[3]!, 'hex'));
      return 'OK';
    }
    if ((m = /^X([0-9a-f]+),([0-9a-f]+):/.exec(text))) {
      if (!(o.binary ?? true)) return '';
      const body = bytes.subarray(m[0].length);
      if (body.length !== parseInt(m[2]!, 16)) return 'E02';
      this.writeBytes(parseInt(m[1]!, 16), body);
      return 'OK';
    }
    if (text === 'g') return this.registers.slice(0, 16).map(le).join('') + '0'.repeat(8 * 12 * 2 + 8) + le(this.registers[25]!);
    if ((m = /^p([0-9a-f]+)$/.exec(text))) return le(this.registers[parseInt(m[1]!, 16)] ?? 0);
    if ((m = /^P([0-9a-f]+)=([0-9a-f]{8})$/.exec(text))) {
      this.registers[parseInt(m[1]!, 16)] = Buffer.from(m[2]!, 'hex').readUInt32LE(0);
      return 'OK';
    }
    if ((m = /^([Zz])([01]),([0-9a-f]+),([24])$/.exec(text))) {
      const a = parseInt(m[3]!, 16);
      if (m[1] === 'Z') this.breakpoints.set(a, `Z${m[2]}` as 'Z0' | 'Z1');
      else this.breakpoints.delete(a);
      return 'OK';
    }
    if (text === 'c') {
      const next = [...this.breakpoints.keys()].find((a) => a > this.registers[15]!) ?? [...this.breakpoints.keys()][0];
      if (next === undefined) {
        this.running = true;
        return null;
      }
      this.registers[15] = next;
      return `T05${this.stopRegisters()}${this.breakpoints.get(next) === 'Z0' ? 'swbreak' : 'hwbreak'}:;`;
    }
    if (text === 's') {
      this.registers[15] = this.registers[15]! + 2;
      return 'S05';
    }
    if (text === '?') return 'S05';
    if (text === 'D') return 'OK';
    if (text === 'k') return null;
    if (o.targetXml !== undefined && (m = /^qXfer:features:read:target\.xml:([0-9a-f]+),([0-9a-f]+)$/.exec(text))) {
      const [at, n] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
      const piece = o.targetXml.slice(at, at + Math.min(n, 50));
      return `${at + piece.length >= o.targetXml.length ? 'l' : 'm'}${piece}`;
    }
    if (o.flash && (m = /^qXfer:memory-map:read::([0-9a-f]+),([0-9a-f]+)$/.exec(text))) {
      const f = o.flash;
      const xml = `<?xml version="1.0"?><memory-map><memory type="ram" start="0x20000000" length="0x50000"/><memory type="flash" start="0x${f.start.toString(16)}" length="0x${f.length.toString(16)}"><property name="blocksize">0x${f.blockSize.toString(16)}</property></memory></memory-map>`;
      const [at, n] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
      const piece = xml.slice(at, at + Math.min(n, 64));
      return `${at + piece.length >= xml.length ? 'l' : 'm'}${piece}`;
    }
    if (o.flash && (m = /^vFlashErase:([0-9a-f]+),([0-9a-f]+)$/.exec(text))) {
      const [a, n] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
      if (a % o.flash.blockSize !== 0 || n % o.flash.blockSize !== 0) return 'E03';
      this.flashErased.push([a, n]);
      for (let i = 0; i < n; i++) this.memory.set(a + i, 0xff);
      return 'OK';
    }
    if (o.flash && (m = /^vFlashWrite:([0-9a-f]+):/.exec(text))) {
      this.writeBytes(parseInt(m[1]!, 16), bytes.subarray(m[0].length));
      return 'OK';
    }
    if (o.flash && text === 'vFlashDone') {
      this.flashDone++;
      return 'OK';
    }
    return '';
  }
}
