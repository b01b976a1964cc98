/**
 * An ASCII picture of a memory plan, after TensorFlow Lite Micro's PrintMemoryPlan (written anew).
 *
 * One row per step: the step number, node name and operator, then the arena from offset 0 (left) to
 * arenaBytes (right) scaled to `width` columns. Every buffer has a symbol of its own (A-Z, a-z, 0-9 in
 * buffer order, then '*') drawn at the steps where it is live over the columns whose middle byte it
 * holds; a buffer narrower than a column still gets the column of its own middle byte. '.' is free.
 * A legend (symbol, tensors, bytes, offset, lifetime) and a summary line
 * `arena: N bytes, lower bound: M bytes (+X.X %)` follow. The output is a pure function of its inputs.
 */

import { displayText } from '../emit/escape.js';
import type { Graph } from '../ir/graph.js';
import type { MemoryPlan, PlannedBuffer } from './index.js';

const SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAX_LABEL = 40;

/** Draws `plan` (made from `graph`) as text; `width` is the number of columns of the arena. */
export function printPlan(plan: MemoryPlan, graph: Graph, width = 64): string {
  if (!Number.isInteger(width) || width < 1) throw new Error(`internal: printPlan width ${width} is not positive`);
  if (plan.steps !== graph.nodes.length) {
    throw new Error(`internal: plan has ${plan.steps} steps but graph '${graph.name}' has ${graph.nodes.length} nodes`);
  }
  const labels = graph.nodes.map((n, i) => clip(`${String(i).padStart(3)} ${displayText(n.name, MAX_LABEL)} (${n.op})`));
  const labelWidth = Math.max(0, ...labels.map((l) => l.length));
  const lines = [
    `memory plan of '${graph.name}': ${plan.buffers.length} buffers, ${plan.steps} steps, ` +
      `strategy ${plan.strategy}, ${width} columns = ${plan.arenaBytes} bytes`,
  ];
  for (let step = 0; step < plan.steps; step++) {
    lines.push(`${labels[step].padEnd(labelWidth)} |${drawRow(plan, step, width)}|`);
  }
  lines.push('', ...legend(plan), '', summary(plan));
  return lines.join('\n') + '\n';
}

/** The summary line: arena size against the lower bound. */
export function summary(plan: MemoryPlan): string {
  const excess = plan.lowerBound > 0 ? ((plan.arenaBytes - plan.lowerBound) / plan.lowerBound) * 100 : 0;
  return `arena: ${plan.arenaBytes} bytes, lower bound: ${plan.lowerBound} bytes (+${excess.toFixed(1)} %)`;
}

function symbolOf(index: number): string {
  return index < SYMBOLS.length ? SYMBOLS[index] : '*';
}

function clip(label: string): string {
  return label.length <= MAX_LABEL ? label : label.slice(0, MAX_LABEL - 1) + '~';
}

function drawRow(plan: MemoryPlan, step: number, width: number): string {
  const arena = plan.arenaBytes;
  const live = plan.buffers
    .map((buffer, index) => ({ buffer, symbol: symbolOf(index) }))
    .filter(({ buffer }) => buffer.first <= step && step <= buffer.last && buffer.bytes > 0);
  const row = new Array<string>(width).fill('.');
  for (let c = 0; c < width; c++) {
    const middle = ((c + 0.5) * arena) / width;
    const holder = live.find(({ buffer }) => buffer.offset <= middle && middle < buffer.offset + buffer.bytes);
    if (holder) row[c] = holder.symbol;
  }
  // A buffer narrower than a column still shows, in the column of its own middle byte.
  for (const { buffer, symbol } of live) {
    if (row.includes(symbol)) continue;
    row[Math.min(width - 1, Math.floor(((buffer.offset + buffer.bytes / 2) * width) / arena))] = symbol;
  }
  return row.join('');
}

function legend(plan: MemoryPlan): string[] {
  const rows = plan.buffers.map((b, i) => [
    symbolOf(i),
    b.kind === 'scratch' ? `(${displayText(b.id)})` : b.tensors.map((t) => displayText(t)).join(', '),
    `${b.bytes} B`,
    `@${b.offset}`,
    `steps ${b.first}..${b.last}`,
  ]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(0, ...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    [r[0], r[1].padEnd(widths[1]), r[2].padStart(widths[2]), r[3].padEnd(widths[3]), r[4]].join('  '),
  );
}
