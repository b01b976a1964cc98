/*
 * Softmax along one axis, float32 and int8.
 *
 * The tensor is viewed as [outer, n, inner] around the axis; each of the outer * inner lines of n
 * elements (stride inner) is normalised: y = exp(beta * (x - max)) / sum(exp(beta * (x - max))).
 *
 * utvm_softmax_s8 is TensorFlow Lite's int8 softmax as CMSIS-NN's arm_softmax_s8 computes it: the
 * differences x - max are scaled to fixed point with 5 integer bits (input_multiplier, input_left_shift:
 * beta * input_scale folded in at compile time), exponentiated with gemmlowp's exp_on_negative_values,
 * summed with 12 integer bits, inverted with one_over_one_plus_x, and written with output scale 1/256
 * and zero point -128. Differences below diff_min contribute nothing and give -128.
 */
#ifndef UTVM_SOFTMAX_H
#define UTVM_SOFTMAX_H

#include "utvm/fixedpoint.h"
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
    /* Multiplies every difference x - max before exp (TFLite's beta). Any finite float; 1 for none. */
    float beta;
} utvm_softmax_params_f32;

/*
 * in, out: float32 [outer, n, inner], row-major. out may be the same buffer as in (in place), but must
 * not partially overlap it.
 */
void utvm_softmax_f32(const utvm_softmax_params_f32 *p, const float *in, float *out);

typedef struct {
    /* Product of the dims before the axis. Range: >= 1. */
    int32_t outer;
    /* Size of the axis. Range: [1, 4095] (the fixed-point sum of exponentials must fit in int32). */
    int32_t n;
    /* Product of the dims after the axis (the stride of the axis, in elements). Range: >= 1. */
    int32_t inner;
    /* Fixed-point multiplier of beta * input_scale * 2^26 (TFLite's PreprocessSoftmaxScaling with
       5 integer bits). Range: [2^30, 2^31). */
    int32_t input_multiplier;
    /* Left shift applied to x - max before the multiplier. Range: [0, 30]. */
    int32_t input_left_shift;
    /* Smallest difference x - max that contributes: -CalculateInputRadius(5, input_left_shift), so
       that |diff_min| * 2^input_left_shift < 2^31. Range: <= 0. */
    int32_t diff_min;
} utvm_softmax_params_s8;

/*
 * in, out: int8 [outer, n, inner], row-major; the output is quantized with scale 1/256 and zero point
 * -128. out may be the same buffer as in (in place), but must not partially overlap it.
 */
void utvm_softmax_s8(const utvm_softmax_params_s8 *p, const int8_t *in, int8_t *out);

/*
 * The same from int8 into int16 with scale 1/65536 and zero point -32768 (TFLite Micro's int8 ->
 * int16 softmax). out must not overlap in.
 */
void utvm_softmax_s8_s16(const utvm_softmax_params_s8 *p, const int8_t *in, int16_t *out);

typedef struct {
    /* Product of the dims before the axis. Range: >= 1. */
    int32_t outer;
    /* Size of the axis. Range: [1, 65535] (the sum of Q0.15 exponentials must fit in int32). */
    int32_t n;
    /* Product of the dims after the axis (the stride of the axis, in elements). Range: >= 1. */
    int32_t inner;
    /* Fixed-point multiplier and exponent of input_scale * beta / (10 / 65535): x - max in [-65535, 0]
       becomes [-10, 0] on the exp table. Multiplier range: [2^30, 2^31); shift: [-31, 15]. */
    int32_t input_multiplier;
    int32_t input_shift;
} utvm_softmax_params_s16;

/*
 * int16 SOFTMAX (TFLite's 16x8, TFLite Micro's SoftmaxInt16): exp(x - max) from exp_lut (exp on [-10, 0]),
 * 1 / sum from recip_lut (1 / (1 + x) on [0, 1]), both TFLite's 513-entry interpolated int16 tables
 * (computed by the compiler). in, out: int16 [outer, n, inner], row-major, zero points 0; the output has
 * scale 1/32768. out may be the same buffer as in, but must not partially overlap it.
 */
void utvm_softmax_s16(const utvm_softmax_params_s16 *p, const int16_t *exp_lut, const int16_t *recip_lut,
                      const int16_t *in, int16_t *out);

#ifdef __cplusplus
}
#endif

/* The int8 line both int8-input kernels share (static inline, after the parameter struct it reads). */
#include "utvm/softmax_s8_line.h"

#endif /* UTVM_SOFTMAX_H */
