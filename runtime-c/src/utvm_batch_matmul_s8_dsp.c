/*
 * Batched A * B^T, int8, for cores with the DSP extension (see utvm/batch_matmul.h).
 *
 * B is a run-time operand, so its layout for SMLAD is made here, four rows at a time, in the scratch
 * buffer, and each such block then meets every A row: each B word of four bytes becomes two int16 pairs
 * with the offset added, (b0 + rhs_offset, b2 + rhs_offset) and (b1 + rhs_offset, b3 + rhs_offset) — a
 * byte plus an offset fits an int16 lane — and the four rows are interleaved, so the inner loop reads one
 * stream:
 *   word (j * 4 + r) * 2 + {0, 1}  <-  row r of the block, bytes 4j .. 4j + 3
 * with zero lanes past k and rows past n. Each A word is offset and sign-extended once (SXTAB16) and feeds
 * two SMLADs per row: every SMLAD adds two of TFLite's terms (a + lhs_offset) * (b + rhs_offset), and the
 * padding adds (a + lhs_offset) * 0 (A's missing bytes read as 0). The int32 sum is the reference's,
 * reordered (wrapping): the same bits. The requantization is the short one of utvm/dsp_requant.h: the
 * compiler chooses this kernel only when k * 255^2 meets its precondition (src/ops/batch-matmul.ts).
 */
#include "utvm/batch_matmul.h"

typedef struct {
    int32_t a0, a1, a2, a3;
} bmm_acc4;

/* The two offset pairs of bytes kk .. kk + 3 of a B row (lanes past k are 0); off = the pair (o, o). */
static void pack_word(const int8_t *row, int32_t kk, int32_t k, int32_t o, int32_t off, int32_t *out)
{
    if (kk + 4 <= k) {
        const int32_t w = utvm_dsp_read_s32(row + kk);
        out[0] = utvm_dsp_sxtab16(off, w);
        out[1] = utvm_dsp_sxtab16_ror8(off, w);
        return;
    }
    int32_t v[4] = {0, 0, 0, 0};
    for (int32_t i = 0; kk + i < k; i++) v[i] = (int32_t)row[kk + i] + o;
    out[0] = utvm_dsp_pack16(v[0], v[2]);
    out[1] = utvm_dsp_pack16(v[1], v[3]);
}

/* B rows j .. j + 3 (those below n) into the interleaved layout above (one block). */
static void pack_block(const utvm_batch_matmul_params_s8 *p, const int8_t *b, int32_t j, int32_t *out)
{
    const int32_t k = p->k, chunks = (k + 3) >> 2;
    const int32_t off = utvm_dsp_pack16(p->rhs_offset, p->rhs_offset);
    for (int32_t c = 0; c < chunks; c++) {
        for (int32_t r = 0; r < 4; r++, out += 2) {
            const int32_t row = j + r;
            if (row < p->n) {
                pack_word(b + (size_t)row * (size_t)k, 4 * c, k, p->rhs_offset, off, out);
            } else {
                out[0] = 0;
                out[1] = 0;
            }
        }
    }
}

/* The last n (< 4) bytes of an A row as one word, zero in the missing lanes. */
static int32_t tail_word(const int8_t *a, int32_t n)
{
    uint32_t x = 0;
    for (int32_t j = 0; j < n; j++) x |= (uint32_t)(uint8_t)a[j] << (8 * j);
    return (int32_t)x;
}

/* One A word (already offset: ae, ao) against the four packed rows at w (advanced by 8 words). */
#define UTVM_BMM_CHUNK(ae, ao, w)                        \
    do {                                                 \
        int32_t e_, o_;                                  \
        utvm_dsp_load_pair(&(w), &e_, &o_);              \
        s.a0 = utvm_dsp_smlad(ae, e_, s.a0);             \
        s.a0 = utvm_dsp_smlad(ao, o_, s.a0);             \
        utvm_dsp_load_pair(&(w), &e_, &o_);              \
        s.a1 = utvm_dsp_smlad(ae, e_, s.a1);             \
        s.a1 = utvm_dsp_smlad(ao, o_, s.a1);             \
        utvm_dsp_load_pair(&(w), &e_, &o_);              \
        s.a2 = utvm_dsp_smlad(ae, e_, s.a2);             \
        s.a2 = utvm_dsp_smlad(ao, o_, s.a2);             \
        utvm_dsp_load_pair(&(w), &e_, &o_);              \
        s.a3 = utvm_dsp_smlad(ae, e_, s.a3);             \
        s.a3 = utvm_dsp_smlad(ao, o_, s.a3);             \
    } while (0)

/* The four sums of A row a (k bytes, offset pair lo) with the packed block w. */
static inline __attribute__((always_inline)) bmm_acc4 dot_4(const int8_t *a, const int32_t *w, int32_t k, int32_t lo)
{
    bmm_acc4 s = {0, 0, 0, 0};
    for (int32_t j = k >> 2; j > 0; j--) {
        const int32_t x = utvm_dsp_read_s32(a);
        const int32_t ae = utvm_dsp_sxtab16(lo, x), ao = utvm_dsp_sxtab16_ror8(lo, x);
        a += 4;
        UTVM_BMM_CHUNK(ae, ao, w);
    }
    if (k & 3) {
        const int32_t x = tail_word(a, k & 3);
        const int32_t ae = utvm_dsp_sxtab16(lo, x), ao = utvm_dsp_sxtab16_ror8(lo, x);
        UTVM_BMM_CHUNK(ae, ao, w);
    }
    return s;
}

/* One [M, K] x [N, K]^T product into y [M, N]: block by block of four B rows, each packed once into the
   scratch w and run against every A row. */
static void one_batch(const utvm_batch_matmul_params_s8 *p, const int8_t *am, const int8_t *bm, int32_t *w, int8_t *y)
{
    const int32_t k = p->k, n = p->n;
    const int32_t lo = utvm_dsp_pack16(p->lhs_offset, p->lhs_offset);
    const int32_t off = p->output_offset, amin = p->act_min, amax = p->act_max;
    const utvm_fast_requant q = utvm_fast_requant_of(p->multiplier, p->shift);
    for (int32_t j = 0; j < n; j += 4) {
        pack_block(p, bm, j, w);
        const int32_t count = n - j < 4 ? n - j : 4;
        int8_t *yj = y + j;
        for (int32_t i = 0; i < p->m; i++, yj += n) {
            const bmm_acc4 s = dot_4(am + (size_t)i * (size_t)k, w, k, lo);
            if (count == 4) {
                yj[0] = utvm_fast_clamp_s8(utvm_fast_requantize(s.a0, &q), off, amin, amax);
                yj[1] = utvm_fast_clamp_s8(utvm_fast_requantize(s.a1, &q), off, amin, amax);
                yj[2] = utvm_fast_clamp_s8(utvm_fast_requantize(s.a2, &q), off, amin, amax);
                yj[3] = utvm_fast_clamp_s8(utvm_fast_requantize(s.a3, &q), off, amin, amax);
            } else {
                const int32_t acc[4] = {s.a0, s.a1, s.a2, s.a3};
                for (int32_t r = 0; r < count; r++) yj[r] = utvm_fast_clamp_s8(utvm_fast_requantize(acc[r], &q), off, amin, amax);
            }
        }
    }
}

void utvm_batch_matmul_s8_dsp(const utvm_batch_matmul_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *y, void *scratch)
{
    const utvm_broadcast_params *bp = &p->batch;
    const int32_t inner = bp->shape[UTVM_MAX_RANK - 1];
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < bp->outer; row++) {
        for (int32_t t = 0; t < inner; t++) {
            one_batch(p, a + a_off + t * bp->a_strides[UTVM_MAX_RANK - 1], b + b_off + t * bp->b_strides[UTVM_MAX_RANK - 1],
                      (int32_t *)scratch, y);
            y += (size_t)p->m * (size_t)p->n;
        }
        utvm_broadcast_next_row(bp, idx, &a_off, &b_off);
    }
}
