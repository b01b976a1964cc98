/* 2-D convolution, int16 activations, int8 weights, any groups (see utvm/conv2d_s16.h). */
#include "utvm/conv2d_s16.h"

void utvm_conv2d_s16(const utvm_conv2d_params_s16 *p, const int16_t *input, const int8_t *weights, const int32_t *bias32,
                     const int64_t *bias64, const int32_t *multipliers, const int32_t *shifts, int16_t *output)
{
    const int32_t group_c = p->in_c / p->groups;
    const int32_t group_oc = p->out_c / p->groups;
    const size_t filter_size = (size_t)p->kernel_h * (size_t)p->kernel_w * (size_t)group_c;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
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
                for (int32_t oc = 0; oc < p->out_c; oc++) {
                    const int32_t c0 = (oc / group_oc) * group_c;
                    const int8_t *filter = weights + (size_t)oc * filter_size;
                    int64_t acc = 0;
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        const int32_t y = y0 + ky * p->dilation_h;
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            const int32_t x = x0 + kx * p->dilation_w;
                            const int16_t *in = image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->in_c + (size_t)c0;
                            const int8_t *w = filter + ((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)group_c;
                            for (int32_t c = 0; c < group_c; c++) acc += (int32_t)w[c] * in[c];
                        }
                    }
                    const int32_t m = multipliers != NULL ? multipliers[oc] : p->multiplier;
                    const int32_t s = shifts != NULL ? shifts[oc] : p->shift;
                    int32_t v;
                    if (p->wide) {
                        v = utvm_requantize_s64(acc + (bias64 != NULL ? bias64[oc] : 0), m, s);
                    } else {
                        /* int32 wrap-around, as TFLite's int32 accumulator on two's complement. */
                        v = utvm_requantize((int32_t)(uint32_t)((uint64_t)acc + (uint64_t)(int64_t)(bias32 != NULL ? bias32[oc] : 0)), m, s);
                    }
                    output[oc] = (int16_t)(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));
                }
                output += p->out_c;
            }
        }
    }
}
