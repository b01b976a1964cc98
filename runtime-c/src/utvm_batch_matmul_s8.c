/* Batched A * B^T, int8, TFLite's reference arithmetic (see utvm/batch_matmul.h). */
#include "utvm/batch_matmul.h"
#include "utvm/quant.h"

/* One [M, K] x [N, K]^T product into y [M, N]. */
static void one_batch(const utvm_batch_matmul_params_s8 *p, const int8_t *am, const int8_t *bm, int8_t *y)
{
    for (int32_t i = 0; i < p->m; i++) {
        const int8_t *ar = am + (size_t)i * (size_t)p->k;
        for (int32_t j = 0; j < p->n; j++) {
            const int8_t *br = bm + (size_t)j * (size_t)p->k;
            uint32_t acc = 0; /* int32 with wrap-around */
            for (int32_t kk = 0; kk < p->k; kk++) {
                acc += (uint32_t)(((int32_t)ar[kk] + p->lhs_offset) * ((int32_t)br[kk] + p->rhs_offset));
            }
            const int32_t v = utvm_requantize((int32_t)acc, p->multiplier, p->shift) + p->output_offset;
            y[j] = utvm_sat_s8(v, p->act_min, p->act_max);
        }
        y += p->n;
    }
}

void utvm_batch_matmul_s8(const utvm_batch_matmul_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    const utvm_broadcast_params *bp = &p->batch;
    const int32_t inner = bp->shape[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < bp->outer; row++) {
        for (int32_t t = 0; t < inner; t++) {
            one_batch(p, a + a_off + t * bp->a_strides[UTVM_MAX_RANK - 1], b + b_off + t * bp->b_strides[UTVM_MAX_RANK - 1], y);
            y += (size_t)p->m * (size_t)p->n;
        }
        utvm_broadcast_next_row(bp, idx, &a_off, &b_off);
    }
}
