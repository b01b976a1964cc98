/** The tests' seeded generator is the compiler's own (src/random.ts): one mulberry32 in the project. */
export { Rng, mulberry32, randomFloats, randomInts } from '../../src/random.js';
