/*
 * LSTM, float32 (utvm/lstm.h): TensorFlow Lite Micro's float LSTM, the same order of operations.
 */
#include <math.h>
#include <string.h>
#include "utvm/lstm.h"

static float sigmoid_f32(float x)
{
    if (x > 16.619047164916992188f) return 1.0f;
    if (x < -9.0f) return expf(x);
    return 1.0f / (1.0f + expf(-x));
}

/* out[m * n + j] = bias[j] (0 when NULL) + w[j] . x[m]. */
static void fc_f32(const float *x, int32_t rows, int32_t depth, const float *w, const float *bias, int32_t n, float *out)
{
    for (int32_t m = 0; m < rows; m++) {
        for (int32_t j = 0; j < n; j++) {
            const float *wr = w + (size_t)j * depth, *xr = x + (size_t)m * depth;
            float acc = 0.0f;
            for (int32_t k = 0; k < depth; k++) acc += wr[k] * xr[k];
            out[(size_t)m * n + j] = bias != NULL ? acc + bias[j] : acc;
        }
    }
}

static void gate_f32(const utvm_lstm_params_f32 *p, int32_t g, int32_t rows, const float *x, const float *h,
                     const float *iw, const float *ib, const float *rw, float *out, float *tmp)
{
    const int32_t s = p->state_size, n = rows * s;
    fc_f32(x, rows, p->input_size, iw + (size_t)g * s * p->input_size, ib + g * s, s, out);
    fc_f32(h, rows, s, rw + (size_t)g * s * s, NULL, s, tmp);
    for (int32_t k = 0; k < n; k++) {
        const float v = out[k] + tmp[k];
        out[k] = g == 2 ? tanhf(v) : sigmoid_f32(v);
    }
}

static void step_f32(const utvm_lstm_params_f32 *p, int32_t rows, const float *x, float *h, float *c, float *y,
                     const float *iw, const float *ib, const float *rw, float *buf)
{
    const int32_t n = rows * p->state_size;
    float *forget = buf, *input = buf + n, *cellg = buf + 2 * n, *tmp = buf + 3 * n;
    gate_f32(p, 0, rows, x, h, iw, ib, rw, forget, tmp);
    gate_f32(p, 1, rows, x, h, iw, ib, rw, input, tmp);
    gate_f32(p, 2, rows, x, h, iw, ib, rw, cellg, tmp);
    for (int32_t k = 0; k < n; k++) {
        const float kept = forget[k] * c[k];
        const float added = input[k] * cellg[k];
        float v = kept + added;
        if (p->cell_clip > 0.0f) v = v > p->cell_clip ? p->cell_clip : (v < -p->cell_clip ? -p->cell_clip : v);
        c[k] = v;
    }
    gate_f32(p, 3, rows, x, h, iw, ib, rw, input, tmp);
    for (int32_t k = 0; k < n; k++) h[k] = tanhf(c[k]) * input[k];
    memcpy(y, h, (size_t)n * sizeof(float));
}

void utvm_lstm_f32(const utvm_lstm_params_f32 *p, const float *input, const float *input_weights,
                   const float *input_bias, const float *recurrent_weights, float *hidden, float *cell,
                   float *output, void *scratch)
{
    const int32_t b = p->batches, t = p->time_steps, i = p->input_size, s = p->state_size;
    float *buf = (float *)scratch;
    if (p->time_major) {
        for (int32_t k = 0; k < t; k++) {
            step_f32(p, b, input + (size_t)k * b * i, hidden, cell, output + (size_t)k * b * s, input_weights, input_bias, recurrent_weights, buf);
        }
        return;
    }
    for (int32_t m = 0; m < b; m++) {
        for (int32_t k = 0; k < t; k++) {
            const size_t row = (size_t)m * t + k;
            step_f32(p, 1, input + row * i, hidden + (size_t)m * s, cell + (size_t)m * s, output + row * s, input_weights, input_bias, recurrent_weights, buf);
        }
    }
}
