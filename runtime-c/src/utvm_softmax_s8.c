/* Softmax, int8 in and out, along one axis of an [outer, n, inner] view (see utvm/softmax.h). */
#include "utvm/softmax.h"

/* Integer bits of the running sum of exponentials (CMSIS-NN's ACCUM_BITS). */
#define SUM_INTEGER_BITS 12

/* exp(beta * input_scale * diff) with 0 integer bits, for diff = x - max in [diff_min, 0]. */
static int32_t scaled_exp(const utvm_softmax_params_s8 *p, int32_t diff)
{
    const int32_t scaled = utvm_doubling_high_mul(diff * (int32_t)(1L << p->input_left_shift), p->input_multiplier);
    return utvm_fp_exp_on_negative_values(scaled, 5);
}

/* Number of leading zero bits of a positive value. */
static int32_t leading_zeros(uint32_t v)
{
    int32_t n = 0;
    while ((v & 0x80000000u) == 0u) {
        v <<= 1;
        n++;
    }
    return n;
}

/* One line of n elements, `stride` apart. */
static void softmax_line(const utvm_softmax_params_s8 *p, const int8_t *in, int8_t *out, int32_t stride)
{
    int32_t max = in[0];
    for (int32_t j = 1; j < p->n; j++) {
        max = in[j * stride] > max ? in[j * stride] : max;
    }
    int32_t sum = 0;
    for (int32_t j = 0; j < p->n; j++) {
        const int32_t diff = in[j * stride] - max;
        if (diff >= p->diff_min) {
            sum += utvm_rounding_divide_by_pot(scaled_exp(p, diff), SUM_INTEGER_BITS);
        }
    }
    /* sum >= exp(0) >> 12 = 2^19 > 0: the maximum always contributes. */
    const int32_t headroom = leading_zeros((uint32_t)sum);
    const int32_t shifted_sum_minus_one = (int32_t)(((uint32_t)sum << headroom) - 0x80000000u);
    const int32_t scale = utvm_fp_one_over_one_plus_x(shifted_sum_minus_one);
    const int32_t bits_over_unit = SUM_INTEGER_BITS - headroom + 23;
    for (int32_t j = 0; j < p->n; j++) {
        const int32_t diff = in[j * stride] - max;
        int32_t res = -128;
        if (diff >= p->diff_min) {
            /* A quotient below 2^31 divided by 2^32 or more rounds to 0. */
            const int32_t q = bits_over_unit > 31
                                  ? 0
                                  : utvm_rounding_divide_by_pot(utvm_doubling_high_mul(scale, scaled_exp(p, diff)),
                                                                bits_over_unit);
            res = q - 128;
            res = res > 127 ? 127 : res;
        }
        out[j * stride] = (int8_t)res;
    }
}

void utvm_softmax_s8(const utvm_softmax_params_s8 *p, const int8_t *in, int8_t *out)
{
    for (int32_t o = 0; o < p->outer; o++) {
        for (int32_t i = 0; i < p->inner; i++) {
            const size_t base = (size_t)o * (size_t)p->n * (size_t)p->inner + (size_t)i;
            softmax_line(p, in + base, out + base, p->inner);
        }
    }
}
