/**
 * validate: run the compiled model (host build or the emulated Cortex-M7) and onnxruntime-node on the same
 * inputs and measure, per output, how far apart they are.
 *
 * Policy (what "within tolerance" means; `ok` and the CLI's exit status follow it):
 *   - integer outputs (int8, uint8, int32...): the difference in LSB (integer steps), within when ≤ 1;
 *   - float outputs produced in the ONNX model by a DequantizeLinear with a constant per-tensor scale:
 *     measured in LSB of that scale (|a − e| / scale, rounded), within when ≤ 1;
 *   - other float outputs: |a − e| ≤ 1e-5 + 1e-4·|e| (the float end-to-end tolerance).
 * Reported per output: the largest difference (LSB, absolute and relative), how many elements differ at
 * all (the fraction of elements with a ≠ e), and for batch-1 outputs whether the top-1 index agrees.
 * One LSB is the price of the rounding choice: ONNX requantizes in float with round-half-to-even,
 * we use TFLite/CMSIS-NN's fixed-point multipliers (src/ir/quant.ts), which differ only near ties.
 *
 * onnxruntime-node is a dev dependency: it is loaded dynamically, and its absence is a usage error that
 * says how to install it.
 */

import onnxProto from 'onnx-proto';
import { compile } from './compile.js';
import { fail } from './diagnostics.js';
import { DType, TensorData, allocData } from './ir/dtype.js';
import { elementCount } from './ir/graph.js';
import { decodeTensorProto } from './import/onnx/tensor.js';
import type { TensorValue } from './io/tensor-value.js';
import { Progress, silent } from './progress.js';
import { mulberry32 } from './random.js';
import { runCompiled, targetBoard } from './run/index.js';
import type { Rounding } from './ir/quant.js';

const { onnx } = onnxProto;

export const FLOAT_TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
export const MAX_LSB = 1;

export interface ValidateOptions {
  name: string;
  target: 'host' | 'qemu';
  /** One value per model input; random cases from `seed` when absent. */
  inputs?: TensorValue[];
  seed?: number;
  /** Number of random cases (ignored when `inputs` are given). Default 4. */
  cases?: number;
  /** Requantization of the int8 kernels (compile option `rounding`); default 'tflite'. */
  rounding?: Rounding;
}

export interface OutputDiff {
  name: string;
  dtype: DType;
  shape: number[];
  /** How the difference is judged: 'lsb' (integer outputs and dequantized ones) or 'float'. */
  measure: 'lsb' | 'float';
  /** Size of one LSB in the output's units (1 for integer outputs), when measure is 'lsb'. */
  lsb?: number;
  maxLsb?: number;
  maxAbs: number;
  maxRel: number;
  /** Elements (over all cases) where ours ≠ onnxruntime's. */
  differing: number;
  total: number;
  /** Cases whose top-1 index agrees (outputs with more than one element), of `cases`. */
  top1Agree?: number;
  ok: boolean;
}

export interface ValidateReport {
  model: string;
  target: 'host' | 'qemu';
  cases: number;
  outputs: OutputDiff[];
  ok: boolean;
  /** Our outputs and onnxruntime's, per case. */
  ours: TensorValue[][];
  reference: TensorValue[][];
}

// ---------------------------------------------------------------------------------------------------
// onnxruntime-node, loaded when needed

interface OrtTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  Tensor: new (type: string, data: TensorData, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSession> };
}

/** The onnxruntime-node module, or a usage error (exit 2) that says how to install it. */
export async function loadOnnxRuntime(moduleName = 'onnxruntime-node'): Promise<OrtModule> {
  try {
    const mod = (await import(moduleName)) as { default?: OrtModule } & Partial<OrtModule>;
    return (mod.InferenceSession ? mod : mod.default) as OrtModule;
  } catch {
    fail('E_USAGE', `validate needs onnxruntime-node, which is not installed: run 'npm install --save-dev onnxruntime-node' in the folder utvm-aot runs from`);
  }
}

/** Runs `model` in onnxruntime (default session options) on every case; outputs in the model's order. */
export async function runReference(ort: OrtModule, model: Uint8Array, inputNames: string[], cases: TensorValue[][], progress: Progress = silent): Promise<TensorValue[][]> {
  const session = await ort.InferenceSession.create(model);
  const count = progress.count('running onnxruntime-node:', cases.length, 'cases');
  try {
    const results: TensorValue[][] = [];
    for (const inputs of cases) {
      const feeds: Record<string, OrtTensor> = {};
      inputs.forEach((v, i) => (feeds[inputNames[i]] = new ort.Tensor(v.dtype, v.data, v.shape)));
      const out = await session.run(feeds);
      results.push(session.outputNames.map((n) => ({ dtype: out[n].type as DType, shape: [...out[n].dims], data: (out[n].data as TensorData).slice() })));
      count.tick();
    }
    count.done();
    return results;
  } finally {
    await session.release();
  }
}

// ---------------------------------------------------------------------------------------------------
// Inputs

const INT_RANGE: Partial<Record<DType, [number, number]>> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], int32: [-1000, 1000] };

/** A random value per input: floats uniform in [-1, 1), integers uniform over their type's range. */
export function randomInputs(specs: { dtype: DType; shape: number[] }[], seed: number): TensorValue[] {
  const next = mulberry32(seed);
  return specs.map((s) => {
    const n = elementCount(s.shape);
    const data = allocData(s.dtype, n) as Float32Array;
    const range = INT_RANGE[s.dtype];
    for (let i = 0; i < n; i++) data[i] = range ? range[0] + Math.floor(next() * (range[1] - range[0] + 1)) : 2 * next() - 1;
    return { dtype: s.dtype, shape: [...s.shape], data };
  });
}

// ---------------------------------------------------------------------------------------------------
// Comparison

/** Per graph output: the per-tensor scale of the DequantizeLinear that produces it, if any. */
export function dequantizedOutputScales(model: Uint8Array): Map<string, number> {
  const graph = onnx.ModelProto.decode(model).graph;
  const scales = new Map<string, number>();
  if (!graph) return scales;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  for (const out of graph.output ?? []) {
    const node = (graph.node ?? []).find((n) => (n.output ?? []).includes(out.name ?? ''));
    const scale = node?.opType === 'DequantizeLinear' ? inits.get(node.input?.[1] ?? '') : undefined;
    if (!scale) continue;
    const t = decodeTensorProto(scale, `scale of output '${out.name}'`);
    if (t.data && t.data.length === 1) scales.set(out.name ?? '', Number(t.data[0]));
  }
  return scales;
}

function argmax(data: TensorData): number {
  let best = 0;
  for (let i = 1; i < data.length; i++) if (Number(data[i]) > Number(data[best])) best = i;
  return best;
}

/** Compares one output over all cases under the policy above. */
export function compareOutput(name: string, ours: TensorValue[], reference: TensorValue[], dequantScale?: number): OutputDiff {
  const first = reference[0];
  const isInt = first.dtype !== 'float32' && first.dtype !== 'float64';
  const lsb = isInt ? 1 : dequantScale;
  const d: OutputDiff = { name, dtype: first.dtype, shape: [...first.shape], measure: lsb ? 'lsb' : 'float', maxAbs: 0, maxRel: 0, differing: 0, total: 0, ok: true };
  if (lsb) {
    d.lsb = lsb;
    d.maxLsb = 0;
  }
  if (elementCount(first.shape) > 1 && first.shape.filter((s) => s > 1).length === 1) d.top1Agree = 0;
  reference.forEach((e, k) => {
    const a = ours[k];
    if (a.shape.join() !== e.shape.join()) fail('E_SHAPE', `output '${name}': ours has shape [${a.shape}], onnxruntime's [${e.shape}]`);
    for (let i = 0; i < e.data.length; i++) judge(d, Number(a.data[i]), Number(e.data[i]));
    d.total += e.data.length;
    if (d.top1Agree !== undefined && argmax(a.data) === argmax(e.data)) d.top1Agree++;
  });
  return d;
}

function judge(d: OutputDiff, a: number, e: number): void {
  if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) return;
  d.differing++;
  const diff = Math.abs(a - e);
  d.maxAbs = Math.max(d.maxAbs, Number.isNaN(diff) ? Infinity : diff);
  if (e !== 0) d.maxRel = Math.max(d.maxRel, diff / Math.abs(e));
  if (d.lsb) {
    const steps = Math.round(diff / d.lsb);
    d.maxLsb = Math.max(d.maxLsb!, Number.isNaN(steps) ? Infinity : steps);
    if (!(steps <= MAX_LSB)) d.ok = false;
  } else if (!(diff <= FLOAT_TOLERANCE.atol + FLOAT_TOLERANCE.rtol * Math.abs(e))) d.ok = false;
}

// ---------------------------------------------------------------------------------------------------
// The command

export async function validate(model: Uint8Array, fileName: string, options: ValidateOptions, ort?: OrtModule, progress: Progress = silent): Promise<ValidateReport> {
  const runtime = ort ?? (await loadOnnxRuntime());
  const result = compile(model, fileName, { name: options.name, board: targetBoard(options.target), rounding: options.rounding });
  const { program } = result;
  const cases = options.inputs
    ? [options.inputs]
    : Array.from({ length: options.cases ?? 4 }, (_, k) => randomInputs(program.inputs, (options.seed ?? 0) + k));
  const ours = runCompiled(result, cases, progress);
  const reference = await runReference(runtime, model, program.inputs.map((t) => t.name), cases, progress);
  const scales = dequantizedOutputScales(model);
  const outputs = program.outputs.map((t, i) =>
    compareOutput(t.name, ours.map((c) => c[i]), reference.map((c) => c[i]), scales.get(t.name)),
  );
  return { model: fileName, target: options.target, cases: cases.length, outputs, ok: outputs.every((o) => o.ok), ours, reference };
}

function fmt(x: number): string {
  return x === 0 ? '0' : x.toPrecision(3);
}

/** The human-readable report: one line per output, then the verdict. */
export function formatValidate(r: ValidateReport): string {
  const lines = [`${r.model} on ${r.target} vs onnxruntime-node, ${r.cases} case(s):`];
  for (const o of r.outputs) {
    const pct = ((100 * o.differing) / Math.max(1, o.total)).toFixed(2);
    const max = o.measure === 'lsb' ? `max ${o.maxLsb} LSB${o.dtype === 'float32' ? ` (of ${fmt(o.lsb!)})` : ''}, max abs ${fmt(o.maxAbs)}` : `max abs ${fmt(o.maxAbs)}, max rel ${fmt(o.maxRel)}`;
    const top1 = o.top1Agree === undefined ? '' : `, top-1 agrees ${o.top1Agree}/${r.cases}`;
    lines.push(`  ${o.name} ${o.dtype}[${o.shape}]: ${max}; ${o.differing} of ${o.total} elements differ (${pct} %)${top1} — ${o.ok ? 'ok' : 'OUTSIDE TOLERANCE'}`);
  }
  const rule = `within ${MAX_LSB} LSB for quantized outputs, rtol ${FLOAT_TOLERANCE.rtol} atol ${FLOAT_TOLERANCE.atol} for float ones`;
  lines.push(r.ok ? `ok: every output ${rule}` : `FAILED: not every output is ${rule}`);
  return lines.join('\n');
}

/** The JSON report (without the raw outputs). */
export function validateJson(r: ValidateReport): object {
  return { model: r.model, target: r.target, cases: r.cases, ok: r.ok, outputs: r.outputs };
}
