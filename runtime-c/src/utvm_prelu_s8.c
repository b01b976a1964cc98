/* int8 PRELU, TFLite Micro's reference arithmetic, alpha broadcast (see utvm/prelu.h). */
#include "utvm/prelu.h"

void utvm_prelu_s8(const utvm_prelu_params_s8 *q, const utvm_broadcast_params *p, const int8_t *lut_pos, const int8_t *x,
                   const int8_t *alpha, int8_t *out)
{
    const int32_t n = p->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = p->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = p->b_strides[UTVM_MAX_RANK - 1];
    const int32_t input_offset = q->input_offset;
    const int32_t alpha_offset = q->alpha_offset;
    const int32_t output_offset = q->output_offset;
    const int32_t multiplier = q->multiplier_neg;
    const int32_t shift = q->shift_neg;
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < p->outer; row++) {
        const int8_t *xr = x + a_off;
        const int8_t *ar = alpha + b_off;
        for (int32_t i = 0; i < n; i++) {
            const int8_t xb = xr[i * sa];
            const int32_t v = xb + input_offset;
            if (v >= 0) {
                out[i] = lut_pos[(uint8_t)xb];
            } else {
                const int32_t y = utvm_requantize_fast(v * (ar[i * sb] + alpha_offset), multiplier, shift);
                out[i] = utvm_sat_s8(y + output_offset, -128, 127);
            }
        }
        out += n;
        utvm_broadcast_next_row(p, idx, &a_off, &b_off);
    }
}
