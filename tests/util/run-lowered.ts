/**
 * Runs one IR node's lowered kernel calls on the host, in isolation from the emitter and planner.
 *
 *   const g = new Graph('t');  ...add tensors and the node's outputs...
 *   const { calls, outputs } = runLowered(g, node, { x: new Float32Array([...]) });
 *
 * The node is lowered with a LowerContext over `g` (constants added by `lower` land in `g`); a C main
 * is written that defines every tensor the calls touch as a static array (constants and the given
 * input values as initialisers, everything else zeroed), the parameter structs exactly as the emitter
 * prints them (formatCValue), the calls in order, and prints every output element. It is compiled with
 * gcc -std=c99 -Wall -Wextra -Werror against runtime-c and run; the outputs come back as typed arrays.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CValue, formatCValue, formatFloat } from '../../src/ir/c-value.js';
import { cIdentifier } from '../../src/emit/escape.js';
import { TensorData, allocData, cTypeOf } from '../../src/ir/dtype.js';
import { Graph, Node, elementCount, tensorBytes } from '../../src/ir/graph.js';
import { lowerNode as lowerNodeAsCompiler } from '../../src/lower/index.js';
import { getOp } from '../../src/ops/index.js';
import type { KernelCall, LowerTarget, Schedule } from '../../src/ops/op.js';

export const RUNTIME_C = fileURLToPath(new URL('../../../runtime-c', import.meta.url));

/** Lowers `node` in `g`, exactly as the compiler would (for `target`; portable when absent). */
export function lowerNode(g: Graph, node: Node, target?: LowerTarget, schedule?: Schedule): KernelCall[] {
  const calls = lowerNodeAsCompiler(g, node, target, schedule);
  if (!calls) throw new Error(`operator '${node.op}' has no lower`);
  return calls;
}

function literal(dtype: string, v: number | bigint): string {
  if (dtype === 'float32') return formatFloat(Number(v));
  return String(v);
}

function arrayDecl(g: Graph, name: string, values: TensorData | undefined, isConst: boolean): string {
  const t = g.tensor(name);
  const count = Math.max(1, elementCount(t.shape));
  const init = values ? ` = {${Array.from(values as ArrayLike<number>, (v) => literal(t.dtype, v)).join(', ')}}` : '';
  return `static ${isConst ? 'const ' : ''}${cTypeOf(t.dtype)} ${cIdentifier(`t_${name}`)}[${count}]${init};`;
}

function argText(g: Graph, arg: KernelCall['args'][number], paramId: string): string {
  if ('params' in arg) return `&${paramId}`;
  if ('value' in arg) return formatCValue(arg.value);
  if ('scratch' in arg) return `(void *)scratch_${paramId}`;
  const off = arg.elementOffset ?? 0;
  return `${cIdentifier(`t_${arg.tensor}`)}${off ? ` + ${off}` : ''}`;
}

/** Declarations of in-place output `out` over input `x` (see RunOptions.inPlace); `body` gets the input's copy. */
function inPlaceDecls(g: Graph, out: string, x: string, values: TensorData | undefined, body: string[]): string[] {
  const [o, i] = [g.tensor(out), g.tensor(x)];
  const ctype = cTypeOf(o.dtype);
  if (o.dtype !== i.dtype) throw new Error(`test: in place needs one dtype, '${out}' is ${o.dtype} and '${x}' ${i.dtype}`);
  const [outId, xId] = [cIdentifier(`t_${out}`), cIdentifier(`t_${x}`)];
  if (elementCount(o.shape) <= elementCount(i.shape)) return [`static ${ctype} *const ${outId} = ${xId};`];
  const tail = elementCount(o.shape) - elementCount(i.shape);
  body.push(`  memcpy(${xId}, ${xId}_init, sizeof ${xId}_init);`);
  return [
    arrayDecl(g, x, values, true).replace(xId, `${xId}_init`),
    `static ${ctype} ${outId}_mem[${elementCount(o.shape)}];`,
    `static ${ctype} *const ${outId} = ${outId}_mem;`,
    `static ${ctype} *const ${xId} = ${outId}_mem + ${tail};`,
  ];
}

/** Lowers `node` and runs its calls; `inputs` gives values for runtime tensors. Returns the outputs. */
export function runLowered(g: Graph, node: Node, inputs: Record<string, TensorData>, options: RunOptions = {}): { calls: KernelCall[]; outputs: TensorData[] } {
  const [run] = runLoweredMany(g, [node], inputs, options);
  return run;
}

/** `target`: lower for it (e.g. { dsp: true }: the Cortex-M7 kernel variants, built here on the host). */
export interface RunOptions {
  target?: LowerTarget;
  /** Knob values for every node (OpDef.knobs; issue 17's tuner): absent knobs take their defaults. */
  schedule?: Schedule;
  /**
   * Run every node in place, as the planner lays out an in-place step: output 0 at input 0's address
   * when it is no larger, else input 0 at the tail of output 0 (both end together). Same dtypes only.
   */
  inPlace?: boolean;
}

/**
 * Lowers several nodes of `g` and runs all their calls in one program (one compile for many cases: the
 * nodes should not share tensors). Returns, per node, its calls and outputs. A node's scratch buffer
 * (the call's `scratchBytes`) is a static array filled with 0xA5 before the calls, so no kernel relies on zeros.
 */
export function runLoweredMany(g: Graph, nodes: Node[], inputs: Record<string, TensorData>, options: RunOptions = {}): { calls: KernelCall[]; outputs: TensorData[] }[] {
  const perNode = nodes.map((node) => lowerNode(g, node, options.target, options.schedule));
  const calls = perNode.flat();
  const used = new Set<string>(nodes.flatMap((n) => n.outputs));
  for (const c of calls) for (const a of c.args) if ('tensor' in a) used.add(a.tensor);
  const lines = ['#include <stdio.h>', '#include <math.h>', '#include <stdint.h>', '#include <string.h>'];
  for (const h of new Set(calls.map((c) => c.header))) lines.push(`#include "${h}"`);
  const overwrites = new Map(options.inPlace ? nodes.map((n) => [n.outputs[0], n.inputs[0]]) : []);
  const tails = new Set([...overwrites].filter(([out, x]) => tensorBytes(g.tensor(out)) > tensorBytes(g.tensor(x))).map(([, x]) => x));
  for (const name of used) {
    const t = g.tensor(name);
    if (!overwrites.has(name) && !tails.has(name)) lines.push(arrayDecl(g, name, t.data ?? inputs[name], t.data !== undefined));
  }
  const body: string[] = [];
  for (const [out, x] of overwrites) lines.push(...inPlaceDecls(g, out, x, inputs[x], body));
  calls.forEach((c, k) => {
    c.args.forEach((a, j) => {
      if ('params' in a) lines.push(`static const ${a.type} p${k}_${j} = ${formatCValue(a.params as CValue)};`);
      if ('scratch' in a) {
        const bytes = c.scratchBytes ?? 0;
        if (bytes <= 0) throw new Error(`${c.kernel}: a scratch argument without scratchBytes`);
        lines.push(`static int32_t scratch_p${k}_${j}[${Math.max(1, Math.ceil(bytes / 4))}];`);
        body.push(`  memset(scratch_p${k}_${j}, 0xA5, sizeof scratch_p${k}_${j});`);
      }
    });
    body.push(`  ${c.kernel}(${c.args.map((a, j) => argText(g, a, `p${k}_${j}`)).join(', ')});`);
  });
  lines.push('int main(void) {', ...body);
  for (const o of nodes.flatMap((n) => n.outputs)) {
    const t = g.tensor(o);
    const fmt = t.dtype === 'float32' ? '"%.9g\\n", (double)' : '"%ld\\n", (long)';
    lines.push(`  for (int i = 0; i < ${elementCount(t.shape)}; i++) printf(${fmt}${cIdentifier(`t_${o}`)}[i]);`);
  }
  lines.push('  return 0;', '}');
  const dir = mkdtempSync(join(tmpdir(), 'utvm-lowered-'));
  try {
    writeFileSync(join(dir, 'main.c'), lines.join('\n'));
    const exe = join(dir, 'main');
    const sources = [...new Set(calls.map((c) => join(RUNTIME_C, 'src', `${c.kernel}.c`)))];
    execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', `-I${RUNTIME_C}/include`, join(dir, 'main.c'), ...sources, '-lm', '-o', exe], { stdio: ['ignore', 'pipe', 'pipe'] });
    const values = execFileSync(exe, { maxBuffer: 1 << 28 }).toString().trim().split('\n').filter((l) => l !== '').map(Number);
    let at = 0;
    return nodes.map((node, i) => {
      const outputs = node.outputs.map((o) => {
        const t = g.tensor(o);
        const n = elementCount(t.shape);
        const data = allocData(t.dtype, n);
        for (let k = 0; k < n; k++) (data as Float64Array)[k] = values[at++];
        return data;
      });
      return { calls: perNode[i], outputs };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Adds a node to `g`, running `infer` to create its outputs (named `<name>_out<i>`). */
export function addNode(g: Graph, op: string, inputs: string[], attrs: object, name = 'n'): Node {
  const node: Node = { name, op, inputs, outputs: [], attrs: attrs as Record<string, unknown>, source: { op, name } };
  const types = getOp(op).infer({ attrs: node.attrs, inputs: inputs.map((i) => (i === '' ? undefined : g.tensor(i))), node });
  node.outputs = types.map((t, i) => g.addTensor({ name: `${name}_out${i}`, ...t, shape: [...t.shape] }).name);
  g.nodes.push(node);
  return node;
}
