/**
 * The rank limit of the kernels' per-dimension parameter arrays (binary broadcasting, transpose, pad,
 * reduce_mean): UTVM_MAX_RANK of runtime-c/include/utvm/types.h. Lowerings collapse what dims they can
 * and left-pad the rest to this many entries.
 */

/** UTVM_MAX_RANK of runtime-c/include/utvm/types.h. */
export const MAX_RANK = 6;

/** Left-pads a shape with 1s (or strides with 0s) to MAX_RANK entries. */
export function padToMaxRank(values: readonly number[], fill: number): number[] {
  return [...new Array<number>(MAX_RANK - values.length).fill(fill), ...values];
}
