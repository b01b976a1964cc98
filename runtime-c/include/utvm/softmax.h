/*
 * Softmax along one axis, float32.
 *
 * The tensor is viewed as [outer, n, inner] around the axis; each of the outer * inner lines of n
 * elements (stride inner) is normalised: y = exp(x - max) / sum(exp(x - max)).
 */
#ifndef UTVM_SOFTMAX_H
#define UTVM_SOFTMAX_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Product of the dims before the axis. Range: >= 1. */
    int32_t outer;
    /* Size of the axis. Range: >= 1. */
    int32_t n;
    /* Product of the dims after the axis (the stride of the axis, in elements). Range: >= 1. */
    int32_t inner;
} utvm_softmax_params_f32;

/*
 * in, out: float32 [outer, n, inner], row-major. out may be the same buffer as in (in place), but must
 * not partially overlap it.
 */
void utvm_softmax_f32(const utvm_softmax_params_f32 *p, const float *in, float *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_SOFTMAX_H */
