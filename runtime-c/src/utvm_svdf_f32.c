/* SVDF, float32 (see utvm/svdf.h): sums in TFLite Micro's reference order. */
#include "utvm/svdf.h"

void utvm_svdf_f32(const utvm_svdf_params_f32 *p, const float *in, const float *feature_weights, const float *time_weights,
                   const float *bias, float *state, float *out)
{
    const int32_t filters = p->filters, memory = p->memory, units = p->filters / p->rank;
    for (int32_t b = 0; b < p->batch; b++) {
        const float *x = in + (size_t)b * (size_t)p->input_size;
        float *s = state + (size_t)b * (size_t)filters * (size_t)memory;
        for (int32_t i = 0; i + 1 < filters * memory; i++) s[i] = s[i + 1];
        for (int32_t f = 0; f < filters; f++) {
            const float *w = feature_weights + (size_t)f * (size_t)p->input_size;
            float acc = 0.0f;
            for (int32_t c = 0; c < p->input_size; c++) acc += w[c] * x[c];
            s[(size_t)f * (size_t)memory + (size_t)memory - 1u] = acc;
        }
        for (int32_t u = 0; u < units; u++) {
            float acc = bias != NULL ? bias[u] : 0.0f;
            for (int32_t r = 0; r < p->rank; r++) {
                const int32_t f = u * p->rank + r;
                const float *t = time_weights + (size_t)f * (size_t)memory;
                const float *win = s + (size_t)f * (size_t)memory;
                float dot = 0.0f;
                for (int32_t j = 0; j < memory; j++) dot += t[j] * win[j];
                acc += dot;
            }
            acc = acc < p->act_min ? p->act_min : acc;
            out[(size_t)b * (size_t)units + (size_t)u] = acc > p->act_max ? p->act_max : acc;
        }
    }
}
