/* out = x >= 0 ? x : x * alpha, alpha broadcast (see utvm/prelu.h). */
#include "utvm/prelu.h"

void utvm_prelu_f32(const utvm_broadcast_params *p, const float *x, const float *alpha, float *out)
{
    const int32_t n = p->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = p->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = p->b_strides[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < p->outer; row++) {
        const float *ar = x + a_off;
        const float *br = alpha + b_off;
        for (int32_t i = 0; i < n; i++) {
            const float v = ar[i * sa];
            out[i] = v >= 0.0f ? v : v * br[i * sb];
        }
        out += n;
        utvm_broadcast_next_row(p, idx, &a_off, &b_off);
    }
}
