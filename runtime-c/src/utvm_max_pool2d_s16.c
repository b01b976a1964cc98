/* Max pooling, int16 (16x8), NHWC, clamped to the fused activation's range (see utvm/pool2d.h). */
#include "utvm/pool2d.h"

/* Maximum of one window, for every channel, clamped and written to out[0..channels). */
static void window_max(const utvm_pool2d_params_s8 *ps, const int16_t *image, int32_t y0, int32_t x0, int16_t *out)
{
    const utvm_pool2d_params *p = &ps->window;
    int32_t ky0, ky1, kx0, kx1;
    utvm_pool_taps(y0, 0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_pool_taps(x0, 0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    for (int32_t c = 0; c < p->channels; c++) out[c] = INT16_MIN;
    for (int32_t ky = ky0; ky < ky1; ky++) {
        const int32_t y = y0 + ky * p->dilation_h;
        for (int32_t kx = kx0; kx < kx1; kx++) {
            const int32_t x = x0 + kx * p->dilation_w;
            const int16_t *in = image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->channels;
            for (int32_t c = 0; c < p->channels; c++) out[c] = in[c] > out[c] ? in[c] : out[c];
        }
    }
    for (int32_t c = 0; c < p->channels; c++) {
        const int32_t v = out[c] < ps->act_min ? ps->act_min : out[c];
        out[c] = (int16_t)(v > ps->act_max ? ps->act_max : v);
    }
}

void utvm_max_pool2d_s16(const utvm_pool2d_params_s8 *ps, const int16_t *input, int16_t *output)
{
    const utvm_pool2d_params *p = &ps->window;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->channels;
    for (int32_t n = 0; n < p->batch; n++) {
        const int16_t *image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                window_max(ps, image, oy * p->stride_h - p->pad_top, ox * p->stride_w - p->pad_left, output);
                output += p->channels;
            }
        }
    }
}
