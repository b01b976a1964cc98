/**
 * validate: run the compiled model (host build or the emulated Cortex-M7) and a reference on the same
 * inputs and measure how far apart they are, per output and (`perLayer`) per layer.
 *
 *   data.ts          the cases: files (as `run --input-dir` reads them) or seeded random inputs
 *   reference.ts     the reference: the interpreter, onnxruntime-node, or the model's float original
 *   metrics.ts       max |err|, MAE, RMSE, L2 rel, cosine, error mean/std, LSB, % differing, top-1
 *   labels.ts        accuracy of ours and the reference against a labels CSV
 *   layers.ts        per layer: the compiled tensors matched by name with the interpreter's
 *   report.ts        the table a person reads, and the JSON for tools
 *
 * Policy (`ok`, and the CLI's exit status 0 / 1):
 *   - vs the reference interpreter on a TFLite model: integer tensors bit-exact; float tensors
 *     |a − e| ≤ 1e-5 + 1e-4·max|e| (max over the tensor in that case: float32 C against a float64
 *     reference differs by rounding that scales with the tensor's magnitude, and an element that cancels
 *     to near zero must not count as a large relative error);
 *   - vs the reference interpreter on an ONNX model: ONNX specifies requantization in float (the
 *     interpreter runs QDQ models so), we use TFLite's fixed point by default: integer tensors and the
 *     outputs of a DequantizeLinear within 1 LSB, float tensors as above;
 *   - vs onnxruntime-node: integer tensors within 1 LSB, float outputs of a DequantizeLinear with a
 *     constant per-tensor scale within 1 LSB of that scale, other floats |a − e| ≤ 1e-5 + 1e-4·|e|
 *     (onnxruntime requantizes in float, round half to even; we use TFLite's fixed point);
 *   - vs a float model: a measurement, always ok, unless `maxL2rel` is given: then every compared tensor's
 *     L2 relative error must be within it.
 * With `perLayer`, every compared layer is judged too; the first one outside is the first departing.
 */

import { CompileResult, compile } from '../compile.js';
import { fail } from '../diagnostics.js';
import type { ProgramTensor } from '../emit/program.js';
import type { FileMap } from '../emit/project.js';
import { detectModelFormat } from '../import/format.js';
import type { Rounding } from '../ir/quant.js';
import type { TensorValue } from '../io/tensor-value.js';
import { Progress, silent } from '../progress.js';
import { runCompiled, targetBoard } from '../run/index.js';
import { runIntermediates } from '../run/debug.js';
import { type GdbTargetSpec, gdbTargetText, runOnGdb } from '../run/gdb/target.js';
import { CaseSet, FloatRange, randomCases } from './data.js';
import { Accuracy, Labels, accuracy, checkLabels } from './labels.js';
import { LayerComparison, LayerReport, comparable, matchLayers, numbersOf } from './layers.js';
import { Accumulator, Policy, TensorMetrics, isClassification, isIntegerDType } from './metrics.js';
import { OrtModule, dequantizedOutputScales } from './ort.js';
import { Reference, ReferenceChoice, chooseReference } from './reference.js';

export { loadOnnxRuntime, tryOnnxRuntime, dequantizedOutputScales, type OrtModule } from './ort.js';
export { randomInputs } from './data.js';
export { formatValidate, validateJson } from './report.js';

export const FLOAT_TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
export const MAX_LSB = 1;

/** Where the C build runs: the host, the emulator (semihosting), or a board over its debug link. */
export type ValidateTarget = 'host' | 'qemu' | { gdb: GdbTargetSpec; board: string };

export interface ValidateOptions {
  name: string;
  target: ValidateTarget;
  /** One case, one value per model input (library use); else `caseSet`, else random cases. */
  inputs?: TensorValue[];
  /** The cases, or a function of the compiled model's inputs that reads them (the CLI reads files so). */
  caseSet?: CaseSet | ((inputs: ProgramTensor[]) => CaseSet);
  seed?: number;
  /** Number of random cases (default 4). */
  cases?: number;
  /** Range of random float inputs (default [-1, 1)). */
  floatRange?: FloatRange;
  /** Default 'auto': the interpreter for TFLite, onnxruntime-node for ONNX when installed. */
  reference?: ReferenceChoice;
  /** Labels for accuracy (cases must have names: from files). */
  labels?: { labels: Labels; path: string };
  perLayer?: boolean;
  /** Threshold on the L2 relative error vs a float model (else that comparison is a measurement). */
  maxL2rel?: number;
  /** Requantization of the int8 kernels (compile option `rounding`); default 'tflite'. */
  rounding?: Rounding;
  /** Tests only: rewrites the compiled files before they are built (breaking one kernel on purpose). */
  patchFiles?: (files: FileMap) => FileMap;
}

export interface ValidateReport {
  model: string;
  /** 'host', 'qemu' or the debug link: 'gdb (<board> at HOST:PORT)'. */
  target: string;
  reference: { kind: Reference['kind']; description: string; note?: string };
  /** Where the cases came from. */
  origin: string;
  cases: number;
  /** The policy in words. */
  policy: string;
  outputs: TensorMetrics[];
  accuracy?: Accuracy & { labels: string; output: string };
  layers?: LayerReport;
  ok: boolean;
  /** Our outputs and the reference's, per case (not in the JSON). */
  ours: TensorValue[][];
  referenceOutputs: TensorValue[][];
}

/** Which rules judge the comparison (see the policy above). */
type Rules = 'exact' | 'onnx-interpreter' | 'onnxruntime' | 'measure';

function rulesOf(kind: Reference['kind'], format: 'onnx' | 'tflite'): Rules {
  if (kind === 'float-model') return 'measure';
  if (kind === 'onnxruntime') return 'onnxruntime';
  return format === 'onnx' ? 'onnx-interpreter' : 'exact';
}

function policyText(rules: Rules, maxL2rel?: number): string {
  const f = FLOAT_TOLERANCE;
  if (rules === 'exact') return `integer tensors bit-exact, float ones |err| ≤ ${f.atol} + ${f.rtol}·max|ref| (per tensor and case)`;
  if (rules === 'onnx-interpreter') return `ONNX's float requantization: within ${MAX_LSB} LSB for integer and dequantized tensors, |err| ≤ ${f.atol} + ${f.rtol}·max|ref| for float ones`;
  if (rules === 'onnxruntime') return `within ${MAX_LSB} LSB for integer and dequantized outputs, |err| ≤ ${f.atol} + ${f.rtol}·|ref| for float ones`;
  return maxL2rel === undefined ? 'measurement only (no threshold: give --max-l2rel to judge)' : `L2 relative error ≤ ${maxL2rel} for every compared tensor`;
}

/** How a tensor of our dtype is judged against a reference tensor of `refDType`; `lsb` for LSB reporting. */
function policyFor(rules: Rules, ours: DTypeQuant, refDType: string, maxL2rel: number | undefined, dequantScale?: number): { policy: Policy; lsb?: number } {
  const intOurs = isIntegerDType(ours.dtype);
  const intRef = isIntegerDType(refDType as TensorValue['dtype']);
  const oursLsb = intOurs && ours.scale ? { lsb: ours.scale } : {};
  if (rules === 'measure') return { policy: { kind: 'measure', maxL2rel }, ...oursLsb };
  if (intOurs && intRef) return rules === 'exact' ? { policy: { kind: 'exact' }, lsb: 1 } : { policy: { kind: 'lsb', lsb: 1, maxLsb: MAX_LSB }, lsb: 1 };
  if (rules !== 'exact' && dequantScale) return { policy: { kind: 'lsb', lsb: dequantScale, maxLsb: MAX_LSB }, lsb: dequantScale };
  return { policy: { kind: 'float', ...FLOAT_TOLERANCE, relative: rules === 'onnxruntime' ? 'element' : 'tensor' }, ...oursLsb };
}

interface DTypeQuant {
  dtype: TensorValue['dtype'];
  scale?: number;
}

function patched(result: CompileResult, patch?: (files: FileMap) => FileMap): CompileResult {
  return patch ? { ...result, files: patch(new Map(result.files)) } : result;
}

function casesOf(options: ValidateOptions, inputs: ProgramTensor[]): CaseSet {
  if (options.inputs) return { values: [options.inputs], origin: '1 given case' };
  if (options.caseSet) return typeof options.caseSet === 'function' ? options.caseSet(inputs) : options.caseSet;
  return randomCases(inputs, options.cases ?? 4, options.seed ?? 0, options.floatRange);
}

export async function validate(model: Uint8Array, fileName: string, options: ValidateOptions, ort?: OrtModule, progress: Progress = silent): Promise<ValidateReport> {
  const format = detectModelFormat(model, fileName);
  const compileOptions = { name: options.name, rounding: options.rounding };
  const gdb = typeof options.target === 'object' ? options.target : undefined;
  const board = gdb ? gdb.board : targetBoard(options.target as 'host' | 'qemu');
  const result = patched(compile(model, fileName, { ...compileOptions, board, hostDriven: gdb !== undefined }), options.patchFiles);
  const { program } = result;
  const data = casesOf(options, program.inputs);
  if (options.labels && !data.names) fail('E_USAGE', '--labels needs cases read from files (--input-dir or --input), not random ones');
  if (options.labels) checkLabels(options.labels.labels, options.labels.path, data.names!);
  const reference = await chooseReference(model, fileName, format, options.reference ?? 'auto', program.inputs, ort);
  const ours = gdb ? (await runOnGdb(result, data.values, gdb.gdb, {}, progress)).outputs : runCompiled(result, data.values, progress);

  // The reference's outputs, and with perLayer every layer (always against an interpreter: onnxruntime
  // gives no intermediate tensors, so then the layers are compared with the reference interpreter).
  let referenceOutputs: TensorValue[][];
  let layers: LayerReport | undefined;
  if (options.perLayer) {
    const layerRef = reference.graph ? reference : await chooseReference(model, fileName, format, 'interpreter', program.inputs);
    // every tensor kept: on the host and the emulator in an arena without reuse, read after each case; over a
    // debug link with the real plan, each layer's tensors read at the firmware's stop after that layer
    const debug = patched(compile(model, fileName, { ...compileOptions, board, ...(gdb ? { keepTensors: true, hostDriven: true } : { debugTensors: true }) }), options.patchFiles);
    const { specs, unmatched } = matchLayers(debug, layerRef.graph!);
    const layerRules = rulesOf(layerRef.kind, format);
    const comparison = new LayerComparison(specs, (s) => policyFor(layerRules, { dtype: s.dtype, scale: s.quant?.scale[0] }, s.referenceDType, options.maxL2rel, s.dequantScale));
    const tensors = gdb ? (await runOnGdb(debug, data.values, gdb.gdb, { perLayer: true }, progress)).tensors! : runIntermediates(debug, data.values, progress);
    const layerOutputs = await layerRef.run(data.values, progress, (k, t) => comparison.add(tensors[k], t, data.names?.[k]));
    layers = comparison.report(unmatched, gdb ? `${gdb.board} over the debug link, at each layer's stop` : options.target === 'host' ? 'the host' : 'the emulated Cortex-M7');
    referenceOutputs = layerRef === reference ? layerOutputs : await reference.run(data.values, progress);
  } else {
    referenceOutputs = await reference.run(data.values, progress);
  }

  const rules = rulesOf(reference.kind, format);
  const scales = format === 'onnx' && rules !== 'measure' ? dequantizedOutputScales(model) : new Map<string, number>();
  const ourNumbers: ArrayLike<number>[][] = [];
  const outputs = program.outputs.map((t, i) => {
    const refT = referenceOutputs[0][i];
    if (ours[0][i].data.length !== refT.data.length) {
      fail('E_SHAPE', `output '${t.name}': ours is ${t.dtype}[${t.shape}], the reference's ${refT.dtype}[${refT.shape}]`);
    }
    const quant = t.scale ? { scale: [t.scale], zeroPoint: [t.zeroPoint] } : undefined;
    const toFloat = !isIntegerDType(refT.dtype);
    const p = policyFor(rules, { dtype: t.dtype, scale: t.scale || undefined }, refT.dtype, options.maxL2rel, scales.get(t.name));
    const acc = new Accumulator(t.name, t.dtype, t.shape, p.policy, p.lsb);
    ours.forEach((c, k) => {
      const a = comparable(c[i], quant, toFloat);
      (ourNumbers[i] ??= []).push(a);
      acc.add(a, numbersOf(referenceOutputs[k][i].data), data.names?.[k]);
    });
    return acc.result();
  });

  let acc: ValidateReport['accuracy'];
  if (options.labels) {
    const i = program.outputs.findIndex((t) => isClassification(t.shape));
    if (i < 0) fail('E_USAGE', `--labels needs a classification output (one dimension above 1); the model's outputs are ${program.outputs.map((t) => `[${t.shape}]`).join(', ')}`);
    const a = accuracy(options.labels.labels, options.labels.path, data.names!, ourNumbers[i], referenceOutputs.map((c) => numbersOf(c[i].data)));
    acc = { ...a, labels: options.labels.path, output: program.outputs[i].name };
  }
  const ok = outputs.every((o) => o.ok) && (layers ? layers.firstDeparting === undefined : true);
  return {
    model: fileName,
    target: gdb ? gdbTargetText(gdb.gdb, gdb.board) : (options.target as string),
    reference: { kind: reference.kind, description: reference.description, ...(reference.note ? { note: reference.note } : {}) },
    origin: data.origin,
    cases: data.values.length,
    policy: policyText(rules, options.maxL2rel),
    outputs,
    ...(acc ? { accuracy: acc } : {}),
    ...(layers ? { layers } : {}),
    ok,
    ours,
    referenceOutputs,
  };
}
