/*
 * LSTM, int8, for cores with the DSP extension (utvm/lstm.h): the gates' fully connected layers read
 * weights the compiler packed four rows at a time (utvm_lstm_s8_dsp_weight_words: one aligned word of four
 * weights per row per step), so each input word is loaded and sign-extended once for four rows, and each
 * row takes two SMLADs per four weights (utvm/dsp.h; the same int32 sums as the portable kernel, so the
 * same bits), requantized with utvm_dsp_requantize (TFLite's rounding, in CMSIS-NN's shorter form). The cell
 * arithmetic is shared (utvm/lstm_cell.h).
 */
#include "utvm/lstm_cell.h"

/* The last depth % 4 input bytes as one word (0 in the missing lanes: their packed weights are 0 too). */
static int32_t tail_word(const int8_t *x, int32_t n)
{
    uint32_t v = 0;
    for (int32_t j = 0; j < n; j++) v |= (uint32_t)(uint8_t)x[j] << (8 * j);
    return (int32_t)v;
}

/* One input word (xe, xo: its sign-extended pairs) against the four rows' words at w. */
#define UTVM_LSTM_MAC4(xe, xo, w)                                          \
    do {                                                                   \
        const int32_t w0_ = (w)[0], w1_ = (w)[1], w2_ = (w)[2], w3_ = (w)[3]; \
        a0 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w0_), a0);                 \
        a0 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w0_), a0);            \
        a1 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w1_), a1);                 \
        a1 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w1_), a1);            \
        a2 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w2_), a2);                 \
        a2 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w2_), a2);            \
        a3 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w3_), a3);                 \
        a3 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w3_), a3);            \
    } while (0)

static void fc_s8_dsp(const int8_t *x, int32_t rows, int32_t depth, const void *weights, const int32_t *bias,
                      int32_t n, int32_t multiplier, int32_t shift, int16_t *out)
{
    const int32_t full = depth >> 2, tail = depth & 3;
    const utvm_dsp_requant q = utvm_dsp_requant_of(multiplier, shift);
    for (int32_t m = 0; m < rows; m++) {
        const int8_t *xr = x + (size_t)m * depth;
        const int32_t *w = (const int32_t *)weights;
        int16_t *o = out + (size_t)m * n;
        for (int32_t j = 0; j < n; j += 4) {
            const int32_t valid = n - j < 4 ? n - j : 4;
            int32_t a0 = bias[j], a1 = valid > 1 ? bias[j + 1] : 0, a2 = valid > 2 ? bias[j + 2] : 0;
            int32_t a3 = valid > 3 ? bias[j + 3] : 0;
            const int8_t *xp = xr;
            for (int32_t c = full; c > 0; c--) {
                const int32_t xv = utvm_dsp_read_s32(xp);
                const int32_t xe = utvm_dsp_sxtb16(xv), xo = utvm_dsp_sxtb16_ror8(xv);
                UTVM_LSTM_MAC4(xe, xo, w);
                xp += 4;
                w += 4;
            }
            if (tail) {
                const int32_t xv = tail_word(xp, tail);
                const int32_t xe = utvm_dsp_sxtb16(xv), xo = utvm_dsp_sxtb16_ror8(xv);
                UTVM_LSTM_MAC4(xe, xo, w);
                w += 4;
            }
            o[j] = utvm_lstm_sat16(utvm_dsp_requantize(a0, &q));
            if (valid > 1) o[j + 1] = utvm_lstm_sat16(utvm_dsp_requantize(a1, &q));
            if (valid > 2) o[j + 2] = utvm_lstm_sat16(utvm_dsp_requantize(a2, &q));
            if (valid > 3) o[j + 3] = utvm_lstm_sat16(utvm_dsp_requantize(a3, &q));
        }
    }
}

void utvm_lstm_s8_dsp(const utvm_lstm_params_s8 *p, const int8_t *input, const int32_t *input_weights,
                      const int32_t *input_bias, const int32_t *recurrent_weights, const int32_t *recurrent_bias,
                      int8_t *hidden, int16_t *cell, int8_t *output, void *scratch)
{
    const utvm_lstm_gates iw = {(const uint8_t *)input_weights, utvm_lstm_s8_dsp_weight_words(p->state_size, p->input_size) * sizeof(int32_t)};
    const utvm_lstm_gates rw = {(const uint8_t *)recurrent_weights, utvm_lstm_s8_dsp_weight_words(p->state_size, p->state_size) * sizeof(int32_t)};
    utvm_lstm_run_s8(p, input, iw, input_bias, rw, recurrent_bias, hidden, cell, output, scratch, fc_s8_dsp);
}
