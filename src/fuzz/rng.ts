/**
 * The fuzzer's seeded random numbers: one generator per case, seeded from (seed, case index), so that
 * any case is reproduced on its own (`--seed S --case I`) whatever ran before it.
 */

import { mulberry32 } from '../random.js';

export class Rng {
  private readonly draw: () => number;

  constructor(seed: number, index: number) {
    // splitmix-style mixing of the two numbers into the 32-bit seed of the project's one generator.
    let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((index >>> 0) + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x21f0aaad) >>> 0;
    this.draw = mulberry32((h ^ (h >>> 15)) >>> 0);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.draw();
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
