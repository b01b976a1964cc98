/*
 * LSTM, int8 (utvm/lstm.h): TensorFlow Lite Micro's integer LSTM with a plain C fully connected layer.
 */
#include "utvm/lstm_cell.h"

static void fc_s8(const int8_t *x, int32_t rows, int32_t depth, const void *weights, const int32_t *bias, int32_t n,
                  int32_t multiplier, int32_t shift, int16_t *out)
{
    const int8_t *w = (const int8_t *)weights;
    for (int32_t m = 0; m < rows; m++) {
        const int8_t *xr = x + (size_t)m * depth;
        for (int32_t j = 0; j < n; j++) {
            const int8_t *wr = w + (size_t)j * depth;
            int32_t acc = bias[j];
            for (int32_t k = 0; k < depth; k++) acc += (int32_t)wr[k] * xr[k];
            out[(size_t)m * n + j] = utvm_lstm_sat16(utvm_requantize(acc, multiplier, shift));
        }
    }
}

void utvm_lstm_s8(const utvm_lstm_params_s8 *p, const int8_t *input, const int8_t *input_weights,
                  const int32_t *input_bias, const int8_t *recurrent_weights, const int32_t *recurrent_bias,
                  int8_t *hidden, int16_t *cell, int8_t *output, void *scratch)
{
    const size_t s = (size_t)p->state_size;
    const utvm_lstm_gates iw = {(const uint8_t *)input_weights, s * (size_t)p->input_size};
    const utvm_lstm_gates rw = {(const uint8_t *)recurrent_weights, s * s};
    utvm_lstm_run_s8(p, input, iw, input_bias, rw, recurrent_bias, hidden, cell, output, scratch, fc_s8);
}
