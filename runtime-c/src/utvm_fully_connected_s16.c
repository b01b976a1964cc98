/* Fully connected layer, int16 activations, int8 weights (see utvm/fully_connected_s16.h). */
#include "utvm/fully_connected_s16.h"

void utvm_fully_connected_s16(const utvm_fully_connected_params_s16 *p, const int16_t *in, const int8_t *weights,
                              const int32_t *bias32, const int64_t *bias64, const int32_t *multipliers,
                              const int32_t *shifts, int16_t *out)
{
    for (int32_t m = 0; m < p->batches; m++) {
        const int16_t *row = in + (size_t)m * (size_t)p->in_features;
        for (int32_t n = 0; n < p->out_features; n++) {
            const int8_t *w = weights + (size_t)n * (size_t)p->in_features;
            const int32_t multiplier = multipliers != NULL ? multipliers[n] : p->multiplier;
            const int32_t shift = shifts != NULL ? shifts[n] : p->shift;
            int64_t acc = 0;
            for (int32_t k = 0; k < p->in_features; k++) acc += (int32_t)w[k] * (row[k] + p->input_offset);
            int32_t v;
            if (p->wide) {
                if (bias64 != NULL) acc += bias64[n];
                v = utvm_requantize_s64(acc, multiplier, shift);
            } else {
                /* int32 wrap-around, as TFLite's int32 accumulator on two's complement. */
                const int32_t acc32 = (int32_t)(uint32_t)((uint64_t)acc + (uint64_t)(int64_t)(bias32 != NULL ? bias32[n] : 0));
                v = utvm_requantize(acc32, multiplier, shift);
            }
            v += p->output_offset;
            v = v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v);
            out[(size_t)m * (size_t)p->out_features + (size_t)n] = (int16_t)v;
        }
    }
}
