/* Batched matrix product with broadcast batch dims (see utvm/matmul.h). */
#include "utvm/matmul.h"

void utvm_matmul_f32(const utvm_matmul_params_f32 *p, const float *a, const float *b, float *y)
{
    const utvm_broadcast_params *bp = &p->batch;
    const int32_t inner = bp->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = bp->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = bp->b_strides[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < bp->outer; row++) {
        for (int32_t t = 0; t < inner; t++) {
            const float *am = a + a_off + t * sa;
            const float *bm = b + b_off + t * sb;
            /* i-k-j order: rows of B and of the output are read and written contiguously. */
            for (int32_t i = 0; i < p->m; i++) {
                float *yr = y + i * p->n;
                for (int32_t j = 0; j < p->n; j++) {
                    yr[j] = 0.0f;
                }
                for (int32_t kk = 0; kk < p->k; kk++) {
                    const float av = am[i * p->k + kk];
                    const float *br = bm + kk * p->n;
                    for (int32_t j = 0; j < p->n; j++) {
                        yr[j] += av * br[j];
                    }
                }
            }
            y += p->m * p->n;
        }
        utvm_broadcast_next_row(bp, idx, &a_off, &b_off);
    }
}
