/*
 * int8 convolution, groups 1, for cores with the DSP extension (see utvm/conv2d_s8_dsp.h): two output
 * pixels' windows gathered into int16 columns, then 2 pixels x 2 channels of SMLAD per weight word
 * (utvm/conv2d_s8_dsp_core.h), requantized with TFLite's arithmetic from per-channel multipliers and shifts.
 */
#define UTVM_CDSP_OUT_OF_LINE
#include "utvm/conv2d_s8_dsp_core.h"

/* out = clamp(requantize(acc) + output_offset) of channel oc, for both pixels. */
static inline void write_pair(const utvm_requant_params_s8 *q, const int32_t *multipliers, const int32_t *shifts, int32_t oc,
                       int32_t acc0, int32_t acc1, int8_t *out0, int8_t *out1)
{
    const utvm_dsp_requant r = utvm_dsp_requant_of(multipliers != NULL ? multipliers[oc] : q->multiplier,
                                                   shifts != NULL ? shifts[oc] : q->shift);
    out0[oc] = utvm_sat_s8(utvm_dsp_requantize(acc0, &r) + q->output_offset, q->act_min, q->act_max);
    out1[oc] = utvm_sat_s8(utvm_dsp_requantize(acc1, &r) + q->output_offset, q->act_min, q->act_max);
}

void utvm_conv2d_s8_dsp(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                        const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output,
                        void *scratch)
{
    const int32_t k4 = utvm_conv2d_s8_dsp_depth(p);
    const int32_t chunks = k4 / 4;
    const int32_t pixels = p->batch * p->out_h * p->out_w;
    const utvm_cdsp_gather_ctx g = utvm_conv_dsp_context(p, input, scratch);
    for (int32_t pixel = 0; pixel < pixels; pixel += 2) {
        /* An odd last pixel runs as both columns: the second writes the same values again. */
        const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
        utvm_conv_dsp_gather2(&g, pixel, second, k4);
        int8_t *out0 = output + (size_t)pixel * (size_t)p->out_c;
        int8_t *out1 = output + (size_t)second * (size_t)p->out_c;
        const int32_t *w = weights;
        for (int32_t oc = 0; oc < p->out_c; oc += 2, w += 2 * chunks) {
            int32_t acc[4];
            acc[0] = acc[2] = bias != NULL ? bias[oc] : 0;
            acc[1] = acc[3] = bias != NULL ? bias[oc + 1] : 0;
            utvm_cdsp_dot_2x2(w, g.cols, chunks, acc);
            write_pair(&p->requant, multipliers, shifts, oc, acc[0], acc[2], out0, out1);
            if (oc + 1 < p->out_c) write_pair(&p->requant, multipliers, shifts, oc + 1, acc[1], acc[3], out0, out1);
        }
    }
}
