/*
 * Inference-time batch normalization, NHWC (channel innermost), as a per-channel affine transform.
 *
 * Batch normalization is y = x * scale[c] + shift[c] with scale = gamma / sqrt(var + eps) and
 * shift = beta - mean * scale. When gamma, beta, mean and var are constants (the usual case) the compiler
 * computes scale and shift itself and only utvm_channel_affine_f32 runs; when the model feeds them at
 * run time, utvm_batchnorm_coefficients_f32 computes them first.
 */
#ifndef UTVM_BATCHNORM_H
#define UTVM_BATCHNORM_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Product of all dimensions but the innermost (e.g. N * H * W), >= 1. */
    int32_t outer;
    /* Innermost dimension: channels, >= 1. */
    int32_t channels;
} utvm_channel_affine_params;

/*
 * output[i][c] = input[i][c] * scale[c] + shift[c].
 * input, output: [outer, channels], contiguous; output may be the input itself (in place), but must not
 *                otherwise overlap it.
 * scale, shift:  [channels].
 */
void utvm_channel_affine_f32(const utvm_channel_affine_params *p, const float *input, const float *scale,
                             const float *shift, float *output);

typedef struct {
    /* Number of channels, >= 1. */
    int32_t channels;
    /* Added to the variance before the square root, > 0. */
    float epsilon;
} utvm_batchnorm_coefficients_params_f32;

/*
 * scale[c] = gamma[c] / sqrtf(var[c] + epsilon); shift[c] = beta[c] - mean[c] * scale[c].
 * gamma, beta, mean, var: [channels], var[c] + epsilon > 0.
 * scale, shift:           [channels] outputs; must not overlap the inputs or each other.
 */
void utvm_batchnorm_coefficients_f32(const utvm_batchnorm_coefficients_params_f32 *p, const float *gamma,
                                     const float *beta, const float *mean, const float *var, float *scale,
                                     float *shift);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_BATCHNORM_H */
