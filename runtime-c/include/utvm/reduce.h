/*
 * Reductions over any set of axes of a tensor of up to UTVM_MAX_RANK dims.
 *
 * The compiler splits the input's dims into kept dims (one output element per combination) and reduced
 * dims (summed over), merges adjacent dims of the same kind and passes each group's shape and input
 * strides, so the kernel runs two fixed-depth loop nests and never looks at axes.
 */
#ifndef UTVM_REDUCE_H
#define UTVM_REDUCE_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Kept dims in output order, left-padded with 1s to UTVM_MAX_RANK. Each >= 1. */
    int32_t kept_shape[UTVM_MAX_RANK];
    /* Input stride (in elements) of each kept dim; 0 on padded dims. */
    int32_t kept_strides[UTVM_MAX_RANK];
    /* Reduced dims, left-padded with 1s to UTVM_MAX_RANK. Each >= 1. */
    int32_t reduced_shape[UTVM_MAX_RANK];
    /* Input stride (in elements) of each reduced dim; 0 on padded dims. */
    int32_t reduced_strides[UTVM_MAX_RANK];
    /* 1 / (number of reduced elements per output element), > 0. */
    float scale;
} utvm_reduce_params_f32;

/*
 * output[k] = scale * sum over the reduced dims of input[k's offset + reduced offset]; the sum is
 * accumulated in float in row-major order of the reduced dims.
 * input:  float32, any layout described by the strides.
 * output: float32, contiguous, product(kept_shape) elements. Must not overlap the input.
 */
void utvm_reduce_mean_f32(const utvm_reduce_params_f32 *p, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_REDUCE_H */
