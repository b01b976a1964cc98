/* SVDF, int8 input and output, int16 time weights and state (see utvm/svdf.h). */
#include "utvm/quant.h"
#include "utvm/svdf.h"

void utvm_svdf_s8_s16(const utvm_svdf_params_s8 *p, const int8_t *in, const int8_t *feature_weights,
                      const int16_t *time_weights, const int32_t *bias, int16_t *state, int8_t *out)
{
    const int32_t filters = p->filters, memory = p->memory, units = p->filters / p->rank;
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *x = in + (size_t)b * (size_t)p->input_size;
        int16_t *s = state + (size_t)b * (size_t)filters * (size_t)memory;
        /* 1. The window moves by one value (the whole row: each filter's oldest value is overwritten). */
        for (int32_t i = 0; i + 1 < filters * memory; i++) s[i] = s[i + 1];
        /* 2. Each filter's newest value. */
        for (int32_t f = 0; f < filters; f++) {
            const int8_t *w = feature_weights + (size_t)f * (size_t)p->input_size;
            int32_t acc = 0;
            for (int32_t c = 0; c < p->input_size; c++) acc += w[c] * (x[c] + p->input_offset);
            acc = utvm_requantize(acc, p->feature_multiplier, p->feature_shift);
            acc = acc < -32768 ? -32768 : (acc > 32767 ? 32767 : acc);
            s[(size_t)f * (size_t)memory + (size_t)memory - 1u] = (int16_t)(p->state_zero_point + acc);
        }
        /* 3. Each unit: bias + its filters' windows against their time weights, rescaled. */
        for (int32_t u = 0; u < units; u++) {
            int32_t acc = bias != NULL ? bias[u] : 0;
            for (int32_t r = 0; r < p->rank; r++) {
                const int32_t f = u * p->rank + r;
                const int16_t *t = time_weights + (size_t)f * (size_t)memory;
                const int16_t *win = s + (size_t)f * (size_t)memory;
                for (int32_t j = 0; j < memory; j++) acc += t[j] * (win[j] - p->state_zero_point);
            }
            const int32_t v = utvm_requantize(acc, p->output_multiplier, p->output_shift) + p->output_offset;
            out[(size_t)b * (size_t)units + (size_t)u] = utvm_sat_s8(v, -128, 127);
        }
    }
}
