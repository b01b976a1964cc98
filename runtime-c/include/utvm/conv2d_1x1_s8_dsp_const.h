/*
 * utvm_conv2d_1x1_s8_dsp specialised at its call site (issue 17, knob `specialise`): the same kernel
 * (utvm/conv2d_s8_dsp.h: same arguments, same results bit for bit, the same in-place rules) as a static
 * inline function, so that at a call with a `static const` parameter struct the C compiler folds the
 * layer's channel counts, strides and clamp into the code: constant loop bounds, no stride arithmetic for
 * stride 1. Each call site is a copy of the kernel (flash).
 *
 * From utvm_conv2d_1x1_s8_dsp.c:
 * 1x1 int8 convolution for cores with the DSP extension (see utvm/conv2d_s8_dsp.h): two output pixels'
 * input channels sign-extended once into int16 columns, then 2 pixels x 2 channels of SMLAD per weight
 * word, and an output stage from per-channel records prepared at compile time (one SMMULR, a rounding
 * shift and the clamp per output).
 */
#ifndef UTVM_CONV2D_1X1_S8_DSP_CONST_H
#define UTVM_CONV2D_1X1_S8_DSP_CONST_H

#include "utvm/conv2d_s8_dsp.h"


#if defined(__GNUC__)
#define UTVM_PW_INLINE static inline __attribute__((always_inline))
#else
#define UTVM_PW_INLINE static inline
#endif

/* The input channels of output pixel `pixel` (numbered over [batch, out_h, out_w]). */
UTVM_PW_INLINE const int8_t *utvm_pw_pixel_input(const utvm_conv2d_1x1_params_s8 *p, const int8_t *input, int32_t pixel)
{
    if (p->stride_h == 1 && p->stride_w == 1) return input + (size_t)pixel * (size_t)p->in_c;
    const int32_t ox = pixel % p->out_w;
    const int32_t rest = pixel / p->out_w;
    const int32_t oy = rest % p->out_h;
    const int32_t b = rest / p->out_h;
    const size_t cell = ((size_t)b * (size_t)p->in_h + (size_t)(oy * p->stride_h)) * (size_t)p->in_w + (size_t)(ox * p->stride_w);
    return input + cell * (size_t)p->in_c;
}

/* Columns of two pixels: chunk j (channels 4j .. 4j + 3) → cols[4j .. 4j + 3] = x0 (0, 2), x0 (1, 3),
   x1 (0, 2), x1 (1, 3) as int16 pairs. */
UTVM_PW_INLINE void utvm_pw_columns(const int8_t *x0, const int8_t *x1, int32_t chunks, int32_t *cols)
{
    for (int32_t j = 0; j < chunks; j++, x0 += 4, x1 += 4, cols += 4) {
        const int32_t a = utvm_dsp_read_s32(x0);
        const int32_t b = utvm_dsp_read_s32(x1);
        cols[0] = utvm_dsp_sxtb16(a);
        cols[1] = utvm_dsp_sxtb16_ror8(a);
        cols[2] = utvm_dsp_sxtb16(b);
        cols[3] = utvm_dsp_sxtb16_ror8(b);
    }
}

/* Accumulators: a<pixel><channel>. */
typedef struct {
    int32_t a00, a01, a10, a11;
} utvm_pw_acc2x2;

/* One chunk: the two weight words at *w (channel 0, channel 1) against both columns at *col; both
   pointers advance past what they read. */
UTVM_PW_INLINE void utvm_pw_chunk2x2(utvm_pw_acc2x2 *a, const int32_t **w, const int32_t **col)
{
    int32_t w0, w1, x0a, x0b, x1a, x1b;
    utvm_dsp_load_pair(w, &w0, &w1);
    utvm_dsp_load_pair(col, &x0a, &x0b);
    utvm_dsp_load_pair(col, &x1a, &x1b);
    int32_t t = utvm_dsp_sxtb16(w0);
    a->a00 = utvm_dsp_smlad(x0a, t, a->a00);
    a->a10 = utvm_dsp_smlad(x1a, t, a->a10);
    t = utvm_dsp_sxtb16_ror8(w0);
    a->a00 = utvm_dsp_smlad(x0b, t, a->a00);
    a->a10 = utvm_dsp_smlad(x1b, t, a->a10);
    t = utvm_dsp_sxtb16(w1);
    a->a01 = utvm_dsp_smlad(x0a, t, a->a01);
    a->a11 = utvm_dsp_smlad(x1a, t, a->a11);
    t = utvm_dsp_sxtb16_ror8(w1);
    a->a01 = utvm_dsp_smlad(x0b, t, a->a01);
    a->a11 = utvm_dsp_smlad(x1b, t, a->a11);
}

/* Dot products of two interleaved weight rows with two columns over `chunks` chunks, from the biases. */
UTVM_PW_INLINE utvm_pw_acc2x2 utvm_pw_dot2x2(const int32_t *w, const int32_t *col, int32_t chunks, int32_t bias0, int32_t bias1)
{
    utvm_pw_acc2x2 a = {bias0, bias1, bias0, bias1};
    const int32_t *end = w + 2 * (chunks & ~1);
    while (w < end) {
        utvm_pw_chunk2x2(&a, &w, &col);
        utvm_pw_chunk2x2(&a, &w, &col);
    }
    if (chunks & 1) utvm_pw_chunk2x2(&a, &w, &col);
    return a;
}

/* The outputs of one channel (record ch) for both pixels. */
UTVM_PW_INLINE void utvm_pw_store2(int8_t *out0, int8_t *out1, const int32_t *ch, int32_t lo, int32_t hi, int32_t a0, int32_t a1)
{
    const int32_t rec[4] = {ch[0], ch[1], ch[2], ch[3]};
    const int8_t v0 = utvm_sat_s8(utvm_conv_out_dsp(a0, rec), lo, hi);
    const int8_t v1 = utvm_sat_s8(utvm_conv_out_dsp(a1, rec), lo, hi);
    *out0 = v0;
    *out1 = v1;
}

/* weights16: 0, weights packed int8 as for utvm_conv2d_1x1_s8_dsp; 1, the int16 form of
   utvm_conv_dot_2x2_w16 (utvm/conv2d_s8_dsp.h). A constant at the call. */
UTVM_PW_INLINE void utvm_conv2d_1x1_s8_dsp_const(const utvm_conv2d_1x1_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *channels, int8_t *output, void *scratch, int32_t weights16)
{
    const int32_t chunks = p->in_c / 4;
    const int32_t out_c = p->out_c;
    const int32_t lo = p->requant.act_min, hi = p->requant.act_max;
    const int32_t pixels = p->batch * p->out_h * p->out_w;
    int32_t *cols = (int32_t *)scratch;
    for (int32_t pixel = 0; pixel < pixels; pixel += 2) {
        /* An odd last pixel runs as both columns: the second writes the same values again. */
        const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
        /* Both pixels are read before any of their outputs is written: what lets the output be the
           input when out_c <= in_c (the argument is in utvm/conv2d_s8_dsp.h). */
        utvm_pw_columns(utvm_pw_pixel_input(p, input, pixel), utvm_pw_pixel_input(p, input, second), chunks, cols);
        int8_t *out0 = output + (size_t)pixel * (size_t)out_c;
        int8_t *out1 = output + (size_t)second * (size_t)out_c;
        const int32_t *w = weights;
        const int32_t *ch = channels;
        for (int32_t oc = 0; oc < out_c; oc += 2, w += (weights16 ? 4 : 2) * chunks, ch += 8) {
            utvm_pw_acc2x2 a;
            if (weights16) {
                int32_t acc[4] = {ch[0], ch[4], ch[0], ch[4]};
                utvm_conv_dot_2x2_w16(w, cols, chunks, acc);
                a.a00 = acc[0], a.a01 = acc[1], a.a10 = acc[2], a.a11 = acc[3];
            } else {
                a = utvm_pw_dot2x2(w, cols, chunks, ch[0], ch[4]);
            }
            utvm_pw_store2(out0 + oc, out1 + oc, ch, lo, hi, a.a00, a.a10);
            if (oc + 1 < out_c) utvm_pw_store2(out0 + oc + 1, out1 + oc + 1, ch + 4, lo, hi, a.a01, a.a11);
        }
    }
}

#endif /* UTVM_CONV2D_1X1_S8_DSP_CONST_H */
