/**
 * One debug session with the host-driven firmware (templates/project/firmware/host_main.c.hbs) behind a
 * GDB server: load it (or not), start it, and run cases through its mailbox.
 *
 * The firmware waits in host_wait(), where a breakpoint holds it. Per case the host writes the inputs
 * and `command` = 1 and continues; the firmware runs the model and comes back to host_wait(), and the
 * host reads `status`, the counter ticks and the outputs. Profiled builds also stop in
 * timing_layer_done(index) after each layer when the host sets their stop flag: the host reads that
 * layer's tensors there, before a later layer reuses their arena space. Breakpoints also sit on every
 * fault handler of the vector table and on board_exit, so a crash is reported where it happened (the
 * exception, the faulting instruction from the stacked frame, the function, the fault status registers)
 * instead of being waited out. A case that does not finish within the run time limit is interrupted and
 * reported with the place it was running.
 */

import { UtvmError } from '../../diagnostics.js';
import { type BreakpointKind, GdbClient, type StopReason, describeStop } from './client.js';
import type { ElfImage } from './elf.js';
import { flashRegion, readMemoryMap, writeFlash } from './flash.js';
import type { MemoryRegion } from './replies.js';

/** The mailbox's words (host_main.c.hbs `host_mailbox`, version 1). */
const MB = {
  magic: 0,
  version: 4,
  buildId: 8,
  command: 12,
  status: 16,
  completed: 20,
  ticks: 24,
  cycleScale: 28,
  unit: 32,
  numInputs: 36,
  numOutputs: 40,
  numLayers: 44,
  io: 48,
  layerTicks: 52,
  layerStop: 56,
  profiled: 60,
  bytes: 64,
} as const;
const MAILBOX_MAGIC = 0x4d565455;
const MAILBOX_VERSION = 1;
const COMMAND_RUN = 1;
const STATUS_OK = 1;
const STATUS_MODEL_FAILED = 2;

/** System control block registers read after a fault (ARMv7-M ARM B3.2). */
const SCB = { CFSR: 0xe000ed28, HFSR: 0xe000ed2c, MMFAR: 0xe000ed34, BFAR: 0xe000ed38 };
const EXCEPTIONS: Record<number, string> = { 2: 'NMI', 3: 'HardFault', 4: 'MemManage fault', 5: 'BusFault', 6: 'UsageFault', 11: 'SVCall', 12: 'DebugMonitor', 14: 'PendSV', 15: 'SysTick' };
/** CFSR bits (MMFSR, BFSR, UFSR) and what each means, for the one-line fault message. */
const CFSR_BITS: [number, string][] = [
  [0, 'instruction access violation'],
  [1, 'data access violation'],
  [3, 'MPU fault on exception return'],
  [4, 'MPU fault on exception entry'],
  [8, 'instruction bus error'],
  [9, 'precise data bus error'],
  [10, 'imprecise data bus error'],
  [11, 'bus fault on exception return'],
  [12, 'bus fault on exception entry'],
  [16, 'undefined instruction'],
  [17, 'invalid state (Thumb bit clear)'],
  [18, 'invalid exception return'],
  [19, 'no coprocessor (FPU off?)'],
  [24, 'unaligned access'],
  [25, 'division by zero'],
];

export interface SessionOptions {
  host: string;
  port: number;
  /** Write the ELF's segments into the target (flash through vFlash* where the server maps flash). */
  load: boolean;
  /** After loading: start at the reset vector by writing sp, pc and xPSR (true: an emulator we started) or by `monitor reset halt` first (a probe). */
  startByRegisters: boolean;
  /** Time limit of each debug command, ms. */
  timeoutMs: number;
  /** Time limit of one case on the target, ms. */
  runTimeoutMs: number;
  /** The build id the firmware must carry (src/emit/project.ts modelBuildId). */
  buildId: number;
  /** Tests only: runs once the firmware is loaded and stopped at host_wait (to break it on purpose). */
  afterStart?: (gdb: GdbClient, elf: ElfImage) => Promise<void>;
}

export interface CaseResult {
  outputs: Buffer[];
  /** Counter ticks of the run (× cycleScale = units). */
  ticks: number;
  /** Per layer, profiled builds only. */
  layerTicks?: number[];
}

function hex8(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function symbolAddress(elf: ElfImage, name: string): number {
  const s = elf.symbols.get(name);
  if (!s) throw new UtvmError('E_BUILD', `the firmware has no symbol '${name}': it is not a host-driven build (export --host-driven)`);
  return s.address;
}

/** The ELF's bytes at [address, address + length), from its load segments (the vector table). */
function imageBytes(elf: ElfImage, address: number, length: number): Buffer | undefined {
  for (const s of elf.segments) {
    if (address >= s.address && address + length <= s.address + s.data.length) return Buffer.from(s.data.subarray(address - s.address, address - s.address + length));
  }
  return undefined;
}

let crcTable: Uint32Array | undefined;

/** GDB's CRC-32 of `qCRC` (libiberty's xcrc32: polynomial 0x04C11DB7, most significant bit first, initial 0xFFFFFFFF, no final xor). */
export function gdbCrc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i << 24;
      for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
      crcTable[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of data) crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  return crc >>> 0;
}

export class FirmwareSession {
  readonly gdb: GdbClient;
  readonly elf: ElfImage;
  private readonly options: SessionOptions;
  private readonly wait: number;
  /** timing_layer_done, in profiled builds (the linker drops it from others). */
  private readonly layerDone: number | undefined;
  private readonly exitAt: number;
  /** The first 16 words of the ELF's vector table: initial sp, reset handler, the fault handlers. */
  private readonly vectors: Buffer;
  private readonly faultHandlers = new Set<number>();
  private mailbox = 0;
  private io: number[] = [];
  private layerStopAt = 0;
  private layerTicksAt = 0;
  private layers = 0;
  numInputs = 0;
  numOutputs = 0;
  /** From the mailbox: one tick = cycleScale units of `unit`. */
  cycleScale = 1;
  unit: 'instructions' | 'cycles' = 'cycles';
  profiled = false;
  private breakpointKind: BreakpointKind = 'hardware';
  /** Addresses holding our breakpoints, and the one the core stopped on last (stepped over before resuming). */
  private readonly breakpoints = new Set<number>();
  private stoppedOn: number | undefined;

  private constructor(gdb: GdbClient, elf: ElfImage, options: SessionOptions) {
    this.gdb = gdb;
    this.elf = elf;
    this.options = options;
    this.wait = symbolAddress(elf, 'host_wait');
    this.layerDone = elf.symbols.get('timing_layer_done')?.address;
    this.exitAt = symbolAddress(elf, 'board_exit');
    this.mailbox = symbolAddress(elf, 'utvm_host_mailbox');
    const vectors = imageBytes(elf, symbolAddress(elf, 'vector_table'), 16 * 4);
    if (!vectors) throw new UtvmError('E_BUILD', "the firmware's vector table is not in its load image");
    this.vectors = vectors;
  }

  /** Connects, loads and starts the firmware, and waits until it is ready in host_wait(). */
  static async open(elf: ElfImage, options: SessionOptions): Promise<FirmwareSession> {
    const gdb = await GdbClient.connect(options.host, options.port, { timeoutMs: options.timeoutMs, runTimeoutMs: options.runTimeoutMs + options.timeoutMs });
    try {
      const session = new FirmwareSession(gdb, elf, options);
      await session.start();
      return session;
    } catch (e) {
      await gdb.close();
      throw e;
    }
  }

  private async start(): Promise<void> {
    const { gdb, elf, options } = this;
    await gdb.interrupt(); // a probe may find the core running: stop it (a halted one says why it stopped)
    if (options.load) await this.load();
    else await this.verifyImage();
    if (options.load || !options.startByRegisters) await this.reset();
    for (let i = 2; i < 16; i++) {
      const handler = this.vectors.readUInt32LE(i * 4) & ~1;
      if (handler !== 0) this.faultHandlers.add(handler);
    }
    await this.breakAt(this.wait);
    if (this.layerDone !== undefined) await this.breakAt(this.layerDone);
    await this.breakAt(this.exitAt);
    for (const h of this.faultHandlers) await this.breakAt(h);
    await this.resumeUntilWait('starting the firmware');
    await this.readMailbox();
    if (options.afterStart) await options.afterStart(gdb, elf);
  }

  /** Writes every load segment: into flash through the server's flash commands where its memory map says flash, else as memory. */
  private async load(): Promise<void> {
    let regions: MemoryRegion[] = [];
    if (this.gdb.supports('qXfer:memory-map:read')) regions = await readMemoryMap(this.gdb);
    for (const s of this.elf.segments) {
      if (flashRegion(regions, s.address, s.data.length)) await writeFlash(this.gdb, s.address, s.data, Math.max(30000, this.options.timeoutMs));
      else await this.gdb.writeMemory(s.address, s.data);
    }
  }

  /**
   * `--no-load`: the target's memory must hold this ELF's load image, or our breakpoints would sit in
   * another program. Each segment is compared through the server's CRC (`qCRC`, GDB's compare-sections)
   * where it offers one, else read back.
   */
  private async verifyImage(): Promise<void> {
    for (const s of this.elf.segments) {
      let same: boolean;
      const crc = await this.gdb.command(`qCRC:${s.address.toString(16)},${s.data.length.toString(16)}`, 'memory checksums (qCRC)').catch(() => '');
      if (/^C[0-9a-fA-F]{1,8}$/.test(crc)) same = parseInt(crc.slice(1), 16) === gdbCrc32(s.data);
      else same = Buffer.from(s.data).equals(await this.gdb.readMemory(s.address, s.data.length));
      if (!same) {
        throw new UtvmError('E_TARGET', `the firmware on the target is not this build of the model (its memory at ${hex8(s.address)}, ${s.data.length} bytes, differs from the ELF): load it (drop --no-load) or flash it again`);
      }
    }
  }

  /**
   * Puts the core at the reset vector: `monitor reset halt` on a probe (OpenOCD, pyOCD; the core and its
   * peripherals reset), else (an emulator we started, or a server without that command) the initial sp and
   * pc of the vector table with xPSR's Thumb bit, as a reset would set them.
   */
  private async reset(): Promise<void> {
    const entry = this.vectors.readUInt32LE(4) & ~1;
    if (!this.options.startByRegisters) {
      // a probe's reset: the core then stands at the reset handler (checked: a server may answer a monitor command it does not have)
      await this.gdb.monitor('reset halt').catch((e: unknown) => {
        if (!(e instanceof UtvmError) || this.gdb.error) throw e; // refused or unknown: start by registers; a dead link: fail
      });
      if ((await this.gdb.readRegister('pc')) === entry) return;
    }
    await this.gdb.writeRegister('sp', this.vectors.readUInt32LE(0));
    await this.gdb.writeRegister('pc', entry);
    await this.gdb.writeRegister('xpsr', 0x01000000);
  }

  private async breakAt(address: number): Promise<void> {
    if (this.breakpoints.has(address)) return;
    this.breakpoints.add(address);
    try {
      await this.gdb.setBreakpoint(this.breakpointKind, address);
    } catch (e) {
      if (this.breakpointKind === 'software' || !(e instanceof UtvmError) || !/does not support|refused/.test(e.message)) throw e;
      this.breakpointKind = 'software';
      await this.gdb.setBreakpoint('software', address);
    }
  }

  /** Where an address is, for messages: `0x00001234 (kws_run+0x10)`. */
  private place(pc: number): string {
    const f = this.elf.functionAt(pc);
    return f ? `${hex8(pc)} (${f})` : hex8(pc);
  }

  /**
   * Continues until the firmware stops; interrupts it after the run time limit. A core resting on one of
   * our breakpoints first steps off it with the breakpoint removed, as GDB does (a server may stop again
   * at once on the breakpoint it is standing on).
   */
  private async resume(doing: string): Promise<StopReason> {
    if (this.stoppedOn !== undefined) {
      const at = this.stoppedOn;
      this.stoppedOn = undefined;
      await this.gdb.removeBreakpoint(this.breakpointKind, at);
      const stepped = await this.gdb.step(this.options.timeoutMs);
      await this.gdb.setBreakpoint(this.breakpointKind, at);
      if (stepped.kind !== 'signal') return stepped;
      if (stepped.pc !== undefined && this.breakpoints.has(stepped.pc)) {
        this.stoppedOn = stepped.pc;
        return stepped;
      }
    }
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const running = this.gdb.continue();
    timer = setTimeout(() => {
      late = true;
      this.gdb.interrupt().catch(() => undefined);
    }, this.options.runTimeoutMs);
    try {
      const stop = await running;
      if (stop.kind === 'signal' && stop.pc !== undefined && this.breakpoints.has(stop.pc)) this.stoppedOn = stop.pc;
      if (late) {
        const where = stop.kind === 'signal' && stop.pc !== undefined ? `; it was at ${this.place(stop.pc)}` : '';
        throw new UtvmError('E_TARGET', `the firmware did not finish ${doing} within ${this.options.runTimeoutMs / 1000} s${where}`);
      }
      return stop;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The one-line description of a stop in a fault handler: exception, faulting instruction, status registers. */
  private async faultMessage(doing: string): Promise<string> {
    const xpsr = (await this.gdb.readRegisters()).xpsr;
    const exception = xpsr & 0x1ff;
    const name = EXCEPTIONS[exception] ?? (exception >= 16 ? `interrupt ${exception - 16}` : `exception ${exception}`);
    const sp = await this.gdb.readRegister('sp');
    const frame = await this.gdb.readMemory(sp, 32);
    const stackedPc = frame.readUInt32LE(24);
    const regs = await this.gdb.readMemory(SCB.CFSR, 20);
    const [cfsr, hfsr] = [regs.readUInt32LE(0), regs.readUInt32LE(4)];
    const [mmfar, bfar] = [regs.readUInt32LE(12), regs.readUInt32LE(16)];
    const causes = CFSR_BITS.filter(([bit]) => cfsr & (1 << bit)).map(([, text]) => text);
    if (cfsr & (1 << 7)) causes.push(`at address ${hex8(mmfar)}`);
    else if (cfsr & (1 << 15)) causes.push(`at address ${hex8(bfar)}`);
    if (hfsr & 2) causes.push('vector table read failed');
    const escalated = exception === 3 && hfsr & (1 << 30) ? ' (escalated)' : '';
    const why = causes.length > 0 ? `: ${causes.join(', ')}` : '';
    return `the firmware crashed ${doing}: ${name}${escalated}${why} at ${this.place(stackedPc)} (CFSR ${hex8(cfsr)}, HFSR ${hex8(hfsr)})`;
  }

  /** Continues until host_wait(); a layer stop calls onLayer (or is passed); anything else fails with why. */
  private async resumeUntilWait(doing: string, onLayer?: (index: number) => Promise<void>): Promise<void> {
    for (;;) {
      const stop = await this.resume(doing);
      if (stop.kind !== 'signal') throw new UtvmError('E_TARGET', `the target ended ${doing}: ${describeStop(stop)}`);
      const pc = stop.pc ?? (await this.gdb.readRegister('pc'));
      if (pc === this.wait) return;
      if (this.layerDone !== undefined && pc === this.layerDone) {
        if (onLayer) await onLayer(await this.gdb.readRegister('r0'));
        continue;
      }
      if (this.faultHandlers.has(pc)) throw new UtvmError('E_TARGET', await this.faultMessage(doing));
      if (pc === this.exitAt) throw new UtvmError('E_TARGET', `the firmware gave up ${doing} (it called board_exit from ${this.place(await this.gdb.readRegister('lr'))})`);
      throw new UtvmError('E_TARGET', `the firmware stopped unexpectedly ${doing}: ${describeStop(stop)}${pc !== undefined ? ` in ${this.place(pc)}` : ''}`);
    }
  }

  private async readMailbox(): Promise<void> {
    const m = await this.gdb.readMemory(this.mailbox, MB.bytes);
    const word = (o: number) => m.readUInt32LE(o);
    if (word(MB.magic) !== MAILBOX_MAGIC) throw new UtvmError('E_TARGET', `the firmware on the target has no ready mailbox at ${hex8(this.mailbox)}: it is not this model's host-driven build (load it, or flash build/<name>.elf of export --host-driven)`);
    if (word(MB.version) !== MAILBOX_VERSION) throw new UtvmError('E_TARGET', `the firmware's mailbox is version ${word(MB.version)}; this utvm-aot reads version ${MAILBOX_VERSION}`);
    if (word(MB.buildId) !== this.options.buildId) {
      throw new UtvmError('E_TARGET', `the firmware on the target is another build (id ${hex8(word(MB.buildId))}, this model's is ${hex8(this.options.buildId)}): load this one (drop --no-load) or flash it again`);
    }
    if (word(MB.status) === STATUS_MODEL_FAILED) throw new UtvmError('E_TARGET', 'the model failed to initialise on the target');
    const inputs = word(MB.numInputs);
    const outputs = word(MB.numOutputs);
    if (inputs > 256 || outputs > 256) throw new UtvmError('E_TARGET', `the firmware's mailbox is corrupt (${inputs} inputs, ${outputs} outputs)`);
    const io = await this.gdb.readMemory(word(MB.io), 8 * (inputs + outputs));
    this.io = Array.from({ length: 2 * (inputs + outputs) }, (_, i) => io.readUInt32LE(4 * i));
    [this.numInputs, this.numOutputs] = [inputs, outputs];
    this.cycleScale = word(MB.cycleScale) || 1;
    this.unit = word(MB.unit) === 0 ? 'instructions' : 'cycles';
    this.layers = word(MB.numLayers);
    this.layerTicksAt = word(MB.layerTicks);
    this.layerStopAt = word(MB.layerStop);
    this.profiled = word(MB.profiled) === 1;
  }

  /** Address and bytes of input i (output i when `output`), as the firmware reported them. */
  tensorAt(i: number, output = false): { address: number; bytes: number } {
    const k = output ? this.numInputs + i : i;
    return { address: this.io[2 * k], bytes: this.io[2 * k + 1] };
  }

  /** Asks a profiled build to stop after each layer (or not). */
  async stopAfterLayers(on: boolean): Promise<void> {
    if (!this.profiled) throw new Error('internal: per-layer stops need a profiled (-DUTVM_PROFILE=1) build');
    const flag = Buffer.alloc(4);
    flag.writeUInt32LE(on ? 1 : 0);
    await this.gdb.writeMemory(this.layerStopAt, flag);
  }

  /** Runs one case: writes its inputs, runs the model, reads the outputs and the cost. */
  async run(inputs: Uint8Array[], what: string, onLayer?: (index: number) => Promise<void>): Promise<CaseResult> {
    inputs.forEach((data, i) => {
      if (data.length !== this.tensorAt(i).bytes) throw new Error(`internal: input ${i} has ${data.length} bytes, the firmware's ${this.tensorAt(i).bytes}`);
    });
    for (let i = 0; i < inputs.length; i++) await this.gdb.writeMemory(this.tensorAt(i).address, inputs[i]);
    const command = Buffer.alloc(4);
    command.writeUInt32LE(COMMAND_RUN);
    await this.gdb.writeMemory(this.mailbox + MB.command, command);
    await this.resumeUntilWait(`running ${what}`, onLayer);
    const m = await this.gdb.readMemory(this.mailbox + MB.status, 12);
    const status = m.readUInt32LE(0);
    if (status !== STATUS_OK) throw new UtvmError('E_TARGET', `the model failed on the target running ${what} (status ${status})`);
    const outputs: Buffer[] = [];
    for (let i = 0; i < this.numOutputs; i++) {
      const t = this.tensorAt(i, true);
      outputs.push(await this.gdb.readMemory(t.address, t.bytes));
    }
    const result: CaseResult = { outputs, ticks: m.readUInt32LE(8) };
    if (this.profiled && this.layers > 0) {
      const t = await this.gdb.readMemory(this.layerTicksAt, 4 * this.layers);
      result.layerTicks = Array.from({ length: this.layers }, (_, i) => t.readUInt32LE(4 * i));
    }
    return result;
  }

  /** Ends the session: kills an emulator we started, else detaches (the board keeps running). */
  async close(kill: boolean): Promise<void> {
    try {
      if (kill) await this.gdb.kill();
      else await this.gdb.detach();
    } catch {
      await this.gdb.close();
    }
  }
}
