/**
 * Seeded pseudo-random numbers: validate's random inputs, and the tests' weights and inputs.
 *
 * `mulberry32` is a tiny 32-bit generator: integer arithmetic only, so the same seed gives the same
 * sequence on every platform and Node version — which is what makes `validate --seed`, generated weights,
 * test inputs and sample files reproducible byte for byte. Not for cryptography.
 */

/** A generator: each call returns the next value in [0, 1). */
export type Rng = () => number;

/** The mulberry32 generator seeded with the low 32 bits of `seed`. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` float32 values drawn uniformly from [lo, hi). */
export function randomFloats(rng: Rng, n: number, lo = 0, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** `n` integers drawn uniformly from [lo, hi] (both inclusive), as JS numbers. */
export function randomInts(rng: Rng, n: number, lo: number, hi: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.floor(rng() * (hi - lo + 1));
  return out;
}
