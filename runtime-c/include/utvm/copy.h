/*
 * Copies: plain, strided, N-d and indexed byte copies, for any element type (they move bytes, so one
 * kernel per layout serves float32, int8, int16 and int32 alike).
 *
 * utvm_copy materialises a tensor in a new place (a graph output that would otherwise be a graph input
 * or a constant). utvm_copy_strided writes a contiguous source into a strided destination: Concat (and
 * TFLite PACK) runs as one call per input, each writing its slice of the output along the concatenation
 * axis. utvm_copy_nd reads any strided view of a tensor (signed strides) into a contiguous output:
 * transpose, slice and strided slice (negative steps included), split and unpack. utvm_gather copies
 * the rows that an int32 index tensor names (TFLite GATHER, constant or run-time indices).
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

/*
 * output[0 .. bytes) = the bytes input[0 .. bytes) held before the call; the two may overlap (memmove).
 * Patch stages (src/lower/patch/stage.ts) keep the rows two bands share by moving them to the top of
 * their row buffer.
 */
void utvm_move(const void *input, void *output, int32_t bytes);

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

typedef struct {
    /* Output shape, padded on the left with 1s to UTVM_MAX_RANK dims. Each >= 1. */
    int32_t out_shape[UTVM_MAX_RANK];
    /* For each output dim, the input step (in elements, signed: negative walks backwards) between
     * neighbours along it; 0 on padded dims. */
    int32_t in_strides[UTVM_MAX_RANK];
    /* Bytes per element: 1, 2 or 4 (any other size is copied byte-wise). */
    int32_t element_bytes;
} utvm_copy_nd_params;

/*
 * output[o0..o5] = input[sum(o_d * in_strides[d])], output contiguous and row-major.
 * input:  the source element of output element 0 (the compiler offsets the pointer); every element the
 *         strides reach lies inside the input tensor. p->element_bytes per element.
 * output: contiguous, shape p->out_shape. Must not overlap the input.
 * Rows whose innermost stride is 1 are copied with one memcpy each (the compiler merges contiguous dims
 * first, so a slice of whole rows is one memcpy per row block).
 */
void utvm_copy_nd(const utvm_copy_nd_params *p, const void *input, void *output);

typedef struct {
    /* Product of the input dims before batch_dims (TFLite GATHER's batch dimensions). Range: >= 1. */
    int32_t batches;
    /* Product of the input dims from batch_dims up to the gather axis. Range: >= 1. */
    int32_t outer;
    /* Input extent along the gather axis. Range: >= 1. */
    int32_t axis_size;
    /* Indices per batch (product of the index tensor's dims after its batch dims). Range: >= 0. */
    int32_t coords;
    /* Bytes of one gathered slice (product of the input dims after the axis, times the element size). */
    int32_t inner_bytes;
} utvm_gather_params;

/*
 * For b < batches, o < outer, c < coords: output row ((b * outer + o) * coords + c) = input row
 * ((b * outer + o) * axis_size + indices[b * coords + c]), rows of inner_bytes bytes.
 * indices: int32, batches * coords values, each in [0, axis_size). An index outside that range (a
 *          run-time index TFLite Micro would not check) writes a row of zero bytes instead of reading
 *          outside the input.
 * output:  contiguous, batches * outer * coords rows. Must not overlap the input.
 */
void utvm_gather(const utvm_gather_params *p, const void *input, const int32_t *indices, void *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_COPY_H */
