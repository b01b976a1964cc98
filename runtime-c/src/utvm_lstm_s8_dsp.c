/*
 * LSTM, int8, for cores with the DSP extension (utvm/lstm.h): the gates' fully connected layers take four
 * input bytes per step with two SMLADs on sign-extended byte pairs (utvm/dsp.h; the same int32 sums as the
 * portable kernel, so the same bits); the cell arithmetic is shared (utvm/lstm_cell.h).
 */
#include "utvm/lstm_cell.h"

/* w . x over depth bytes: words of four bytes with SMLAD, then the tail. */
static inline int32_t dot_s8(const int8_t *x, const int8_t *w, int32_t depth, int32_t acc)
{
    int32_t k = 0;
    for (; k + 4 <= depth; k += 4) {
        const int32_t xv = utvm_dsp_read_s32(x + k);
        const int32_t wv = utvm_dsp_read_s32(w + k);
        acc = utvm_dsp_smlad(utvm_dsp_sxtb16(xv), utvm_dsp_sxtb16(wv), acc);
        acc = utvm_dsp_smlad(utvm_dsp_sxtb16_ror8(xv), utvm_dsp_sxtb16_ror8(wv), acc);
    }
    for (; k < depth; k++) acc += (int32_t)w[k] * x[k];
    return acc;
}

static void fc_s8_dsp(const int8_t *x, int32_t rows, int32_t depth, const int8_t *w, const int32_t *bias, int32_t n,
                      int32_t multiplier, int32_t shift, int16_t *out)
{
    for (int32_t m = 0; m < rows; m++) {
        const int8_t *xr = x + (size_t)m * depth;
        int32_t j = 0;
        for (; j + 2 <= n; j += 2) {
            /* two weight rows per pass share each input word */
            const int8_t *w0 = w + (size_t)j * depth, *w1 = w0 + depth;
            int32_t a0 = bias[j], a1 = bias[j + 1], k = 0;
            for (; k + 4 <= depth; k += 4) {
                const int32_t xv = utvm_dsp_read_s32(xr + k);
                const int32_t xe = utvm_dsp_sxtb16(xv), xo = utvm_dsp_sxtb16_ror8(xv);
                const int32_t v0 = utvm_dsp_read_s32(w0 + k), v1 = utvm_dsp_read_s32(w1 + k);
                a0 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(v0), a0);
                a0 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(v0), a0);
                a1 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(v1), a1);
                a1 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(v1), a1);
            }
            for (; k < depth; k++) {
                a0 += (int32_t)w0[k] * xr[k];
                a1 += (int32_t)w1[k] * xr[k];
            }
            out[(size_t)m * n + j] = utvm_lstm_sat16(utvm_requantize(a0, multiplier, shift));
            out[(size_t)m * n + j + 1] = utvm_lstm_sat16(utvm_requantize(a1, multiplier, shift));
        }
        if (j < n) {
            const int32_t a = dot_s8(xr, w + (size_t)j * depth, depth, bias[j]);
            out[(size_t)m * n + j] = utvm_lstm_sat16(utvm_requantize(a, multiplier, shift));
        }
    }
}

void utvm_lstm_s8_dsp(const utvm_lstm_params_s8 *p, const int8_t *input, const int8_t *input_weights,
                      const int32_t *input_bias, const int8_t *recurrent_weights, const int32_t *recurrent_bias,
                      int8_t *hidden, int16_t *cell, int8_t *output, void *scratch)
{
    utvm_lstm_run_s8(p, input, input_weights, input_bias, recurrent_weights, recurrent_bias, hidden, cell, output,
                     scratch, fc_s8_dsp);
}
