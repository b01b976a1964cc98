/*
 * Reductions over any set of axes of a tensor of up to UTVM_MAX_RANK dims.
 *
 * The compiler splits the input's dims into kept dims (one output element per combination) and reduced
 * dims (summed over), merges adjacent dims of the same kind and passes each group's shape and input
 * strides, so the kernel runs two fixed-depth loop nests and never looks at axes.
 */
#ifndef UTVM_REDUCE_H
#define UTVM_REDUCE_H

#include "utvm/quant.h"
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

typedef struct {
    /* Kept and reduced dims and their input strides, as in utvm_reduce_params_f32. */
    int32_t kept_shape[UTVM_MAX_RANK];
    int32_t kept_strides[UTVM_MAX_RANK];
    int32_t reduced_shape[UTVM_MAX_RANK];
    int32_t reduced_strides[UTVM_MAX_RANK];
    /* Added to each int32 sum: -input_zero_point * (number of reduced elements). */
    int32_t sum_offset;
    /* Fixed-point multiplier and shift of input_scale / output_scale / count, as TensorFlow Lite's
       int8 MEAN folds the count into them. multiplier: [0, 2^31). shift: [-31, 30]. */
    int32_t multiplier;
    int32_t shift;
    /* Zero point of the output. Range: [-128, 127]. */
    int32_t output_zero_point;
} utvm_reduce_params_s8;

/*
 * int8 MEAN (TensorFlow Lite's reference QuantizedMeanOrSum):
 * output[k] = clamp(requantize(sum + sum_offset, multiplier, shift) + output_zero_point, -128, 127),
 * sum = the int32 sum over the reduced dims of input[k's offset + reduced offset].
 * input:  int8, any layout described by the strides.
 * output: int8, contiguous, product(kept_shape) elements. Must not overlap the input.
 */
void utvm_reduce_mean_s8(const utvm_reduce_params_s8 *p, const int8_t *input, int8_t *output);
/* int16 MEAN (16x8): the same on int16 values, clamped to [-32768, 32767] (output_zero_point an int16). */
void utvm_reduce_mean_s16(const utvm_reduce_params_s8 *p, const int16_t *input, int16_t *output);


typedef struct {
    /* Kept and reduced dims and their input strides, as in utvm_reduce_params_f32. */
    int32_t kept_shape[UTVM_MAX_RANK];
    int32_t kept_strides[UTVM_MAX_RANK];
    int32_t reduced_shape[UTVM_MAX_RANK];
    int32_t reduced_strides[UTVM_MAX_RANK];
    /* 1: the largest element (REDUCE_MAX), 0: the smallest (REDUCE_MIN). */
    int32_t is_max;
} utvm_reduce_minmax_params;

/*
 * REDUCE_MAX / REDUCE_MIN (TensorFlow Lite's reference ReduceGeneric): output[k] = the largest (smallest)
 * of input[k's offset + reduced offset] over the reduced dims, comparing stored values. int8: input and
 * output share one quantization. SUM runs as utvm_reduce_mean_f32 with scale 1.0f (float32) and as
 * utvm_reduce_mean_s8 with a multiplier of input_scale / output_scale alone (int8).
 * input:  any layout described by the strides. output: contiguous, product(kept_shape) elements.
 * Must not overlap the input.
 */
void utvm_reduce_minmax_f32(const utvm_reduce_minmax_params *p, const float *input, float *output);
void utvm_reduce_minmax_s8(const utvm_reduce_minmax_params *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_REDUCE_H */
