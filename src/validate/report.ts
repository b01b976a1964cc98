/**
 * validate's report: the text a person reads (outputs, accuracy, the per-layer table with the first
 * departing layer marked, the verdict) and the JSON for tools (the same numbers, no raw tensors).
 */

import type { ValidateReport } from './index.js';
import type { LayerMetrics } from './layers.js';
import { TensorMetrics, fmt } from './metrics.js';

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function typeOf(m: { dtype: string; shape: number[] }): string {
  return `${m.dtype}[${m.shape}]`;
}

function pct(x: number): string {
  return x === 0 ? '0' : x < 0.01 ? '<0.01' : x.toFixed(2);
}

function outputLine(o: TensorMetrics, cases: number): string {
  const diff = `${o.differing} of ${o.elements} elements differ (${pct(o.differingPct)} %)`;
  const lsb = o.maxLsb !== undefined ? `, max ${o.maxLsb} LSB` : '';
  const stats = `max |err| ${fmt(o.maxAbs)}${lsb}, MAE ${fmt(o.mae)}, RMSE ${fmt(o.rmse)}, L2 rel ${fmt(o.l2rel)}, cosine ${o.cosine.toFixed(6)}, err mean ${fmt(o.errMean)} std ${fmt(o.errStd)}`;
  const top1 = o.top1Agree === undefined ? '' : `; top-1 agrees ${o.top1Agree}/${cases}`;
  const verdict = o.measure === 'measure' && !/≤/.test(o.policy) ? '' : ` — ${o.policy}: ${o.ok ? 'ok' : 'OUTSIDE'}`;
  return `  ${o.name} ${typeOf(o)}: ${diff}; ${stats}${top1}${verdict}`;
}

function table(rows: string[][], right: Set<number>): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

function worstText(l: LayerMetrics): string {
  const w = l.worst;
  if (!w) return '';
  const c = w.caseName !== undefined ? `case ${w.case} ('${w.caseName}')` : `case ${w.case}`;
  return `worst element [${w.index.join(',')}] in ${c}: ours ${fmt(w.ours)}, reference ${fmt(w.reference)} (|err| ${fmt(Math.abs(w.ours - w.reference))})`;
}

/** A float-model comparison without a threshold: numbers, no verdict. */
function measuredOnly(r: ValidateReport): boolean {
  return r.reference.kind === 'float-model' && r.policy.startsWith('measurement');
}

function layerLines(r: ValidateReport): string[] {
  const L = r.layers!;
  const lines = [
    '',
    `layers (execution order; the C build's tensors read on ${L.target}; ${L.layers.length} compared, ${L.unmatched.length} without a reference tensor of the same name and shape):`,
  ];
  const head = ['', '#', 'layer', 'operator', 'kernel', 'tensor', 'max|err|', 'MAE', 'RMSE', 'L2 rel', 'cosine', 'err mean', 'err std', 'LSB', '% diff', ''];
  const rows = L.layers.map((l, i) => [
    i === L.firstDeparting ? '>' : '',
    String(l.step),
    cut(l.node, 24),
    cut(l.op, 20),
    cut(l.kernels.join('+') || '(alias)', 34),
    typeOf(l),
    fmt(l.maxAbs),
    fmt(l.mae),
    fmt(l.rmse),
    fmt(l.l2rel),
    l.cosine.toFixed(6),
    fmt(l.errMean),
    fmt(l.errStd),
    l.maxLsb === undefined ? '-' : String(l.maxLsb),
    pct(l.differingPct),
    i === L.firstDeparting ? 'FIRST DEPARTING' : measuredOnly(r) ? '' : l.ok ? 'ok' : 'OUTSIDE',
  ]);
  lines.push(...table([head, ...rows], new Set([1, 6, 7, 8, 9, 10, 11, 12, 13, 14])).map((l) => `  ${l}`));
  for (const u of L.unmatched.slice(0, 8)) lines.push(`  not compared: '${cut(u.tensor, 60)}' of ${u.node}: ${u.why}`);
  if (L.unmatched.length > 8) lines.push(`  not compared: ${L.unmatched.length - 8} more`);
  if (L.firstDeparting !== undefined) {
    const l = L.layers[L.firstDeparting];
    lines.push(`first departing layer: #${l.step} '${l.node}' (${l.op}, kernel ${l.kernels.join(', ') || '(alias: no kernel)'}), tensor '${cut(l.name, 80)}' ${typeOf(l)}: ${worstText(l)}`);
  }
  return lines;
}

/** The human-readable report. */
export function formatValidate(r: ValidateReport): string {
  const lines = [`validate ${r.model}: the C build on ${r.target} vs ${r.reference.description}, ${r.origin}`];
  if (r.reference.note) lines.push(`  note: ${r.reference.note}`);
  lines.push(`  policy: ${r.policy}`, '', 'outputs:');
  for (const o of r.outputs) lines.push(outputLine(o, r.cases));
  if (r.accuracy) {
    const a = r.accuracy;
    lines.push('', `accuracy against ${a.labels} (output '${a.output}', ${a.labelled} of ${a.cases} cases labelled): C build ${a.oursPct.toFixed(1)} % (${a.ours}/${a.labelled}), reference ${a.referencePct.toFixed(1)} % (${a.reference}/${a.labelled})`);
  }
  if (r.layers) lines.push(...layerLines(r));
  lines.push('');
  if (measuredOnly(r)) lines.push('measured: the int8 C build against its float model (no threshold given, nothing judged)');
  else if (r.ok) lines.push(`ok: every output${r.layers ? ' and compared layer' : ''} within the policy`);
  else lines.push(`FAILED: ${r.outputs.filter((o) => !o.ok).length} output(s)${r.layers ? ` and ${r.layers.layers.filter((l) => !l.ok).length} layer(s)` : ''} outside the policy`);
  return lines.join('\n');
}

/** The JSON report (without the raw tensors). */
export function validateJson(r: ValidateReport): object {
  const { ours: _ours, referenceOutputs: _ref, ...rest } = r;
  return rest;
}
