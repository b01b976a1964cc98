/*
 * L2_NORMALIZATION over the last dim, as TensorFlow Lite's reference kernels: float32 divides by
 * max(sqrt(sum of squares), 1e-6f); int8 computes 1 / sqrt(sum of (x - zero_point)^2) in fixed point
 * (gemmlowp's Newton-Raphson, GetInvSqrtQuantizedMultiplierExp) and writes (x - zero_point) times it in
 * units of 1/128 (the output scale TFLite requires: 1/128, zero point 0), saturated to int8.
 */
#ifndef UTVM_L2_NORM_H
#define UTVM_L2_NORM_H

#include "utvm/fixedpoint.h"
#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* The input as [outer, depth] rows (row-major); each >= 1. depth <= 2^16 (int32 sum of squares). */
    int32_t outer;
    int32_t depth;
    /* int8 only: the input's zero point. Range: [-128, 127]. */
    int32_t input_zero_point;
} utvm_l2_norm_params;

/* input and output [outer, depth]; the output may be the input (each row is read before written). */
void utvm_l2_norm_f32(const utvm_l2_norm_params *p, const float *input, float *output);
void utvm_l2_norm_s8(const utvm_l2_norm_params *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_L2_NORM_H */
