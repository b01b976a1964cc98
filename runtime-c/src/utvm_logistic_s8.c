/* Logistic (sigmoid), int8 in and out (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_logistic_s8(const utvm_logistic_params_s8 *p, const int8_t *in, int8_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const int32_t x = (int32_t)in[i] - p->input_zero_point;
        if (x <= -p->input_range_radius) {
            out[i] = INT8_MIN;
        } else if (x >= p->input_range_radius) {
            out[i] = INT8_MAX;
        } else {
            /* x in fixed point with 4 integer bits, logistic with 0 integer bits, then Q0.7 + -128. */
            const int32_t x_q4 = utvm_requantize(x, p->input_multiplier, p->input_left_shift);
            const int32_t y = utvm_rounding_divide_by_pot(utvm_fp_logistic(x_q4, 4), 23) - 128;
            out[i] = (int8_t)(y > 127 ? 127 : (y < -128 ? -128 : y));
        }
    }
}
