/*
 * Average pooling, int8, NHWC, eight channels (two words) per pass over the window (see
 * utvm/pool2d_s8_dsp.h): each tap's address is computed once for two words, and the window loop's
 * overhead is shared by them. The sums per channel are those of utvm_avg_pool2d_s8_dsp, in the same
 * order, so the outputs are bit-identical.
 */
#include "utvm/pool2d_s8_dsp.h"
#include "utvm/simd_s8.h"

/* TFLite's rounded mean (half away from zero; C division truncates toward zero), clamped. */
static inline int8_t mean_s8(const utvm_pool2d_params_s8 *ps, int32_t sum, int32_t count)
{
    const int32_t half = count / 2;
    int32_t mean = count == 0 ? 0 : (sum > 0 ? sum + half : sum - half) / count;
    mean = mean < ps->act_min ? ps->act_min : mean;
    return (int8_t)(mean > ps->act_max ? ps->act_max : mean);
}

/* Once per output pixel and word, not per tap: kept out of line (one copy instead of one per word). */
#if defined(__GNUC__)
#define UTVM_NOINLINE __attribute__((noinline))
#else
#define UTVM_NOINLINE
#endif

/* The four channels of one word from its two int16-lane sums (even: channels 0, 2; odd: 1, 3). */
static UTVM_NOINLINE void store_word(const utvm_pool2d_params_s8 *ps, int32_t even, int32_t odd, int32_t count, int8_t *o)
{
    o[0] = mean_s8(ps, (int16_t)(uint16_t)(uint32_t)even, count);
    o[1] = mean_s8(ps, (int16_t)(uint16_t)(uint32_t)odd, count);
    o[2] = mean_s8(ps, (int16_t)(uint16_t)((uint32_t)even >> 16), count);
    o[3] = mean_s8(ps, (int16_t)(uint16_t)((uint32_t)odd >> 16), count);
}

static void window_mean(const utvm_pool2d_params_s8 *ps, const int8_t *image, int32_t y0, int32_t x0, int8_t *out)
{
    const utvm_pool2d_params *p = &ps->window;
    int32_t ky0, ky1, kx0, kx1, cy0, cy1, cx0, cx1;
    utvm_pool_taps(y0, 0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_pool_taps(x0, 0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    utvm_pool_taps(y0, -p->count_pad_top, p->in_h + p->count_pad_bottom, p->kernel_h, p->dilation_h, &cy0, &cy1);
    utvm_pool_taps(x0, -p->count_pad_left, p->in_w + p->count_pad_right, p->kernel_w, p->dilation_w, &cx0, &cx1);
    const int32_t count = (cy1 - cy0) * (cx1 - cx0);
    const size_t tap_step = (size_t)p->dilation_w * (size_t)p->channels;
    const int32_t words = p->channels / 4;
    int32_t c4 = 0;
    for (; c4 + 2 <= words; c4 += 2) {
        int32_t e0 = 0, o0 = 0, e1 = 0, o1 = 0;
        for (int32_t ky = ky0; ky < ky1; ky++) {
            const int32_t y = y0 + ky * p->dilation_h;
            const int8_t *t = image + ((size_t)y * (size_t)p->in_w + (size_t)(x0 + kx0 * p->dilation_w)) * (size_t)p->channels + 4 * (size_t)c4;
            for (int32_t kx = kx0; kx < kx1; kx++, t += tap_step) {
                const int32_t w0 = utvm_dsp_read_s32(t);
                const int32_t w1 = utvm_dsp_read_s32(t + 4);
                e0 = utvm_dsp_sxtab16(e0, w0);
                o0 = utvm_dsp_sxtab16_ror8(o0, w0);
                e1 = utvm_dsp_sxtab16(e1, w1);
                o1 = utvm_dsp_sxtab16_ror8(o1, w1);
            }
        }
        store_word(ps, e0, o0, count, out + 4 * c4);
        store_word(ps, e1, o1, count, out + 4 * c4 + 4);
    }
    for (; c4 < words; c4++) {
        int32_t even = 0, odd = 0;
        for (int32_t ky = ky0; ky < ky1; ky++) {
            const int32_t y = y0 + ky * p->dilation_h;
            const int8_t *t = image + ((size_t)y * (size_t)p->in_w + (size_t)(x0 + kx0 * p->dilation_w)) * (size_t)p->channels + 4 * (size_t)c4;
            for (int32_t kx = kx0; kx < kx1; kx++, t += tap_step) {
                const int32_t w = utvm_dsp_read_s32(t);
                even = utvm_dsp_sxtab16(even, w);
                odd = utvm_dsp_sxtab16_ror8(odd, w);
            }
        }
        store_word(ps, even, odd, count, out + 4 * c4);
    }
    for (int32_t c = 4 * words; c < p->channels; c++) {
        int32_t sum = 0;
        for (int32_t ky = ky0; ky < ky1; ky++) {
            const int32_t y = y0 + ky * p->dilation_h;
            for (int32_t kx = kx0; kx < kx1; kx++) {
                const int32_t x = x0 + kx * p->dilation_w;
                sum += image[((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->channels + (size_t)c];
            }
        }
        out[c] = mean_s8(ps, sum, count);
    }
}

void utvm_avg_pool2d_s8_dsp_x2(const utvm_pool2d_params_s8 *ps, const int8_t *input, int8_t *output)
{
    const utvm_pool2d_params *p = &ps->window;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->channels;
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                window_mean(ps, image, oy * p->stride_h - p->pad_top, ox * p->stride_w - p->pad_left, output);
                output += p->channels;
            }
        }
    }
}
