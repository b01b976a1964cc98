/*
 * Fully connected layer, int16 activations and int8 weights, for cores with the DSP extension (see
 * utvm/fully_connected_s16_dsp.h): four output features per pass, SMLAD on int16 input pairs and
 * SXTB16-extended weight pairs, int32 partial sums over blocks of 256 features widened to int64.
 */
#include "utvm/fully_connected_s16_dsp.h"

/* Features per int32 partial sum: 256 * 2^22 = 2^30 bounds it (a multiple of 4). */
#define UTVM_FC16_BLOCK 256

typedef struct {
    int32_t a0, a1, a2, a3;
} fc16_acc4;

/* The pair (lo, hi) of two int16 values. */
static inline int32_t pair16(int32_t lo, int32_t hi)
{
    return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu));
}

/* acc.r += (x01, x23) . weights of word w[r]. */
#define UTVM_FC16_STEP(x01, x23, w)                                    \
    do {                                                               \
        const int32_t w0 = (w)[0], w1 = (w)[1];                        \
        const int32_t w2 = (w)[2], w3 = (w)[3];                        \
        a.a0 = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(w0), a.a0);         \
        a.a0 = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(w0), a.a0);    \
        a.a1 = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(w1), a.a1);         \
        a.a1 = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(w1), a.a1);    \
        a.a2 = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(w2), a.a2);         \
        a.a2 = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(w2), a.a2);    \
        a.a3 = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(w3), a.a3);         \
        a.a3 = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(w3), a.a3);    \
    } while (0)

/* The int32 dot products of `steps` groups of four inputs at x with the four weight rows at w. */
static inline __attribute__((always_inline)) fc16_acc4 block_4(const int16_t *x, const int32_t *w, int32_t steps)
{
    fc16_acc4 a = {0, 0, 0, 0};
    for (int32_t j = 0; j < steps; j++) {
        const int32_t x01 = utvm_dsp_read_s32(x);
        const int32_t x23 = utvm_dsp_read_s32(x + 2);
        UTVM_FC16_STEP(x01, x23, w);
        x += 4;
        w += 4;
    }
    return a;
}

/* Outputs n .. n + count - 1 of one row from their int64 sums (bias included). */
static void store(const utvm_fully_connected_params_s16 *p, const int64_t *acc, const int32_t *multipliers,
                  const int32_t *shifts, int32_t n, int32_t count, int16_t *out)
{
    for (int32_t r = 0; r < count; r++) {
        const int32_t multiplier = multipliers != NULL ? multipliers[n + r] : p->multiplier;
        const int32_t shift = shifts != NULL ? shifts[n + r] : p->shift;
        int32_t v = p->wide ? utvm_requantize_s64(acc[r], multiplier, shift)
                            : utvm_requantize((int32_t)(uint32_t)(uint64_t)acc[r], multiplier, shift);
        v += p->output_offset;
        v = v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v);
        out[n + r] = (int16_t)v;
    }
}

void utvm_fully_connected_s16_dsp(const utvm_fully_connected_params_s16 *p, const int16_t *in, const int32_t *weights,
                                  const int32_t *bias32, const int64_t *bias64, const int32_t *multipliers,
                                  const int32_t *shifts, int16_t *out)
{
    const int32_t k = p->in_features, n_count = p->out_features;
    const int32_t full = k >> 2, rest = k & 3;
    const int32_t words = (full + (rest != 0)) * 4;
    for (int32_t m = 0; m < p->batches; m++) {
        const int16_t *row = in + (size_t)m * (size_t)k;
        int16_t *dst = out + (size_t)m * (size_t)n_count;
        /* The last k % 4 inputs as two pairs, 0 in the missing lanes (their weights are 0 too). */
        int32_t t01 = 0, t23 = 0;
        if (rest != 0) {
            const int16_t *t = row + 4 * full;
            t01 = pair16(t[0], rest > 1 ? t[1] : 0);
            t23 = pair16(rest > 2 ? t[2] : 0, 0);
        }
        const int32_t *w = weights;
        for (int32_t n = 0; n < n_count; n += 4, w += words) {
            const int32_t count = n_count - n < 4 ? n_count - n : 4;
            int64_t acc[4] = {0, 0, 0, 0};
            for (int32_t r = 0; r < count; r++) {
                if (p->wide && bias64 != NULL) acc[r] = bias64[n + r];
                if (!p->wide && bias32 != NULL) acc[r] = bias32[n + r];
            }
            const int32_t *wb = w;
            for (int32_t j = 0; j < full; j += UTVM_FC16_BLOCK / 4) {
                const int32_t steps = full - j < UTVM_FC16_BLOCK / 4 ? full - j : UTVM_FC16_BLOCK / 4;
                const fc16_acc4 a = block_4(row + 4 * j, wb, steps);
                acc[0] += a.a0;
                acc[1] += a.a1;
                acc[2] += a.a2;
                acc[3] += a.a3;
                wb += 4 * steps;
            }
            if (rest != 0) {
                fc16_acc4 a = {0, 0, 0, 0};
                UTVM_FC16_STEP(t01, t23, wb);
                acc[0] += a.a0;
                acc[1] += a.a1;
                acc[2] += a.a2;
                acc[3] += a.a3;
            }
            store(p, acc, multipliers, shifts, n, count, dst);
        }
    }
}
