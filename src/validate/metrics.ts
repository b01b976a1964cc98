/**
 * The metrics validate reports for one tensor, accumulated case by case (nothing kept but sums, so a
 * thousand cases of every layer need no more memory than one):
 *
 *   max |err|      largest |a − e| over every element of every case (a: ours, e: the reference)
 *   MAE, RMSE      mean of |a − e|, square root of the mean of (a − e)²
 *   L2 rel         ‖a − e‖ / ‖e‖ over all cases together (0 when both are 0, ∞ when only e is 0)
 *   cosine         a·e / (‖a‖ ‖e‖) (1 when both are 0, 0 when only one is)
 *   err mean, std  mean and (population) standard deviation of a − e
 *   max LSB        integer tensors (ours and the reference in the same integer type): max |a − e| in
 *                  steps; for a dequantized tensor judged in LSB (onnxruntime's policy) |a − e| / scale
 *   differing      elements with a ≠ e (and their percentage)
 *   top-1          classification tensors (one dimension above 1): cases whose argmax agrees
 *
 * Whether a tensor is within tolerance is the policy's question (`Policy`, judged per element and, for
 * 'float' relative to the tensor, against the case's max |e|). The worst element (largest |a − e|) is kept
 * with its case and multi-dimensional index, for the report's "first departing layer".
 */

import type { DType } from '../ir/dtype.js';

/** How a tensor is judged. */
export type Policy =
  /** Every element equal (integer tensors vs the reference interpreter). */
  | { kind: 'exact' }
  /** |a − e| / lsb rounded ≤ maxLsb (onnxruntime: integer tensors with lsb 1, dequantized ones with their scale). */
  | { kind: 'lsb'; lsb: number; maxLsb: number }
  /** |a − e| ≤ atol + rtol·|e| ('element') or atol + rtol·max|e| over the tensor in that case ('tensor'). */
  | { kind: 'float'; rtol: number; atol: number; relative: 'element' | 'tensor' }
  /** A measurement (int8 vs its float model): within unless `maxL2rel` is given and exceeded. */
  | { kind: 'measure'; maxL2rel?: number };

export function describePolicy(p: Policy): string {
  switch (p.kind) {
    case 'exact':
      return 'bit-exact';
    case 'lsb':
      return `within ${p.maxLsb} LSB${p.lsb !== 1 ? ` (of ${fmt(p.lsb)})` : ''}`;
    case 'float':
      return `|err| ≤ ${p.atol} + ${p.rtol}·${p.relative === 'tensor' ? 'max|ref|' : '|ref|'}`;
    case 'measure':
      return p.maxL2rel === undefined ? 'measured (no threshold)' : `L2 rel ≤ ${p.maxL2rel}`;
  }
}

export interface WorstElement {
  /** Case number (0-based) and, when the cases have names, its name. */
  case: number;
  caseName?: string;
  /** Multi-dimensional index into the tensor's shape. */
  index: number[];
  ours: number;
  reference: number;
}

export interface TensorMetrics {
  name: string;
  dtype: DType;
  shape: number[];
  /** What `ok` was judged by: the policy's kind and its description. */
  measure: Policy['kind'];
  policy: string;
  cases: number;
  elements: number;
  maxAbs: number;
  mae: number;
  rmse: number;
  l2rel: number;
  cosine: number;
  errMean: number;
  errStd: number;
  /** Integer tensors (and dequantized ones judged in LSB). */
  maxLsb?: number;
  differing: number;
  differingPct: number;
  /** Classification tensors: cases whose top-1 index agrees. */
  top1Agree?: number;
  worst?: WorstElement;
  ok: boolean;
}

export function isIntegerDType(dtype: DType): boolean {
  return dtype !== 'float32' && dtype !== 'float64';
}

/** A classification output: more than one element, all in one dimension. */
export function isClassification(shape: readonly number[]): boolean {
  return shape.filter((d) => d > 1).length === 1;
}

export function argmax(data: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i] > data[best]) best = i;
  return best;
}

/** The multi-dimensional index of flat element `i` of `shape` (row-major). */
export function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = Math.max(1, shape[d]);
    index[d] = i % n;
    i = Math.floor(i / n);
  }
  return index;
}

export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

/** Accumulates one tensor's metrics over cases. */
export class Accumulator {
  private n = 0;
  private cases = 0;
  private sumAbs = 0;
  private sumErr = 0;
  private sumErr2 = 0;
  private sumA2 = 0;
  private sumE2 = 0;
  private sumAE = 0;
  private maxAbs = 0;
  private maxLsb = 0;
  private differing = 0;
  private top1 = 0;
  private bad = false;
  private worst?: WorstElement;

  constructor(
    readonly name: string,
    readonly dtype: DType,
    readonly shape: number[],
    readonly policy: Policy,
    /** Report max LSB (integer tensors, or `policy.lsb` for dequantized ones). */
    private readonly lsb?: number,
  ) {}

  /** One case: `ours` and `reference` as numbers (dequantized when the tensors differ in type). */
  add(ours: ArrayLike<number>, reference: ArrayLike<number>, caseName?: string): void {
    if (ours.length !== reference.length) throw new Error(`internal: ${this.name}: ${ours.length} elements vs ${reference.length}`);
    const p = this.policy;
    let scale = 0;
    if (p.kind === 'float' && p.relative === 'tensor') for (let i = 0; i < reference.length; i++) scale = Math.max(scale, Math.abs(reference[i]));
    for (let i = 0; i < reference.length; i++) {
      const a = ours[i];
      const e = reference[i];
      const same = a === e || (Number.isNaN(a) && Number.isNaN(e));
      let d = same ? 0 : a - e;
      if (Number.isNaN(d)) d = Infinity;
      const abs = Math.abs(d);
      this.sumAbs += abs;
      this.sumErr += d;
      this.sumErr2 += d * d;
      this.sumA2 += a * a;
      this.sumE2 += e * e;
      this.sumAE += a * e;
      if (same) continue;
      this.differing++;
      if (this.lsb !== undefined) this.maxLsb = Math.max(this.maxLsb, Math.round(abs / this.lsb));
      if (!this.within(abs, e, scale)) this.bad = true;
      if (this.worst === undefined || abs > this.maxAbs) {
        this.worst = { case: this.cases, ...(caseName !== undefined ? { caseName } : {}), index: unravel(i, this.shape), ours: a, reference: e };
      }
      this.maxAbs = Math.max(this.maxAbs, abs);
    }
    if (isClassification(this.shape) && argmax(ours) === argmax(reference)) this.top1++;
    this.n += reference.length;
    this.cases++;
  }

  private within(abs: number, e: number, scale: number): boolean {
    const p = this.policy;
    switch (p.kind) {
      case 'exact':
        return false;
      case 'lsb':
        return Math.round(abs / p.lsb) <= p.maxLsb;
      case 'float':
        return abs <= p.atol + p.rtol * (p.relative === 'tensor' ? scale : Math.abs(e));
      case 'measure':
        return true;
    }
  }

  result(): TensorMetrics {
    const n = Math.max(1, this.n);
    const mean = this.sumErr / n;
    const l2rel = this.sumErr2 === 0 ? 0 : this.sumE2 === 0 ? Infinity : Math.sqrt(this.sumErr2 / this.sumE2);
    const norms = Math.sqrt(this.sumA2 * this.sumE2);
    const cosine = this.sumA2 === 0 && this.sumE2 === 0 ? 1 : norms === 0 ? 0 : Math.max(-1, Math.min(1, this.sumAE / norms));
    let ok = !this.bad;
    if (this.policy.kind === 'measure' && this.policy.maxL2rel !== undefined) ok = l2rel <= this.policy.maxL2rel;
    return {
      name: this.name,
      dtype: this.dtype,
      shape: [...this.shape],
      measure: this.policy.kind,
      policy: describePolicy(this.policy),
      cases: this.cases,
      elements: this.n,
      maxAbs: this.maxAbs,
      mae: this.sumAbs / n,
      rmse: Math.sqrt(this.sumErr2 / n),
      l2rel,
      cosine,
      errMean: mean,
      errStd: Math.sqrt(Math.max(0, this.sumErr2 / n - mean * mean)),
      ...(this.lsb !== undefined ? { maxLsb: this.maxLsb } : {}),
      differing: this.differing,
      differingPct: (100 * this.differing) / n,
      ...(isClassification(this.shape) ? { top1Agree: this.top1 } : {}),
      ...(this.worst ? { worst: this.worst } : {}),
      ok,
    };
  }
}
