/*
 * int8 convolution, groups 1, for cores with the DSP extension, with the output stage from per-channel
 * records (see utvm/conv2d_s8_dsp.h): the columns and the 2 x 2 SMLAD block of utvm_conv2d_s8_dsp
 * (utvm/conv2d_s8_dsp_core.h), then one SMMULR, a rounding shift that adds the output offset, and the clamp
 * per output (utvm_conv_out_dsp), as utvm_conv2d_1x1_s8_dsp does.
 */
#include "utvm/conv2d_s8_dsp_core.h"

/* The outputs of one channel (record ch = {bias, multiplier, r, round}) for both pixels. */
static inline void write_pair_rec(const int32_t *ch, int32_t lo, int32_t hi, int32_t acc0, int32_t acc1, int8_t *out0,
                                  int8_t *out1)
{
    const int8_t v0 = utvm_sat_s8(utvm_conv_out_dsp(acc0, ch), lo, hi);
    const int8_t v1 = utvm_sat_s8(utvm_conv_out_dsp(acc1, ch), lo, hi);
    *out0 = v0;
    *out1 = v1;
}

void utvm_conv2d_s8_dsp_rec(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *channels, int8_t *output, void *scratch)
{
    const int32_t k4 = utvm_conv2d_s8_dsp_depth(p);
    const int32_t chunks = k4 / 4;
    const int32_t pixels = p->batch * p->out_h * p->out_w;
    const int32_t lo = p->requant.act_min, hi = p->requant.act_max;
    const utvm_cdsp_gather_ctx g = utvm_conv_dsp_context(p, input, scratch);
    for (int32_t pixel = 0; pixel < pixels; pixel += 2) {
        /* An odd last pixel runs as both columns: the second writes the same values again. */
        const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
        utvm_conv_dsp_gather2(&g, pixel, second, k4);
        int8_t *out0 = output + (size_t)pixel * (size_t)p->out_c;
        int8_t *out1 = output + (size_t)second * (size_t)p->out_c;
        const int32_t *w = weights;
        const int32_t *ch = channels;
        for (int32_t oc = 0; oc < p->out_c; oc += 2, w += 2 * chunks, ch += 8) {
            int32_t acc[4] = {ch[0], ch[4], ch[0], ch[4]};
            utvm_cdsp_dot_2x2(w, g.cols, chunks, acc);
            write_pair_rec(ch, lo, hi, acc[0], acc[2], out0 + oc, out1 + oc);
            if (oc + 1 < p->out_c) write_pair_rec(ch + 4, lo, hi, acc[1], acc[3], out0 + oc + 1, out1 + oc + 1);
        }
    }
}
