/* out = (a - b)^2, numpy broadcasting (see utvm/squared_difference.h). */
#include "utvm/squared_difference.h"

void utvm_squared_difference_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out)
{
    const int32_t n = p->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = p->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = p->b_strides[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < p->outer; row++) {
        const float *ar = a + a_off;
        const float *br = b + b_off;
        for (int32_t i = 0; i < n; i++) {
            const float d = ar[i * sa] - br[i * sb];
            out[i] = d * d;
        }
        out += n;
        utvm_broadcast_next_row(p, idx, &a_off, &b_off);
    }
}
