/* out = the larger of a and b (a > b ? a : b), numpy broadcasting (see utvm/minmax.h). */
#include "utvm/minmax.h"

void utvm_maximum_s16(const utvm_broadcast_params *p, const int16_t *a, const int16_t *b, int16_t *out)
{
    const int32_t n = p->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = p->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = p->b_strides[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < p->outer; row++) {
        const int16_t *ar = a + a_off;
        const int16_t *br = b + b_off;
        for (int32_t i = 0; i < n; i++) {
            const int16_t x = ar[i * sa];
            const int16_t y = br[i * sb];
            out[i] = x > y ? x : y;
        }
        out += n;
        utvm_broadcast_next_row(p, idx, &a_off, &b_off);
    }
}
