/* Fully connected layer, int8, weights [out_features, in_features] (see utvm/fully_connected_s8.h). */
#include "utvm/fully_connected_s8.h"

static int8_t requant(const utvm_fully_connected_params_s8 *p, int32_t acc, const int32_t *multipliers,
                      const int32_t *shifts, int32_t n)
{
    const int32_t mult = multipliers != NULL ? multipliers[n] : p->multiplier;
    const int32_t shift = shifts != NULL ? shifts[n] : p->shift;
    return utvm_sat_s8(utvm_requantize(acc, mult, shift) + p->output_offset, p->act_min, p->act_max);
}

void utvm_fully_connected_s8(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int8_t *weights,
                             const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                             int8_t *output)
{
    const int32_t k_count = p->in_features;
    const int32_t n_count = p->out_features;
    for (int32_t m = 0; m < p->batches; m++) {
        const int8_t *row = input + (size_t)m * (size_t)k_count;
        int8_t *out = output + (size_t)m * (size_t)n_count;
        int32_t n = 0;
        /* Two output features at a time: each input value loaded once serves both. */
        for (; n + 1 < n_count; n += 2) {
            const int8_t *w0 = weights + (size_t)n * (size_t)k_count;
            const int8_t *w1 = w0 + k_count;
            int32_t a0 = bias != NULL ? bias[n] : 0;
            int32_t a1 = bias != NULL ? bias[n + 1] : 0;
            for (int32_t k = 0; k < k_count; k++) {
                const int32_t x = row[k];
                a0 += x * (int32_t)w0[k];
                a1 += x * (int32_t)w1[k];
            }
            out[n] = requant(p, a0, multipliers, shifts, n);
            out[n + 1] = requant(p, a1, multipliers, shifts, n + 1);
        }
        if (n < n_count) {
            const int8_t *w0 = weights + (size_t)n * (size_t)k_count;
            int32_t a0 = bias != NULL ? bias[n] : 0;
            for (int32_t k = 0; k < k_count; k++) a0 += (int32_t)row[k] * (int32_t)w0[k];
            out[n] = requant(p, a0, multipliers, shifts, n);
        }
    }
}
