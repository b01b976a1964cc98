/* Transposed convolution, int8, TFLite's reference arithmetic (see utvm/transpose_conv.h). */
#include "utvm/transpose_conv.h"
#include "utvm/quant.h"

/* sum_c (in[c] + offset) * w[c], int32 with wrap-around. */
static int32_t dot(const int8_t *in, const int8_t *w, int32_t n, int32_t offset, int32_t acc)
{
    for (int32_t c = 0; c < n; c++) {
        acc = (int32_t)((uint32_t)acc + (uint32_t)(((int32_t)in[c] + offset) * (int32_t)w[c]));
    }
    return acc;
}

void utvm_transpose_conv_s8(const utvm_transpose_conv_params_s8 *p, const int8_t *input, const int8_t *weights,
                            const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const utvm_transpose_conv_geometry *g = &p->g;
    const int32_t c_in = g->in_c;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = input + (size_t)b * (size_t)(g->in_h * g->in_w * c_in);
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            int32_t y0, y1;
            utvm_transpose_conv_range(oy, g->pad_h, g->stride_h, g->k_h, g->in_h, &y0, &y1);
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                int32_t x0, x1;
                utvm_transpose_conv_range(ox, g->pad_w, g->stride_w, g->k_w, g->in_w, &x0, &x1);
                for (int32_t o = 0; o < g->out_c; o++) {
                    int32_t acc = bias != NULL ? bias[o] : 0;
                    for (int32_t iy = y0; iy < y1; iy++) {
                        const int32_t fy = oy + g->pad_h - iy * g->stride_h;
                        for (int32_t ix = x0; ix < x1; ix++) {
                            const int32_t fx = ox + g->pad_w - ix * g->stride_w;
                            const int8_t *in = in_b + (size_t)(iy * g->in_w + ix) * (size_t)c_in;
                            const int8_t *w = weights + (size_t)((o * g->k_h + fy) * g->k_w + fx) * (size_t)c_in;
                            acc = dot(in, w, c_in, p->input_offset, acc);
                        }
                    }
                    const int32_t v = utvm_requantize(acc, multipliers != NULL ? multipliers[o] : p->multiplier, shifts != NULL ? shifts[o] : p->shift) + p->output_offset;
                    *output++ = utvm_sat_s8(v, p->act_min, p->act_max);
                }
            }
        }
    }
}
