/* int8 SQUARED_DIFFERENCE, TFLite Micro's reference arithmetic, numpy broadcasting (see utvm/squared_difference.h). */
#include "utvm/squared_difference.h"
#include "utvm/quant.h"

void utvm_squared_difference_s8(const utvm_squared_difference_params_s8 *q, const utvm_broadcast_params *p, const int8_t *a,
                                const int8_t *b, int8_t *out)
{
    const int32_t n = p->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = p->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = p->b_strides[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < p->outer; row++) {
        const int8_t *ar = a + a_off;
        const int8_t *br = b + b_off;
        for (int32_t i = 0; i < n; i++) {
            const int32_t x = utvm_requantize((ar[i * sa] + q->input1_offset) * (1 << q->left_shift), q->input1_multiplier,
                                              q->input1_shift);
            const int32_t y = utvm_requantize((br[i * sb] + q->input2_offset) * (1 << q->left_shift), q->input2_multiplier,
                                              q->input2_shift);
            const int32_t d = x - y;
            out[i] = utvm_sat_s8(utvm_requantize(d * d, q->output_multiplier, q->output_shift) + q->output_offset, -128, 127);
        }
        out += n;
        utvm_broadcast_next_row(p, idx, &a_off, &b_off);
    }
}
