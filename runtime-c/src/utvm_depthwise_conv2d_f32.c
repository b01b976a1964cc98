/* Depthwise 2-D convolution, float32, NHWC input, [KH, KW, C_OUT] weights (see utvm/conv2d.h). */
#include "utvm/conv2d.h"

/* Adds the contribution of one input pixel (all channels) through one kernel tap to `out`. */
static void accumulate_tap(const float *in, const float *w, float *out, int32_t in_c, int32_t mult)
{
    if (mult == 1) {
        for (int32_t c = 0; c < in_c; c++) out[c] += in[c] * w[c];
        return;
    }
    for (int32_t c = 0; c < in_c; c++) {
        const float v = in[c];
        for (int32_t m = 0; m < mult; m++) out[c * mult + m] += v * w[c * mult + m];
    }
}

void utvm_depthwise_conv2d_f32(const utvm_depthwise_conv2d_params_f32 *p, const float *input,
                               const float *weights, const float *bias, float *output)
{
    const int32_t out_c = p->in_c * p->depth_multiplier;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *in_image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                for (int32_t c = 0; c < out_c; c++) output[c] = bias != NULL ? bias[c] : 0.0f;
                for (int32_t ky = 0; ky < p->kernel_h; ky++) {
                    const int32_t y = y0 + ky * p->dilation_h;
                    if (y < 0 || y >= p->in_h) continue;
                    for (int32_t kx = 0; kx < p->kernel_w; kx++) {
                        const int32_t x = x0 + kx * p->dilation_w;
                        if (x < 0 || x >= p->in_w) continue;
                        const float *in = in_image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->in_c;
                        const float *w = weights + ((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)out_c;
                        accumulate_tap(in, w, output, p->in_c, p->depth_multiplier);
                    }
                }
                for (int32_t c = 0; c < out_c; c++) output[c] = utvm_clamp_value_f32(output[c], p->clamp);
                output += out_c;
            }
        }
    }
}
