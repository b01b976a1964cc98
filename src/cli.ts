#!/usr/bin/env node
/**
 * The utvm-aot command line (yargs): the only place that touches process state and the disk.
 *
 *   export <model>   write a C project (all or nothing)
 *   inspect <model>  operators, shapes, memory plan, arena and weight bytes
 *   run <model>      compile, build and run on a target (host or qemu) with input files
 *   bench <model>    instructions per inference, MACs, arena and flash bytes on the emulated Cortex-M7
 *   validate <model> compare the compiled model's outputs with onnxruntime-node's (src/validate.ts)
 *
 * Exit codes: 0 ok; 1 the model or the inputs are at fault (a UtvmError); 2 usage; 3 internal error.
 */

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CompileOptions, CompileResult, compile, defaultModelName } from './compile.js';
import { UtvmError, fail } from './diagnostics.js';
import { boardNames } from './emit/boards.js';
import { DirCase, listDirCases, readModelFile, readTensorFile, writeProject, writeTensorFile } from './io/files.js';
import { formatInspect, inspectReport } from './inspect.js';
import { bench, formatBench } from './bench.js';
import { runOnHost } from './run/host.js';
import { QEMU_BOARD, runOnQemu } from './run/qemu.js';
import type { TensorValue } from './io/tensor-value.js';
import { shellArg } from './emit/escape.js';
import { EXPORT_FORMATS, ExportFormat, libraryCpuFlags, librarySources, libraryUsage } from './emit/library.js';
import { measureExport } from './run/measure.js';
import { formatValidate, validate, validateJson } from './validate.js';
import { ROUNDINGS, type Rounding } from './ir/quant.js';

interface CommonArgs {
  model: string;
  name?: string;
  rounding?: Rounding;
}

/** --rounding of export, run, validate and bench (compile option `rounding`, src/lower/onnx-rounding.ts). */
const ROUNDING_OPTION = {
  type: 'string',
  default: 'tflite',
  choices: ROUNDINGS,
  describe: "int8 requantization: tflite (CMSIS-NN fixed point, bit-exact with TFLite Micro) or onnx (onnxruntime's float, round half to even)",
} as const;

function compileFile(args: CommonArgs, board: string, extra: Partial<CompileOptions> = {}) {
  const bytes = readModelFile(args.model);
  const name = args.name ?? defaultModelName(args.model);
  return compile(bytes, args.model, { name, board, rounding: args.rounding, ...extra });
}

function sampleInputs(path: string | undefined, model: string, name: string | undefined): Partial<CompileOptions> {
  if (!path) return {};
  const probe = compileFile({ model, name }, 'host');
  if (probe.program.inputs.length !== 1) fail('E_USAGE', '--sample-input needs a model with exactly one input');
  return { sampleInputs: [readTensorFile(path, probe.program.inputs[0])], sampleOrigin: path };
}

function cmdExport(args: CommonArgs & { board: string; output?: string; sampleInput?: string; format: ExportFormat }): void {
  const result = compileFile(args, args.board, { ...sampleInputs(args.sampleInput, args.model, args.name), format: args.format });
  const out = args.output ?? `out/${result.program.name}`;
  const p = result.program;
  let files = result.files;
  if (args.format === 'library' || args.format === 'make') {
    const m = measureExport(files, librarySources(p), libraryCpuFlags(result.board));
    files = m.files;
    if (!m.measured) console.error('utvm-aot: note: arm-none-eabi-gcc is not installed: metadata.json has no code bytes');
  }
  writeProject(out, files);
  console.log(`exported ${args.model} for board '${args.board}' to ${out}/ (${files.size} files)`);
  console.log(`  arena ${p.arenaBytes} bytes (lower bound ${result.plan.lowerBound}), weights ${p.weightBytes} bytes, ${p.kernels.length} kernels`);
  if (args.format === 'library' || args.format === 'make') libraryUsage(args.format, out, p.name).forEach((l) => console.log(l));
  else console.log(`  build: make -C ${shellArg(out)}   or   cmake -S ${shellArg(out)} -B ${shellArg(`${out}/cmake-build`)} && cmake --build ${shellArg(`${out}/cmake-build`)}`);
}

function cmdInspect(args: CommonArgs & { json?: boolean; board: string }): void {
  const result = compileFile(args, args.board);
  const report = inspectReport(args.model, result.graph, result.plan, result.program);
  console.log(args.json ? JSON.stringify(report, null, 2) : formatInspect(report, result.graph, result.plan));
}

function cmdBench(args: CommonArgs & { json?: boolean }): void {
  const report = bench(readModelFile(args.model), args.model, args.name ?? defaultModelName(args.model), args.rounding);
  console.log(args.json ? JSON.stringify(report, null, 2) : formatBench(report));
}

interface RunArgs extends CommonArgs {
  target: string;
  input?: string[];
  output?: string[];
  inputDir?: string;
  outputDir?: string;
}

function runCases(result: CompileResult, cases: DirCase[]): TensorValue[][] {
  const { program, board, files } = result;
  const values = cases.map((c) => c.inputs.map((f, i) => readTensorFile(f, program.inputs[i])));
  if (board.kind === 'emulator') return runOnQemu(files, board, program.name, program.inputs, program.outputs, values);
  return runOnHost(files, program.name, program.inputs, program.outputs, values);
}

function cmdRun(args: RunArgs): void {
  if (args.target !== 'host' && args.target !== 'qemu') fail('E_USAGE', `unknown --target '${args.target}'; use host or qemu`);
  const result = compileFile(args, args.target === 'qemu' ? QEMU_BOARD : 'host');
  const probe = result.program;
  let cases: DirCase[];
  if (args.inputDir || args.outputDir) {
    if (!args.inputDir || !args.outputDir) fail('E_USAGE', '--input-dir and --output-dir go together');
    if (args.input || args.output) fail('E_USAGE', 'use either --input/--output or --input-dir/--output-dir');
    cases = listDirCases(args.inputDir, args.outputDir, probe.inputs.length, probe.outputs.length);
    if (cases.length === 0) fail('E_INPUT_FILE', `${args.inputDir}: no input cases found`);
  } else {
    const ins = args.input ?? [];
    const outs = args.output ?? [];
    if (ins.length !== probe.inputs.length) fail('E_USAGE', `the model has ${probe.inputs.length} input(s); ${ins.length} --input file(s) given`);
    if (outs.length !== probe.outputs.length) fail('E_USAGE', `the model has ${probe.outputs.length} output(s); ${outs.length} --output file(s) given`);
    cases = [{ name: 'case', inputs: ins, outputs: outs }];
  }
  const results = runCases(result, cases);
  cases.forEach((c, k) => c.outputs.forEach((path, i) => writeTensorFile(path, results[k][i])));
  console.log(`ran ${cases.length} case(s) on ${args.target}; wrote ${cases.length * probe.outputs.length} output file(s)`);
}

interface ValidateArgs extends CommonArgs {
  target: string;
  input?: string[];
  seed: number;
  cases: number;
  json?: boolean;
}

/** Exit 0 when every output is within tolerance (src/validate.ts), 1 when one is not. */
async function cmdValidate(args: ValidateArgs): Promise<void> {
  if (args.target !== 'host' && args.target !== 'qemu') fail('E_USAGE', `unknown --target '${args.target}'; use host or qemu`);
  const name = args.name ?? defaultModelName(args.model);
  let inputs: TensorValue[] | undefined;
  if (args.input) {
    const probe = compileFile(args, 'host');
    if (args.input.length !== probe.program.inputs.length) fail('E_USAGE', `the model has ${probe.program.inputs.length} input(s); ${args.input.length} --input file(s) given`);
    inputs = args.input.map((f, i) => readTensorFile(f, probe.program.inputs[i]));
  }
  const options = { name, target: args.target as 'host' | 'qemu', inputs, seed: args.seed, cases: args.cases, rounding: args.rounding };
  const report = await validate(readModelFile(args.model), args.model, options);
  console.log(args.json ? JSON.stringify(validateJson(report), null, 2) : formatValidate(report));
  if (!report.ok) process.exitCode = 1;
}

function reportError(e: unknown): never {
  if (e instanceof UtvmError) {
    console.error(`utvm-aot: error ${e.code}: ${e.message}`);
    process.exit(e.exitCode);
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

/** yargs' usage messages, said the way the rest of utvm-aot speaks. */
function usageMessage(msg: string, argv: string[]): string {
  if (/^Not enough non-option arguments/.test(msg)) return 'missing the model file (utvm-aot <command> <model> [options])';
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!unknown) return msg;
  const words = unknown[1].split(', ');
  if (words.every((w) => argv.includes(w))) return `unknown command: ${words.join(', ')} (commands: export, inspect, run, bench, validate)`;
  const shown = words.map((w) => argv.find((a) => a.replace(/^-+/, '').split('=')[0] === w) ?? w);
  return `unknown option: ${shown.map((a) => a.split('=')[0]).join(', ')}`;
}

export function main(argv: string[]): void {
  const boards = boardNames();
  yargs(argv)
    .scriptName('utvm-aot')
    .usage('$0 <command> <model> [options]\n\nAhead-of-time compiler: ONNX models → self-contained C for Cortex-M7 (and the host).')
    .command(
      'export <model>',
      'write a C project (model, kernels, main.c, CMakeLists.txt, Makefile)',
      (y) =>
        y
          .positional('model', { type: 'string', demandOption: true, describe: 'model file (.onnx)' })
          .option('board', { type: 'string', default: 'host', choices: boards, describe: 'target board' })
          .option('output', { alias: 'o', type: 'string', describe: 'output folder (default out/<name>)' })
          .option('name', { type: 'string', describe: 'C prefix of the API and file names (default: from the file name)' })
          .option('sample-input', { type: 'string', describe: 'input (.npy or raw .bin) compiled into main.c' })
          .option('format', { type: 'string', default: 'project', choices: EXPORT_FORMATS, describe: 'project (main.c, CMake, Make), library (CMake static-library target) or make (<name>.mk fragment)' })
          .option('rounding', ROUNDING_OPTION),
      guard((a) => cmdExport(a as never)),
    )
    .command(
      'inspect <model>',
      'show operators, shapes, the memory plan, arena and weight bytes',
      (y) =>
        y
          .positional('model', { type: 'string', demandOption: true })
          .option('board', { type: 'string', default: 'host', choices: boards, describe: 'target board: its kernels decide the scratch buffers, so the plan' })
          .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
          .option('name', { type: 'string' }),
      guard((a) => cmdInspect(a as never)),
    )
    .command(
      'run <model>',
      'compile, build and run the model on inputs (.npy: dtype and shape checked; other: raw bytes, size checked)',
      (y) =>
        y
          .positional('model', { type: 'string', demandOption: true })
          .option('target', { type: 'string', default: 'host', choices: ['host', 'qemu'], describe: 'where to run: host (native build) or qemu (emulated Cortex-M7, board qemu-mps2-an500)' })
          .option('input', { type: 'string', array: true, describe: 'one file per model input, in order' })
          .option('output', { type: 'string', array: true, describe: 'one file per model output, in order' })
          .option('input-dir', { type: 'string', describe: 'run every case in this folder in one process' })
          .option('output-dir', { type: 'string', describe: 'where the outputs of --input-dir go' })
          .option('name', { type: 'string' })
          .option('rounding', ROUNDING_OPTION)
          .epilogue(
            'With --input-dir: a one-input model reads <dir>/<case>.npy|.bin and writes <out>/<case>.npy|.bin\n' +
              '(<case>.<K>.* for several outputs); a model with several inputs reads <dir>/<case>/input_<K>.*\n' +
              'and writes <out>/<case>/output_<K>.*.',
          ),
      guard((a) => cmdRun(a as never)),
    )
    .command(
      'bench <model>',
      'build for the emulated Cortex-M7 (QEMU mps2-an500) and report instructions per inference (total and per layer), MACs, arena and flash bytes',
      (y) =>
        y
          .positional('model', { type: 'string', demandOption: true })
          .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
          .option('name', { type: 'string' })
          .option('rounding', ROUNDING_OPTION),
      guard((a) => cmdBench(a as never)),
    )
    .command(
      'validate <model>',
      "compare the compiled model's outputs with onnxruntime-node's on the same inputs (quantized outputs: within 1 LSB; float: rtol 1e-4, atol 1e-5)",
      (y) =>
        y
          .positional('model', { type: 'string', demandOption: true })
          .option('input', { type: 'string', array: true, describe: 'one file per model input, in order (default: random inputs from --seed)' })
          .option('target', { type: 'string', default: 'host', choices: ['host', 'qemu'], describe: 'where our build runs: host or qemu (emulated Cortex-M7)' })
          .option('seed', { type: 'number', default: 0, describe: 'seed of the random inputs' })
          .option('cases', { type: 'number', default: 4, describe: 'number of random input cases' })
          .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
          .option('name', { type: 'string' })
          .option('rounding', ROUNDING_OPTION)
          .epilogue('Exit status: 0 every output within tolerance, 1 not (or the model is at fault), 2 usage (also: onnxruntime-node missing).'),
      guard((a) => cmdValidate(a as never)),
    )
    .demandCommand(1, 'name a command: export, inspect, run, bench or validate')
    .strict()
    .fail((msg, err) => {
      if (err) throw err;
      console.error(`utvm-aot: ${usageMessage(msg, argv)}\nrun 'utvm-aot --help' for usage`);
      process.exit(2);
    })
    .help()
    .version(false)
    .parse();
}

main(hideBin(process.argv));
