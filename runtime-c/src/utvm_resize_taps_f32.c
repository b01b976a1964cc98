/* Separable resize, float32, with per-axis tap tables (see utvm/resize.h). */
#include "utvm/resize.h"

void utvm_resize_taps_f32(const utvm_resize_taps_params *p, const int32_t *taps, const float *weights, const float *input, float *output)
{
    const int32_t c = p->channels;
    const int32_t th = p->taps_h, tw = p->taps_w;
    const size_t row = (size_t)p->in_w * (size_t)c;
    const int32_t *col_taps = taps + (size_t)th * (size_t)p->out_h;
    const float *col_weights = weights + (size_t)th * (size_t)p->out_h;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *image = input + (size_t)n * (size_t)p->in_h * row;
        for (int32_t y = 0; y < p->out_h; y++) {
            const int32_t *ry = taps + (size_t)th * (size_t)y;
            const float *wy = weights + (size_t)th * (size_t)y;
            for (int32_t x = 0; x < p->out_w; x++) {
                const int32_t *rx = col_taps + (size_t)tw * (size_t)x;
                const float *wx = col_weights + (size_t)tw * (size_t)x;
                if (ry[0] < 0 || rx[0] < 0) {
                    for (int32_t k = 0; k < c; k++) *output++ = p->extrapolation;
                    continue;
                }
                if (th == 2 && tw == 2) {
                    /* Bilinear: the general loop below unrolled (same order, same bits). */
                    const float *v00 = image + (size_t)ry[0] * row + (size_t)rx[0] * (size_t)c;
                    const float *v10 = image + (size_t)ry[1] * row + (size_t)rx[0] * (size_t)c;
                    const float *v01 = image + (size_t)ry[0] * row + (size_t)rx[1] * (size_t)c;
                    const float *v11 = image + (size_t)ry[1] * row + (size_t)rx[1] * (size_t)c;
                    for (int32_t k = 0; k < c; k++) {
                        float acc = 0.0f;
                        acc += v00[k] * wy[0] * wx[0];
                        acc += v10[k] * wy[1] * wx[0];
                        acc += v01[k] * wy[0] * wx[1];
                        acc += v11[k] * wy[1] * wx[1];
                        *output++ = acc;
                    }
                    continue;
                }
                for (int32_t k = 0; k < c; k++) {
                    /* Columns outer, rows inner, each term (v wy) wx, from +0.0f: with two taps this is
                       TFLite's v00 wy0 wx0 + v10 wy1 wx0 + v01 wy0 wx1 + v11 wy1 wx1 + 0.0f bit for bit
                       (starting from +0.0f no partial sum is -0.0f, as TFLite's final + 0.0f ensures). */
                    float acc = 0.0f;
                    for (int32_t j = 0; j < tw; j++) {
                        const float *column = image + (size_t)rx[j] * (size_t)c + (size_t)k;
                        for (int32_t i = 0; i < th; i++) acc += column[(size_t)ry[i] * row] * wy[i] * wx[j];
                    }
                    *output++ = acc;
                }
            }
        }
    }
}
