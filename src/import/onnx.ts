/**
 * ONNX importer: ModelProto bytes → Graph (in the model's own layout; passes move it to NHWC).
 *
 * 1. Decode with onnx-proto and check the envelope (a graph, an opset for the default domain, in range).
 * 2. Initializers and Constant-like data: every TensorProto encoding (raw_data and the typed fields).
 * 3. Graph inputs: static shapes; a symbolic first dimension is taken as a batch of one.
 * 4. Nodes in order, each through the importer its operator file registers (src/ops/*.ts `onnx`) or,
 *    for the quantization operators, src/import/onnx/quant.ts and qoperator.ts;
 *    operators nobody registers are found first, all of them, and named in one error with their nodes
 *    and the supported set (src/import/unsupported.ts).
 * Pure: bytes in, Graph out. Shape inference and constant folding happen in GraphBuilder.add.
 */

import onnxProto from 'onnx-proto';
import { DType } from '../ir/dtype.js';
import { Graph, Tensor } from '../ir/graph.js';
import { fail, quote, UtvmError } from '../diagnostics.js';
import { allOps } from '../ops/index.js';
import type { OnnxImporter, OnnxNode } from '../ops/op.js';
import { GraphBuilder } from './builder.js';
import { decodeTensorProto, makeAttributeReader, onnxDType } from './onnx/tensor.js';
import { onnxQuantImporters } from './onnx/quant.js';
import { qoperatorImporters } from './onnx/qoperator.js';
import { UnsupportedUse, failUnsupported } from './unsupported.js';

const { onnx } = onnxProto;

/** ONNX default-domain opsets we accept. Opsets 22–25 only widened the types of our operators. */
export const ONNX_OPSET_MIN = 6;
export const ONNX_OPSET_MAX = 25;

/**
 * Importers by ONNX op type ("Conv", or "com.microsoft:QLinearAdd" for other domains): each operator
 * file's `onnx` field, and the quantization readers of src/import/onnx/ (QuantizeLinear /
 * DequantizeLinear, and the QOperator forms written as the QDQ patterns they mean).
 */
export function onnxImporters(): Map<string, OnnxImporter> {
  const m = new Map<string, OnnxImporter>();
  const tables = [...allOps().map((op) => op.onnx ?? {}), onnxQuantImporters, qoperatorImporters];
  for (const table of tables) {
    for (const [key, importer] of Object.entries(table)) {
      if (m.has(key)) throw new Error(`internal: ONNX operator ${quote(key)} imported by two operator files`);
      m.set(key, importer);
    }
  }
  return m;
}

export function supportedOnnxOps(): string[] {
  return [...onnxImporters().keys()].sort();
}

function decodeModel(bytes: Uint8Array, fileName: string): onnxProto.onnx.ModelProto {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    fail('E_MODEL_FORMAT', `${fileName}: not a valid ONNX model (truncated or corrupt protobuf: ${(e as Error).message})`);
  }
  if (!model.graph || model.opsetImport.length === 0 || Number(model.irVersion) <= 0) {
    fail('E_MODEL_FORMAT', `${fileName}: not an ONNX model (no graph, IR version or opset import)`);
  }
  return model;
}

function defaultOpset(model: onnxProto.onnx.ModelProto, fileName: string): Map<string, number> {
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport) opsets.set(o.domain === 'ai.onnx' ? '' : o.domain ?? '', Number(o.version));
  const v = opsets.get('');
  if (v === undefined) fail('E_MODEL_FORMAT', `${fileName}: the model imports no opset of the default ONNX domain`);
  if (v < ONNX_OPSET_MIN || v > ONNX_OPSET_MAX) {
    fail('E_UNSUPPORTED_ATTR', `${fileName}: ONNX opset ${v} is not supported (supported: ${ONNX_OPSET_MIN} to ${ONNX_OPSET_MAX})`);
  }
  return opsets;
}

function importInput(b: GraphBuilder, vi: onnxProto.onnx.IValueInfoProto, fileName: string): void {
  const name = vi.name ?? '';
  const what = `graph input ${quote(name)}`;
  if (name === '') fail('E_MODEL_INVALID', `${fileName}: a graph input has an empty name (in ONNX an empty name means an omitted input)`);
  const tt = vi.type?.tensorType;
  if (!tt) fail('E_UNSUPPORTED_TYPE', `${fileName}: ${what} is not a tensor`);
  const dtype: DType = onnxDType(tt.elemType ?? 0, what);
  const dims = (tt.shape?.dim ?? []) as onnxProto.onnx.TensorShapeProto.Dimension[];
  if (!tt.shape) fail('E_SHAPE', `${fileName}: ${what} has no shape; a static shape is required`);
  const shape = dims.map((d: onnxProto.onnx.TensorShapeProto.Dimension, i) => {
    const known = d.value === 'dimValue';
    if (known && Number(d.dimValue) === 0) fail('E_SHAPE', `${fileName}: ${what} has a dimension of size 0; empty tensors are not supported`);
    if (known) return Number(d.dimValue); // negative or huge: refused by addTensor's limits
    if (i === 0) return 1; // a symbolic batch dimension: compile for a batch of one
    fail('E_SHAPE', `${fileName}: ${what} has an unknown dimension ${i} (${quote(d.dimParam ?? '?')}); only the batch dimension may be symbolic`);
  });
  b.addTensor({ name, dtype, shape }, what);
  b.graph.inputs.push(name);
}

function opKey(n: onnxProto.onnx.INodeProto): { domain: string; opType: string; key: string } {
  const domain = n.domain === 'ai.onnx' ? '' : n.domain ?? '';
  const opType = n.opType ?? '';
  return { domain, opType, key: domain === '' ? opType : `${domain}:${opType}` };
}

/** E_UNSUPPORTED_OP naming every node whose operator nobody imports (before anything is decoded or built). */
function checkOperators(nodes: onnxProto.onnx.INodeProto[], importers: Map<string, OnnxImporter>, fileName: string): void {
  const uses: UnsupportedUse[] = [];
  nodes.forEach((n, i) => {
    const { key } = opKey(n);
    if (importers.has(key)) return;
    uses.push({ key, what: quote(key), node: n.name ? `${quote(n.name)} (#${i})` : `#${i}` });
  });
  failUnsupported(fileName, uses, 'node', 'ONNX', supportedOnnxOps());
}

function importNode(b: GraphBuilder, n: onnxProto.onnx.INodeProto, index: number, opsets: Map<string, number>, importers: Map<string, OnnxImporter>): void {
  const { domain, opType, key } = opKey(n);
  const name = n.name && n.name !== '' ? n.name : `#${index}`;
  b.current = { op: opType, name };
  const importer = importers.get(key);
  if (!importer) throw new Error(`internal: operator ${quote(key)} passed checkOperators without an importer`);
  const node: OnnxNode = {
    opType,
    domain,
    name,
    opset: opsets.get(domain) ?? 1,
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attrs: makeAttributeReader(n.attribute ?? [], b),
  };
  importer(node, b);
  for (const out of node.outputs) {
    if (out !== '' && !b.graph.has(b.resolve(out))) b.invalid(`output ${quote(out)} was not produced by the importer`);
  }
}

export interface OnnxImportOptions {
  /** Graph inputs given a fixed value: they become constants (e.g. a Reshape's shape fed as an input). */
  bindInputs?: Map<string, Tensor>;
}

function bindInput(b: GraphBuilder, vi: onnxProto.onnx.IValueInfoProto, value: Tensor, fileName: string): void {
  const name = vi.name ?? '';
  const dtype = onnxDType(vi.type?.tensorType?.elemType ?? 0, `graph input ${quote(name)}`);
  if (dtype !== value.dtype) fail('E_INPUT_FILE', `${fileName}: bound input ${quote(name)} must be ${dtype}, got ${value.dtype}`);
  b.addTensor({ ...value, name, shape: [...value.shape] }, `bound input ${quote(name)}`);
}

/** Imports an ONNX model. Throws UtvmError for anything the user must fix. */
export function importOnnx(bytes: Uint8Array, fileName: string, graphName: string, options: OnnxImportOptions = {}): Graph {
  const model = decodeModel(bytes, fileName);
  const opsets = defaultOpset(model, fileName);
  const graph = model.graph!;
  const importers = onnxImporters();
  checkOperators(graph.node ?? [], importers, fileName);
  const b = new GraphBuilder(graphName);
  try {
    const initNames = new Set<string>();
    for (const init of graph.initializer ?? []) {
      const what = `initializer ${quote(init.name ?? '')}`;
      if (!init.name) fail('E_MODEL_INVALID', `${fileName}: an initializer has an empty name (in ONNX an empty name means an omitted input)`);
      if (initNames.has(init.name ?? '')) fail('E_MODEL_INVALID', `${what} is defined twice (tensor names must be unique)`);
      const t: Tensor = decodeTensorProto(init, what);
      b.addTensor(t, what);
      initNames.add(t.name);
    }
    for (const vi of graph.input ?? []) {
      const name = vi.name ?? '';
      if (initNames.has(name)) continue; // IR < 4 lists initializers among the inputs
      const bound = options.bindInputs?.get(name);
      if (bound) bindInput(b, vi, bound, fileName);
      else importInput(b, vi, fileName);
    }
    for (const name of options.bindInputs?.keys() ?? []) {
      if (!b.graph.has(name)) fail('E_USAGE', `${fileName}: --bind names ${quote(name)}, which is not a graph input`);
    }
    if (b.graph.inputs.length === 0) fail('E_MODEL_INVALID', `${fileName}: the model has no runtime input`);
    (graph.node ?? []).forEach((n, i) => importNode(b, n, i, opsets, importers));
    return b.finish((graph.output ?? []).map((o) => o.name ?? ''));
  } catch (e) {
    if (e instanceof UtvmError && !e.message.startsWith(fileName)) throw new UtvmError(e.code, `${fileName}: ${e.message}`);
    throw e;
  }
}
