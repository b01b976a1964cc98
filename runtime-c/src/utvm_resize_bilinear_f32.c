/* Bilinear resize, float32, TFLite's float arithmetic and order (see utvm/resize.h). */
#include "utvm/resize.h"

void utvm_resize_bilinear_f32(const utvm_resize_params *p, const int32_t *taps, const float *weights, const float *input, float *output)
{
    const int32_t c = p->channels;
    const size_t row = (size_t)p->in_w * (size_t)c;
    const int32_t *cols = taps + 2 * p->out_h;
    const float *col_weights = weights + 2 * p->out_h;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *image = input + (size_t)n * (size_t)p->in_h * row;
        for (int32_t y = 0; y < p->out_h; y++) {
            const float *r0 = image + (size_t)taps[2 * y] * row;
            const float *r1 = image + (size_t)taps[2 * y + 1] * row;
            const float wy0 = weights[2 * y], wy1 = weights[2 * y + 1];
            for (int32_t x = 0; x < p->out_w; x++) {
                const float *v00 = r0 + (size_t)cols[2 * x] * (size_t)c, *v01 = r0 + (size_t)cols[2 * x + 1] * (size_t)c;
                const float *v10 = r1 + (size_t)cols[2 * x] * (size_t)c, *v11 = r1 + (size_t)cols[2 * x + 1] * (size_t)c;
                const float wx0 = col_weights[2 * x], wx1 = col_weights[2 * x + 1];
                for (int32_t k = 0; k < c; k++) {
                    *output++ = v00[k] * wy0 * wx0 + v10[k] * wy1 * wx0 + v01[k] * wy0 * wx1 + v11[k] * wy1 * wx1 + 0.0f;
                }
            }
        }
    }
}
