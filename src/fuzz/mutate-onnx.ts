/**
 * Structure-aware ONNX mutations: the model is decoded with onnx-proto, one part of it is changed the
 * way a broken exporter or a hostile author would, and it is encoded again.
 *
 *   onnx:dims       a graph input's or initializer's dimension → 0, negative, 2^31, 65,536, 1e9, symbolic
 *   onnx:dtype      an element type → another code (unsupported, unknown, or a supported one that disagrees)
 *   onnx:name       a node, input or tensor name → control characters, comment markers, 10 KB
 *   onnx:rename     a graph input or node output renamed onto an existing tensor
 *   onnx:cycle      a node reads its own output or a later node's output; an Identity reading itself
 *   onnx:attr       an attribute's type changed, its value hostile, or it is dropped
 *   onnx:arity      node inputs/outputs dropped or added; graph outputs that nothing produces
 *   onnx:data       initializer data of the wrong length, hostile int64 values (shapes, axes, pads)
 *   onnx:fold       nodes that fold at import into huge constants or huge work: ConstantOfShape, Range,
 *                   Pad and a broadcasting Add with hostile sizes, a MatMul of two folded constants
 */

import onnxProto from 'onnx-proto';
import { HOSTILE_INTS, Rng, hostileName } from './rng.js';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.ModelProto;
type Graph = onnxProto.onnx.IGraphProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

export const ONNX_KINDS = ['onnx:dims', 'onnx:dtype', 'onnx:name', 'onnx:rename', 'onnx:cycle', 'onnx:attr', 'onnx:arity', 'onnx:data', 'onnx:fold'] as const;
export type OnnxKind = (typeof ONNX_KINDS)[number];

const AT = onnx.AttributeProto.AttributeType;

function nodesOf(g: Graph): Node[] {
  return g.node ?? [];
}

/** Every tensor name the graph defines: inputs, initializers, node outputs. */
function definedNames(g: Graph): string[] {
  const names = [...(g.input ?? []).map((v) => v.name ?? ''), ...(g.initializer ?? []).map((t) => t.name ?? '')];
  for (const n of nodesOf(g)) names.push(...(n.output ?? []));
  return names.filter((x) => x !== '');
}

/** Renames tensor `from` to `to` in every place (or only where it is defined when `everywhere` is false). */
function renameTensor(g: Graph, from: string, to: string, everywhere: boolean): void {
  for (const v of [...(g.input ?? []), ...(g.output ?? [])]) if (v.name === from) v.name = to;
  for (const t of g.initializer ?? []) if (t.name === from) t.name = to;
  for (const n of nodesOf(g)) {
    n.output = (n.output ?? []).map((o) => (o === from ? to : o));
    if (everywhere) n.input = (n.input ?? []).map((i) => (i === from ? to : i));
  }
}

function mutateDims(g: Graph, rng: Rng): void {
  const inputs = (g.input ?? []).filter((v) => v.type?.tensorType?.shape?.dim?.length);
  const inits = g.initializer ?? [];
  if (inputs.length > 0 && (inits.length === 0 || rng.chance(0.6))) {
    const dims = rng.pick(inputs).type!.tensorType!.shape!.dim!;
    const d = dims[rng.int(dims.length)];
    const r = rng.int(10);
    if (r === 0) dims.splice(dims.indexOf(d), 1, { dimParam: rng.pick(['N', 'batch', '']) });
    else if (r === 1) dims.splice(dims.indexOf(d), 1, {});
    else if (r === 2) dims.push({ dimValue: rng.pick([1, 2, 65536]) });
    else d.dimValue = rng.pick([...HOSTILE_INTS, 65536, 1e9]);
    return;
  }
  if (inits.length === 0) return;
  const t = rng.pick(inits);
  const dims = (t.dims ?? []) as unknown[];
  if (dims.length === 0 || rng.chance(0.2)) dims.push(rng.pick(HOSTILE_INTS));
  else dims[rng.int(dims.length)] = rng.pick(HOSTILE_INTS);
  t.dims = dims as number[];
}

function mutateDtype(g: Graph, rng: Rng): void {
  const code = rng.chance(0.5) ? rng.pick([1, 2, 3, 5, 6, 7, 9, 11]) : rng.int(32);
  const values = [...(g.input ?? []), ...(g.output ?? [])].filter((v) => v.type?.tensorType);
  if (values.length > 0 && rng.chance(0.5)) {
    rng.pick(values).type!.tensorType!.elemType = code;
    return;
  }
  const inits = g.initializer ?? [];
  if (inits.length > 0) rng.pick(inits).dataType = code;
  else if (values.length > 0) rng.pick(values).type!.tensorType!.elemType = code;
}

function mutateName(g: Graph, rng: Rng): void {
  const name = hostileName(rng);
  const nodes = nodesOf(g);
  const r = rng.int(3);
  if (r === 0 && nodes.length > 0) {
    rng.pick(nodes).name = name;
    return;
  }
  const names = definedNames(g);
  if (names.length === 0) return;
  renameTensor(g, rng.pick(names), name, r === 1);
}

function mutateRename(g: Graph, rng: Rng): void {
  const names = definedNames(g);
  const inputs = (g.input ?? []).map((v) => v.name ?? '');
  const outputs = nodesOf(g).flatMap((n) => n.output ?? []);
  const from = rng.chance(0.5) && inputs.length > 0 ? rng.pick(inputs) : rng.pick(outputs.length > 0 ? outputs : names);
  const others = names.filter((x) => x !== from);
  if (others.length === 0) {
    // A second graph input under the same name.
    const vi = (g.input ?? [])[0];
    if (vi) g.input!.push({ ...vi });
    return;
  }
  renameTensor(g, from, rng.pick(others), rng.chance(0.5));
}

function mutateCycle(g: Graph, rng: Rng): void {
  const nodes = nodesOf(g);
  const r = rng.int(4);
  if (nodes.length === 0 || r === 0) {
    // An Identity that reads its own output, feeding the graph output or nothing.
    const out = rng.chance(0.5) && (g.output ?? []).length > 0 ? g.output![0].name ?? 'y' : 'loop';
    nodes.unshift({ opType: 'Identity', input: [out], output: [out], name: 'self' });
    g.node = nodes;
    return;
  }
  const k = rng.int(nodes.length);
  const n = nodes[k];
  if (!n.input || n.input.length === 0 || !n.output || n.output.length === 0) return;
  const j = rng.int(n.input.length);
  if (r === 1) n.input[j] = rng.pick(n.output);
  else if (r === 2) {
    const later = nodes.slice(k).flatMap((x) => x.output ?? []);
    n.input[j] = rng.pick(later);
  } else g.node = [...nodes].reverse();
}

function hostileAttrValue(a: onnxProto.onnx.IAttributeProto, rng: Rng): void {
  switch (a.type) {
    case AT.INT:
      a.i = rng.pick(HOSTILE_INTS);
      break;
    case AT.INTS:
      if (!a.ints || a.ints.length === 0 || rng.chance(0.3)) a.ints = Array.from({ length: rng.int(9) }, () => rng.pick(HOSTILE_INTS));
      else a.ints[rng.int(a.ints.length)] = rng.pick(HOSTILE_INTS);
      break;
    case AT.FLOAT:
      a.f = rng.pick([NaN, Infinity, -Infinity, 0, -1, 1e38, 1e-45]);
      break;
    case AT.FLOATS:
      a.floats = Array.from({ length: rng.int(5) }, () => rng.pick([NaN, Infinity, 0, -1, 1e38]));
      break;
    case AT.STRING:
      a.s = new TextEncoder().encode(hostileName(rng));
      break;
    case AT.TENSOR:
      if (a.t) a.t.dims = [rng.pick(HOSTILE_INTS)];
      break;
    default:
      a.type = AT.INTS;
      a.ints = [rng.pick(HOSTILE_INTS)];
  }
}

function mutateAttr(g: Graph, rng: Rng): void {
  const nodes = nodesOf(g);
  if (nodes.length === 0) return;
  const withAttrs = nodes.filter((n) => (n.attribute ?? []).length > 0);
  const n = withAttrs.length > 0 && rng.chance(0.8) ? rng.pick(withAttrs) : rng.pick(nodes);
  const attrs = n.attribute ?? [];
  const r = rng.int(4);
  if (attrs.length === 0 || r === 0) {
    // An attribute this operator commonly reads, of a random type.
    const name = rng.pick(['axis', 'axes', 'perm', 'pads', 'strides', 'kernel_shape', 'group', 'alpha', 'keepdims', 'to', 'value', 'dilations', 'auto_pad', 'mode']);
    const a: onnxProto.onnx.IAttributeProto = { name, type: rng.pick([AT.INT, AT.INTS, AT.FLOAT, AT.FLOATS, AT.STRING, AT.TENSOR, AT.GRAPH, AT.UNDEFINED]) };
    hostileAttrValue(a, rng);
    n.attribute = [...attrs, a];
    return;
  }
  const a = rng.pick(attrs);
  if (r === 1) a.type = rng.pick([AT.INT, AT.INTS, AT.FLOAT, AT.FLOATS, AT.STRING, AT.TENSOR, AT.GRAPH, AT.UNDEFINED, 99 as onnxProto.onnx.AttributeProto.AttributeType]);
  else if (r === 2) hostileAttrValue(a, rng);
  else n.attribute = attrs.filter((x) => x !== a);
}

function mutateArity(g: Graph, rng: Rng): void {
  const nodes = nodesOf(g);
  const r = rng.int(5);
  if (r === 0 || nodes.length === 0) {
    g.output = [...(g.output ?? []), { name: rng.pick(['nowhere', '', ...definedNames(g)]) }];
    return;
  }
  const n = rng.pick(nodes);
  if (r === 1) n.input = (n.input ?? []).slice(0, rng.int((n.input ?? []).length + 1));
  else if (r === 2) n.input = [...(n.input ?? []), rng.pick(['', 'nowhere', ...definedNames(g)])];
  else if (r === 3) n.output = rng.chance(0.5) ? [] : [...(n.output ?? []), rng.pick(['extra', '', ...(n.output ?? [])])];
  else g.output = [];
}

function mutateData(g: Graph, rng: Rng): void {
  const tensors: Tensor[] = [...(g.initializer ?? [])];
  for (const n of nodesOf(g)) for (const a of n.attribute ?? []) if (a.t) tensors.push(a.t);
  if (tensors.length === 0) {
    // Give a node a hostile constant input.
    const n = nodesOf(g)[0];
    if (!n) return;
    const name = 'hostile_const';
    g.initializer = [...(g.initializer ?? []), { name, dataType: 7, dims: [2], int64Data: [rng.pick(HOSTILE_INTS), rng.pick(HOSTILE_INTS)] }];
    n.input = [...(n.input ?? []).slice(0, 1), name, ...(n.input ?? []).slice(2)];
    return;
  }
  const t = rng.pick(tensors);
  const r = rng.int(3);
  if (t.rawData && t.rawData.length > 0 && r === 0) {
    t.rawData = rng.chance(0.5) ? t.rawData.slice(0, rng.int(t.rawData.length)) : new Uint8Array([...t.rawData, 0, 0, 0, 0]);
  } else if (r === 1 || t.dataType === 7) {
    // int64 values (shapes, axes, pads, starts/ends) → hostile integers, as typed data.
    const count = Math.max(1, ((t.dims ?? []) as unknown[]).reduce<number>((s, d) => s * Number(d), 1));
    t.rawData = new Uint8Array();
    t.dataType = 7;
    t.int64Data = Array.from({ length: Math.min(count, 16) }, () => rng.pick(HOSTILE_INTS));
    if (count > 16) t.dims = [16];
  } else {
    t.floatData = Array.from({ length: rng.int(8) }, () => rng.pick([NaN, Infinity, 0, 1]));
    t.rawData = new Uint8Array();
  }
}

const SIZES = [0, 1, 2, 3, 512, 1024, 2048, 4096, 65536, 1e9, -1, 2 ** 31, 2 ** 53];

/** Constant-only nodes in front of the graph: they fold as they are imported, whether used or not. */
function mutateFold(g: Graph, rng: Rng): void {
  const id = `fold${rng.int(1e6)}`;
  const int64 = (name: string, values: number[]): Tensor => ({ name: `${id}_${name}`, dataType: 7, dims: [values.length], int64Data: values });
  const float = (name: string, values: number[], dims = [values.length]): Tensor => ({ name: `${id}_${name}`, dataType: 1, dims, floatData: values });
  const one: onnxProto.onnx.IAttributeProto = { name: 'value', type: AT.TENSOR, t: { dataType: 1, dims: [1], floatData: [1] } };
  const node = (opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []): Node => ({
    opType, input: input.map((i) => `${id}_${i}`), output: [`${id}_${output}`], attribute,
  });
  const [a, b] = [rng.pick(SIZES), rng.pick(SIZES)];
  const inits: Tensor[] = [];
  const nodes: Node[] = [];
  switch (rng.int(4)) {
    case 0: // a MatMul of two folded constants: a·b·a operations
      inits.push(int64('shape', [a, b]), int64('shape_t', [b, a]));
      nodes.push(node('ConstantOfShape', ['shape'], 'c', [one]), node('ConstantOfShape', ['shape_t'], 'd', [one]), node('MatMul', ['c', 'd'], 'm'));
      break;
    case 1:
      inits.push(float('start', [0], []), float('limit', [a], []), float('delta', [rng.pick([1, 1e-9, -1, 0])], []));
      nodes.push(node('Range', ['start', 'limit', 'delta'], 'r'));
      break;
    case 2: // broadcasting [a, 1] + [1, b]
      inits.push(int64('col', [a, 1]), int64('row', [1, b]));
      nodes.push(node('ConstantOfShape', ['col'], 'c', [one]), node('ConstantOfShape', ['row'], 'r', [one]), node('Add', ['c', 'r'], 's'));
      break;
    default: // Pad with hostile pads (the input form of opset 11 on, the attribute before)
      inits.push(float('x', [1, 2], [1, 2]), int64('pads', [0, a, 0, b]));
      nodes.push(node('Pad', ['x', 'pads'], 'p', [{ name: 'pads', type: AT.INTS, ints: [0, a, 0, b] }]));
  }
  g.initializer = [...(g.initializer ?? []), ...inits];
  g.node = [...nodes, ...nodesOf(g)];
}

/** Applies one mutation of `kind` to an ONNX model's bytes. The input must decode. */
export function mutateOnnx(kind: OnnxKind, bytes: Uint8Array, rng: Rng): Uint8Array {
  const model: Model = onnx.ModelProto.decode(bytes);
  const g = model.graph;
  if (!g) return bytes;
  const steps = rng.chance(0.15) ? 2 : 1;
  for (let s = 0; s < steps; s++) {
    switch (kind) {
      case 'onnx:dims':
        mutateDims(g, rng);
        break;
      case 'onnx:dtype':
        mutateDtype(g, rng);
        break;
      case 'onnx:name':
        mutateName(g, rng);
        break;
      case 'onnx:rename':
        mutateRename(g, rng);
        break;
      case 'onnx:cycle':
        mutateCycle(g, rng);
        break;
      case 'onnx:attr':
        mutateAttr(g, rng);
        break;
      case 'onnx:arity':
        mutateArity(g, rng);
        break;
      case 'onnx:data':
        mutateData(g, rng);
        break;
      case 'onnx:fold':
        mutateFold(g, rng);
        break;
    }
  }
  return onnx.ModelProto.encode(model).finish();
}
