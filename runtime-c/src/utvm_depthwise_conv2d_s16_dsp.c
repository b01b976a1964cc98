/* 16x8 depthwise convolution, channel multiplier 1, two channels per pass (see utvm/depthwise_conv2d_s16_dsp.h). */
#include "utvm/depthwise_conv2d_s16_dsp.h"

static inline int16_t finish(const utvm_conv2d_params_s16 *p, int32_t acc, const int32_t *bias32, const int64_t *bias64,
                             const int32_t *multipliers, const int32_t *shifts, int32_t c)
{
    const int32_t m = multipliers != NULL ? multipliers[c] : p->multiplier;
    const int32_t s = shifts != NULL ? shifts[c] : p->shift;
    int32_t v;
    if (p->wide) {
        v = utvm_requantize_s64((int64_t)acc + (bias64 != NULL ? bias64[c] : 0), m, s);
    } else {
        /* int32 wrap-around, as TFLite's int32 accumulator on two's complement. */
        v = utvm_requantize((int32_t)((uint32_t)acc + (uint32_t)(bias32 != NULL ? bias32[c] : 0)), m, s);
    }
    return (int16_t)(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));
}

void utvm_depthwise_conv2d_s16_dsp(const utvm_conv2d_params_s16 *p, const int16_t *input, const int16_t *weights,
                                   const int32_t *bias32, const int64_t *bias64, const int32_t *multipliers,
                                   const int32_t *shifts, int16_t *output)
{
    const int32_t ch = p->in_c;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)ch;
    for (int32_t n = 0; n < p->batch; n++) {
        const int16_t *image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            utvm_conv_taps(y0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t kx0, kx1;
                utvm_conv_taps(x0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
                int32_t c = 0;
                for (; c + 1 < ch; c += 2) {
                    int32_t a0 = 0, a1 = 0;
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        const int32_t y = y0 + ky * p->dilation_h;
                        const int16_t *row = image + (size_t)y * (size_t)p->in_w * (size_t)ch + (size_t)c;
                        const int16_t *wr = weights + (size_t)ky * (size_t)p->kernel_w * (size_t)ch + (size_t)c;
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            const int16_t *in = row + (size_t)(x0 + kx * p->dilation_w) * (size_t)ch;
                            const int16_t *w = wr + (size_t)kx * (size_t)ch;
                            a0 += (int32_t)in[0] * w[0];
                            a1 += (int32_t)in[1] * w[1];
                        }
                    }
                    output[c] = finish(p, a0, bias32, bias64, multipliers, shifts, c);
                    output[c + 1] = finish(p, a1, bias32, bias64, multipliers, shifts, c + 1);
                }
                if (c < ch) {
                    int32_t a0 = 0;
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        const int32_t y = y0 + ky * p->dilation_h;
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            const int32_t x = x0 + kx * p->dilation_w;
                            a0 += (int32_t)image[((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)ch + (size_t)c] *
                                  weights[((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)ch + (size_t)c];
                        }
                    }
                    output[c] = finish(p, a0, bias32, bias64, multipliers, shifts, c);
                }
                output += ch;
            }
        }
    }
}
