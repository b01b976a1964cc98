/**
 * Element-wise closeness of float results, by numpy's allclose rule: |a − e| ≤ atol + rtol·|e|.
 *
 * NaN: by default a NaN matches only a NaN in the same place (like numpy.testing.assert_allclose);
 * `equalNan: false` makes any NaN a mismatch (like numpy.allclose). Infinities match only the same
 * infinity. `maxAbs` and `maxRel` are taken over pairs of finite values (maxRel skips e = 0).
 */

export interface Tolerance {
  rtol: number;
  atol: number;
  /** Treat NaN in both arrays at the same index as equal. Default true. */
  equalNan?: boolean;
}

export interface Comparison {
  ok: boolean;
  maxAbs: number;
  maxRel: number;
  /** The first element outside the tolerance. */
  firstBad?: { index: number; actual: number; expected: number };
  /** How many elements are outside the tolerance. */
  badCount: number;
}

function close(a: number, e: number, tol: Tolerance): boolean {
  if (Number.isNaN(a) || Number.isNaN(e)) return (tol.equalNan ?? true) && Number.isNaN(a) && Number.isNaN(e);
  if (!Number.isFinite(a) || !Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
}

/** Compares `actual` with `expected`; arrays of different lengths are a test bug and throw. */
export function compareFloats(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): Comparison {
  if (actual.length !== expected.length) {
    throw new Error(`compareFloats: ${actual.length} actual values vs ${expected.length} expected`);
  }
  const result: Comparison = { ok: true, maxAbs: 0, maxRel: 0, badCount: 0 };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isFinite(a) && Number.isFinite(e)) {
      const diff = Math.abs(a - e);
      result.maxAbs = Math.max(result.maxAbs, diff);
      if (e !== 0) result.maxRel = Math.max(result.maxRel, diff / Math.abs(e));
    }
    if (!close(a, e, tol)) {
      result.ok = false;
      result.badCount++;
      result.firstBad ??= { index: i, actual: a, expected: e };
    }
  }
  return result;
}

/** A one-line account of a comparison, for assertion messages. */
export function describeComparison(c: Comparison): string {
  const stats = `maxAbs ${c.maxAbs.toExponential(3)}, maxRel ${c.maxRel.toExponential(3)}`;
  if (c.ok) return `all close (${stats})`;
  const b = c.firstBad!;
  const first = `first at [${b.index}]: actual ${b.actual}, expected ${b.expected}`;
  return `${c.badCount} element(s) differ; ${first} (${stats})`;
}
