/**
 * The contract every operator file in src/ops/ fulfils.
 *
 * An operator file defines one IR operator (or a small family that shares one kernel scheme) and has up
 * to six kinds of duty, each optional but the first:
 *   1. `infer`: output types from input types and typed attributes (shape inference);
 *   2. `evaluate`: reference semantics in TypeScript, used to fold constants at compile time;
 *      `reference`: the same at run time for every element type the kernels take (int8/int16 with
 *      TFLite's integer arithmetic), for the reference interpreter (src/reference/), when `evaluate`
 *      does not already cover them;
 *   3. `lower`: the C kernel calls that run the node, with parameters computed at compile time;
 *   4. `commuteTranspose`: how the node moves across a transpose (used by the NHWC layout pass);
 *   5. `onnx`, `tflite`: importers for the ONNX operator types and TensorFlow Lite builtins that map onto
 *      this IR operator;
 *   6. `int8Form`, `fusedClamp`, `movesValues`: what the passes ask (the operator's int8 form between
 *      dequantize and quantize nodes, the element types whose kernels take a fused activation, whether
 *      conversions move across it); `macs`: its multiply-accumulates, for the bench.
 * The registry in src/ops/index.ts is the one list of operators.
 */

import type { DType, TensorData } from '../ir/dtype.js';
import type { Graph, Node, Quant, Tensor } from '../ir/graph.js';
import type { CValue } from '../ir/c-value.js';
import type { TfliteOpDef } from '../import/tflite-context.js';
import type { Int8Form } from './int8-form.js';
import type { Rounding } from '../ir/quant.js';

/** The type of a tensor as shape inference computes it. */
export interface TensorType {
  dtype: DType;
  shape: number[];
  quant?: Quant;
}

/** One argument of an emitted kernel call. */
export type CArg =
  /** Pointer to a tensor's first element (+ `elementOffset` elements), typed by its dtype. */
  | { tensor: string; elementOffset?: number }
  /** Pointer to a `static const <type>` parameter struct emitted next to the call. */
  | { params: CValue; type: string }
  /** A literal value (integer or CFloat). */
  | { value: CValue }
  /** Pointer to this node's scratch buffer (of the call's `scratchBytes`), as `void *`. */
  | { scratch: true };

/** One call to a C kernel. `kernel` is the function name and the file runtime-c/src/<kernel>.c. */
export interface KernelCall {
  kernel: string;
  /** Header under runtime-c/include that declares the kernel, e.g. "utvm/conv2d.h". */
  header: string;
  args: CArg[];
  /**
   * The kernel may write the node's output 0 over its input 0, as its C header argues: at the same
   * address when output 0 is no larger, else with input 0 ending where output 0 ends. Set only when this
   * call's geometry allows it. The planner then overlaps the two when input 0 dies at this node
   * (src/plan/liveness.ts rules 3 and 3', `inPlaceKernels`).
   */
  inPlace?: boolean;
  /**
   * Bytes of scratch memory this kernel needs at its `{ scratch: true }` argument: the formula of its C
   * header (`<kernel>_scratch_bytes`), for this call's parameters. The planner gives the node one
   * scratch buffer, live at its step only, of the largest of its calls' sizes.
   */
  scratchBytes?: number;
}

export interface InferContext<A> {
  attrs: A;
  /** Input tensors in order; undefined for an omitted optional input. */
  inputs: (Tensor | undefined)[];
  node: Node<A>;
}

export interface LowerContext<A> {
  node: Node<A>;
  graph: Graph;
  /** Input i (throws an internal error if it is omitted). */
  input(i: number): Tensor;
  /** Input i, or undefined when omitted. */
  optionalInput(i: number): Tensor | undefined;
  output(i: number): Tensor;
  /** Adds a constant (e.g. weights re-laid out for the kernel); returns its name for a `{ tensor }` arg. */
  addConstant(base: string, dtype: DType, shape: number[], data: TensorData): string;
  /** The target's instruction set: `dsp` when the core has the ARMv7E-M DSP extension (fast kernel variants). */
  target?: LowerTarget;
  /**
   * This node's schedule (issue 17, `tune`): knob name → value, for knobs its operator's `knobs` declares.
   * A knob absent here takes its default; every value gives bit-identical outputs, only cost differs.
   */
  schedule?: Schedule;
}

/** A schedule: knob name → chosen value. */
export type Schedule = Readonly<Record<string, number | string>>;

/**
 * One compile-time choice of a node's lowering that never changes its outputs (only instructions and
 * flash): a kernel variant, a block size, unrolling, specialisation on the layer's shapes. `values` is
 * the search space, `default` what an untuned compile uses (one of `values`).
 */
export interface Knob {
  name: string;
  values: readonly (number | string)[];
  default: number | string;
  /** One line for `tune`'s report: what the knob changes. */
  doc: string;
}

/** What lowering may assume about the core the C code runs on (from the board; absent = portable). */
export interface LowerTarget {
  dsp: boolean;
  /** Requantization of the int8 kernels: 'tflite' (default, CMSIS-NN fixed point) or 'onnx' (src/lower/onnx-rounding.ts). */
  rounding?: Rounding;
}

/** A fused activation as a clamp of the output: Relu is [0, +inf], Clip is [min, max]. */
export interface Clamp {
  min: number;
  max: number;
}

/** An ONNX attribute reader for one node; getters fail with E_UNSUPPORTED_ATTR / E_MODEL_INVALID. */
export interface OnnxAttributes {
  has(name: string): boolean;
  int(name: string, fallback?: number): number;
  ints(name: string, fallback?: number[]): number[];
  float(name: string, fallback?: number): number;
  floats(name: string, fallback?: number[]): number[];
  string(name: string, fallback?: string): string;
  strings(name: string, fallback?: string[]): string[];
  tensor(name: string): Tensor | undefined;
}

/** One ONNX node as an importer sees it. */
export interface OnnxNode {
  opType: string;
  domain: string;
  /** Node name (or "#<index>" when the model gives none). */
  name: string;
  /** Opset version of the node's domain. */
  opset: number;
  /** Input names; '' for omitted optional inputs. */
  inputs: string[];
  outputs: string[];
  attrs: OnnxAttributes;
}

/**
 * What importers use to build the graph. `add` runs shape inference and folds the node when all its
 * inputs are constants and its operator can be evaluated, so importers need not care.
 */
export interface ImportContext {
  readonly graph: Graph;
  tensor(name: string): Tensor;
  /** Constant data of a tensor, or undefined when it is a runtime value. */
  constant(name: string): TensorData | undefined;
  /** Adds an IR node; returns its output tensor names (`outputs` when given, fresh names otherwise). */
  add(op: string, inputs: string[], attrs: object, outputs?: string[]): string[];
  /** Makes tensor `name` another name for `target` (Identity, Dropout). */
  alias(name: string, target: string): void;
  /** Adds a constant tensor; returns its (fresh) name. */
  addConstant(base: string, dtype: DType, shape: number[], data: TensorData): string;
  /** Call before allocating from sizes the model gives: E_MODEL_INVALID past the import limits (src/import/limits.ts). */
  checkShape(dtype: DType, shape: number[], what?: string): void;
  /** Fails with E_UNSUPPORTED_ATTR naming the current node. */
  unsupported(what: string): never;
  /** Fails with E_MODEL_INVALID naming the current node. */
  invalid(what: string): never;
}

export type OnnxImporter = (node: OnnxNode, ctx: ImportContext) => void;

/** What a `reference` implementation sees: the node, its input values and its output types. */
export interface ReferenceContext<A> {
  attrs: A;
  node: Node<A>;
  /** Input tensors (types and quantization as in the graph) with `data` holding this run's values; undefined when omitted. */
  inputs: (Tensor | undefined)[];
  /** Output types (dtype 'float64' for float32 tensors when the interpreter runs in float64). */
  outputs: TensorType[];
  /** Writes the new value of variable input `i` (state kept from one run to the next: LSTM, SVDF). */
  setState(i: number, data: TensorData): void;
}

/** The graph-editing interface given to `commuteTranspose`. */
export interface GraphEditor {
  readonly graph: Graph;
  addConstant(base: string, dtype: DType, shape: number[], data: TensorData): string;
}

export interface OpDef<A = Record<string, unknown>> {
  /** IR operator name. */
  name: string;
  infer(ctx: InferContext<A>): TensorType[];
  /** Reference semantics on constant inputs (all present inputs have `data`). */
  evaluate?(attrs: A, inputs: (Tensor | undefined)[], outputs: TensorType[]): TensorData[];
  /**
   * Reference semantics at run time (src/reference/): the node's outputs from its input values, for every
   * element type its kernels take, written independently of the C kernels (int8 / int16 with TFLite's
   * integer arithmetic, src/ir/quant.ts and fixedpoint.ts; float32 tensors arrive and leave as float64 when
   * the interpreter runs in float64). Absent: the interpreter calls `evaluate`, which must then cover the
   * node's run-time types.
   */
  reference?(ctx: ReferenceContext<A>): TensorData[];
  /** Element operations `evaluate` performs, checked against the import limits; default: the elements of its inputs or of its outputs, whichever are more. */
  foldCost?(attrs: A, inputs: (Tensor | undefined)[], outputs: TensorType[]): number;
  /** Kernel calls. Absent for pure aliases. */
  lower?(ctx: LowerContext<A>): KernelCall[];
  /**
   * The schedule knobs `lower` reads from `ctx.schedule` for this node on `ctx.target` (the tuner's
   * search space, src/tune/); absent or empty: nothing to tune.
   */
  knobs?(ctx: LowerContext<A>): Knob[];
  /** Output 0 is input 0's storage reinterpreted (reshape): no kernel, no arena space. */
  alias?: boolean;
  /** Output 0 may overwrite input 0 when input 0 dies at this node (same byte size). */
  inPlace?: boolean;
  /**
   * Each output element depends only on the input elements at its own position (numpy broadcasting:
   * a dim of 1 stretches), and `lower` takes inputs and outputs of any shape that broadcast so: a
   * patch stage may run the node a band of rows at a time (src/lower/patch/rows.ts).
   */
  elementwise?: boolean;
  /**
   * Every runtime input of `node` is transpose(x_i, perm). Return attributes and inputs (constants
   * rewritten as needed through `editor`) such that node(transpose(x)) == transpose(node'(x), perm)
   * for every output — or null when the node cannot move across the transpose.
   */
  commuteTranspose?(node: Node<A>, perm: number[], editor: GraphEditor): { attrs: A; inputs: string[] } | null;
  /** ONNX op types (default domain unless written "domain:Op") imported onto this operator. */
  onnx?: Record<string, OnnxImporter>;
  /**
   * TensorFlow Lite builtins (by name, e.g. CONV_2D) imported onto this operator: version cap, how its
   * options table is read, the importer.
   */
  tflite?: Record<string, TfliteOpDef<unknown>>;
  /**
   * The int8 node this float node becomes when it sits between dequantize and quantize nodes (the QDQ
   * pass, src/passes/qdq.ts rule 4; src/ops/int8-form.ts), or null when its pattern does not fit the
   * int8 kernels. Absent: the operator has no int8 form.
   */
  int8Form?(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null;
  /**
   * The element types for which the operator's kernels apply a fused `clamp` attribute to the output:
   * a following relu / clip fuses into it (src/passes/fuse-activation.ts for float32, src/passes/qdq.ts
   * rule 5 for int8).
   */
  fusedClamp?: readonly DType[];
  /**
   * How the node moves values of input 0 without arithmetic, so that the QDQ pass carries conversions
   * across it (src/passes/qdq.ts): 'layout' (transpose, reshape: convert, dequantize and quantize nodes
   * all move across it, rules 1b, 2 and 2b) or 'pick' (max pool without a clamp: a dequantize moves
   * after it, rule 2) or 'order' (arg max / min: the output depends only on the order of input 0's
   * values, so the node reads the int8 values of a dequantize directly, rule 2c). Undefined: the node
   * computes.
   */
  movesValues?(node: Node): 'layout' | 'pick' | 'order' | undefined;
  /** Multiply-accumulates the node performs (the bench's MAC count); absent: 0. */
  macs?(node: Node, graph: Graph): number;
}

/** Helper so operator files get their attribute type checked. */
export function defineOp<A>(def: OpDef<A>): OpDef<A> {
  return def;
}
