/*
 * Fully connected layer, int8, for cores with the DSP extension (see utvm/fully_connected_s8_dsp.h):
 * four output features per pass, SMLAD on sign-extended byte pairs.
 */
#include "utvm/fully_connected_s8_dsp.h"

/* One input word (4 features) against the four rows' words at w: acc[r] += x . w[r]. */
#define UTVM_FC_CHUNK(x, w)                                        \
    do {                                                           \
        const int32_t xe = utvm_dsp_sxtb16(x);                     \
        const int32_t xo = utvm_dsp_sxtb16_ror8(x);                \
        const int32_t w0 = (w)[0], w1 = (w)[1];                    \
        const int32_t w2 = (w)[2], w3 = (w)[3];                    \
        a0 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w0), a0);          \
        a0 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w0), a0);     \
        a1 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w1), a1);          \
        a1 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w1), a1);     \
        a2 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w2), a2);          \
        a2 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w2), a2);     \
        a3 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w3), a3);          \
        a3 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w3), a3);     \
    } while (0)

/* The last k % 4 input bytes as one word (0 in the missing lanes). */
static int32_t tail_word(const int8_t *in, int32_t n)
{
    uint32_t x = 0;
    for (int32_t j = 0; j < n; j++) x |= (uint32_t)(uint8_t)in[j] << (8 * j);
    return (int32_t)x;
}

/* The requantized, clamped output of feature n: per-tensor constants `shared`, else those of feature n. */
static inline int8_t requant(const utvm_fully_connected_params_s8 *p, int32_t acc, const utvm_dsp_requant *shared,
                             const int32_t *multipliers, const int32_t *shifts, int32_t n)
{
    utvm_dsp_requant own;
    if (multipliers != NULL) {
        own = utvm_dsp_requant_of(multipliers[n], shifts[n]);
        shared = &own;
    }
    return utvm_sat_s8(utvm_dsp_requantize(acc, shared) + p->output_offset, p->act_min, p->act_max);
}

/* Output features n .. n + 3 (those below out_features) of one input row. */
static void block_4(const utvm_fully_connected_params_s8 *p, const int8_t *row, const int32_t *w, const int32_t *bias,
                    const utvm_dsp_requant *shared, const int32_t *multipliers, const int32_t *shifts, int32_t n,
                    int8_t *out)
{
    const int32_t k_count = p->in_features;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    if (bias != NULL) {
        a0 = bias[n];
        a1 = bias[n + 1];
        a2 = bias[n + 2];
        a3 = bias[n + 3];
    }
    const int8_t *end = row + (k_count & ~7);
    while (row < end) {
        const int32_t x0 = utvm_dsp_read_s32(row);
        const int32_t x1 = utvm_dsp_read_s32(row + 4);
        UTVM_FC_CHUNK(x0, w);
        UTVM_FC_CHUNK(x1, w + 4);
        row += 8;
        w += 8;
    }
    if (k_count & 4) {
        const int32_t x = utvm_dsp_read_s32(row);
        UTVM_FC_CHUNK(x, w);
        row += 4;
        w += 4;
    }
    if (k_count & 3) {
        const int32_t x = tail_word(row, k_count & 3);
        UTVM_FC_CHUNK(x, w);
    }
    const int32_t acc[4] = {a0, a1, a2, a3};
    for (int32_t r = 0; r < 4 && n + r < p->out_features; r++) out[n + r] = requant(p, acc[r], shared, multipliers, shifts, n + r);
}

void utvm_fully_connected_s8_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                 const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                 int8_t *output)
{
    const size_t block_words = (size_t)((p->in_features + 3) / 4) * 4;
    /* Per-tensor requantization (multipliers and shifts both NULL, or both given: see the header). */
    const utvm_dsp_requant shared = utvm_dsp_requant_of(p->multiplier, p->shift);
    for (int32_t m = 0; m < p->batches; m++) {
        const int8_t *row = input + (size_t)m * (size_t)p->in_features;
        int8_t *out = output + (size_t)m * (size_t)p->out_features;
        const int32_t *w = weights;
        for (int32_t n = 0; n < p->out_features; n += 4, w += block_words) {
            block_4(p, row, w, bias, &shared, multipliers, shifts, n, out);
        }
    }
}
