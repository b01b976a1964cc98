/* Transposed convolution, int8, TFLite's reference arithmetic (see utvm/transpose_conv.h). */
#include "utvm/transpose_conv.h"
#include "utvm/quant.h"

/* Requantized output of channel o. */
static inline int8_t out_s8(const utvm_transpose_conv_params_s8 *p, uint32_t acc, const int32_t *multipliers, const int32_t *shifts, int32_t o)
{
    const int32_t m = multipliers != NULL ? multipliers[o] : p->multiplier;
    const int32_t sh = shifts != NULL ? shifts[o] : p->shift;
    return utvm_sat_s8(utvm_requantize((int32_t)acc, m, sh) + p->output_offset, p->act_min, p->act_max);
}

/*
 * Channels o and o + 1 (w1 != NULL) or o alone of output pixel (oy, ox): acc = bias + sum over the covering
 * taps of (in + input_offset) * w, int32 with wrap-around (as uint32: the same value).
 */
static void pixel_pair(const utvm_transpose_conv_params_s8 *p, const int8_t *in_b, const int8_t *w0, const int8_t *w1,
                       int32_t oy, int32_t ox, uint32_t acc[2])
{
    const utvm_transpose_conv_geometry *g = &p->g;
    const int32_t c_in = g->in_c, off = p->input_offset;
    int32_t y0, y1, x0, x1;
    utvm_transpose_conv_range(oy, g->pad_h, g->stride_h, g->k_h, g->in_h, &y0, &y1);
    utvm_transpose_conv_range(ox, g->pad_w, g->stride_w, g->k_w, g->in_w, &x0, &x1);
    for (int32_t iy = y0; iy < y1; iy++) {
        const int32_t fy = oy + g->pad_h - iy * g->stride_h;
        for (int32_t ix = x0; ix < x1; ix++) {
            const int32_t fx = ox + g->pad_w - ix * g->stride_w;
            const int8_t *in = in_b + (size_t)(iy * g->in_w + ix) * (size_t)c_in;
            const size_t tap = (size_t)(fy * g->k_w + fx) * (size_t)c_in;
            const int8_t *a = w0 + tap;
            if (w1 != NULL) {
                const int8_t *b = w1 + tap;
                for (int32_t c = 0; c < c_in; c++) {
                    const int32_t v = (int32_t)in[c] + off;
                    acc[0] += (uint32_t)(v * (int32_t)a[c]);
                    acc[1] += (uint32_t)(v * (int32_t)b[c]);
                }
            } else {
                for (int32_t c = 0; c < c_in; c++) acc[0] += (uint32_t)(((int32_t)in[c] + off) * (int32_t)a[c]);
            }
        }
    }
}

void utvm_transpose_conv_s8(const utvm_transpose_conv_params_s8 *p, const int8_t *input, const int8_t *weights,
                            const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const utvm_transpose_conv_geometry *g = &p->g;
    const size_t filter = (size_t)(g->k_h * g->k_w * g->in_c);
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = input + (size_t)b * (size_t)(g->in_h * g->in_w * g->in_c);
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            for (int32_t ox = 0; ox < g->out_w; ox++, output += g->out_c) {
                for (int32_t o = 0; o < g->out_c; o += 2) {
                    const int32_t two = o + 1 < g->out_c;
                    uint32_t acc[2] = {bias != NULL ? (uint32_t)bias[o] : 0u, bias != NULL && two ? (uint32_t)bias[o + 1] : 0u};
                    const int8_t *w0 = weights + (size_t)o * filter;
                    pixel_pair(p, in_b, w0, two ? w0 + filter : NULL, oy, ox, acc);
                    output[o] = out_s8(p, acc[0], multipliers, shifts, o);
                    if (two) output[o + 1] = out_s8(p, acc[1], multipliers, shifts, o + 1);
                }
            }
        }
    }
}
