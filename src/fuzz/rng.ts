/**
 * The fuzzer's seeded random numbers: one generator per case, seeded from (seed, case index), so that
 * any case is reproduced on its own (`--seed S --case I`) whatever ran before it.
 */

export class Rng {
  private state: number;

  constructor(seed: number, index: number) {
    // splitmix-style mixing of the two numbers into a 32-bit state.
    let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((index >>> 0) + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x21f0aaad) >>> 0;
    this.state = (h ^ (h >>> 15)) >>> 0;
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('internal: pick from an empty list');
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Integers that break size arithmetic: zero, signs, powers of two at type boundaries, huge dims. */
export const HOSTILE_INTS: readonly number[] = [
  0, -1, 1, 2, 3, -2, 255, 256, 65535, 65536, 1e6, 1e9, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 2 ** 62,
];

/** Names that break messages and generated text: control characters, quotes, comment markers, long. */
export function hostileName(rng: Rng): string {
  const names = [
    'a\nb',
    'line1\r\nline2',
    'tab\there',
    'nul\u0000byte',
    'esc\u001b[31mred',
    '*/ int x = 1; /*',
    "quote'\"\\",
    '??/',
    '\u2028sep',
    '',
    'x'.repeat(10000),
    'ünïcødé',
  ];
  return rng.pick(names);
}
