/*
 * Fully connected layer, int8, for cores with the DSP extension (see utvm/fully_connected_s8_dsp.h):
 * four output features per pass, SMLAD on sign-extended byte pairs, and the short requantization of
 * utvm/dsp_requant.h (the compiler has bounded the accumulators: its precondition holds).
 */
#include "utvm/fully_connected_s8_dsp.h"

/* The four accumulators of one pass (kept in registers: a struct, not an array). */
typedef struct {
    int32_t a0, a1, a2, a3;
} fc_acc4;

/* One input word (4 features) against the four rows' words at w: acc.r += x . w[r]. */
#define UTVM_FC_CHUNK(x, w)                                            \
    do {                                                               \
        const int32_t xe = utvm_dsp_sxtb16(x);                         \
        const int32_t xo = utvm_dsp_sxtb16_ror8(x);                    \
        const int32_t w0 = (w)[0], w1 = (w)[1];                        \
        const int32_t w2 = (w)[2], w3 = (w)[3];                        \
        a.a0 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w0), a.a0);          \
        a.a0 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w0), a.a0);     \
        a.a1 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w1), a.a1);          \
        a.a1 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w1), a.a1);     \
        a.a2 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w2), a.a2);          \
        a.a2 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w2), a.a2);     \
        a.a3 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w3), a.a3);          \
        a.a3 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w3), a.a3);     \
    } while (0)

/* The last k % 4 input bytes as one word (0 in the missing lanes). */
static int32_t tail_word(const int8_t *in, int32_t n)
{
    uint32_t x = 0;
    for (int32_t j = 0; j < n; j++) x |= (uint32_t)(uint8_t)in[j] << (8 * j);
    return (int32_t)x;
}

/* a + the dot products of the k input bytes at row with the four interleaved weight rows at w. */
static inline __attribute__((always_inline)) fc_acc4 dot_4(const int8_t *row, const int32_t *w, int32_t k, fc_acc4 a)
{
    for (int32_t j = k >> 3; j > 0; j--) {
        const int32_t x0 = utvm_dsp_read_s32(row);
        const int32_t x1 = utvm_dsp_read_s32(row + 4);
        UTVM_FC_CHUNK(x0, w);
        UTVM_FC_CHUNK(x1, w + 4);
        row += 8;
        w += 8;
    }
    if (k & 4) {
        const int32_t x = utvm_dsp_read_s32(row);
        UTVM_FC_CHUNK(x, w);
        row += 4;
        w += 4;
    }
    if (k & 3) {
        const int32_t x = tail_word(row, k & 3);
        UTVM_FC_CHUNK(x, w);
    }
    return a;
}

/* Outputs n .. n + count - 1 (count <= 4) with per-feature constants, or the shared q when multipliers is NULL. */
static void store_some(const utvm_fully_connected_params_s8 *p, fc_acc4 a, const utvm_fast_requant *q,
                       const int32_t *multipliers, const int32_t *shifts, int32_t n, int32_t count, int8_t *out)
{
    const int32_t acc[4] = {a.a0, a.a1, a.a2, a.a3};
    for (int32_t r = 0; r < count; r++) {
        utvm_fast_requant own = *q;
        if (multipliers != NULL) own = utvm_fast_requant_of(multipliers[n + r], shifts[n + r]);
        out[n + r] = utvm_fast_clamp_s8(utvm_fast_requantize(acc[r], &own), p->output_offset, p->act_min, p->act_max);
    }
}

/* All output features of one input row. */
static void one_row(const utvm_fully_connected_params_s8 *p, const int8_t *row, const int32_t *w, const int32_t *bias,
                    const int32_t *multipliers, const int32_t *shifts, int8_t *out)
{
    const int32_t k = p->in_features, n_count = p->out_features;
    const int32_t off = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t block_words = ((k + 3) >> 2) << 2;
    const utvm_fast_requant q = utvm_fast_requant_of(p->multiplier, p->shift);
    const int32_t n_full = multipliers == NULL ? n_count & ~3 : 0;
    for (int32_t n = 0; n < n_count; n += 4, w += block_words) {
        fc_acc4 a = {0, 0, 0, 0};
        if (bias != NULL) a = (fc_acc4){bias[n], bias[n + 1], bias[n + 2], bias[n + 3]};
        a = dot_4(row, w, k, a);
        if (n < n_full) {
            out[n] = utvm_fast_clamp_s8(utvm_fast_requantize(a.a0, &q), off, lo, hi);
            out[n + 1] = utvm_fast_clamp_s8(utvm_fast_requantize(a.a1, &q), off, lo, hi);
            out[n + 2] = utvm_fast_clamp_s8(utvm_fast_requantize(a.a2, &q), off, lo, hi);
            out[n + 3] = utvm_fast_clamp_s8(utvm_fast_requantize(a.a3, &q), off, lo, hi);
        } else {
            store_some(p, a, &q, multipliers, shifts, n, n_count - n < 4 ? n_count - n : 4, out);
        }
    }
}

void utvm_fully_connected_s8_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                 const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                 int8_t *output)
{
    for (int32_t m = 0; m < p->batches; m++) {
        one_row(p, input + (size_t)m * (size_t)p->in_features, weights, bias, multipliers, shifts,
                output + (size_t)m * (size_t)p->out_features);
    }
}
