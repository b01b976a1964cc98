/**
 * Builds small .tflite files for the importer's tests, with the `flatbuffers` runtime's Builder and the
 * field ids of schema.fbs (the same ids src/import/tflite-schema.ts reads — written out again here, so a
 * wrong id on one side shows up as a failing test rather than agreeing with itself silently).
 */

import { Builder } from 'flatbuffers';
import { builtinCode } from '../../src/import/tflite-schema.js';
import { OptionsType } from '../../src/import/tflite-options.js';

export type TfliteType = 'float32' | 'int8' | 'int32' | 'uint8' | 'int16' | 'int64' | 'float16';
const TYPE_CODE: Record<TfliteType, number> = { float32: 0, float16: 1, int32: 2, uint8: 3, int64: 4, int16: 7, int8: 9 };

export interface TensorSpec {
  name: string;
  shape: number[];
  type?: TfliteType;
  /** Constant data (written little-endian into a buffer of its own). */
  data?: number[];
  quant?: { scale: number[]; zeroPoint: number[]; axis?: number };
  shapeSignature?: number[];
  /** A variable tensor (is_variable: state such as the LSTM's). */
  variable?: boolean;
}

/** One option field: [field id, kind, value]. */
export type OptionField = [number, 'int8' | 'int32' | 'float32' | 'bool', number] | [number, 'int32s', number[]];

export interface OpSpec {
  /** Builtin name (e.g. 'CONV_2D') or code. */
  op: string | number;
  version?: number;
  inputs: number[];
  outputs: number[];
  options?: { type: number; fields: OptionField[] };
}

export interface ModelSpec {
  tensors: TensorSpec[];
  inputs: number[];
  outputs: number[];
  operators: OpSpec[];
  /** Extra (empty) subgraphs, to test the one-subgraph rule. */
  extraSubgraphs?: number;
  schemaVersion?: number;
}

function dataBytes(t: TensorSpec): Uint8Array {
  const type = t.type ?? 'float32';
  const values = t.data ?? [];
  if (type === 'float32') return new Uint8Array(Float32Array.from(values).buffer);
  if (type === 'int32') return new Uint8Array(Int32Array.from(values).buffer);
  if (type === 'int16') return new Uint8Array(Int16Array.from(values).buffer);
  if (type === 'int64') return new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
  if (type === 'uint8') return Uint8Array.from(values);
  return new Uint8Array(Int8Array.from(values).buffer);
}

function intVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function floatVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function longVector(b: Builder, values: number[]): number {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function tableVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

function writeOptions(b: Builder, fields: OptionField[]): number {
  const vectors = new Map<number, number>();
  for (const [id, kind, value] of fields) if (kind === 'int32s') vectors.set(id, intVector(b, value as number[]));
  b.startObject(8);
  for (const [id, kind, value] of fields) {
    if (kind === 'int8' || kind === 'bool') b.addFieldInt8(id, Number(value), 0xff);
    else if (kind === 'int32') b.addFieldInt32(id, Number(value), 0x7fffffff);
    else if (kind === 'float32') b.addFieldFloat32(id, Number(value), NaN);
    else b.addFieldOffset(id, vectors.get(id)!, 0);
  }
  return b.endObject();
}

function writeTensor(b: Builder, t: TensorSpec, buffer: number): number {
  const name = b.createString(t.name);
  const shape = intVector(b, t.shape);
  const sig = t.shapeSignature ? intVector(b, t.shapeSignature) : 0;
  let quant = 0;
  if (t.quant) {
    const scale = floatVector(b, t.quant.scale);
    const zp = longVector(b, t.quant.zeroPoint);
    b.startObject(7);
    b.addFieldOffset(2, scale, 0);
    b.addFieldOffset(3, zp, 0);
    b.addFieldInt32(6, t.quant.axis ?? 0, 0);
    quant = b.endObject();
  }
  b.startObject(8);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, TYPE_CODE[t.type ?? 'float32'], 0xff);
  b.addFieldInt32(2, buffer, 0xffffffff);
  b.addFieldOffset(3, name, 0);
  if (quant) b.addFieldOffset(4, quant, 0);
  if (t.variable) b.addFieldInt8(5, 1, 0);
  if (sig) b.addFieldOffset(7, sig, 0);
  return b.endObject();
}

/** The bytes of a .tflite model. */
export function buildTflite(spec: ModelSpec): Uint8Array {
  const b = new Builder(1024);
  // Buffers: 0 is the empty sentinel; each constant tensor gets the next one.
  const bufferOf = new Map<number, number>();
  const buffers: number[] = [];
  b.startObject(1);
  buffers.push(b.endObject());
  spec.tensors.forEach((t, i) => {
    if (t.data === undefined) return;
    const bytes = dataBytes(t);
    b.startVector(1, bytes.length, 16);
    for (let k = bytes.length - 1; k >= 0; k--) b.addInt8(bytes[k]);
    const data = b.endVector();
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    bufferOf.set(i, buffers.length);
    buffers.push(b.endObject());
  });
  // Operator codes, in order of first use.
  const codes: { code: number; version: number }[] = [];
  const codeIndex = spec.operators.map((op) => {
    const code = typeof op.op === 'number' ? op.op : builtinCode(op.op);
    const version = op.version ?? 1;
    let k = codes.findIndex((c) => c.code === code && c.version === version);
    if (k < 0) k = codes.push({ code, version }) - 1;
    return k;
  });
  const codeTables = codes.map(({ code, version }) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(code, 127), 0xff);
    b.addFieldInt32(2, version, 0xffffffff);
    b.addFieldInt32(3, code, 0xffffffff);
    return b.endObject();
  });
  const tensors = spec.tensors.map((t, i) => writeTensor(b, t, bufferOf.get(i) ?? 0));
  const operators = spec.operators.map((op, i) => {
    const inputs = intVector(b, op.inputs);
    const outputs = intVector(b, op.outputs);
    const options = op.options ? writeOptions(b, op.options.fields) : 0;
    b.startObject(5);
    b.addFieldInt32(0, codeIndex[i], 0xffffffff);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (op.options) {
      b.addFieldInt8(3, op.options.type, 0xff);
      b.addFieldOffset(4, options, 0);
    }
    return b.endObject();
  });
  const subgraph = (withContent: boolean) => {
    const t = tableVector(b, withContent ? tensors : []);
    const ins = intVector(b, withContent ? spec.inputs : []);
    const outs = intVector(b, withContent ? spec.outputs : []);
    const ops = tableVector(b, withContent ? operators : []);
    const name = b.createString('main');
    b.startObject(5);
    b.addFieldOffset(0, t, 0);
    b.addFieldOffset(1, ins, 0);
    b.addFieldOffset(2, outs, 0);
    b.addFieldOffset(3, ops, 0);
    b.addFieldOffset(4, name, 0);
    return b.endObject();
  };
  const subgraphs = [subgraph(true), ...Array.from({ length: spec.extraSubgraphs ?? 0 }, () => subgraph(false))];
  const codesVec = tableVector(b, codeTables);
  const sgVec = tableVector(b, subgraphs);
  const bufVec = tableVector(b, buffers);
  b.startObject(5);
  b.addFieldInt32(0, spec.schemaVersion ?? 3, 0xffffffff);
  b.addFieldOffset(1, codesVec, 0);
  b.addFieldOffset(2, sgVec, 0);
  b.addFieldOffset(4, bufVec, 0);
  const model = b.endObject();
  b.finish(model, 'TFL3');
  return b.asUint8Array().slice();
}

// ---------------------------------------------------------------------------------------------------
// Options (field ids from schema.fbs)

const PADDING = { SAME: 0, VALID: 1 } as const;

export function conv2dOptions(o: { padding: 'SAME' | 'VALID'; stride?: [number, number]; activation?: number; dilation?: [number, number] }) {
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  return {
    type: OptionsType.Conv2DOptions,
    fields: [[0, 'int8', PADDING[o.padding]], [1, 'int32', sw], [2, 'int32', sh], [3, 'int8', o.activation ?? 0], [4, 'int32', dw], [5, 'int32', dh]] as OptionField[],
  };
}

export function depthwiseOptions(o: { padding: 'SAME' | 'VALID'; stride?: [number, number]; multiplier: number; activation?: number; dilation?: [number, number] }) {
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  return {
    type: OptionsType.DepthwiseConv2DOptions,
    fields: [[0, 'int8', PADDING[o.padding]], [1, 'int32', sw], [2, 'int32', sh], [3, 'int32', o.multiplier], [4, 'int8', o.activation ?? 0], [5, 'int32', dw], [6, 'int32', dh]] as OptionField[],
  };
}

export function poolOptions(o: { padding: 'SAME' | 'VALID'; stride: [number, number]; filter: [number, number]; activation?: number }) {
  return {
    type: OptionsType.Pool2DOptions,
    fields: [[0, 'int8', PADDING[o.padding]], [1, 'int32', o.stride[1]], [2, 'int32', o.stride[0]], [3, 'int32', o.filter[1]], [4, 'int32', o.filter[0]], [5, 'int8', o.activation ?? 0]] as OptionField[],
  };
}

export function fullyConnectedOptions(o: { activation?: number; keepNumDims?: boolean; weightsFormat?: number } = {}) {
  return {
    type: OptionsType.FullyConnectedOptions,
    fields: [[0, 'int8', o.activation ?? 0], [1, 'int8', o.weightsFormat ?? 0], [2, 'bool', o.keepNumDims ? 1 : 0]] as OptionField[],
  };
}

export function activationOptions(type: number, activation: number) {
  return { type, fields: [[0, 'int8', activation]] as OptionField[] };
}

export function softmaxOptions(beta: number) {
  return { type: OptionsType.SoftmaxOptions, fields: [[0, 'float32', beta]] as OptionField[] };
}

export function concatOptions(axis: number, activation = 0) {
  return { type: OptionsType.ConcatenationOptions, fields: [[0, 'int32', axis], [1, 'int8', activation]] as OptionField[] };
}

export function reducerOptions(keepDims: boolean) {
  return { type: OptionsType.ReducerOptions, fields: [[0, 'bool', keepDims ? 1 : 0]] as OptionField[] };
}

/** UnidirectionalSequenceLSTMOptions: fused_activation_function (TANH = 4 for TFLite Micro), cell_clip, proj_clip, time_major. */
export function unidirectionalLstmOptions(o: { activation?: number; cellClip?: number; projClip?: number; timeMajor?: boolean }) {
  const fields: OptionField[] = [[0, 'int8', o.activation ?? 4]];
  if (o.cellClip !== undefined) fields.push([1, 'float32', o.cellClip]);
  if (o.projClip !== undefined) fields.push([2, 'float32', o.projClip]);
  if (o.timeMajor !== undefined) fields.push([3, 'bool', o.timeMajor ? 1 : 0]);
  return { type: OptionsType.UnidirectionalSequenceLSTMOptions, fields };
}

export function batchMatmulOptions(adjX: boolean, adjY: boolean) {
  return { type: OptionsType.BatchMatMulOptions, fields: [[0, 'bool', adjX ? 1 : 0], [1, 'bool', adjY ? 1 : 0]] as OptionField[] };
}

export function transposeConvOptions(o: { padding: 'SAME' | 'VALID'; stride: [number, number]; activation?: number }) {
  return {
    type: OptionsType.TransposeConvOptions,
    fields: [[0, 'int8', PADDING[o.padding]], [1, 'int32', o.stride[1]], [2, 'int32', o.stride[0]], [3, 'int8', o.activation ?? 0]] as OptionField[],
  };
}
