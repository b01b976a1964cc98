/**
 * The command line's tuning parts (issue 17, src/tune/): `utvm-aot tune` (measure, appending the log as
 * it goes; Ctrl-C keeps the log and removes the batches in flight) and `--tuning-log` / `--flash-budget`
 * as compile options for export, inspect, run and bench. Like src/cli.ts, it touches process and disk.
 */

import { fail } from './diagnostics.js';
import type { CompileOptions } from './compile.js';
import { choice, single, wholeNumber } from './cli-args.js';
import { shellArg } from './emit/escape.js';
import { appendTuningRecord, createTuningLog, readTuningLog, resumeTuningLog } from './io/tuning-file.js';
import { progressOn } from './progress.js';
import { QEMU_BOARD, qemuTimeoutSeconds } from './run/qemu.js';
import { formatTune, tune } from './tune/index.js';
import { stopMeasuring } from './tune/measure.js';

/** What the tuning parts read of a command's arguments and the model. */
interface TuningArgs {
  model: string;
  tuningLog?: string;
  flashBudget?: string;
}

/** The model as src/cli.ts reads it (bytes, checked name and rounding). */
type ReadModel = (args: { model: string; name?: string; rounding?: string }) => { bytes: Uint8Array; name: string };

export const TUNING_LOG_OPTIONS = {
  'tuning-log': { type: 'string', describe: "a log of 'utvm-aot tune': each layer takes the best config measured for its workload (others keep the defaults)" },
  'flash-budget': { type: 'string', describe: 'with --tuning-log: bytes of flash the tuned configs may add; the ones saving the fewest instructions per byte go first' },
} as const;

export const TUNE_OPTIONS = {
  board: { type: 'string', describe: `where candidates are measured: ${QEMU_BOARD} (the emulated Cortex-M7; the default and, for now, the only one)` },
  budget: { type: 'string', describe: 'configs measured per workload at most (default 16): exhaustive when the space is no larger, else a seeded search' },
  time: { type: 'string', describe: 'seconds: start no new measurement after this long (instead of --budget; then up to 64 configs per workload)' },
  jobs: { type: 'string', describe: 'builds / emulator runs at a time (default 2)' },
  seed: { type: 'string', describe: 'seed of the search: a whole number 0 to 4294967295 (default 0)' },
  output: { alias: 'o', type: 'string', describe: 'the tuning log to write (JSON lines; default <name>.tuning.jsonl)' },
  resume: { type: 'boolean', describe: 'continue the log: measure only the (workload, config) pairs it does not hold' },
} as const;

/** --tuning-log and --flash-budget as compile options (src/tune/apply.ts). */
export function tuningOptions(args: TuningArgs): Partial<CompileOptions> {
  if (args.tuningLog === undefined) {
    if (args.flashBudget !== undefined) fail('E_USAGE', '--flash-budget limits the flash of tuned configs: give --tuning-log too');
    return {};
  }
  const tuning = readTuningLog(single('--tuning-log', args.tuningLog));
  const flashBudget = args.flashBudget === undefined ? undefined : wholeNumber('--flash-budget', args.flashBudget, 0, 1 << 30);
  return { tuning, ...(flashBudget !== undefined ? { flashBudget } : {}) };
}

interface TuneArgs extends TuningArgs {
  name?: string;
  rounding?: string;
  board?: string;
  budget?: string;
  time?: string;
  jobs?: string;
  seed?: string;
  output?: string;
  resume?: boolean;
}

/** Configs per workload at most under --time (the clock, not this, is meant to end the run). */
const TIME_BUDGET = 64;

/** tune: measure, appending to the log as it goes (src/tune/index.ts). */
export async function cmdTune(args: TuneArgs, readModel: ReadModel): Promise<void> {
  const board = choice('--board', args.board ?? QEMU_BOARD, [QEMU_BOARD]);
  if (args.budget !== undefined && args.time !== undefined) fail('E_USAGE', 'give either --budget or --time');
  const budget = args.budget === undefined ? 16 : wholeNumber('--budget', args.budget, 1, 100000);
  const timeS = args.time === undefined ? undefined : wholeNumber('--time', args.time, 1, 7 * 24 * 3600);
  const jobs = args.jobs === undefined ? 2 : wholeNumber('--jobs', args.jobs, 1, 64);
  const seed = wholeNumber('--seed', args.seed ?? '0', 0, 0xffffffff);
  if (args.tuningLog !== undefined || args.flashBudget !== undefined) fail('E_USAGE', "tune writes a log (-o); --tuning-log and --flash-budget are for export, bench, run and inspect");
  qemuTimeoutSeconds();
  const m = readModel(args);
  const out = args.output === undefined ? `${m.name}.tuning.jsonl` : single('--output', args.output);
  const previous = args.resume ? resumeTuningLog(out) : (createTuningLog(out, false), []);
  const onSignal = (signal: NodeJS.Signals) => {
    stopMeasuring();
    console.error(`\nutvm-aot: interrupted (${signal}): ${out} keeps every record measured so far; continue with --resume`);
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let report;
  try {
    report = await tune(m.bytes, args.model, m.name, {
      budget: timeS === undefined ? budget : TIME_BUDGET,
      timeS,
      jobs,
      seed,
      previous,
      append: (r) => appendTuningRecord(out, r),
      progress: progressOn(),
    });
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  console.log(formatTune({ ...report, board }, out));
  console.log(`  apply it: utvm-aot export ${shellArg(args.model)} --tuning-log ${shellArg(out)} (or bench, run, inspect)`);
}

