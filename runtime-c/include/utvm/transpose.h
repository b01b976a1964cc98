/*
 * Transpose: a strided copy of a tensor of up to UTVM_MAX_RANK dims, any element size.
 */
#ifndef UTVM_TRANSPOSE_H
#define UTVM_TRANSPOSE_H

#include "utvm/types.h"

typedef struct {
    /* Output shape, padded on the left with 1s to UTVM_MAX_RANK dims. Each >= 1. */
    int32_t out_shape[UTVM_MAX_RANK];
    /* For each output dim, the input stride (in elements) to step along it; 0 on padded dims. */
    int32_t in_strides[UTVM_MAX_RANK];
    /* Bytes per element: 1, 2 or 4. */
    int32_t element_bytes;
} utvm_transpose_params;

/*
 * output[o0..o5] = input[sum(o_d * in_strides[d])].
 * input:  any layout, p->element_bytes per element.
 * output: contiguous, shape p->out_shape. Must not overlap the input.
 */
void utvm_transpose(const utvm_transpose_params *p, const void *input, void *output);

#endif /* UTVM_TRANSPOSE_H */
