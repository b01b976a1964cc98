/* Average pooling, int16 (16x8), NHWC, TensorFlow Lite's rounding and activation clamp (see utvm/pool2d.h). */
#include "utvm/pool2d.h"

/* Channels summed together: the sums of one block live on the stack. */
#define CHANNEL_BLOCK 32

/* Rounded mean of one window, for every channel, written to out[0..channels). */
static void window_mean(const utvm_pool2d_params_s8 *ps, const int16_t *image, int32_t y0, int32_t x0, int16_t *out)
{
    const utvm_pool2d_params *p = &ps->window;
    int32_t ky0, ky1, kx0, kx1, cy0, cy1, cx0, cx1;
    utvm_pool_taps(y0, 0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_pool_taps(x0, 0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    utvm_pool_taps(y0, -p->count_pad_top, p->in_h + p->count_pad_bottom, p->kernel_h, p->dilation_h, &cy0, &cy1);
    utvm_pool_taps(x0, -p->count_pad_left, p->in_w + p->count_pad_right, p->kernel_w, p->dilation_w, &cx0, &cx1);
    const int32_t count = (cy1 - cy0) * (cx1 - cx0);
    const int32_t half = count / 2;
    int32_t sums[CHANNEL_BLOCK];
    for (int32_t c0 = 0; c0 < p->channels; c0 += CHANNEL_BLOCK) {
        const int32_t n = p->channels - c0 < CHANNEL_BLOCK ? p->channels - c0 : CHANNEL_BLOCK;
        for (int32_t c = 0; c < n; c++) sums[c] = 0;
        for (int32_t ky = ky0; ky < ky1; ky++) {
            const int32_t y = y0 + ky * p->dilation_h;
            for (int32_t kx = kx0; kx < kx1; kx++) {
                const int32_t x = x0 + kx * p->dilation_w;
                const int16_t *in = image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->channels + (size_t)c0;
                for (int32_t c = 0; c < n; c++) sums[c] += in[c];
            }
        }
        for (int32_t c = 0; c < n; c++) {
            /* Half away from zero; C division truncates toward zero. */
            const int32_t sum = sums[c];
            int32_t mean = count == 0 ? 0 : (sum > 0 ? sum + half : sum - half) / count;
            mean = mean < ps->act_min ? ps->act_min : mean;
            out[c0 + c] = (int16_t)(mean > ps->act_max ? ps->act_max : mean);
        }
    }
}

void utvm_avg_pool2d_s16(const utvm_pool2d_params_s8 *ps, const int16_t *input, int16_t *output)
{
    const utvm_pool2d_params *p = &ps->window;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->channels;
    for (int32_t n = 0; n < p->batch; n++) {
        const int16_t *image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                window_mean(ps, image, oy * p->stride_h - p->pad_top, ox * p->stride_w - p->pad_left, output);
                output += p->channels;
            }
        }
    }
}
