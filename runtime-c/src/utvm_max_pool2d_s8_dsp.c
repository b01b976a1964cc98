/* Max pooling, int8, NHWC, four channels per word with SSUB8 + SEL (see utvm/pool2d_s8_dsp.h). */
#include "utvm/pool2d_s8_dsp.h"
#include "utvm/simd_s8.h"

/* The byte b in all four lanes of a word. */
static inline int32_t splat_s8(int32_t b)
{
    return (int32_t)(((uint32_t)(uint8_t)b) * 0x01010101u);
}

static void window_max(const utvm_pool2d_params_s8 *ps, const int8_t *image, int32_t y0, int32_t x0, int8_t *out)
{
    const utvm_pool2d_params *p = &ps->window;
    int32_t ky0, ky1, kx0, kx1;
    utvm_pool_taps(y0, 0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_pool_taps(x0, 0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    const int32_t lo = splat_s8(ps->act_min);
    const int32_t hi = splat_s8(ps->act_max);
    const int32_t words = p->channels / 4;
    for (int32_t c4 = 0; c4 < words; c4++) {
        int32_t m = splat_s8(INT8_MIN);
        for (int32_t ky = ky0; ky < ky1; ky++) {
            const int32_t y = y0 + ky * p->dilation_h;
            for (int32_t kx = kx0; kx < kx1; kx++) {
                const int32_t x = x0 + kx * p->dilation_w;
                const int8_t *in = image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->channels + 4 * (size_t)c4;
                m = utvm_dsp_max_s8x4(m, utvm_dsp_read_s32(in));
            }
        }
        m = utvm_dsp_min_s8x4(utvm_dsp_max_s8x4(m, lo), hi);
        memcpy(out + 4 * c4, &m, 4);
    }
    for (int32_t c = 4 * words; c < p->channels; c++) {
        int32_t m = INT8_MIN;
        for (int32_t ky = ky0; ky < ky1; ky++) {
            const int32_t y = y0 + ky * p->dilation_h;
            for (int32_t kx = kx0; kx < kx1; kx++) {
                const int32_t x = x0 + kx * p->dilation_w;
                const int32_t v = image[((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->channels + (size_t)c];
                m = v > m ? v : m;
            }
        }
        m = m < ps->act_min ? ps->act_min : m;
        out[c] = (int8_t)(m > ps->act_max ? ps->act_max : m);
    }
}

void utvm_max_pool2d_s8_dsp(const utvm_pool2d_params_s8 *ps, const int8_t *input, int8_t *output)
{
    const utvm_pool2d_params *p = &ps->window;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->channels;
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                window_max(ps, image, oy * p->stride_h - p->pad_top, ox * p->stride_w - p->pad_left, output);
                output += p->channels;
            }
        }
    }
}
