/* SVDF, int8 input and output, int16 time weights and state, DSP dot products (see utvm/svdf.h). */
#include "utvm/quant.h"
#include "utvm/svdf_dsp.h"

void utvm_svdf_s8_s16_dsp(const utvm_svdf_params_s8 *p, const int8_t *in, const int8_t *feature_weights,
                          const int16_t *time_weights, const int32_t *bias, const int32_t *sums, int16_t *state, int8_t *out)
{
    const int32_t filters = p->filters, memory = p->memory, units = p->filters / p->rank;
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *x = in + (size_t)b * (size_t)p->input_size;
        int16_t *s = state + (size_t)b * (size_t)filters * (size_t)memory;
        memmove(s, s + 1, ((size_t)filters * (size_t)memory - 1u) * sizeof *s);
        for (int32_t f = 0; f < filters; f++) {
            /* sum w * (x + input_offset) = sum w * x + sums[f]. */
            int32_t acc = utvm_svdf_dot_s8(feature_weights + (size_t)f * (size_t)p->input_size, x, p->input_size, sums[f]);
            acc = utvm_requantize(acc, p->feature_multiplier, p->feature_shift);
            acc = acc < -32768 ? -32768 : (acc > 32767 ? 32767 : acc);
            s[(size_t)f * (size_t)memory + (size_t)memory - 1u] = (int16_t)(p->state_zero_point + acc);
        }
        for (int32_t u = 0; u < units; u++) {
            int32_t acc = bias != NULL ? bias[u] : 0;
            for (int32_t r = 0; r < p->rank; r++) {
                const int32_t f = u * p->rank + r;
                /* sum t * (window - state_zero_point) = sum t * window + sums[filters + f]. */
                acc = utvm_svdf_dot_s16(time_weights + (size_t)f * (size_t)memory, s + (size_t)f * (size_t)memory, memory,
                                       acc + sums[filters + f]);
            }
            const int32_t v = utvm_requantize(acc, p->output_multiplier, p->output_shift) + p->output_offset;
            out[(size_t)b * (size_t)units + (size_t)u] = utvm_sat_s8(v, -128, 127);
        }
    }
}
