/* Batched A * B^T, int8, TFLite's reference arithmetic (see utvm/batch_matmul.h). */
#include "utvm/batch_matmul.h"
#include "utvm/quant.h"

static inline int8_t out_s8(const utvm_batch_matmul_params_s8 *p, uint32_t acc)
{
    return utvm_sat_s8(utvm_requantize((int32_t)acc, p->multiplier, p->shift) + p->output_offset, p->act_min, p->act_max);
}

/*
 * One [M, K] x [N, K]^T product into y [M, N], two B rows per pass. TFLite's sum is taken as
 * sum (a + lhs_offset) * b + rhs_offset * sum (a + lhs_offset), the A row's sum once per row
 * (int32 with wrap-around, as uint32: the same value).
 */
static void one_batch(const utvm_batch_matmul_params_s8 *p, const int8_t *am, const int8_t *bm, int8_t *y)
{
    const int32_t k = p->k, lo = p->lhs_offset;
    for (int32_t i = 0; i < p->m; i++, y += p->n) {
        const int8_t *ar = am + (size_t)i * (size_t)k;
        uint32_t row = 0;
        for (int32_t kk = 0; kk < k; kk++) row += (uint32_t)((int32_t)ar[kk] + lo);
        row *= (uint32_t)p->rhs_offset;
        int32_t j = 0;
        for (; j + 1 < p->n; j += 2) {
            const int8_t *b0 = bm + (size_t)j * (size_t)k, *b1 = b0 + k;
            uint32_t acc0 = row, acc1 = row;
            for (int32_t kk = 0; kk < k; kk++) {
                const int32_t av = (int32_t)ar[kk] + lo;
                acc0 += (uint32_t)(av * (int32_t)b0[kk]);
                acc1 += (uint32_t)(av * (int32_t)b1[kk]);
            }
            y[j] = out_s8(p, acc0);
            y[j + 1] = out_s8(p, acc1);
        }
        if (j < p->n) {
            const int8_t *b0 = bm + (size_t)j * (size_t)k;
            uint32_t acc0 = row;
            for (int32_t kk = 0; kk < k; kk++) acc0 += (uint32_t)(((int32_t)ar[kk] + lo) * (int32_t)b0[kk]);
            y[j] = out_s8(p, acc0);
        }
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
