/* Transposed convolution, float32, TFLite's summation order (see utvm/transpose_conv.h). */
#include "utvm/transpose_conv.h"

void utvm_transpose_conv_f32(const utvm_transpose_conv_params_f32 *p, const float *input, const float *weights,
                             const float *bias, float *output)
{
    const utvm_transpose_conv_geometry *g = &p->g;
    const int32_t c_in = g->in_c;
    for (int32_t b = 0; b < g->batches; b++) {
        const float *in_b = input + (size_t)b * (size_t)(g->in_h * g->in_w * c_in);
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            int32_t y0, y1;
            utvm_transpose_conv_range(oy, g->pad_h, g->stride_h, g->k_h, g->in_h, &y0, &y1);
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                int32_t x0, x1;
                utvm_transpose_conv_range(ox, g->pad_w, g->stride_w, g->k_w, g->in_w, &x0, &x1);
                for (int32_t o = 0; o < g->out_c; o++) {
                    float acc = 0.0f;
                    for (int32_t iy = y0; iy < y1; iy++) {
                        const int32_t fy = oy + g->pad_h - iy * g->stride_h;
                        for (int32_t ix = x0; ix < x1; ix++) {
                            const int32_t fx = ox + g->pad_w - ix * g->stride_w;
                            const float *in = in_b + (size_t)(iy * g->in_w + ix) * (size_t)c_in;
                            const float *w = weights + (size_t)((o * g->k_h + fy) * g->k_w + fx) * (size_t)c_in;
                            for (int32_t c = 0; c < c_in; c++) {
                                acc += in[c] * w[c];
                            }
                        }
                    }
                    if (bias != NULL) {
                        acc += bias[o];
                    }
                    *output++ = utvm_clamp_value_f32(acc, p->clamp);
                }
            }
        }
    }
}
