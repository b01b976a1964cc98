/*
 * One line of the int8 softmax (utvm_softmax_s8, utvm_softmax_s8_s16; see utvm/softmax.h), shared by the
 * two kernels: the output type only changes the final division and the output range (TFLite's
 * exponent num_bits_over_unit + 31 - output bits, and the output zero point at the type's minimum).
 */
#ifndef UTVM_SOFTMAX_S8_LINE_H
#define UTVM_SOFTMAX_S8_LINE_H

#include <stddef.h>

#include "utvm/softmax.h"

/* Integer bits of the running sum of exponentials (CMSIS-NN's ACCUM_BITS). */
#define UTVM_SOFTMAX_SUM_INTEGER_BITS 12

/* exp(beta * input_scale * diff) with 0 integer bits, for diff = x - max in [diff_min, 0]. */
static inline int32_t utvm_softmax_scaled_exp(const utvm_softmax_params_s8 *p, int32_t diff)
{
    const int32_t scaled = utvm_doubling_high_mul(diff * (int32_t)(1L << p->input_left_shift), p->input_multiplier);
    return utvm_fp_exp_on_negative_values(scaled, 5);
}

/* Number of leading zero bits of a positive value. */
static inline int32_t utvm_softmax_leading_zeros(uint32_t v)
{
    int32_t n = 0;
    while ((v & 0x80000000u) == 0u) {
        v <<= 1;
        n++;
    }
    return n;
}

/* One line of n elements, `stride` apart, into int8 (out8) or int16 (out16) outputs. */
static inline void utvm_softmax_line_s8(const utvm_softmax_params_s8 *p, const int8_t *in, int8_t *out8, int16_t *out16, int32_t stride)
{
    int32_t max = in[0];
    for (int32_t j = 1; j < p->n; j++) {
        max = in[j * stride] > max ? in[j * stride] : max;
    }
    int32_t sum = 0;
    for (int32_t j = 0; j < p->n; j++) {
        const int32_t diff = in[j * stride] - max;
        if (diff >= p->diff_min) {
            sum += utvm_rounding_divide_by_pot(utvm_softmax_scaled_exp(p, diff), UTVM_SOFTMAX_SUM_INTEGER_BITS);
        }
    }
    /* sum >= exp(0) >> 12 = 2^19 > 0: the maximum always contributes. */
    const int32_t headroom = utvm_softmax_leading_zeros((uint32_t)sum);
    const int32_t shifted_sum_minus_one = (int32_t)(((uint32_t)sum << headroom) - 0x80000000u);
    const int32_t scale = utvm_fp_one_over_one_plus_x(shifted_sum_minus_one);
    /* The division of the quotient: 2^(num_bits_over_unit + 31 - output bits), TFLite's exponent. */
    const int32_t bits_over_unit = UTVM_SOFTMAX_SUM_INTEGER_BITS - headroom + (out16 != NULL ? 15 : 23);
    const int32_t lo = out16 != NULL ? -32768 : -128;
    const int32_t hi = out16 != NULL ? 32767 : 127;
    for (int32_t j = 0; j < p->n; j++) {
        const int32_t diff = in[j * stride] - max;
        int32_t res = lo;
        if (diff >= p->diff_min) {
            /* A quotient below 2^31 divided by 2^32 or more rounds to 0. */
            const int32_t q = bits_over_unit > 31
                                  ? 0
                                  : utvm_rounding_divide_by_pot(utvm_doubling_high_mul(scale, utvm_softmax_scaled_exp(p, diff)),
                                                                bits_over_unit);
            res = q + lo;
            res = res > hi ? hi : res;
        }
        if (out16 != NULL) out16[j * stride] = (int16_t)res;
        else out8[j * stride] = (int8_t)res;
    }
}

#endif /* UTVM_SOFTMAX_S8_LINE_H */
