/*
 * 2-D convolution, int16 activations and int8 weights, for cores with the DSP extension (see
 * utvm/conv2d_s16_dsp.h): SMLAD on int16 input pairs and SXTB16-extended weight pairs per tap.
 */
#include "utvm/conv2d_s16_dsp.h"

/* Channels per int32 partial sum: 256 * 2^22 = 2^30 bounds it (a multiple of 4). */
#define UTVM_CONV16_BLOCK 256

static inline int32_t pair16(int32_t lo, int32_t hi)
{
    return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu));
}

/* The dot product of the c int16 inputs at in with the packed weight words at w (c >= 1). */
static inline __attribute__((always_inline)) int64_t dot(const int16_t *in, const int32_t *w, int32_t c)
{
    int64_t sum = 0;
    int32_t left = c;
    while (left >= 4) {
        const int32_t steps = (left < UTVM_CONV16_BLOCK ? left : UTVM_CONV16_BLOCK) >> 2;
        int32_t a = 0;
        for (int32_t j = 0; j < steps; j++) {
            const int32_t x01 = utvm_dsp_read_s32(in);
            const int32_t x23 = utvm_dsp_read_s32(in + 2);
            const int32_t wd = *w++;
            a = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(wd), a);
            a = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(wd), a);
            in += 4;
        }
        sum += a;
        left -= steps << 2;
    }
    if (left > 0) {
        /* The last 1..3 channels (their padding weights are 0; no input read past them). */
        const int32_t x01 = pair16(in[0], left > 1 ? in[1] : 0);
        const int32_t x23 = pair16(left > 2 ? in[2] : 0, 0);
        const int32_t wd = *w;
        sum += utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(wd), utvm_dsp_smlad(x01, utvm_dsp_sxtb16(wd), 0));
    }
    return sum;
}

void utvm_conv2d_s16_dsp(const utvm_conv2d_params_s16 *p, const int16_t *input, const int32_t *weights, const int32_t *bias32,
                         const int64_t *bias64, const int32_t *multipliers, const int32_t *shifts, int16_t *output)
{
    const int32_t group_c = p->in_c / p->groups;
    const int32_t group_oc = p->out_c / p->groups;
    const int32_t words = (group_c + 3) >> 2;
    const size_t filter_words = (size_t)p->kernel_h * (size_t)p->kernel_w * (size_t)words;
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
                    const int32_t *filter = weights + (size_t)oc * filter_words;
                    int64_t acc = 0;
                    for (int32_t ky = ky0; ky < ky1; ky++) {
                        const int32_t y = y0 + ky * p->dilation_h;
                        for (int32_t kx = kx0; kx < kx1; kx++) {
                            const int32_t x = x0 + kx * p->dilation_w;
                            const int16_t *in = image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->in_c + (size_t)c0;
                            acc += dot(in, filter + ((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)words, group_c);
                        }
                    }
                    const int32_t m = multipliers != NULL ? multipliers[oc] : p->multiplier;
                    const int32_t s = shifts != NULL ? shifts[oc] : p->shift;
                    int32_t v;
                    if (p->wide) {
                        v = utvm_requantize_s64(acc + (bias64 != NULL ? bias64[oc] : 0), m, s);
                    } else {
                        v = utvm_requantize((int32_t)(uint32_t)((uint64_t)acc + (uint64_t)(int64_t)(bias32 != NULL ? bias32[oc] : 0)), m, s);
                    }
                    output[oc] = (int16_t)(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));
                }
                output += p->out_c;
            }
        }
    }
}
