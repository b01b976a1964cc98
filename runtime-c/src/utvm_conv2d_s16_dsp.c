/*
 * 2-D convolution, int16 activations and int8 weights, for cores with the DSP extension (see
 * utvm/conv2d_s16_dsp.h): four output channels per pass over each tap's channel run, SMLAD on int16 input
 * pairs and SXTB16-extended weight pairs, int32 partial sums of at most 508 products widened to int64.
 */
#include "utvm/conv2d_s16_dsp.h"

/* Products per int32 partial sum: 508 * 2^22 < 2^31 (a multiple of 4). */
#define UTVM_CONV16_PENDING 508

typedef struct {
    int32_t a0, a1, a2, a3;
} conv16_acc4;

static inline int32_t pair16(int32_t lo, int32_t hi)
{
    return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu));
}

/* a.r += (x01, x23) . the weight pairs of word w[r]. */
#define UTVM_CONV16_STEP(x01, x23, w)                                  \
    do {                                                               \
        const int32_t w0 = (w)[0], w1 = (w)[1];                        \
        const int32_t w2 = (w)[2], w3 = (w)[3];                        \
        a.a0 = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(w0), a.a0);         \
        a.a0 = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(w0), a.a0);    \
        a.a1 = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(w1), a.a1);         \
        a.a1 = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(w1), a.a1);    \
        a.a2 = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(w2), a.a2);         \
        a.a2 = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(w2), a.a2);    \
        a.a3 = utvm_dsp_smlad(x01, utvm_dsp_sxtb16(w3), a.a3);         \
        a.a3 = utvm_dsp_smlad(x23, utvm_dsp_sxtb16_ror8(w3), a.a3);    \
    } while (0)

/* The four int64 sums and the int32 partial sums not yet added to them. */
typedef struct {
    int64_t s[4];
    conv16_acc4 a;
    int32_t pending;
} conv16_sums;

static inline void flush(conv16_sums *t)
{
    t->s[0] += t->a.a0;
    t->s[1] += t->a.a1;
    t->s[2] += t->a.a2;
    t->s[3] += t->a.a3;
    t->a = (conv16_acc4){0, 0, 0, 0};
    t->pending = 0;
}

/* t += the dot products of the c >= 1 inputs at in with the four interleaved weight rows at w. */
static inline __attribute__((always_inline)) void tap(conv16_sums *t, const int16_t *in, const int32_t *w, int32_t c)
{
    int32_t chunks = c >> 2;
    while (chunks > 0) {
        if (t->pending > UTVM_CONV16_PENDING - 4) flush(t);
        int32_t steps = (UTVM_CONV16_PENDING - t->pending) >> 2;
        steps = steps < chunks ? steps : chunks;
        conv16_acc4 a = t->a;
        for (int32_t j = 0; j < steps; j++) {
            const int32_t x01 = utvm_dsp_read_s32(in);
            const int32_t x23 = utvm_dsp_read_s32(in + 2);
            UTVM_CONV16_STEP(x01, x23, w);
            in += 4;
            w += 4;
        }
        t->a = a;
        t->pending += steps << 2;
        chunks -= steps;
    }
    const int32_t rest = c & 3;
    if (rest != 0) {
        if (t->pending > UTVM_CONV16_PENDING - 4) flush(t);
        /* The last 1..3 channels (their padding weights are 0; no input read past them). */
        const int32_t x01 = pair16(in[0], rest > 1 ? in[1] : 0);
        const int32_t x23 = pair16(rest > 2 ? in[2] : 0, 0);
        conv16_acc4 a = t->a;
        UTVM_CONV16_STEP(x01, x23, w);
        t->a = a;
        t->pending += 4;
    }
}

static void store(const utvm_conv2d_params_s16 *p, const int64_t *acc, const int32_t *bias32, const int64_t *bias64,
                  const int32_t *multipliers, const int32_t *shifts, int32_t oc, int32_t count, int16_t *output)
{
    for (int32_t r = 0; r < count; r++) {
        const int32_t o = oc + r;
        const int32_t m = multipliers != NULL ? multipliers[o] : p->multiplier;
        const int32_t s = shifts != NULL ? shifts[o] : p->shift;
        int32_t v;
        if (p->wide) {
            v = utvm_requantize_s64(acc[r] + (bias64 != NULL ? bias64[o] : 0), m, s);
        } else {
            /* int32 wrap-around, as TFLite's int32 accumulator on two's complement. */
            v = utvm_requantize((int32_t)(uint32_t)((uint64_t)acc[r] + (uint64_t)(int64_t)(bias32 != NULL ? bias32[o] : 0)), m, s);
        }
        output[o] = (int16_t)(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));
    }
}

void utvm_conv2d_s16_dsp(const utvm_conv2d_params_s16 *p, const int16_t *input, const int32_t *weights, const int32_t *bias32,
                         const int64_t *bias64, const int32_t *multipliers, const int32_t *shifts, int16_t *output)
{
    const int32_t group_c = p->in_c / p->groups;
    const int32_t group_oc = p->out_c / p->groups;
    const int32_t blocks = (group_oc + 3) >> 2;
    const int32_t tap_words = ((group_c + 3) >> 2) * 4;
    const size_t block_words = (size_t)p->kernel_h * (size_t)p->kernel_w * (size_t)tap_words;
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
                for (int32_t g = 0; g < p->groups; g++) {
                    const int16_t *base = image + (size_t)g * (size_t)group_c;
                    for (int32_t b = 0; b < blocks; b++) {
                        const int32_t *filter = weights + ((size_t)g * (size_t)blocks + (size_t)b) * block_words;
                        conv16_sums t = {{0, 0, 0, 0}, {0, 0, 0, 0}, 0};
                        for (int32_t ky = ky0; ky < ky1; ky++) {
                            const int32_t y = y0 + ky * p->dilation_h;
                            for (int32_t kx = kx0; kx < kx1; kx++) {
                                const int32_t x = x0 + kx * p->dilation_w;
                                const int16_t *in = base + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->in_c;
                                tap(&t, in, filter + ((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)tap_words, group_c);
                            }
                        }
                        flush(&t);
                        const int32_t oc = g * group_oc + 4 * b;
                        store(p, t.s, bias32, bias64, multipliers, shifts, oc, group_oc - 4 * b < 4 ? group_oc - 4 * b : 4, output);
                    }
                }
                output += p->out_c;
            }
        }
    }
}
