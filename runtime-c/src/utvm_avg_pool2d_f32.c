/* Average pooling, float32, NHWC (see utvm/pool2d.h). */
#include "utvm/pool2d.h"

/* Mean of one window, for every channel, written to out[0..channels): sum in float, divide once. */
static void window_mean(const utvm_pool2d_params *p, const float *image, int32_t y0, int32_t x0, float *out)
{
    int32_t ky0, ky1, kx0, kx1, cy0, cy1, cx0, cx1;
    utvm_pool_taps(y0, 0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_pool_taps(x0, 0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    utvm_pool_taps(y0, -p->count_pad_top, p->in_h + p->count_pad_bottom, p->kernel_h, p->dilation_h, &cy0, &cy1);
    utvm_pool_taps(x0, -p->count_pad_left, p->in_w + p->count_pad_right, p->kernel_w, p->dilation_w, &cx0, &cx1);
    const int32_t count = (cy1 - cy0) * (cx1 - cx0);
    for (int32_t c = 0; c < p->channels; c++) out[c] = 0.0f;
    for (int32_t ky = ky0; ky < ky1; ky++) {
        const int32_t y = y0 + ky * p->dilation_h;
        for (int32_t kx = kx0; kx < kx1; kx++) {
            const int32_t x = x0 + kx * p->dilation_w;
            const float *in = image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->channels;
            for (int32_t c = 0; c < p->channels; c++) out[c] += in[c];
        }
    }
    if (count == 0) return; /* the sum is 0 too */
    const float divisor = (float)count;
    for (int32_t c = 0; c < p->channels; c++) out[c] /= divisor;
}

void utvm_avg_pool2d_f32(const utvm_pool2d_params *p, const float *input, float *output)
{
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->channels;
    for (int32_t n = 0; n < p->batch; n++) {
        const float *image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                window_mean(p, image, oy * p->stride_h - p->pad_top, ox * p->stride_w - p->pad_left, output);
                output += p->channels;
            }
        }
    }
}
