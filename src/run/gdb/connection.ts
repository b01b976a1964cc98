/**
 * One TCP connection to a GDB server, speaking the Remote Serial Protocol's transport: packets with
 * checksums, `+`/`-` acknowledgements (a packet answered with `-` is sent again, a received packet with
 * a bad checksum is answered with `-`), no-acknowledgement mode, and the interrupt byte 0x03.
 *
 * Every wait has a time limit. Whatever goes wrong — a refused connection, a server that closes the
 * socket, stops answering or sends bytes that are not packets — ends the connection with one UtvmError
 * (E_TARGET) naming what happened and what the client was waiting for; every pending and later call
 * rejects with that error, so nothing hangs. A timeout also ends the connection: a reply that comes late
 * would otherwise be taken for the answer to the next command.
 */

import { Socket, createServer, connect as netConnect } from 'node:net';
import { UtvmError } from '../../diagnostics.js';
import { checksum, frame, shown, unescape } from './packet.js';

/** How many times a packet answered with '-' is sent again, and how many bad received packets in a row are asked for again. */
const RETRIES = 3;
/** Longest packet accepted from the server (its raw bytes between '$' and '#'). */
const MAX_PACKET = 1 << 20;

type ParseState = 'idle' | 'data' | 'cs1' | 'cs2';

export class GdbConnection {
  readonly where: string;
  /** Whether packets are acknowledged ('+'/'-'); false after QStartNoAckMode. */
  ackMode = true;
  private readonly socket: Socket;
  private failure: UtvmError | null = null;
  private closing = false;
  private state: ParseState = 'idle';
  private raw: number[] = [];
  private cs = '';
  private badInARow = 0;
  private readonly packets: Buffer[] = [];
  private readonly acks: string[] = [];
  private readonly wakers = new Set<() => void>();
  /** Replies expected: a packet arriving while this is 0 is one nobody asked for. */
  private expecting = 0;
  /** What the client is waiting for, for messages. */
  private doing = 'idle';

  private constructor(socket: Socket, where: string) {
    this.socket = socket;
    this.where = where;
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => this.fail(`failed (${e.code ?? e.message})`));
    socket.on('close', () => this.fail('closed the connection'));
  }

  /** Connects to host:port within timeoutMs, or fails with one line saying why. */
  static open(host: string, port: number, timeoutMs: number): Promise<GdbConnection> {
    const where = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new UtvmError('E_TARGET', `the GDB server at ${where} did not accept the connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        const why =
          e.code === 'ECONNREFUSED' ? 'connection refused: is the GDB server running, on that port?' : e.code === 'ENOTFOUND' ? 'unknown host' : (e.code ?? e.message);
        reject(new UtvmError('E_TARGET', `cannot connect to the GDB server at ${where}: ${why}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        resolve(new GdbConnection(socket, where));
      });
    });
  }

  /** The error that ended the connection, if one did. */
  get error(): UtvmError | null {
    return this.failure;
  }

  /** Ends the connection for good with `reason` (the first reason wins) and wakes every waiter. */
  fail(reason: string): UtvmError {
    if (!this.failure) {
      const during = this.doing === 'idle' ? '' : ` while the client waited for ${this.doing}`;
      const text = this.closing ? `the connection to the GDB server at ${this.where} is closed` : `the GDB server at ${this.where} ${reason}${during}`;
      this.failure = new UtvmError('E_TARGET', text);
      this.socket.destroy();
      for (const wake of this.wakers) wake();
    }
    return this.failure;
  }

  /** Closes the socket; later calls fail with "the connection ... is closed". */
  close(): void {
    if (!this.failure) {
      this.closing = true;
      this.fail('closed');
    }
  }

  private feed(chunk: Buffer): void {
    for (const b of chunk) {
      if (this.failure) return;
      this.byte(b);
    }
    for (const wake of this.wakers) wake();
  }

  private byte(b: number): void {
    switch (this.state) {
      case 'idle':
        if (b === 0x24) {
          this.state = 'data';
          this.raw = [];
        } else if (b === 0x2b || b === 0x2d) {
          if (this.ackMode) this.acks.push(String.fromCharCode(b));
        } else this.fail(`sent bytes that are not a packet (0x${b.toString(16).padStart(2, '0')})`);
        return;
      case 'data':
        if (b === 0x23) this.state = 'cs1';
        else if (b === 0x24) this.fail("sent a '$' inside a packet (garbled data)");
        else if (this.raw.length >= MAX_PACKET) this.fail(`sent a packet longer than ${MAX_PACKET} bytes`);
        else this.raw.push(b);
        return;
      case 'cs1':
        this.cs = String.fromCharCode(b);
        this.state = 'cs2';
        return;
      case 'cs2':
        this.cs += String.fromCharCode(b);
        this.state = 'idle';
        this.packet();
    }
  }

  private packet(): void {
    const raw = Uint8Array.from(this.raw);
    if (!/^[0-9a-fA-F]{2}$/.test(this.cs)) return void this.fail(`sent a packet whose checksum is not two hex digits (${shown(this.cs)})`);
    if (parseInt(this.cs, 16) !== checksum(raw)) {
      if (!this.ackMode) return void this.fail('sent a packet with a bad checksum (in no-acknowledgement mode it cannot be asked for again)');
      if (++this.badInARow > RETRIES) return void this.fail(`sent ${this.badInARow} packets with bad checksums in a row`);
      this.socket.write('-');
      return;
    }
    this.badInARow = 0;
    if (this.ackMode) this.socket.write('+');
    const data = unescape(raw);
    if (typeof data === 'string') return void this.fail(`sent a malformed packet: ${data}`);
    if (this.expecting === 0) return void this.fail(`sent a packet nobody asked for (${shown(data)})`);
    this.packets.push(data);
  }

  /** Waits until `take` returns a value, the connection fails, or timeoutMs pass (which ends the connection). */
  private async until<T>(take: () => T | undefined, timeoutMs: number): Promise<T> {
    for (;;) {
      if (this.failure) throw this.failure;
      const got = take();
      if (got !== undefined) return got;
      let timer: NodeJS.Timeout | undefined;
      let wake: (() => void) | undefined;
      const timedOut = await new Promise<boolean>((resolve) => {
        wake = () => resolve(false);
        this.wakers.add(wake);
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      clearTimeout(timer);
      this.wakers.delete(wake!);
      if (timedOut && !this.failure) {
        const late = take();
        if (late !== undefined) return late;
        throw this.fail(`did not answer within ${timeoutMs} ms`);
      }
    }
  }

  /** Sends one packet; in acknowledgement mode waits for '+' and sends it again on '-'. */
  async send(payload: string | Uint8Array, timeoutMs: number): Promise<void> {
    if (this.failure) throw this.failure;
    const bytes = frame(payload);
    this.doing = `the acknowledgement of ${shown(payload)}`;
    for (let attempt = 0; ; attempt++) {
      this.socket.write(bytes);
      if (!this.ackMode) break;
      const ack = await this.until(() => this.acks.shift(), timeoutMs);
      if (ack === '+') break;
      if (attempt >= RETRIES) throw this.fail(`refused ${shown(payload)} ${attempt + 1} times (answered '-': bad checksum)`);
    }
  }

  /** Sends a packet and returns the next packet the server sends (its reply). */
  async request(payload: string | Uint8Array, timeoutMs: number): Promise<Buffer> {
    this.expecting++;
    try {
      await this.send(payload, timeoutMs);
      this.doing = `the reply to ${shown(payload)}`;
      const reply = await this.until(() => this.packets.shift(), timeoutMs);
      this.doing = 'idle';
      return reply;
    } finally {
      this.expecting--;
    }
  }

  /** Sends a packet and waits for nothing but its acknowledgement (for 'c', 's': the reply comes with the stop). */
  async sendExpectingLater(payload: string, timeoutMs: number): Promise<void> {
    this.expecting++;
    try {
      await this.send(payload, timeoutMs);
    } catch (e) {
      this.expecting--;
      throw e;
    }
  }

  /** The next packet after sendExpectingLater (console output or the stop reply); `what` names it for messages. */
  async nextPacket(what: string, timeoutMs: number): Promise<Buffer> {
    this.doing = what;
    return this.until(() => this.packets.shift(), timeoutMs);
  }

  /** Ends a reply begun with sendExpectingLater. */
  replied(): void {
    this.expecting--;
    this.doing = 'idle';
  }

  /** Writes the interrupt byte 0x03 (outside any packet, not acknowledged). */
  interrupt(): void {
    if (this.failure) throw this.failure;
    this.socket.write(Buffer.from([0x03]));
  }
}

/** A local TCP port nobody listens on now (one the system just gave out and took back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
