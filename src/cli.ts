#!/usr/bin/env node
/**
 * The utvm-aot command line (yargs): the only place that touches process state and the disk.
 *
 *   export <model>   write a C project (all or nothing; never deletes what it did not write)
 *   inspect <model>  operators, shapes, memory plan, arena and weight bytes
 *   run <model>      compile, build and run on a target (host or qemu), or run the reference interpreter, with input files
 *   bench <model>    instructions per inference, MACs, arena and flash bytes on the emulated Cortex-M7
 *   validate <model> compare the compiled model with a reference, per output and per layer (src/validate/)
 *   ops              the supported operators, from the registry (src/supported.ts)
 *   tune <model>     measure schedule candidates per workload on the emulator, appending a tuning log (src/tune/)
 *
 * Models are ONNX or TensorFlow Lite files (told apart by their content: src/import/format.ts).
 * Results go to stdout; errors, warnings and progress (src/progress.ts) to stderr. Exit codes: 0 ok;
 * 1 the model or the inputs are at fault; 2 usage; 3 internal error (a bug); 4 the environment (disk
 * full, permissions, a file where a folder should be, a missing tool); 130/143 interrupted.
 */

import { readFileSync } from 'node:fs';
import yargs, { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CompileOptions, compile, defaultModelName, importGraph } from './compile.js';
import { UtvmError, fail } from './diagnostics.js';
import { boardNames, firmwareBoardNames, loadBoard } from './emit/boards.js';
import { DirCase, listDirCases, readModelFile, readTensorFile, writeTensorFile } from './io/files.js';
import { ExportInterrupted, writeProject } from './io/export-folder.js';
import { environmentError } from './io/io-error.js';
import { detectModelFormat } from './import/format.js';
import { formatInspect, inspectReport } from './inspect.js';
import { bench, benchOnGdb, formatBench } from './bench.js';
import { type GdbTargetSpec, gdbTargetText, parseGdbTarget, runOnGdb } from './run/gdb/target.js';
import { qemuTimeoutSeconds } from './run/qemu.js';
import { RunTarget, Target, runCompiled, runReference, targetBoard } from './run/index.js';
import { shellArg } from './emit/escape.js';
import { EXPORT_FORMATS, ExportFormat, libraryCpuFlags, librarySources, libraryUsage } from './emit/library.js';
import { measureExport } from './run/measure.js';
import { formatValidate, validate, validateJson } from './validate/index.js';
import { dirCases, fileCases, parseFloatRange } from './validate/data.js';
import { Labels, parseLabels } from './validate/labels.js';
import type { ReferenceChoice } from './validate/reference.js';
import type { ProgramTensor } from './emit/program.js';
import type { TensorValue } from './io/tensor-value.js';
import { choice, didYouMean, single, usageMessage, wholeNumber } from './cli-args.js';
import { progressOn } from './progress.js';
import { ROUNDINGS } from './ir/quant.js';
import { OP_FORMATS, formatSupportedOps, supportedOps } from './supported.js';
import { formatTuningSummary } from './tune/apply.js';
import { TUNE_OPTIONS, TUNING_LOG_OPTIONS, cmdTune, tuningOptions } from './cli-tune.js';

const COMMANDS = ['export', 'inspect', 'run', 'bench', 'validate', 'ops', 'tune'] as const;
/** Commands that take no model file. */
const NO_MODEL: readonly string[] = ['ops'];
const TARGETS: readonly Target[] = ['host', 'qemu'];
const RUN_TARGETS: readonly RunTarget[] = [...TARGETS, 'reference'];
const USAGE_HINT = "run 'utvm-aot --help' for usage";

interface CommonArgs {
  model: string;
  name?: string;
  rounding?: string;
  tuningLog?: string;
  flashBudget?: string;
  ramBudget?: string;
}

/** The options of the debug-link target (`--target gdb[:HOST:PORT]`) on run, validate and bench. */
interface GdbArgs {
  target?: string;
  board?: string;
  launch?: string;
  load?: boolean;
}

/**
 * `--target gdb…` with its board and server, or undefined for another target (where --board, --launch and
 * --no-load are usage errors: host and qemu have their own boards).
 */
function gdbTarget(args: GdbArgs): { spec: GdbTargetSpec; board: string } | undefined {
  const at = args.target === undefined ? undefined : parseGdbTarget(args.target);
  if (!at) {
    if (args.launch !== undefined || args.load === false || args.board !== undefined) {
      fail('E_USAGE', `--board, --launch and --no-load go with --target gdb[:HOST:PORT] (the ${args.target ?? 'host'} target has its own board)`);
    }
    return undefined;
  }
  const launch = args.launch === undefined ? undefined : (choice('--launch', args.launch, ['qemu']) as 'qemu');
  if (launch && args.target !== 'gdb') fail('E_USAGE', `--launch qemu starts its own GDB server: give --target gdb, not --target ${args.target}`);
  const firmwareBoards = firmwareBoardNames();
  const board = args.board === undefined ? (launch ? 'qemu-mps2-an500' : undefined) : choice('--board', args.board, boardNames());
  if (board === undefined) fail('E_USAGE', `--target ${args.target} needs --board: the board behind the GDB server (${firmwareBoards.join(', ')})`);
  if (!firmwareBoards.includes(board)) fail('E_USAGE', `--target gdb runs a firmware on a board: '${board}' is not one (${firmwareBoards.join(', ')})`);
  if (launch && !loadBoard(board).emulator) fail('E_USAGE', `--launch qemu needs an emulated board; '${board}' is a real one: start its GDB server (OpenOCD) and give --target gdb:HOST:PORT`);
  return { spec: { ...at, ...(launch ? { launch } : {}), load: args.load !== false }, board };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function warn(text: string): void {
  console.error(`utvm-aot: warning: ${text}`);
}

/** The model's bytes, its format, and the checked --name and --rounding. */
function readModel(args: CommonArgs) {
  const bytes = readModelFile(args.model);
  const format = detectModelFormat(bytes, args.model);
  const rounding = choice('--rounding', args.rounding ?? 'tflite', ROUNDINGS);
  if (rounding === 'onnx' && format === 'tflite') {
    warn(`--rounding onnx on a TensorFlow Lite model: int8 results follow onnxruntime's float requantization and are no longer bit-exact with TFLite Micro`);
  }
  const name = args.name === undefined ? defaultModelName(args.model) : single('--name', args.name);
  const ramBudget = args.ramBudget === undefined ? undefined : ramBudgetOption(args.ramBudget);
  return { bytes, format, rounding, name, ramBudget };
}

/** `--ram-budget BYTES`, or `none`: layer by layer even where the board's memories would take patch stages. */
function ramBudgetOption(value: unknown): number | 'none' {
  return single('--ram-budget', value).trim() === 'none' ? 'none' : wholeNumber('--ram-budget', value, 16, 0x7fffffff);
}

function compileFile(args: CommonArgs, board: string, extra: Partial<CompileOptions> = {}) {
  const m = readModel(args);
  const result = compile(m.bytes, args.model, { name: m.name, board, rounding: m.rounding, ...(m.ramBudget !== undefined ? { ramBudget: m.ramBudget } : {}), ...tuningOptions(args), ...extra });
  if (result.tuning) console.error(`utvm-aot: ${formatTuningSummary(result.tuning)}`);
  if (result.ramBudgetNote) console.error(`utvm-aot: ${result.ramBudgetNote}`);
  return result;
}

function sampleInputs(path: string | undefined, args: CommonArgs): Partial<CompileOptions> {
  if (!path) return {};
  const probe = compileFile({ ...args, rounding: 'tflite', tuningLog: undefined, flashBudget: undefined, ramBudget: undefined }, 'host');
  if (probe.program.inputs.length !== 1) fail('E_USAGE', '--sample-input needs a model with exactly one input');
  return { sampleInputs: [readTensorFile(single('--sample-input', path), probe.program.inputs[0])], sampleOrigin: path };
}

interface ExportArgs extends CommonArgs {
  board?: string;
  output?: string;
  sampleInput?: string;
  format?: string;
  force?: boolean;
  hostDriven?: boolean;
}

async function cmdExport(args: ExportArgs): Promise<void> {
  const board = choice('--board', args.board ?? 'host', boardNames());
  const format = choice('--format', args.format ?? 'project', EXPORT_FORMATS) as ExportFormat;
  const library = format === 'library' || format === 'make';
  if (library && args.board === undefined) {
    console.error(`utvm-aot: note: no --board given: the ${format} uses the portable C kernels; pass --board stm32f746-nucleo (or another Cortex-M7 board) for the Cortex-M7's DSP kernels`);
  }
  if (args.hostDriven && args.sampleInput !== undefined) fail('E_USAGE', '--host-driven firmware takes its inputs from the host over the debug link: no --sample-input');
  const result = compileFile(args, board, { ...sampleInputs(args.sampleInput, args), format, hostDriven: args.hostDriven === true });
  const out = args.output === undefined ? `out/${result.program.name}` : single('--output', args.output);
  const p = result.program;
  let files = result.files;
  if (library) {
    const m = measureExport(files, librarySources(p), libraryCpuFlags(result.board));
    files = m.files;
    if (!m.measured) console.error('utvm-aot: note: arm-none-eabi-gcc is not installed: metadata.json has no code bytes');
  }
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let summary;
  try {
    summary = await writeProject(out, files, { force: args.force, signal: interrupt.signal });
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  const changes = summary.unchanged.length > 0 || summary.removed.length > 0 || summary.kept.length > 0
    ? `; ${summary.written.length} written, ${summary.unchanged.length} unchanged, ${summary.removed.length} removed${summary.kept.length > 0 ? `, ${summary.kept.length} edited kept` : ''}`
    : '';
  console.log(`exported ${args.model} for board '${board}' to ${out}/ (${files.size} files${changes})`);
  console.log(`  arena ${p.arenaBytes} bytes (lower bound ${result.plan.lowerBound}), weights ${p.weightBytes} bytes, ${p.kernels.length} kernels`);
  if (library) libraryUsage(format, out, p.name).forEach((l) => console.log(l));
  else console.log(`  build: make -C ${shellArg(out)}   or   cmake -S ${shellArg(out)} -B ${shellArg(`${out}/cmake-build`)} && cmake --build ${shellArg(`${out}/cmake-build`)}`);
}

function cmdInspect(args: CommonArgs & { json?: boolean; board?: string }): void {
  const result = compileFile(args, choice('--board', args.board ?? 'host', boardNames()), { planOnly: true });
  const g = result.patch?.graph ?? result.graph;
  const report = inspectReport(args.model, g, result.plan, result.program, result.doesNotFit, result.board.placement.weights ?? 'FLASH', result.patch);
  console.log(args.json ? JSON.stringify(report, null, 2) : formatInspect(report, g, result.plan));
}

async function cmdBench(args: CommonArgs & GdbArgs & { json?: boolean }): Promise<void> {
  const gdb = gdbTarget(args);
  if (!gdb && args.target !== undefined) choice('--target', args.target, ['qemu']);
  if (!gdb) qemuTimeoutSeconds();
  const m = readModel(args);
  const options = { ...tuningOptions(args), ...(m.ramBudget !== undefined ? { ramBudget: m.ramBudget } : {}) };
  const report = gdb
    ? await benchOnGdb(m.bytes, args.model, m.name, gdb.board, gdb.spec, m.rounding, progressOn(), options)
    : bench(m.bytes, args.model, m.name, m.rounding, progressOn(), options);
  if (report.tuning) console.error(`utvm-aot: ${formatTuningSummary(report.tuning)}`);
  if (report.ramBudgetNote) console.error(`utvm-aot: ${report.ramBudgetNote}`);
  console.log(args.json ? JSON.stringify(report, null, 2) : formatBench(report));
}

interface RunArgs extends CommonArgs, GdbArgs {
  target?: string;
  input?: string[];
  output?: string[];
  inputDir?: string;
  outputDir?: string;
}

/** The imported graph's inputs and outputs, as `run` reads and writes them for the reference interpreter. */
function referenceModel(args: RunArgs) {
  if (args.rounding !== undefined) fail('E_USAGE', '--rounding chooses the requantization of the compiled C; the reference interpreter follows TensorFlow Lite\'s integer arithmetic');
  if (args.tuningLog !== undefined) fail('E_USAGE', '--tuning-log chooses the kernels of the compiled C; the reference interpreter runs none');
  const m = readModel(args);
  const graph = importGraph(m.bytes, args.model, m.name);
  const io = (names: string[]) => names.map((n) => ({ name: n, dtype: graph.tensor(n).dtype, shape: [...graph.tensor(n).shape] }));
  return { graph, probe: { inputs: io(graph.inputs), outputs: io(graph.outputs) } };
}

async function cmdRun(args: RunArgs): Promise<void> {
  const gdb = gdbTarget(args);
  const target = gdb ? 'gdb' : choice('--target', args.target ?? 'host', RUN_TARGETS);
  if (target === 'qemu') qemuTimeoutSeconds();
  if (args.inputDir !== undefined || args.outputDir !== undefined) {
    if (args.inputDir === undefined || args.outputDir === undefined) fail('E_USAGE', '--input-dir and --output-dir go together');
    if (args.input || args.output) fail('E_USAGE', 'use either --input/--output or --input-dir/--output-dir');
  }
  const progress = progressOn();
  const reference = target === 'reference' ? referenceModel(args) : undefined;
  const result = target === 'reference' ? undefined : gdb ? compileFile(args, gdb.board, { hostDriven: true }) : compileFile(args, targetBoard(target as Target));
  const probe = reference ? reference.probe : result!.program;
  let cases: DirCase[];
  if (args.inputDir !== undefined && args.outputDir !== undefined) {
    const inDir = single('--input-dir', args.inputDir);
    cases = listDirCases(inDir, single('--output-dir', args.outputDir), probe.inputs.length, probe.outputs.length);
    if (cases.length === 0) fail('E_INPUT_FILE', `${inDir}: no input cases found`);
  } else {
    const ins = args.input ?? [];
    const outs = args.output ?? [];
    if (ins.length !== probe.inputs.length) fail('E_USAGE', `the model has ${probe.inputs.length} input(s); ${ins.length} --input file(s) given`);
    if (outs.length !== probe.outputs.length) fail('E_USAGE', `the model has ${probe.outputs.length} output(s); ${outs.length} --output file(s) given`);
    cases = [{ name: 'case', inputs: ins, outputs: outs }];
  }
  const values = cases.map((c) => c.inputs.map((f, i) => readTensorFile(f, probe.inputs[i])));
  let cost = '';
  let results: TensorValue[][];
  if (reference) results = runReference(reference.graph, values, progress);
  else if (gdb) {
    const r = await runOnGdb(result!, values, gdb.spec, {}, progress);
    results = r.outputs;
    cost = `; ${costText(r.cost, r.unit, result!.board.clockHz)}`;
  } else results = runCompiled(result!, values, progress);
  cases.forEach((c, k) => c.outputs.forEach((path, i) => writeTensorFile(path, results[k][i])));
  console.log(`ran ${cases.length} case(s) on ${gdb ? gdbTargetText(gdb.spec, gdb.board) : target}; wrote ${cases.length * probe.outputs.length} output file(s)${cost}`);
}

/** Per-case cost over the debug link: '4,584,360 instructions per case (mean; min …, max …)' and ms on a board with a clock. */
function costText(cost: number[], unit: string, clockHz?: number): string {
  const group = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const mean = cost.reduce((a, b) => a + b, 0) / Math.max(1, cost.length);
  const [min, max] = [Math.min(...cost), Math.max(...cost)];
  const range = min === max ? '' : ` (min ${group(min)}, max ${group(max)})`;
  const ms = unit === 'cycles' && clockHz ? `, ${((mean / clockHz) * 1000).toFixed(3)} ms at ${clockHz / 1e6} MHz` : '';
  return `${group(mean)} ${unit} per case${cost.length > 1 ? ' (mean)' : ''}${range}${ms}`;
}

interface ValidateArgs extends CommonArgs, GdbArgs {
  target?: string;
  input?: string[];
  inputDir?: string;
  reference?: string;
  labels?: string;
  seed?: string;
  cases?: string;
  floatRange?: string;
  perLayer?: boolean;
  maxL2rel?: string;
  json?: boolean;
}

const REFERENCE_KINDS = ['interpreter', 'onnxruntime'] as const;

/** --reference: a kind, or a float model file (a path, or a name ending in .tflite / .onnx). */
function referenceChoice(value: string | undefined): ReferenceChoice {
  if (value === undefined) return 'auto';
  const v = single('--reference', value);
  if ((REFERENCE_KINDS as readonly string[]).includes(v)) return v as ReferenceChoice;
  if (!/[\\/]|\.(tflite|onnx)$/i.test(v)) {
    fail('E_USAGE', `unknown --reference '${v}'${didYouMean(v, REFERENCE_KINDS)}; choose interpreter, onnxruntime or a float model file (.tflite, .onnx)`);
  }
  return { file: v, bytes: readModelFile(v) };
}

function readLabels(value: string): { labels: Labels; path: string } {
  const path = single('--labels', value);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    fail('E_INPUT_FILE', code === 'ENOENT' ? `${path}: no such labels file` : `${path}: cannot read the labels file (${code ?? 'error'})`);
  }
  return { labels: parseLabels(text, path), path };
}

/** Exit 0 when every output (and with --per-layer every layer) is within the policy (src/validate/), 1 when not. */
async function cmdValidate(args: ValidateArgs): Promise<void> {
  const gdb = gdbTarget(args);
  const target = gdb ? { gdb: gdb.spec, board: gdb.board } : choice('--target', args.target ?? 'host', TARGETS);
  const seed = wholeNumber('--seed', args.seed ?? '0', 0, 0xffffffff);
  const count = args.cases === undefined ? undefined : wholeNumber('--cases', args.cases, 1, 100000);
  const floatRange = args.floatRange === undefined ? undefined : parseFloatRange(single('--float-range', args.floatRange));
  if (args.input && args.inputDir !== undefined) fail('E_USAGE', 'use either --input or --input-dir');
  if ((args.input || args.inputDir !== undefined) && (args.seed !== undefined || floatRange)) fail('E_USAGE', '--seed and --float-range choose random inputs: not with --input or --input-dir');
  const maxL2rel = args.maxL2rel === undefined ? undefined : Number(single('--max-l2rel', args.maxL2rel));
  if (maxL2rel !== undefined && !(maxL2rel >= 0)) fail('E_USAGE', `--max-l2rel '${args.maxL2rel}' is not a number ≥ 0`);
  if (target === 'qemu') qemuTimeoutSeconds();
  const m = readModel(args);
  const reference = referenceChoice(args.reference);
  if (reference === 'onnxruntime' && m.format !== 'onnx') {
    fail('E_USAGE', `${args.model}: --reference onnxruntime needs an ONNX model; for a TensorFlow Lite model use the reference interpreter (the default)`);
  }
  if (maxL2rel !== undefined && typeof reference !== 'object') fail('E_USAGE', '--max-l2rel judges the comparison with a float model: give --reference <float model file>');
  const labels = args.labels === undefined ? undefined : readLabels(args.labels);
  if (labels && !args.input && args.inputDir === undefined) fail('E_USAGE', '--labels needs cases read from files (--input-dir or --input), not random ones');
  const inputDir = args.inputDir === undefined ? undefined : single('--input-dir', args.inputDir);
  const caseSet = inputDir !== undefined ? (inputs: ProgramTensor[]) => dirCases(inputDir, inputs, count) : args.input ? (inputs: ProgramTensor[]) => fileCases(args.input!, inputs) : undefined;
  const options = { name: m.name, target, caseSet, seed, cases: count, floatRange, reference, labels, perLayer: args.perLayer, maxL2rel, rounding: m.rounding };
  const report = await validate(m.bytes, args.model, options, undefined, progressOn());
  console.log(args.json ? JSON.stringify(validateJson(report), null, 2) : formatValidate(report));
  if (!report.ok) process.exitCode = 1;
}

function cmdOps(args: { format?: string; json?: boolean }): void {
  const format = args.format === undefined ? undefined : choice('--format', args.format, OP_FORMATS);
  const s = supportedOps(format);
  console.log(args.json ? JSON.stringify(s, null, 2) : formatSupportedOps(s));
}

function reportError(e: unknown): never {
  e = environmentError(e) ?? e;
  if (e instanceof UtvmError) {
    console.error(`utvm-aot: error ${e.code}: ${e.message}`);
    process.exit(e.exitCode);
  }
  if (e instanceof ExportInterrupted) {
    console.error(`utvm-aot: interrupted (${e.reason}): the export was not written`);
    process.exit(e.reason === 'SIGTERM' ? 143 : 130);
  }
  console.error(`utvm-aot: internal error (please report it): ${(e as Error).stack ?? e}`);
  process.exit(3);
}

function guard<A>(fn: (a: A) => void | Promise<void>): (a: A) => void {
  return (a: A) => {
    try {
      const done = fn(a);
      if (done) done.catch(reportError);
    } catch (e) {
      reportError(e);
    }
  };
}

const MODEL = { type: 'string', demandOption: true, describe: 'model file: ONNX (.onnx) or TensorFlow Lite (.tflite)' } as const;
const NAME = { type: 'string', describe: 'C prefix of the API and file names (default: from the file name)' } as const;
const JSON_OPTION = { type: 'boolean', describe: 'machine-readable output' } as const;
const ROUNDING = {
  type: 'string',
  describe: "int8 requantization: tflite (default: CMSIS-NN fixed point, bit-exact with TFLite Micro) or onnx (onnxruntime's float, round half to even)",
} as const;
const GDB_TARGET_TEXT = 'or gdb[:HOST:PORT] (a board over its debug link: the GDB server of OpenOCD, pyOCD, ST-LINK, default localhost:3333; with --board, or --launch qemu)';
const TARGET = { type: 'string', describe: `where to run: host (native build, default), qemu (emulated Cortex-M7, board qemu-mps2-an500) ${GDB_TARGET_TEXT}` } as const;
const RUN_TARGET = {
  type: 'string',
  describe: `where to run: host (native build, default), qemu (emulated Cortex-M7, board qemu-mps2-an500), reference (the reference interpreter in TypeScript, no C) ${GDB_TARGET_TEXT}`,
} as const;
const RAM_BUDGET = {
  type: 'string',
  describe: "arena bytes to fit: runs of convolution / pooling layers execute band by band (patch stages, recomputing overlaps) until the arena fits; exit 1 when nothing does. Default: what the board's memories hold (stages only when the layer-by-layer plan does not fit them); none: layer by layer",
} as const;
/** The debug-link options of run, validate and bench. */
const GDB_OPTIONS = {
  board: { type: 'string', describe: 'with --target gdb: the board behind the GDB server (its host-driven firmware is built for it)' },
  launch: { type: 'string', describe: 'with --target gdb: start this emulator with its GDB server (qemu: board qemu-mps2-an500)' },
  load: { type: 'boolean', describe: 'with --target gdb: load the firmware through the server (default); --no-load when it is already flashed (make flash of export --host-driven)' },
} as const;

/** Each command's options (yargs builders; the names also feed "did you mean"). */
function commandOptions(boards: string[]): Record<(typeof COMMANDS)[number], Record<string, object>> {
  return {
    export: {
      board: { type: 'string', describe: `target board: ${boards.join(', ')} (default host)` },
      output: { alias: 'o', type: 'string', describe: 'output folder (default out/<name>)' },
      name: NAME,
      'sample-input': { type: 'string', describe: 'input (.npy or raw .bin) compiled into main.c' },
      format: { type: 'string', describe: 'project (default: main.c, CMake, Make), library (CMake static-library target) or make (<name>.mk fragment)' },
      rounding: ROUNDING,
      force: { type: 'boolean', describe: 'overwrite files in the output folder that were edited since the last export or not written by utvm-aot' },
      'host-driven': { type: 'boolean', describe: 'a firmware a host drives over the debug link (run/validate/bench --target gdb): a mailbox in RAM, no console' },
      ...TUNING_LOG_OPTIONS,
      'ram-budget': RAM_BUDGET,
    },
    inspect: {
      board: { type: 'string', describe: `target board: its kernels decide the scratch buffers, so the plan (${boards.join(', ')}; default host)` },
      json: JSON_OPTION,
      name: NAME,
      rounding: ROUNDING,
      ...TUNING_LOG_OPTIONS,
      'ram-budget': RAM_BUDGET,
    },
    run: {
      target: RUN_TARGET,
      input: { type: 'string', array: true, describe: 'one file per model input, in order' },
      output: { type: 'string', array: true, describe: 'one file per model output, in order' },
      'input-dir': { type: 'string', describe: 'run every case in this folder (batched, with progress on stderr)' },
      'output-dir': { type: 'string', describe: 'where the outputs of --input-dir go' },
      ...GDB_OPTIONS,
      name: NAME,
      rounding: ROUNDING,
      ...TUNING_LOG_OPTIONS,
      'ram-budget': RAM_BUDGET,
    },
    bench: {
      target: { type: 'string', describe: `where to measure: qemu (the emulated Cortex-M7, default) ${GDB_TARGET_TEXT}` },
      ...GDB_OPTIONS,
      json: JSON_OPTION,
      name: NAME,
      rounding: ROUNDING,
      ...TUNING_LOG_OPTIONS,
      'ram-budget': RAM_BUDGET,
    },
    validate: {
      target: TARGET,
      reference: { type: 'string', describe: 'what to compare with: interpreter (default for TFLite), onnxruntime (default for ONNX when installed) or a float model file: the quantization error of this int8 model' },
      'input-dir': { type: 'string', describe: 'the cases of this folder, laid out as for run --input-dir (.npy or raw .bin; the MLPerf Tiny .bin files as they are)' },
      input: { type: 'string', array: true, describe: 'one case: one file per model input, in order' },
      labels: { type: 'string', describe: "CSV 'file,class' or MLPerf's 'file,classes,label': accuracy of the C build and of the reference" },
      cases: { type: 'string', describe: 'number of random cases (default 4), or the first N cases of --input-dir: 1 to 100000' },
      seed: { type: 'string', describe: 'seed of the random inputs: a whole number 0 to 4294967295 (default 0)' },
      'float-range': { type: 'string', describe: 'LO,HI: random float inputs uniform in [LO, HI) (default -1,1); integer inputs span their type' },
      'per-layer': { type: 'boolean', describe: 'compare every layer too (every tensor kept), mark the first departing layer, its kernel and worst element' },
      'max-l2rel': { type: 'string', describe: 'with a float --reference: fail (exit 1) when a compared tensor\'s L2 relative error exceeds this' },
      ...GDB_OPTIONS,
      json: JSON_OPTION,
      name: NAME,
      rounding: ROUNDING,
    },
    ops: {
      format: { type: 'string', describe: 'only the operators of one format: tflite or onnx (default both)' },
      json: JSON_OPTION,
    },
    tune: { ...TUNE_OPTIONS, name: NAME },
  };
}

const DESCRIPTIONS: Record<(typeof COMMANDS)[number], string> = {
  export: 'write a C project (model, kernels, main.c, CMakeLists.txt, Makefile)',
  inspect: 'show operators, shapes, the memory plan, arena and weight bytes',
  run: 'compile, build and run the model on inputs (.npy: dtype and shape checked; other: raw bytes, size checked)',
  bench: 'build for the emulated Cortex-M7 (QEMU mps2-an500) and report instructions per inference (total and per layer), MACs, arena and flash bytes',
  validate: 'compare the compiled C (host or qemu) with a reference on the same inputs, per output and per layer: error metrics, top-1, accuracy against labels',
  ops: 'list the supported operators: TensorFlow Lite builtins with their highest version, ONNX op types with the opsets read',
  tune: 'measure schedule candidates of each layer on the emulated Cortex-M7 (one firmware per batch) and append them to a tuning log (JSON lines)',
};

const EPILOGUES: Partial<Record<(typeof COMMANDS)[number], string>> = {
  run:
    'With --input-dir: a one-input model reads <dir>/<case>.npy|.bin and writes <out>/<case>.npy|.bin\n' +
    '(<case>.<K>.* for several outputs); a model with several inputs reads <dir>/<case>/input_<K>.*\n' +
    'and writes <out>/<case>/output_<K>.*.',
  validate:
    'Policy: vs the reference interpreter on a TFLite model, integer tensors bit-exact and float ones\n' +
    '|err| <= 1e-5 + 1e-4*max|ref|; on an ONNX model (float requantization, as ONNX specifies) integer and\n' +
    'dequantized tensors within 1 LSB; vs onnxruntime-node, within 1 LSB (float outputs: |err| <= 1e-5 +\n' +
    '1e-4*|ref|); vs a float model, a measurement\n' +
    '(judged only with --max-l2rel). Exit status: 0 within the policy, 1 not (or the model or inputs are at fault), 2 usage.',
};

const HANDLERS: Record<(typeof COMMANDS)[number], (a: never) => void | Promise<void>> = {
  export: cmdExport,
  inspect: cmdInspect,
  run: cmdRun,
  bench: cmdBench,
  validate: cmdValidate,
  ops: cmdOps,
  tune: (a: never) => cmdTune(a, readModel),
};

export function main(argv: string[]): void {
  const options = commandOptions(boardNames());
  let y = yargs(argv)
    .scriptName('utvm-aot')
    .usage(
      '$0 <command> <model> [options]\n\nAhead-of-time compiler: ONNX and TensorFlow Lite models → self-contained C for Cortex-M7 (and the host).\n' +
        'Exit status: 0 ok, 1 the model or inputs are at fault, 2 usage, 3 internal error, 4 the environment (disk, permissions, missing tools).',
    );
  for (const cmd of COMMANDS) {
    const builder = (b: Argv) => {
      let c: Argv = NO_MODEL.includes(cmd) ? b : b.positional('model', MODEL);
      for (const [name, spec] of Object.entries(options[cmd])) c = c.option(name, spec);
      const epilogue = EPILOGUES[cmd];
      return epilogue ? c.epilogue(epilogue) : c;
    };
    y = y.command(NO_MODEL.includes(cmd) ? cmd : `${cmd} <model>`, DESCRIPTIONS[cmd], builder, guard((a) => HANDLERS[cmd](a as never)));
  }
  const knownOptions = (cmd: string) => {
    const specs = (options as Record<string, Record<string, { alias?: string }>>)[cmd] ?? {};
    return [...Object.keys(specs), ...Object.values(specs).flatMap((s) => (s.alias ? [s.alias] : [])), 'help', 'h', 'version'];
  };
  y.demandCommand(1, `name a command: ${COMMANDS.join(', ')}`)
    .strict()
    .fail((msg, err) => {
      if (err) reportError(err);
      console.error(`utvm-aot: error E_USAGE: ${usageMessage(msg, argv, COMMANDS, knownOptions, NO_MODEL)}; ${USAGE_HINT}`);
      process.exit(2);
    })
    .help('help')
    .alias('help', 'h')
    .version('version', 'show the version', `utvm-aot ${version()}`)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .parse();
}

main(hideBin(process.argv));
