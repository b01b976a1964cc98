/* General grouped 2-D convolution, float32, NHWC input, OHWI weights (see utvm/conv2d.h). */
#include "utvm/conv2d.h"

/* One output value: the dot product of one window with one filter, over the group's channels. */
static float window_dot(const utvm_conv2d_params_f32 *p, const float *in_image, const float *filter,
                        int32_t y0, int32_t x0, int32_t c0, int32_t group_c)
{
    float acc = 0.0f;
    for (int32_t ky = 0; ky < p->kernel_h; ky++) {
        const int32_t y = y0 + ky * p->dilation_h;
        if (y < 0 || y >= p->in_h) continue;
        for (int32_t kx = 0; kx < p->kernel_w; kx++) {
            const int32_t x = x0 + kx * p->dilation_w;
            if (x < 0 || x >= p->in_w) continue;
            const float *in = in_image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->in_c + c0;
            const float *w = filter + ((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)group_c;
            for (int32_t c = 0; c < group_c; c++) acc += in[c] * w[c];
        }
    }
    return acc;
}

void utvm_conv2d_f32(const utvm_conv2d_params_f32 *p, const float *input, const float *weights,
                     const float *bias, float *output)
{
    const int32_t group_c = p->in_c / p->groups;
    const int32_t group_oc = p->out_c / p->groups;
    const size_t filter_size = (size_t)p->kernel_h * (size_t)p->kernel_w * (size_t)group_c;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *in_image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                for (int32_t oc = 0; oc < p->out_c; oc++) {
                    const int32_t c0 = (oc / group_oc) * group_c;
                    const float *filter = weights + (size_t)oc * filter_size;
                    float acc = window_dot(p, in_image, filter, y0, x0, c0, group_c);
                    if (bias != NULL) acc += bias[oc];
                    *output++ = utvm_clamp_value_f32(acc, p->clamp);
                }
            }
        }
    }
}
