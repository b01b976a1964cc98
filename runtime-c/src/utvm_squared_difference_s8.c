/* int8 SQUARED_DIFFERENCE, TFLite Micro's arithmetic with table-driven input rescaling (see utvm/squared_difference.h). */
#include "utvm/squared_difference.h"

void utvm_squared_difference_s8(const utvm_squared_difference_params_s8 *q, const utvm_broadcast_params *p,
                                const int16_t *lut_a, const int16_t *lut_b, const int8_t *a, const int8_t *b, int8_t *out)
{
    const int32_t n = p->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = p->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = p->b_strides[UTVM_MAX_RANK - 1];
    const int32_t multiplier = q->output_multiplier;
    const int32_t shift = q->output_shift;
    const int32_t offset = q->output_offset;
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < p->outer; row++) {
        const int8_t *ar = a + a_off;
        const int8_t *br = b + b_off;
        for (int32_t i = 0; i < n; i++) {
            const int32_t d = (int32_t)lut_a[(uint8_t)ar[i * sa]] - (int32_t)lut_b[(uint8_t)br[i * sb]];
            out[i] = utvm_sat_s8(utvm_requantize_fast(d * d, multiplier, shift) + offset, -128, 127);
        }
        out += n;
        utvm_broadcast_next_row(p, idx, &a_off, &b_off);
    }
}
