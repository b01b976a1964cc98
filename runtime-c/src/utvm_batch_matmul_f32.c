/* Batched A * B^T, float32, sums in TFLite's order (see utvm/batch_matmul.h). */
#include "utvm/batch_matmul.h"

void utvm_batch_matmul_f32(const utvm_matmul_params_f32 *p, const float *a, const float *b, float *y)
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
            for (int32_t i = 0; i < p->m; i++) {
                const float *ar = am + i * p->k;
                for (int32_t j = 0; j < p->n; j++) {
                    const float *br = bm + j * p->k;
                    float acc = 0.0f;
                    for (int32_t kk = 0; kk < p->k; kk++) {
                        acc += ar[kk] * br[kk];
                    }
                    y[j] = acc;
                }
                y += p->n;
            }
        }
        utvm_broadcast_next_row(bp, idx, &a_off, &b_off);
    }
}
