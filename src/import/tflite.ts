/**
 * TensorFlow Lite importer: .tflite bytes → Graph (NHWC already: no layout work needed).
 *
 * 1. Read and check the flatbuffer (tflite-schema.ts): identifier, offsets, vector lengths.
 * 2. Check the model: one subgraph, operator codes in range, tensor types int8/int32/float32, static
 *    shapes (a −1 batch in shape_signature is compiled as 1), buffers of the right size, quantization
 *    parameters we understand (per-tensor or per-channel affine).
 * 3. Operators in order through the importer their operator file registers (src/ops/*.ts `tflite`,
 *    helpers in tflite-context.ts); each IR node's source is
 *    { op: 'CONV_2D', name: '#<operator index>' }. IR tensor names are the TFLite tensor names (made
 *    unique), and each operator's outputs keep the model's dtype and quantization.
 * `tfliteOperatorOutputs` gives, for TFLite operator i, the IR tensor that holds its output — the key to
 * per-layer comparisons with TFLite Micro. Pure: bytes in, Graph out.
 */

import { fail, quote, UtvmError } from '../diagnostics.js';
import { checkTensorShape } from './limits.js';
import { DType, TensorData, allocData, bytesOf } from '../ir/dtype.js';
import { Graph, Quant, Tensor, elementCount } from '../ir/graph.js';
import { GraphBuilder } from './builder.js';
import { TENSOR_TYPE_NAMES, TensorType, TfliteModel, TfliteOperator, TfliteSubgraph, TfliteTensor, builtinName, readTfliteModel } from './tflite-schema.js';
import { readOptions } from './tflite-options.js';
import type { TfliteOpContext, TfliteOpDef } from './tflite-context.js';
import { allOps } from '../ops/index.js';
import { UnsupportedUse, failUnsupported } from './unsupported.js';

/**
 * Every supported builtin, by name: each operator file's `tflite` field. Inside an entry's version
 * range, FULLY_CONNECTED's shuffled weights (v2) fail on weights_format, sparse weights (v8) on the
 * sparsity check; hybrid versions (float32 activations, int8 weights: CONV_2D v2/v5, DEPTHWISE_CONV_2D
 * v4/v6, FULLY_CONNECTED v3/v9) run with their weights dequantized at compile time.
 */
function tfliteImporters(): Map<string, TfliteOpDef<unknown>> {
  const m = new Map<string, TfliteOpDef<unknown>>();
  for (const op of allOps()) {
    for (const [name, def] of Object.entries(op.tflite ?? {})) {
      if (m.has(name)) throw new Error(`internal: TensorFlow Lite builtin '${name}' imported by two operator files`);
      m.set(name, def);
    }
  }
  return m;
}

let importers: Map<string, TfliteOpDef<unknown>> | undefined;

/** The TFLite importer of builtin `name`, or undefined when no operator imports it. */
function tfliteOp(name: string): TfliteOpDef<unknown> | undefined {
  importers ??= tfliteImporters();
  return importers.get(name);
}

export function supportedTfliteOps(): string[] {
  importers ??= tfliteImporters();
  return [...importers.keys()].sort();
}

/** Schema versions we read (the identifier 'TFL3' and Model.version 3). */
const SCHEMA_VERSION = 3;

const DTYPES: Record<number, DType> = { [TensorType.FLOAT32]: 'float32', [TensorType.INT32]: 'int32', [TensorType.INT8]: 'int8', [TensorType.UINT8]: 'uint8', [TensorType.INT16]: 'int16', [TensorType.INT64]: 'int64' };

export interface TfliteImport {
  graph: Graph;
  /** For each TFLite operator (in model order), the IR name of its first output. */
  operatorOutputs: string[];
}

/** Unique IR names for the subgraph's tensors: the TFLite names, suffixed _1, _2 ... when repeated. */
function tensorNames(sg: TfliteSubgraph): string[] {
  const used = new Set<string>();
  return sg.tensors.map((t, i) => {
    const base = t.name === '' ? `tensor_${i}` : t.name;
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  });
}

function checkModel(model: TfliteModel, fileName: string): TfliteSubgraph {
  if (model.version !== SCHEMA_VERSION) {
    fail('E_UNSUPPORTED_ATTR', `${fileName}: TensorFlow Lite schema version ${model.version} is not supported (version ${SCHEMA_VERSION} is)`);
  }
  if (model.subgraphs.length !== 1) {
    fail('E_UNSUPPORTED_ATTR', `${fileName}: the model has ${model.subgraphs.length} subgraphs; exactly one is supported (no control flow)`);
  }
  const sg = model.subgraphs[0];
  const n = sg.tensors.length;
  const checkIndex = (i: number, what: string, optional: boolean) => {
    if ((optional && i === -1) || (i >= 0 && i < n)) return;
    fail('E_MODEL_FORMAT', `${fileName}: truncated or corrupt TensorFlow Lite file: ${what} refers to tensor ${i} of ${n}`);
  };
  sg.inputs.forEach((i, k) => checkIndex(i, `subgraph input ${k}`, false));
  sg.outputs.forEach((i, k) => checkIndex(i, `subgraph output ${k}`, false));
  sg.operators.forEach((op, k) => {
    if (op.opcodeIndex >= model.operatorCodes.length) {
      fail('E_MODEL_FORMAT', `${fileName}: truncated or corrupt TensorFlow Lite file: operator #${k} uses operator code ${op.opcodeIndex} of ${model.operatorCodes.length}`);
    }
    op.inputs.forEach((i, j) => checkIndex(i, `operator #${k} input ${j}`, true));
    op.outputs.forEach((i, j) => checkIndex(i, `operator #${k} output ${j}`, false));
    if (op.outputs.length === 0) fail('E_MODEL_FORMAT', `${fileName}: truncated or corrupt TensorFlow Lite file: operator #${k} has no output`);
  });
  for (const t of sg.tensors) {
    if (t.buffer >= model.buffers.length) {
      fail('E_MODEL_FORMAT', `${fileName}: truncated or corrupt TensorFlow Lite file: tensor ${quote(t.name)} uses buffer ${t.buffer} of ${model.buffers.length}`);
    }
  }
  return sg;
}

/** E_UNSUPPORTED_OP naming every operator no operator file imports, with its operators (before anything is built). */
function checkOperators(model: TfliteModel, sg: TfliteSubgraph, fileName: string): void {
  const names = tensorNames(sg);
  const uses: UnsupportedUse[] = [];
  const versions = new Map<string, Set<number>>();
  sg.operators.forEach((op, index) => {
    const code = model.operatorCodes[op.opcodeIndex];
    const opName = builtinName(code.builtinCode);
    if (tfliteOp(opName)) return;
    const custom = code.customCode !== undefined;
    const key = custom ? `custom ${code.customCode}` : opName;
    if (!versions.has(key)) versions.set(key, new Set());
    versions.get(key)!.add(code.version);
    const what = custom ? `${quote(code.customCode)} (custom` : `${quote(opName)} (builtin ${code.builtinCode}`;
    uses.push({ key, what, node: `#${index} (output ${quote(names[op.outputs[0]])})` });
  });
  failUnsupported(fileName, uses, 'operator', 'TensorFlow Lite', supportedTfliteOps(), (key, first) => {
    const v = [...versions.get(key)!].sort((a, b) => a - b);
    return `${first.what}, version${v.length > 1 ? 's' : ''} ${v.join(', ')})`;
  });
}

/** The IR type of a tensor (INT64 at run time only where an operator writes it: ARG_MAX / ARG_MIN indices). */
function irDType(t: TfliteTensor, fileName: string): DType {
  const dtype = DTYPES[t.type];
  if (!dtype) {
    const name = TENSOR_TYPE_NAMES[t.type] ?? `type ${t.type}`;
    fail('E_UNSUPPORTED_TYPE', `${fileName}: tensor ${quote(t.name)} has type ${name}; supported: FLOAT32, INT8, UINT8, INT16, INT32, INT64`);
  }
  return dtype;
}

function irShape(t: TfliteTensor, fileName: string): number[] {
  const sig = t.shapeSignature;
  t.shape.forEach((d, i) => {
    const dynamic = sig !== undefined && sig[i] === -1;
    if (dynamic && i !== 0) fail('E_SHAPE', `${fileName}: tensor ${quote(t.name)} has an unknown dimension ${i} (shape_signature [${sig}]); only the batch dimension may be dynamic`);
    if (!Number.isInteger(d) || d < 1) fail('E_SHAPE', `${fileName}: tensor ${quote(t.name)} has shape [${t.shape}]; dimensions must be positive`);
  });
  return [...t.shape];
}

function irQuant(t: TfliteTensor, fileName: string): Quant | undefined {
  const q = t.quantization;
  if (!q) return undefined;
  if (q.detailsType !== 0) fail('E_UNSUPPORTED_ATTR', `${fileName}: tensor ${quote(t.name)} uses custom quantization details; only affine quantization is supported`);
  if (q.scale.length === 0) return undefined;
  const zp = q.zeroPoint.length === 0 ? q.scale.map(() => 0) : q.zeroPoint;
  if (zp.length !== q.scale.length) fail('E_MODEL_INVALID', `${fileName}: tensor ${quote(t.name)} has ${q.scale.length} scales but ${zp.length} zero points`);
  const quant: Quant = { scale: q.scale.map((s) => Math.fround(s)), zeroPoint: [...zp] };
  if (q.scale.length > 1) {
    // TFLite Micro never checks quantized_dimension against a tensor's rank; converters leave the
    // weights' axis (3) on 1-D biases (person_detect). One scale per element of a 1-D tensor is axis 0.
    const quirk = t.shape.length === 1 && q.quantizedDimension >= 1 && t.shape[0] === q.scale.length;
    const axis = quirk ? 0 : q.quantizedDimension;
    if (axis < 0 || axis >= t.shape.length || t.shape[axis] !== q.scale.length) {
      fail('E_MODEL_INVALID', `${fileName}: tensor ${quote(t.name)} [${t.shape}] has ${q.scale.length} scales along axis ${axis}`);
    }
    quant.axis = axis;
  }
  return quant;
}

/** Little-endian buffer bytes → typed data (copied: buffers need not be aligned). */
function decodeData(bytes: Uint8Array, dtype: DType, count: number): TensorData {
  const data = allocData(dtype, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    if (dtype === 'float32') (data as Float32Array)[i] = view.getFloat32(4 * i, true);
    else if (dtype === 'int32') (data as Int32Array)[i] = view.getInt32(4 * i, true);
    else if (dtype === 'int16') (data as Int16Array)[i] = view.getInt16(2 * i, true);
    else if (dtype === 'int64') (data as BigInt64Array)[i] = view.getBigInt64(8 * i, true);
    else if (dtype === 'uint8') (data as Uint8Array)[i] = view.getUint8(i);
    else (data as Int8Array)[i] = view.getInt8(i);
  }
  return data;
}

/** Builds the graph, one TFLite operator at a time. */
class TfliteImporter {
  readonly b: GraphBuilder;
  readonly names: string[];
  private readonly added = new Set<number>();

  constructor(
    readonly model: TfliteModel,
    readonly sg: TfliteSubgraph,
    readonly fileName: string,
    graphName: string,
  ) {
    this.b = new GraphBuilder(graphName);
    this.names = tensorNames(sg);
  }

  tensorInfo(i: number): { dtype: DType; shape: number[]; quant?: Quant; data?: Uint8Array } {
    const t = this.sg.tensors[i];
    const dtype = irDType(t, this.fileName);
    const shape = irShape(t, this.fileName);
    checkTensorShape(shape, dtype, `${this.fileName}: tensor ${quote(t.name)}`);
    const bytes = this.model.buffers[t.buffer];
    return { dtype, shape, quant: irQuant(t, this.fileName), data: t.buffer > 0 && bytes.length > 0 ? bytes : undefined };
  }

  /** The IR name of tensor i, adding it as a constant when it has data and is not in the graph yet. */
  ref(i: number): string {
    const name = this.names[i];
    if (this.added.has(i)) return name;
    const t = this.sg.tensors[i];
    const info = this.tensorInfo(i);
    if (t.isVariable) return this.addVariable(i, info);
    if (info.data === undefined) {
      fail('E_MODEL_INVALID', `${this.fileName}: tensor ${quote(t.name)} is read before any operator writes it and has no data`);
    }
    if (t.hasSparsity) fail('E_UNSUPPORTED_ATTR', `${this.fileName}: tensor ${quote(t.name)} is sparse; sparse tensors are not supported`);
    const count = elementCount(info.shape);
    const bytes = count * bytesOf(info.dtype);
    if (info.data.length !== bytes) {
      fail('E_MODEL_FORMAT', `${this.fileName}: truncated or corrupt TensorFlow Lite file: tensor ${quote(t.name)} [${info.shape}] ${info.dtype} needs ${bytes} bytes, its buffer ${t.buffer} has ${info.data.length}`);
    }
    const tensor: Tensor = { name, dtype: info.dtype, shape: info.shape, data: decodeData(info.data, info.dtype, count) };
    if (info.quant) tensor.quant = info.quant;
    this.b.addTensor(tensor, `${this.fileName}: tensor ${quote(name)}`);
    this.added.add(i);
    return name;
  }

  /**
   * A variable tensor (state kept across runs, as TFLite Micro keeps it): a runtime tensor without a
   * producer. Its buffer's data, if any, is ignored, as TFLite Micro ignores it (ResetVariableTensors sets
   * it to the zero point before the first run).
   */
  private addVariable(i: number, info: { dtype: DType; shape: number[]; quant?: Quant }): string {
    const name = this.names[i];
    const tensor: Tensor = { name, dtype: info.dtype, shape: info.shape, variable: true };
    if (info.quant) tensor.quant = info.quant;
    this.b.addTensor(tensor, `${this.fileName}: tensor ${quote(name)}`);
    this.added.add(i);
    return name;
  }

  addInputs(): void {
    for (const i of this.sg.inputs) {
      const info = this.tensorInfo(i);
      if (info.data !== undefined) continue;
      const tensor: Tensor = { name: this.names[i], dtype: info.dtype, shape: info.shape };
      if (info.quant) tensor.quant = info.quant;
      this.b.addTensor(tensor, `${this.fileName}: tensor ${quote(tensor.name)}`);
      this.b.graph.inputs.push(tensor.name);
      this.added.add(i);
    }
    if (this.b.graph.inputs.length === 0) fail('E_MODEL_INVALID', `${this.fileName}: the model has no runtime input`);
  }

  importOperator(op: TfliteOperator, index: number): void {
    const code = this.model.operatorCodes[op.opcodeIndex];
    const opName = builtinName(code.builtinCode);
    const outName = this.names[op.outputs[0]];
    const where = `operator #${index} ${opName} (output ${quote(outName)})`;
    this.b.current = { op: opName, name: `#${index}` };
    const def = tfliteOp(opName);
    if (!def) throw new Error(`internal: ${where} passed checkOperators without an importer`);
    if (code.version > def.maxVersion || code.version < 1) {
      fail('E_UNSUPPORTED_ATTR', `${this.fileName}: ${where}: ${opName} version ${code.version} is not supported (versions 1 to ${def.maxVersion} are)`);
    }
    if (op.outputs.some((o) => this.sg.tensors[o].isVariable)) fail('E_UNSUPPORTED_ATTR', `${this.fileName}: ${where}: writing a variable tensor as an operator's output is not supported (variables are state an operator updates in place)`);
    this.checkTypes(op, opName, def.types, where);
    const options = readOptions(this.model, op, def.options, `operator #${index} ${opName}`);
    def.import(this.context(op, opName, options, where));
    op.outputs.forEach((_, k) => this.finishOutput(op, k, where));
  }

  /**
   * The operator's run-time tensors (inputs without data, outputs) must have element types its
   * importer declares (`TfliteOpDef.types`); constants (weights, biases, shapes) and variable tensors (state,
   * such as the int8 LSTM's int16 cell state) are the kernels' own affair.
   */
  private checkTypes(op: TfliteOperator, opName: string, types: readonly DType[] | undefined, where: string): void {
    if (!types) return;
    const hasData = (t: TfliteTensor) => t.buffer > 0 && this.model.buffers[t.buffer].length > 0;
    const stateless = (i: number) => i >= 0 && !this.sg.tensors[i].isVariable && !hasData(this.sg.tensors[i]);
    const runtime = [...op.inputs.filter(stateless), ...op.outputs];
    for (const i of runtime) {
      const dtype = this.tensorInfo(i).dtype;
      if (!types.includes(dtype)) {
        fail('E_UNSUPPORTED_TYPE', `${this.fileName}: ${where}: ${opName} on ${dtype} tensors is not supported (${types.join(', ')} are)`);
      }
    }
  }

  private context(op: TfliteOperator, opName: string, options: unknown, where: string): TfliteOpContext<unknown> {
    const self = this;
    return {
      b: this.b,
      opName,
      options,
      input: (i) => (i < op.inputs.length && op.inputs[i] >= 0 ? self.ref(op.inputs[i]) : ''),
      present: (i) => i < op.inputs.length && op.inputs[i] >= 0,
      inputTensor(i) {
        const name = this.input(i);
        if (name === '') this.invalid(`input ${i} is missing`);
        return self.b.tensor(name);
      },
      output: (i) => self.names[op.outputs[i]],
      outputCount: op.outputs.length,
      outputType: (i) => self.tensorInfo(op.outputs[i]),
      typeLike(name, i) {
        const info = self.tensorInfo(op.outputs[i]);
        const t = self.b.graph.tensor(name);
        t.dtype = info.dtype;
        if (info.quant) t.quant = info.quant;
      },
      unsupported: (what) => fail('E_UNSUPPORTED_ATTR', `${self.fileName}: ${where}: ${what} is not supported`),
      invalid: (what) => fail('E_MODEL_INVALID', `${self.fileName}: ${where}: ${what}`),
    };
  }

  /** The output as the model types it: same shape as inferred, the model's dtype and quantization. */
  private finishOutput(op: TfliteOperator, k: number, where: string): void {
    const i = op.outputs[k];
    const name = this.names[i];
    const t = this.b.graph.tensors.get(this.b.resolve(name));
    if (!t) throw new Error(`internal: ${where} did not produce ${quote(name)}`);
    const info = this.tensorInfo(i);
    if (t.shape.join() !== info.shape.join()) {
      fail('E_SHAPE', `${this.fileName}: ${where}: the output shape is [${t.shape}] but the model says [${info.shape}]`);
    }
    if (t.dtype !== info.dtype && t.data === undefined) {
      fail('E_MODEL_INVALID', `${this.fileName}: ${where}: the output is ${t.dtype} but the model says ${info.dtype}`);
    }
    if (info.quant) t.quant = info.quant;
    else delete t.quant;
    this.added.add(i);
  }
}

/** Imports a .tflite model with the names of its operators' outputs. Throws UtvmError for what the user must fix. */
export function importTfliteModel(bytes: Uint8Array, fileName: string, graphName: string): TfliteImport {
  try {
    const model = readTfliteModel(bytes, fileName);
    const sg = checkModel(model, fileName);
    checkOperators(model, sg, fileName);
    const im = new TfliteImporter(model, sg, fileName, graphName);
    im.addInputs();
    sg.operators.forEach((op, i) => im.importOperator(op, i));
    const operatorOutputs = sg.operators.map((op) => im.names[op.outputs[0]]);
    const outputs = sg.outputs.map((i) => im.names[i]);
    for (const i of sg.outputs) {
      if (!im.b.graph.has(im.b.resolve(im.names[i]))) im.ref(i); // a constant output
    }
    const graph = im.b.finish(outputs);
    return { graph, operatorOutputs };
  } catch (e) {
    if (e instanceof UtvmError) {
      if (e.message.startsWith(fileName)) throw e;
      throw new UtvmError(e.code, `${fileName}: ${e.message}`);
    }
    if (e instanceof RangeError) {
      // Every read is bounds-checked; this is a last line of defence against a malformed file.
      fail('E_MODEL_FORMAT', `${fileName}: truncated or corrupt TensorFlow Lite file (${e.message})`);
    }
    throw e;
  }
}

/** Imports a .tflite model. */
export function importTflite(bytes: Uint8Array, fileName: string, graphName: string): Graph {
  return importTfliteModel(bytes, fileName, graphName).graph;
}

/** For TFLite operator i, the IR tensor holding its output (before the pass pipeline; names survive it). */
export function tfliteOperatorOutputs(bytes: Uint8Array, fileName = 'model.tflite'): string[] {
  const model = readTfliteModel(bytes, fileName);
  const sg = checkModel(model, fileName);
  const names = tensorNames(sg);
  return sg.operators.map((op) => names[op.outputs[0]]);
}
