/**
 * A GDB Remote Serial Protocol client (GDB manual, appendix E) for Cortex-M targets behind any GDB
 * server: QEMU's gdbstub (`-gdb tcp::PORT -S`), OpenOCD (port 3333), the ST-LINK GDB server, pyOCD.
 *
 *   const gdb = await GdbClient.connect('localhost', 3333, { timeoutMs: 5000 });
 *   const table = await gdb.readMemory(0, 8);
 *   await gdb.setBreakpoint('hardware', mainAddress);
 *   const stop = await gdb.continue();          // { kind: 'signal', signal: 5, pc, registers }
 *   await gdb.close();
 *
 * Operations run one at a time, in call order; interrupt() is the exception: it may be called while
 * continue() or step() waits, and resolves with the same stop. Every operation has a time limit
 * (options.timeoutMs; continue() and step() have runTimeoutMs); a server that refuses, closes, stops
 * answering or sends nonsense fails the operation with a one-line UtvmError (E_TARGET) and ends the
 * connection. A command the server refuses (`E NN`) or does not know (empty reply) fails only itself.
 */

import { UtvmError } from '../../diagnostics.js';
import { GdbConnection } from './connection.js';
import { escapedLength, fromHex, leHex32, parseLeHex, shown, toHex } from './packet.js';
import { PC_REGNUM, type StopReason, describeStop, parseFeatures, parseStop } from './replies.js';

export type { StopReason } from './replies.js';
export { describeStop } from './replies.js';

export interface GdbOptions {
  /** Time limit of the connection and of each command, in ms (default 5000). */
  timeoutMs?: number;
  /** Time limit of continue() and step() until the target stops, in ms (default 60000). */
  runTimeoutMs?: number;
  /** Receives the target's console output (`O` packets) while it runs. */
  onOutput?: (text: string) => void;
}

export type BreakpointKind = 'software' | 'hardware';

/** The Cortex-M core registers: r0–r15 (r13 sp, r14 lr, r15 pc) and xPSR. */
export interface CoreRegisters {
  r: number[];
  xpsr: number;
}

/** xPSR's register number in the ARM numbering QEMU and OpenOCD use (after r0–r15, f0–f7 and fps). */
export const XPSR_REGNUM = 25;
const NAMED: Record<string, number> = { sp: 13, lr: 14, pc: 15, xpsr: XPSR_REGNUM };
/** Packet size assumed when the server does not say (GDB's own default is close to this). */
const DEFAULT_PACKET_SIZE = 400;
/** Longest qXfer object accepted (target description, memory map). */
const MAX_XFER = 1 << 20;
/** Room kept in every packet for '$', '#', the checksum and a command's address and length. */
const HEADER_ROOM = 24;

/** A register's number from its name ('r0'…'r15', 'sp', 'lr', 'pc', 'xpsr') or number. */
export function registerNumber(reg: string | number): number {
  if (typeof reg === 'number') return reg;
  const m = /^r(\d|1[0-5])$/.exec(reg);
  const n = m ? Number(m[1]) : NAMED[reg];
  if (n === undefined) throw new UtvmError('E_USAGE', `unknown register '${reg}' (expected r0–r15, sp, lr, pc or xpsr)`);
  return n;
}

function hex(n: number): string {
  return n.toString(16);
}

export class GdbClient {
  readonly features: Map<string, string>;
  /** The largest packet the server accepts, in bytes (qSupported PacketSize). */
  readonly packetSize: number;
  private readonly conn: GdbConnection;
  private readonly timeoutMs: number;
  private readonly runTimeoutMs: number;
  private readonly onOutput: ((text: string) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private running: Promise<StopReason> | null = null;
  /** Set when continue() or step() is called, resolved once its 'c' or 's' is on the wire (running is set). */
  private starting: Promise<void> | null = null;
  private binaryWrites: boolean | null = null;
  /** The target description (qXfer:features:read target.xml), where the server offers one. */
  targetXml: string | null = null;

  private constructor(conn: GdbConnection, features: Map<string, string>, options: GdbOptions) {
    this.conn = conn;
    this.features = features;
    const size = parseInt(features.get('PacketSize') ?? '', 16);
    this.packetSize = Number.isFinite(size) && size >= 64 ? size : DEFAULT_PACKET_SIZE;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.runTimeoutMs = options.runTimeoutMs ?? 60000;
    this.onOutput = options.onOutput;
  }

  /** Connects, learns the server's features (qSupported) and turns acknowledgements off where offered. */
  static async connect(host: string, port: number, options: GdbOptions = {}): Promise<GdbClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const conn = await GdbConnection.open(host, port, timeoutMs);
    try {
      const reply = (await conn.request('qSupported:swbreak+;hwbreak+;vContSupported+', timeoutMs)).toString('latin1');
      if (/^E[0-9a-fA-F]{2}$/.test(reply)) throw new UtvmError('E_TARGET', `the GDB server at ${conn.where} refused qSupported (error ${reply.slice(1)})`);
      const features = parseFeatures(reply);
      if (features.get('QStartNoAckMode') === 'yes') {
        const ok = (await conn.request('QStartNoAckMode', timeoutMs)).toString('latin1');
        if (ok === 'OK') conn.ackMode = false;
      }
      const client = new GdbClient(conn, features, options);
      // QEMU answers p/P only once the client has read the target description (as GDB does on connect)
      if (client.supports('qXfer:features:read')) client.targetXml = await client.readXfer('features', 'target.xml');
      return client;
    } catch (e) {
      conn.close();
      throw e;
    }
  }

  /** The error that ended the connection, if one did (then every call fails with it). */
  get error(): UtvmError | null {
    return this.conn.error;
  }

  /** Whether the server has said it supports `feature` in its qSupported reply. */
  supports(feature: string): boolean {
    return this.features.get(feature) === 'yes';
  }

  /** Runs `op` after every operation called before it. */
  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends a command and returns its reply; `E NN` fails with the server's error number, an empty reply
   * with "does not support" (`what` names the command for that message). Not queued: callers hold the lock.
   */
  private async ask(payload: string | Uint8Array, what: string, timeoutMs = this.timeoutMs): Promise<string> {
    const reply = (await this.conn.request(payload, timeoutMs)).toString('latin1');
    if (reply === '') throw new UtvmError('E_TARGET', `the GDB server at ${this.conn.where} does not support ${what}`);
    if (/^E[0-9a-fA-F]{2}$/.test(reply) || reply.startsWith('E.')) {
      throw new UtvmError('E_TARGET', `the GDB server at ${this.conn.where} refused ${shown(payload)} (${what}): error ${reply.slice(1)}`);
    }
    return reply;
  }

  private async askOk(payload: string | Uint8Array, what: string, timeoutMs = this.timeoutMs): Promise<void> {
    const reply = await this.ask(payload, what, timeoutMs);
    if (reply !== 'OK') throw this.conn.fail(`answered ${shown(payload)} with ${shown(reply)} instead of OK`);
  }

  /** Sends any command and returns its reply (checked for errors as every command is): for monitor and query packets. */
  command(payload: string | Uint8Array, what = shown(payload), timeoutMs = this.timeoutMs): Promise<string> {
    return this.exclusive(() => this.ask(payload, what, timeoutMs));
  }

  /** Reads a qXfer object (`qXfer:OBJECT:read:ANNEX:offset,length`) whole, in pieces of the packet size. */
  readXfer(object: string, annex = ''): Promise<string> {
    return this.exclusive(async () => {
      let text = '';
      for (;;) {
        const cmd = `qXfer:${object}:read:${annex}:${hex(text.length)},${hex(this.packetSize - HEADER_ROOM)}`;
        const piece = await this.ask(cmd, `qXfer:${object}:read`);
        if (piece[0] !== 'm' && piece[0] !== 'l') throw this.conn.fail(`answered ${shown(cmd)} with ${shown(piece)}, not 'm' or 'l' data`);
        text += piece.slice(1);
        if (piece[0] === 'l') return text;
        if (piece.length === 1 || text.length > MAX_XFER) throw this.conn.fail(`sent an empty piece or more than ${MAX_XFER} bytes of qXfer:${object}`);
      }
    });
  }

  /**
   * A monitor command (`qRcmd`, what GDB's `monitor CMD` sends: OpenOCD's `reset halt`, pyOCD's `reset`):
   * returns the server's console output (its `O` packets) once it answers OK; fails when the server does not
   * support monitor commands or refuses this one.
   */
  monitor(cmd: string, timeoutMs = this.timeoutMs): Promise<string> {
    return this.exclusive(async () => {
      const payload = `qRcmd,${Buffer.from(cmd, 'latin1').toString('hex')}`;
      await this.conn.sendExpectingLater(payload, this.timeoutMs);
      let output = '';
      try {
        for (;;) {
          const reply = (await this.conn.nextPacket(`the reply to 'monitor ${cmd}'`, timeoutMs)).toString('latin1');
          if (/^O([0-9a-fA-F]{2})+$/.test(reply)) {
            output += Buffer.from(reply.slice(1), 'hex').toString('utf8');
            continue;
          }
          if (reply === '') throw new UtvmError('E_TARGET', `the GDB server at ${this.conn.where} does not support monitor commands (qRcmd)`);
          if (reply !== 'OK' && !/^([0-9a-fA-F]{2})+$/.test(reply)) throw new UtvmError('E_TARGET', `the GDB server at ${this.conn.where} refused 'monitor ${cmd}' (${shown(reply)})`);
          if (reply !== 'OK') output += Buffer.from(reply, 'hex').toString('utf8');
          return output;
        }
      } finally {
        this.conn.replied();
      }
    });
  }

  /** Reads `length` bytes at `address`, in as many `m` commands as the packet size needs. */
  readMemory(address: number, length: number): Promise<Buffer> {
    return this.exclusive(async () => {
      const chunk = Math.max(1, Math.floor((this.packetSize - 4) / 2));
      const parts: Buffer[] = [];
      for (let done = 0; done < length; ) {
        const n = Math.min(chunk, length - done);
        const cmd = `m${hex(address + done)},${hex(n)}`;
        const reply = await this.ask(cmd, 'memory reads (m)');
        const bytes = fromHex(reply);
        if (bytes === null || bytes.length === 0 || bytes.length > n) throw this.conn.fail(`answered ${shown(cmd)} with ${shown(reply)}, not up to ${n} bytes of hex`);
        parts.push(bytes);
        done += bytes.length;
      }
      return Buffer.concat(parts, length);
    });
  }

  /** Writes `data` at `address`: binary `X` commands where the server takes them, else hex `M`, split to fit the packet size. */
  writeMemory(address: number, data: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      if (data.length === 0) return;
      if (this.binaryWrites === null) {
        const probe = (await this.conn.request(`X${hex(address)},0:`, this.timeoutMs)).toString('latin1');
        this.binaryWrites = probe === 'OK';
      }
      const room = this.packetSize - HEADER_ROOM;
      for (let done = 0; done < data.length; ) {
        const at = address + done;
        if (this.binaryWrites) {
          let end = done;
          let size = 0;
          while (end < data.length && size + escapedLength(data.subarray(end, end + 1)) <= room) size += escapedLength(data.subarray(end, ++end));
          const body = data.subarray(done, end);
          const head = Buffer.from(`X${hex(at)},${hex(body.length)}:`, 'latin1');
          await this.askOk(Buffer.concat([head, body]), 'binary memory writes (X)');
          done = end;
        } else {
          const n = Math.min(Math.max(1, Math.floor(room / 2)), data.length - done);
          await this.askOk(`M${hex(at)},${hex(n)}:${toHex(data.subarray(done, done + n))}`, 'memory writes (M)');
          done += n;
        }
      }
    });
  }

  private async registerNow(n: number): Promise<number> {
    const cmd = `p${hex(n)}`;
    const reply = await this.ask(cmd, 'register reads (p)');
    const value = parseLeHex(reply.slice(0, 8));
    if (value === null) throw this.conn.fail(`answered ${shown(cmd)} with ${shown(reply)}, not a register value`);
    return value;
  }

  /** Reads one register ('r0'…'r15', 'sp', 'lr', 'pc', 'xpsr' or a number) with `p`. */
  readRegister(reg: string | number): Promise<number> {
    const n = registerNumber(reg);
    return this.exclusive(() => this.registerNow(n));
  }

  /** Reads r0–r15 (one `g`) and xPSR (`p 19`, or its place in the `g` reply when `p` is not supported). */
  readRegisters(): Promise<CoreRegisters> {
    return this.exclusive(async () => {
      const reply = await this.ask('g', 'register reads (g)');
      const bytes = fromHex(reply);
      if (bytes === null || bytes.length < 64) throw this.conn.fail(`answered 'g' with ${shown(reply)}, not the 16 core registers in hex`);
      const r = Array.from({ length: 16 }, (_, i) => bytes.readUInt32LE(i * 4));
      let xpsr: number;
      const p = (await this.conn.request(`p${hex(XPSR_REGNUM)}`, this.timeoutMs)).toString('latin1');
      const fromP = parseLeHex(p.slice(0, 8));
      if (fromP !== null && p.length >= 8) xpsr = fromP;
      else if (bytes.length >= 168) xpsr = bytes.readUInt32LE(164);
      else if (bytes.length >= 68) xpsr = bytes.readUInt32LE(64);
      else throw new UtvmError('E_TARGET', `the GDB server at ${this.conn.where} gives no xPSR (neither 'p${hex(XPSR_REGNUM)}' nor 'g')`);
      return { r, xpsr };
    });
  }

  /** Writes one 32-bit register with `P n=value` (value little-endian hex). */
  writeRegister(reg: string | number, value: number): Promise<void> {
    const n = registerNumber(reg);
    return this.exclusive(() => this.askOk(`P${hex(n)}=${leHex32(value)}`, 'register writes (P)'));
  }

  private breakpoint(insert: boolean, kind: BreakpointKind, address: number): Promise<void> {
    const type = kind === 'software' ? '0' : '1';
    const at = hex(address & ~1); // a Thumb function's symbol has bit 0 set; the instruction is at the even address
    const what = `${kind} breakpoints (${insert ? 'Z' : 'z'}${type})`;
    return this.exclusive(() => this.askOk(`${insert ? 'Z' : 'z'}${type},${at},2`, what));
  }

  /** Sets a software (`Z0`, a BKPT written over the code) or hardware (`Z1`, the FPB unit) breakpoint. */
  setBreakpoint(kind: BreakpointKind, address: number): Promise<void> {
    return this.breakpoint(true, kind, address);
  }

  removeBreakpoint(kind: BreakpointKind, address: number): Promise<void> {
    return this.breakpoint(false, kind, address);
  }

  /** Sends `c` or `s` and waits for the stop reply, passing console output (`O` packets) on. */
  private resume(cmd: 'c' | 's', timeoutMs: number): Promise<StopReason> {
    let started = (): void => undefined;
    const starting = new Promise<void>((resolve) => (started = resolve));
    this.starting = starting;
    return this.exclusive(async () => {
      const run = (async (): Promise<StopReason> => {
        await this.conn.sendExpectingLater(cmd, this.timeoutMs);
        let stop: StopReason | null = null;
        try {
          while (stop === null) {
            const text = (await this.conn.nextPacket(`the target to stop after '${cmd}'`, timeoutMs)).toString('latin1');
            if (/^O([0-9a-fA-F]{2})+$/.test(text)) this.onOutput?.(Buffer.from(text.slice(1), 'hex').toString('utf8'));
            else if ((stop = parseStop(text)) === null) throw this.conn.fail(`answered '${cmd}' with ${shown(text)}, not a stop reply`);
          }
        } finally {
          this.conn.replied();
        }
        return stop;
      })();
      this.running = run;
      started();
      try {
        const stop = await run;
        if (stop.kind === 'signal' && stop.pc === undefined) stop.pc = await this.registerNow(PC_REGNUM);
        return stop;
      } finally {
        this.running = null;
        if (this.starting === starting) this.starting = null;
      }
    });
  }

  /** Lets the target run until it stops (a breakpoint, a fault, an interrupt(), its exit); options.runTimeoutMs by default. */
  continue(timeoutMs = this.runTimeoutMs): Promise<StopReason> {
    return this.resume('c', timeoutMs);
  }

  /** Executes one instruction. */
  step(timeoutMs = this.runTimeoutMs): Promise<StopReason> {
    return this.resume('s', timeoutMs);
  }

  /**
   * Stops a running target (the byte 0x03) and resolves with its stop; on a stopped target, returns
   * why it stopped (`?`). A target that does not stop within timeoutMs ends the connection.
   */
  async interrupt(timeoutMs = this.timeoutMs): Promise<StopReason> {
    if (this.running === null && this.starting !== null) await this.starting;
    const running = this.running;
    if (running === null) {
      return this.exclusive(async () => {
        const reply = await this.ask('?', "the halt reason query ('?')");
        const stop = parseStop(reply);
        if (stop === null) throw this.conn.fail(`answered '?' with ${shown(reply)}, not a stop reply`);
        return stop;
      });
    }
    this.conn.interrupt();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.conn.fail(`did not stop the target within ${timeoutMs} ms of the interrupt (0x03)`)), timeoutMs);
    });
    try {
      return await Promise.race([running, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the debug session, leaving the target running (`D`), and closes the connection. */
  async detach(): Promise<void> {
    try {
      await this.exclusive(() => this.askOk('D', 'detach (D)'));
    } finally {
      this.conn.close();
    }
  }

  /** Asks the server to kill the target (`k`; a reply, if any, is ignored) and closes the connection. */
  async kill(): Promise<void> {
    try {
      await this.exclusive(() => this.conn.sendExpectingLater('k', this.timeoutMs)); // some servers answer (QEMU: W00), most close
    } finally {
      this.conn.close();
    }
  }

  /** Closes the connection (the target stays as it is). */
  async close(): Promise<void> {
    this.conn.close();
  }

  /** For messages: a stop as text. */
  static describe(stop: StopReason): string {
    return describeStop(stop);
  }
}
