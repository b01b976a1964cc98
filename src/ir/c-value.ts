/**
 * Values that become C initialisers: kernel parameter structs and constant arrays.
 *
 * A CValue is a JS number (printed as an integer), a CFloat (printed as a float literal that round-trips
 * exactly to the same float32), an array (printed as `{a, b}`), or a record (printed with designated
 * initialisers `{.field = v}` in insertion order). Printing is deterministic.
 */

export class CFloat {
  constructor(readonly value: number) {}
}

export type CValue = number | bigint | CFloat | CValue[] | { [field: string]: CValue };

/** Wraps a JS number as a float32 C literal. */
export function f32(value: number): CFloat {
  return new CFloat(value);
}

/** Recently formatted floats: sample inputs and weights repeat values (the fixed pattern has 256). */
const formatted = new Map<number, string>();

/** A float32 literal that reads back as exactly Math.fround(value). */
export function formatFloat(value: number): string {
  const v = Math.fround(value);
  if (Number.isNaN(v)) return 'NAN';
  if (v === Infinity) return 'INFINITY';
  if (v === -Infinity) return '(-INFINITY)';
  if (v === 0) return Object.is(v, -0) ? '-0.0f' : '0.0f';
  const known = formatted.get(v);
  if (known !== undefined) return known;
  // Shortest decimal that round-trips through float32: 9 digits always do, and if d digits do, d + 1
  // do too (the nearest (d+1)-digit decimal is at least as near), so a binary search finds the least.
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(v.toPrecision(mid))) === v) hi = mid;
    else lo = mid + 1;
  }
  const s = withFloatSuffix(v.toPrecision(lo));
  if (formatted.size >= 1 << 16) formatted.clear();
  formatted.set(v, s);
  return s;
}

function withFloatSuffix(s: string): string {
  const hasPoint = s.includes('.') || s.includes('e');
  return `${hasPoint ? s : `${s}.0`}f`;
}

export function formatInt(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (!Number.isInteger(value)) throw new Error(`internal: non-integer ${value} where C expects an integer`);
  // INT32_MIN cannot be written as a negative literal without overflow warnings.
  if (value === -2147483648) return '(-2147483647 - 1)';
  return String(value);
}

export function formatCValue(v: CValue): string {
  if (typeof v === 'number' || typeof v === 'bigint') return formatInt(v);
  if (v instanceof CFloat) return formatFloat(v.value);
  if (Array.isArray(v)) return `{${v.map(formatCValue).join(', ')}}`;
  const fields = Object.entries(v).map(([k, x]) => `.${k} = ${formatCValue(x)}`);
  return `{${fields.join(', ')}}`;
}

