/*
 * utvm_conv2d_rgb_s8_dsp specialised at its call site (issue 17, knob `specialise`): the same kernel
 * (utvm/conv2d_rgb_s8_dsp.h: same arguments, same results bit for bit) as a static inline function, so that
 * at a call with a `static const` parameter struct the C compiler folds the window (kernel size, in_c,
 * K4), strides, padding and channel count into the code: the short gather runs and the dot product over
 * K4 / 4 chunks unroll. Each call site is a copy of the kernel (flash). weights16 (a constant at the call,
 * knob `weights`): 0, the weights as utvm_conv2d_rgb_s8_dsp takes them; 1, pre-extended to int16 pairs (see
 * utvm_rgb_pixel_pair).
 *
 * From utvm_conv2d_rgb_s8_dsp.c:
 * First-layer int8 convolution (in_c < 4) for cores with the DSP extension; see
 * utvm/conv2d_rgb_s8_dsp.h: window rows gathered into int16 columns, 2 pixels x 2 channels per SMLAD pass.
 */
#ifndef UTVM_CONV2D_RGB_S8_DSP_CONST_H
#define UTVM_CONV2D_RGB_S8_DSP_CONST_H

#include "utvm/conv2d_rgb_s8_dsp.h"

/* Helpers inline; the per-pixel ones stay out of line in the library kernel (UTVM_RGB_OUT_OF_LINE, defined
   by utvm_conv2d_rgb_s8_dsp.c) and inline at a specialised call site, where the constants reach them. */
#if defined(__GNUC__)
#define UTVM_RGB_INLINE static inline __attribute__((always_inline))
#if defined(UTVM_RGB_OUT_OF_LINE)
#define UTVM_RGB_OUTLINE static __attribute__((noinline))
#else
#define UTVM_RGB_OUTLINE static inline __attribute__((always_inline))
#endif
#else
#define UTVM_RGB_INLINE static inline
#define UTVM_RGB_OUTLINE static inline
#endif


/* dst[i] = src[i] + offset for i < n (dst: int16, any 2-byte alignment; src: any alignment). */
UTVM_RGB_INLINE void utvm_rgb_gather_run(int16_t *dst, const int8_t *src, int32_t n, int32_t offset)
{
    const int32_t off2 = (int32_t)(((uint32_t)offset << 16) | ((uint32_t)offset & 0xFFFFu));
    for (; n >= 4; n -= 4, src += 4, dst += 4) {
        const int32_t x = utvm_dsp_read_s32(src);
        const uint32_t e = (uint32_t)utvm_dsp_sxtab16(off2, x);      /* (x0, x2) + offset */
        const uint32_t o = (uint32_t)utvm_dsp_sxtab16_ror8(off2, x); /* (x1, x3) + offset */
        const uint32_t lo = (e & 0xFFFFu) | (o << 16), hi = (o & 0xFFFF0000u) | (e >> 16);
        memcpy(dst, &lo, sizeof lo);
        memcpy(dst + 2, &hi, sizeof hi);
    }
    for (int32_t i = 0; i < n; i++) {
        const int16_t v = (int16_t)(src[i] + offset);
        memcpy(dst + i, &v, sizeof v);
    }
}

/* The window of output pixel (oy, ox) of one image as an int16 column (values K .. K4 stay 0). */
UTVM_RGB_OUTLINE void utvm_rgb_gather_pixel(const utvm_conv2d_params_s8 *p, const int8_t *image, int32_t oy, int32_t ox, int16_t *col)
{
    const int32_t c = p->in_c, row_len = p->kernel_w * c;
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const int32_t kx_first = ix0 < 0 ? -ix0 : 0;
    const int32_t kx_end = p->in_w - ix0 < p->kernel_w ? p->in_w - ix0 : p->kernel_w;
    const int32_t lead = kx_first * c, run = (kx_end - kx_first) * c;
    if (run == row_len && iy0 >= 0 && iy0 + p->kernel_h <= p->in_h) { /* inside the image: no padding */
        const size_t stride = (size_t)p->in_w * (size_t)c;
        const int8_t *src = image + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)c;
        for (int32_t ky = 0; ky < p->kernel_h; ky++, col += row_len, src += stride) utvm_rgb_gather_run(col, src, row_len, p->input_offset);
        return;
    }
    for (int32_t ky = 0; ky < p->kernel_h; ky++, col += row_len) {
        const int32_t iy = iy0 + ky;
        if (iy < 0 || iy >= p->in_h || run <= 0) {
            memset(col, 0, (size_t)row_len * sizeof *col);
            continue;
        }
        if (lead > 0) memset(col, 0, (size_t)lead * sizeof *col);
        utvm_rgb_gather_run(col + lead, image + ((size_t)iy * (size_t)p->in_w + (size_t)(ix0 + kx_first)) * (size_t)c, run, p->input_offset);
        if (row_len > lead + run) memset(col + lead + run, 0, (size_t)(row_len - lead - run) * sizeof *col);
    }
}

/* The output offset and range, read once (int8 stores may alias the parameter struct). */
typedef struct {
    int32_t offset, lo, hi;
} utvm_rgb_out_range;

/* One output value: requantized with channel constants rq[0..4], offset and clamped. */
UTVM_RGB_INLINE int8_t utvm_rgb_out_value(utvm_rgb_out_range r, const int32_t *rq, int32_t acc)
{
    const utvm_fast_requant f = {rq[0], rq[1], rq[2], rq[3], rq[4]};
    return utvm_fast_clamp_s8(utvm_fast_requantize(acc, &f), r.offset, r.lo, r.hi);
}

/* All output channels of two pixels (columns col, col + k4; outputs out_a, out_b). */
/* weights16: the weights as int16 pairs, per channel pair and chunk the words (w0, w1), (w2, w3) of channel
   c, then of c + 1 (the values SXTB16 would make of the int8 words); else the int8 words. */
UTVM_RGB_OUTLINE void utvm_rgb_pixel_pair(const utvm_conv2d_params_s8 *p, const int32_t *col, int32_t k4, const int32_t *w,
                       const int32_t *bias, const int32_t *rq, int8_t *out_a, int8_t *out_b, int32_t weights16)
{
    const int32_t half_words = k4 >> 1; /* column B starts k4 int16 values (k4 / 2 words) after A */
    const int32_t out_c = p->out_c;
    const utvm_rgb_out_range r = {p->requant.output_offset, p->requant.act_min, p->requant.act_max};
    for (int32_t c = 0; c < out_c; c += 2, rq += 10) {
        int32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
        if (bias != NULL) {
            a0 = b0 = bias[c];
            a1 = b1 = bias[c + 1];
        }
        const int32_t *x = col;
        if (weights16) {
            for (int32_t j = k4 >> 2; j > 0; j--, x += 2, w += 4) {
                const int32_t xa0 = x[0], xa1 = x[1], xb0 = x[half_words], xb1 = x[half_words + 1];
                a0 = utvm_dsp_smlad(xa1, w[1], utvm_dsp_smlad(xa0, w[0], a0));
                b0 = utvm_dsp_smlad(xb1, w[1], utvm_dsp_smlad(xb0, w[0], b0));
                a1 = utvm_dsp_smlad(xa1, w[3], utvm_dsp_smlad(xa0, w[2], a1));
                b1 = utvm_dsp_smlad(xb1, w[3], utvm_dsp_smlad(xb0, w[2], b1));
            }
        }
        for (int32_t j = weights16 ? 0 : k4 >> 2; j > 0; j--, x += 2, w += 2) {
            const int32_t xa0 = x[0], xa1 = x[1], xb0 = x[half_words], xb1 = x[half_words + 1];
            int32_t e = utvm_dsp_sxtb16(w[0]), o = utvm_dsp_sxtb16_ror8(w[0]);
            a0 = utvm_dsp_smlad(xa1, o, utvm_dsp_smlad(xa0, e, a0));
            b0 = utvm_dsp_smlad(xb1, o, utvm_dsp_smlad(xb0, e, b0));
            e = utvm_dsp_sxtb16(w[1]);
            o = utvm_dsp_sxtb16_ror8(w[1]);
            a1 = utvm_dsp_smlad(xa1, o, utvm_dsp_smlad(xa0, e, a1));
            b1 = utvm_dsp_smlad(xb1, o, utvm_dsp_smlad(xb0, e, b1));
        }
        /* All four values before any store: an int8 store could alias the constants. */
        const int8_t ya0 = utvm_rgb_out_value(r, rq, a0), yb0 = utvm_rgb_out_value(r, rq, b0);
        const int8_t ya1 = utvm_rgb_out_value(r, rq + 5, a1), yb1 = utvm_rgb_out_value(r, rq + 5, b1);
        out_a[c] = ya0;
        out_b[c] = yb0;
        if (c + 1 < out_c) {
            out_a[c + 1] = ya1;
            out_b[c + 1] = yb1;
        }
    }
}

UTVM_RGB_INLINE void utvm_conv2d_rgb_s8_dsp_const(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *bias, const int32_t *requant, int8_t *output, void *scratch, int32_t weights16)
{
    const int32_t k4 = (p->kernel_h * p->kernel_w * p->in_c + 3) / 4 * 4;
    const int32_t pixels = p->out_h * p->out_w;
    int16_t *col_a = (int16_t *)scratch, *col_b = col_a + k4;
    memset(scratch, 0, (size_t)utvm_conv2d_rgb_s8_dsp_scratch_bytes(p));
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *image = input + (size_t)n * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
        int8_t *out = output + (size_t)n * (size_t)pixels * (size_t)p->out_c;
        int32_t oy = 0, ox = 0;
        for (int32_t i = 0; i < pixels; i += 2) {
            utvm_rgb_gather_pixel(p, image, oy, ox, col_a);
            int8_t *out_b = out + (size_t)p->out_c;
            if (++ox == p->out_w) ox = 0, oy++;
            if (i + 1 < pixels) {
                utvm_rgb_gather_pixel(p, image, oy, ox, col_b);
                if (++ox == p->out_w) ox = 0, oy++;
            } else {
                memcpy(col_b, col_a, (size_t)k4 * sizeof *col_a);
                out_b = out; /* one pixel left: computed twice, written once */
            }
            utvm_rgb_pixel_pair(p, (const int32_t *)scratch, k4, weights, bias, requant, out, out_b, weights16);
            out += 2 * (size_t)p->out_c;
        }
    }
}

#endif /* UTVM_CONV2D_RGB_S8_DSP_CONST_H */
