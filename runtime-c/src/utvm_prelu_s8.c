/* int8 PRELU, TFLite Micro's reference arithmetic, alpha broadcast (see utvm/prelu.h). */
#include "utvm/prelu.h"
#include "utvm/quant.h"

void utvm_prelu_s8(const utvm_prelu_params_s8 *q, const utvm_broadcast_params *p, const int8_t *x, const int8_t *alpha,
                   int8_t *out)
{
    const int32_t n = p->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = p->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = p->b_strides[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < p->outer; row++) {
        const int8_t *ar = x + a_off;
        const int8_t *br = alpha + b_off;
        for (int32_t i = 0; i < n; i++) {
            const int32_t v = ar[i * sa] + q->input_offset;
            const int32_t y = v >= 0 ? utvm_requantize(v, q->multiplier_pos, q->shift_pos)
                                     : utvm_requantize(v * (br[i * sb] + q->alpha_offset), q->multiplier_neg, q->shift_neg);
            out[i] = utvm_sat_s8(y + q->output_offset, -128, 127);
        }
        out += n;
        utvm_broadcast_next_row(p, idx, &a_off, &b_off);
    }
}
