/* int16 MUL (16x8) with numpy broadcasting, strides computed by the compiler (see utvm/binary.h). */
#include "utvm/binary.h"

void utvm_mul_broadcast_s16(const utvm_mul_params_s8 *p, const utvm_broadcast_params *bp, const int16_t *a,
                            const int16_t *b, int16_t *out)
{
    const int32_t n = bp->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = bp->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = bp->b_strides[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < bp->outer; row++) {
        const int16_t *ar = a + a_off;
        const int16_t *br = b + b_off;
        for (int32_t i = 0; i < n; i++) {
            out[i] = utvm_mul_element_s16(p, ar[i * sa], br[i * sb]);
        }
        out += n;
        utvm_broadcast_next_row(bp, idx, &a_off, &b_off);
    }
}
