/*
 * Copies: plain and strided byte copies, for any element type.
 *
 * utvm_copy materialises a tensor in a new place (a graph output that would otherwise be a graph input
 * or a constant). utvm_copy_strided writes a contiguous source into a strided destination: Concat runs
 * as one call per input, each writing its slice of the output along the concatenation axis.
 */
#ifndef UTVM_COPY_H
#define UTVM_COPY_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * output[0 .. bytes) = input[0 .. bytes).
 * input:  any element type, contiguous, `bytes` bytes.
 * output: `bytes` bytes; must not overlap the input.
 * bytes:  byte count, >= 0.
 */
void utvm_copy(const void *input, void *output, int32_t bytes);

typedef struct {
    /* Number of blocks to copy (product of the dims before the concatenation axis). Range: >= 1. */
    int32_t outer;
    /* Bytes per block: the source's extent along the axis times everything after it, in bytes. >= 0. */
    int32_t block_bytes;
    /* Bytes between the starts of consecutive blocks in the destination. Range: >= block_bytes. */
    int32_t dst_stride_bytes;
} utvm_copy_strided_params;

/*
 * For b in [0, outer): output[b * dst_stride_bytes .. + block_bytes) = input[b * block_bytes .. + block_bytes).
 * input:  contiguous, outer * block_bytes bytes, any element type.
 * output: already offset to this input's first block inside the destination tensor (the compiler passes
 *         the offset); the bytes between blocks are left untouched. Must not overlap the input.
 */
void utvm_copy_strided(const utvm_copy_strided_params *p, const void *input, void *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_COPY_H */
