/*
 * Batched A * B^T, int8, for cores with the DSP extension (see utvm/batch_matmul.h): four B rows per pass
 * over an A row. Offsets are added lane by lane (SXTAB16: byte + offset fits an int16 lane), so every
 * SMLAD adds two terms (a + lhs_offset) * (b + rhs_offset) of TFLite's sum: the same int32, reordered.
 * The last k % 4 terms run one by one (zero-padding would add lhs_offset * rhs_offset terms).
 */
#include "utvm/batch_matmul.h"
#include "utvm/dsp.h"
#include "utvm/simd_s8.h"

typedef struct {
    int32_t a0, a1, a2, a3;
} bmm_acc4;

/* acc + the two SMLAD pairs of one A word (already offset: ae, ao) with the B word at b. */
static inline __attribute__((always_inline)) int32_t mac_word(int32_t ae, int32_t ao, const int8_t *b, int32_t off, int32_t acc)
{
    const int32_t w = utvm_dsp_read_s32(b);
    acc = utvm_dsp_smlad(ae, utvm_dsp_sxtab16(off, w), acc);
    return utvm_dsp_smlad(ao, utvm_dsp_sxtab16_ror8(off, w), acc);
}

/* The scalar terms kk = from .. k - 1 of row a against row b. */
static int32_t tail_terms(const utvm_batch_matmul_params_s8 *p, const int8_t *a, const int8_t *b, int32_t from, int32_t acc)
{
    for (int32_t kk = from; kk < p->k; kk++) {
        acc = (int32_t)((uint32_t)acc + (uint32_t)(((int32_t)a[kk] + p->lhs_offset) * ((int32_t)b[kk] + p->rhs_offset)));
    }
    return acc;
}

/* Dot products of A row a with the four B rows at b (row stride k). */
static bmm_acc4 dot_4(const utvm_batch_matmul_params_s8 *p, const int8_t *a, const int8_t *b)
{
    const int32_t k = p->k, k4 = k & ~3;
    const int32_t lo = utvm_dsp_pack16(p->lhs_offset, p->lhs_offset);
    const int32_t ro = utvm_dsp_pack16(p->rhs_offset, p->rhs_offset);
    const int8_t *b1 = b + k, *b2 = b1 + k, *b3 = b2 + k;
    bmm_acc4 s = {0, 0, 0, 0};
    for (int32_t kk = 0; kk < k4; kk += 4) {
        const int32_t x = utvm_dsp_read_s32(a + kk);
        const int32_t ae = utvm_dsp_sxtab16(lo, x), ao = utvm_dsp_sxtab16_ror8(lo, x);
        s.a0 = mac_word(ae, ao, b + kk, ro, s.a0);
        s.a1 = mac_word(ae, ao, b1 + kk, ro, s.a1);
        s.a2 = mac_word(ae, ao, b2 + kk, ro, s.a2);
        s.a3 = mac_word(ae, ao, b3 + kk, ro, s.a3);
    }
    s.a0 = tail_terms(p, a, b, k4, s.a0);
    s.a1 = tail_terms(p, a, b1, k4, s.a1);
    s.a2 = tail_terms(p, a, b2, k4, s.a2);
    s.a3 = tail_terms(p, a, b3, k4, s.a3);
    return s;
}

/* Dot product of A row a with one B row b. */
static int32_t dot_1(const utvm_batch_matmul_params_s8 *p, const int8_t *a, const int8_t *b)
{
    const int32_t k4 = p->k & ~3;
    const int32_t lo = utvm_dsp_pack16(p->lhs_offset, p->lhs_offset);
    const int32_t ro = utvm_dsp_pack16(p->rhs_offset, p->rhs_offset);
    int32_t acc = 0;
    for (int32_t kk = 0; kk < k4; kk += 4) {
        const int32_t x = utvm_dsp_read_s32(a + kk);
        acc = mac_word(utvm_dsp_sxtab16(lo, x), utvm_dsp_sxtab16_ror8(lo, x), b + kk, ro, acc);
    }
    return tail_terms(p, a, b, k4, acc);
}

static inline int8_t out_s8(const utvm_batch_matmul_params_s8 *p, int32_t acc)
{
    const int32_t v = utvm_requantize_fast(acc, p->multiplier, p->shift) + p->output_offset;
    return (int8_t)(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));
}

static void one_batch(const utvm_batch_matmul_params_s8 *p, const int8_t *am, const int8_t *bm, int8_t *y)
{
    const size_t k = (size_t)p->k;
    for (int32_t i = 0; i < p->m; i++) {
        const int8_t *ar = am + (size_t)i * k;
        int32_t j = 0;
        for (; j + 4 <= p->n; j += 4) {
            const bmm_acc4 s = dot_4(p, ar, bm + (size_t)j * k);
            y[j] = out_s8(p, s.a0);
            y[j + 1] = out_s8(p, s.a1);
            y[j + 2] = out_s8(p, s.a2);
            y[j + 3] = out_s8(p, s.a3);
        }
        for (; j < p->n; j++) {
            y[j] = out_s8(p, dot_1(p, ar, bm + (size_t)j * k));
        }
        y += p->n;
    }
}

void utvm_batch_matmul_s8_dsp(const utvm_batch_matmul_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *y)
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
