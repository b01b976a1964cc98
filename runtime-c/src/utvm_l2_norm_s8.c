/* L2 normalization over the last dim, int8, TFLite's fixed-point arithmetic (see utvm/l2_norm.h). */
#include "utvm/l2_norm.h"

/*
 * 1 / sqrt(sum) as a multiplier and a left shift (TFLite's GetInvSqrtQuantizedMultiplierExp with
 * kReverseShift): sum scaled into [2^27, 2^29) by pairs of bits, five Newton-Raphson steps of
 * x <- 1.5 x - (sum / 2) x^3 in Q3 from x = 1, times sqrt(2) / 2. sum <= 1 gives (INT32_MAX, 0).
 */
static void inv_sqrt(int32_t sum, int32_t *multiplier, int32_t *shift)
{
    if (sum <= 1) {
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    int32_t s = 11;
    while (sum >= (1 << 29)) {
        sum /= 4;
        s++;
    }
    int32_t zeros = 0;
    while (!((uint32_t)sum & (0x80000000u >> zeros))) zeros++;
    const int32_t pairs = (zeros - 1) / 2 - 1;
    s -= pairs;
    sum <<= 2 * pairs;
    const int32_t half_input = utvm_rounding_divide_by_pot(sum >> 1, 1);
    const int32_t half_three = (1 << 28) + (1 << 27);
    int32_t x = 1 << 28; /* 1.0 in Q3 */
    for (int i = 0; i < 5; i++) {
        const int32_t x3 = utvm_fp_mul_pot_sat(utvm_doubling_high_mul(utvm_doubling_high_mul(x, x), x), 6);
        const int32_t diff = (int32_t)((uint32_t)utvm_doubling_high_mul(half_three, x) - (uint32_t)utvm_doubling_high_mul(half_input, x3));
        x = utvm_fp_mul_pot_sat(diff, 3);
    }
    x = utvm_doubling_high_mul(x, 1518500250); /* sqrt(2) / 2 in Q0 */
    if (s < 0) {
        x = (int32_t)((uint32_t)x << -s);
        s = 0;
    }
    *multiplier = x;
    *shift = -s;
}

void utvm_l2_norm_s8(const utvm_l2_norm_params *p, const int8_t *input, int8_t *output)
{
    const int32_t zp = p->input_zero_point;
    for (int32_t i = 0; i < p->outer; i++) {
        const int8_t *x = input + (size_t)i * (size_t)p->depth;
        int8_t *y = output + (size_t)i * (size_t)p->depth;
        int32_t squares = 0;
        for (int32_t c = 0; c < p->depth; c++) squares += (x[c] - zp) * (x[c] - zp);
        int32_t multiplier, shift;
        inv_sqrt(squares, &multiplier, &shift);
        for (int32_t c = 0; c < p->depth; c++) {
            /* 7 more bits of left shift: the output's 1/128 units. */
            y[c] = utvm_sat_s8(utvm_requantize(x[c] - zp, multiplier, shift + 7), -128, 127);
        }
    }
}
