/* Grouped 2-D convolution, int8, with onnxruntime's float requantization (see utvm/onnx_s8.h). */
#include "utvm/onnx_s8.h"

/* The int32 sum of one output channel over the taps of the window at (y0, x0) inside the image. */
static int32_t window_acc(const utvm_conv2d_params_s8 *p, const int8_t *image, const int8_t *filter,
                          int32_t y0, int32_t x0, int32_t c0, int32_t group_c)
{
    int32_t ky0, ky1, kx0, kx1;
    int32_t acc = 0;
    utvm_conv_taps(y0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_conv_taps(x0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    for (int32_t ky = ky0; ky < ky1; ky++) {
        const int32_t y = y0 + ky * p->dilation_h;
        for (int32_t kx = kx0; kx < kx1; kx++) {
            const int32_t x = x0 + kx * p->dilation_w;
            const int8_t *in = image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->in_c + c0;
            const int8_t *w = filter + ((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)group_c;
            for (int32_t c = 0; c < group_c; c++) acc += (int32_t)w[c] * ((int32_t)in[c] + p->input_offset);
        }
    }
    return acc;
}

void utvm_conv2d_s8_onnx(const utvm_conv2d_params_s8 *p, const int8_t *input, const int8_t *weights,
                         const int32_t *bias, const float *scales, int8_t *output)
{
    const int32_t group_c = p->in_c / p->groups;
    const int32_t group_oc = p->out_c / p->groups;
    const size_t filter_size = (size_t)p->kernel_h * (size_t)p->kernel_w * (size_t)group_c;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                for (int32_t oc = 0; oc < p->out_c; oc++) {
                    const int32_t c0 = (oc / group_oc) * group_c;
                    const int32_t acc = window_acc(p, image, weights + (size_t)oc * filter_size, y0, x0, c0, group_c) +
                                        (bias != NULL ? bias[oc] : 0);
                    output[oc] = utvm_requant_onnx_s8(acc, scales[oc], &p->requant);
                }
                output += p->out_c;
            }
        }
    }
}
