/* 1x1 convolution without padding, int8, NHWC input, weights [out_c, in_c] (see utvm/conv2d_s8.h). */
#include "utvm/conv2d_s8.h"

/* The first input cell of output pixel `pixel` (pixels numbered over [batch, out_h, out_w]). */
static const int8_t *pixel_input(const utvm_conv2d_1x1_params_s8 *p, const int8_t *input, int32_t pixel)
{
    const int32_t ox = pixel % p->out_w;
    const int32_t rest = pixel / p->out_w;
    const int32_t oy = rest % p->out_h;
    const int32_t n = rest / p->out_h;
    const size_t row = (size_t)n * (size_t)p->in_h + (size_t)oy * (size_t)p->stride_h;
    return input + (row * (size_t)p->in_w + (size_t)ox * (size_t)p->stride_w) * (size_t)p->in_c;
}

/* All output channels of one pixel. */
static void one_pixel(const utvm_conv2d_1x1_params_s8 *p, const int8_t *in, const int8_t *weights, const int32_t *bias,
                      const int32_t *multipliers, const int32_t *shifts, int8_t *out)
{
    const int32_t in_c = p->in_c;
    const int8_t *w = weights;
    for (int32_t oc = 0; oc < p->out_c; oc++, w += in_c) {
        int32_t acc = bias != NULL ? bias[oc] : 0;
        for (int32_t c = 0; c < in_c; c++) acc += (int32_t)w[c] * (int32_t)in[c];
        out[oc] = utvm_requant_channel_s8(acc, &p->requant, multipliers, shifts, oc);
    }
}

void utvm_conv2d_1x1_s8(const utvm_conv2d_1x1_params_s8 *p, const int8_t *input, const int8_t *weights,
                        const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t in_c = p->in_c;
    const int32_t out_c = p->out_c;
    const int32_t pixels = p->batch * p->out_h * p->out_w;
    int32_t pixel = 0;
    /* Two pixels by two output channels at a time: each loaded value serves two products. */
    for (; pixel + 1 < pixels; pixel += 2) {
        const int8_t *in0 = pixel_input(p, input, pixel);
        const int8_t *in1 = pixel_input(p, input, pixel + 1);
        int8_t *out0 = output + (size_t)pixel * (size_t)out_c;
        int8_t *out1 = out0 + out_c;
        int32_t oc = 0;
        for (; oc + 1 < out_c; oc += 2) {
            const int8_t *w0 = weights + (size_t)oc * (size_t)in_c;
            const int8_t *w1 = w0 + in_c;
            const int32_t b0 = bias != NULL ? bias[oc] : 0;
            const int32_t b1 = bias != NULL ? bias[oc + 1] : 0;
            int32_t a00 = b0, a01 = b1, a10 = b0, a11 = b1;
            for (int32_t c = 0; c < in_c; c++) {
                const int32_t x0 = in0[c], x1 = in1[c], k0 = w0[c], k1 = w1[c];
                a00 += x0 * k0;
                a01 += x0 * k1;
                a10 += x1 * k0;
                a11 += x1 * k1;
            }
            out0[oc] = utvm_requant_channel_s8(a00, &p->requant, multipliers, shifts, oc);
            out0[oc + 1] = utvm_requant_channel_s8(a01, &p->requant, multipliers, shifts, oc + 1);
            out1[oc] = utvm_requant_channel_s8(a10, &p->requant, multipliers, shifts, oc);
            out1[oc + 1] = utvm_requant_channel_s8(a11, &p->requant, multipliers, shifts, oc + 1);
        }
        if (oc < out_c) {
            const int8_t *w0 = weights + (size_t)oc * (size_t)in_c;
            int32_t a0 = bias != NULL ? bias[oc] : 0;
            int32_t a1 = a0;
            for (int32_t c = 0; c < in_c; c++) {
                a0 += (int32_t)in0[c] * (int32_t)w0[c];
                a1 += (int32_t)in1[c] * (int32_t)w0[c];
            }
            out0[oc] = utvm_requant_channel_s8(a0, &p->requant, multipliers, shifts, oc);
            out1[oc] = utvm_requant_channel_s8(a1, &p->requant, multipliers, shifts, oc);
        }
    }
    if (pixel < pixels) {
        one_pixel(p, pixel_input(p, input, pixel), weights, bias, multipliers, shifts, output + (size_t)pixel * (size_t)out_c);
    }
}
