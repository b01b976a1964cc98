/*
 * The machinery shared by utvm_conv2d_s8_dsp and utvm_conv2d_s8_dsp_rec (utvm/conv2d_s8_dsp.h): gathering
 * two output pixels' windows into int16 columns, and the 2 pixels x 2 channels SMLAD dot product. Static
 * functions for the kernels' .c files only (each kernel file is compiled on its own); not an API.
 */
#ifndef UTVM_CONV2D_S8_DSP_CORE_H
#define UTVM_CONV2D_S8_DSP_CORE_H

#include "utvm/conv2d_s8_dsp.h"

/* The gathers stay out of line in the library kernels (UTVM_CDSP_OUT_OF_LINE, defined by their .c files)
   and inline into utvm_conv2d_s8_dsp_rec_const at a specialised call site, where the layer's constants
   reach them; the small helpers always inline. */
#if defined(__GNUC__)
#define UTVM_CDSP_INLINE static inline __attribute__((always_inline))
#if defined(UTVM_CDSP_OUT_OF_LINE)
#define UTVM_CDSP_OUTLINE static __attribute__((noinline))
#else
#define UTVM_CDSP_OUTLINE static inline __attribute__((always_inline))
#endif
#else
#define UTVM_CDSP_INLINE static inline
#define UTVM_CDSP_OUTLINE static inline
#endif

/* What gathering a column needs. */
typedef struct {
    const utvm_conv2d_params_s8 *p;
    const int8_t *input;
    int32_t *cols;
    int8_t *stage;
    /* input_offset in both int16 lanes. */
    int32_t offset_pair;
} utvm_cdsp_gather_ctx;

/* `chunks` words of int8 at src → pairs (x0 + o, x2 + o), (x1 + o, x3 + o) at dst[4i], dst[4i + 1]; two
   words per step (each pair stored with one STRD on the Cortex-M7). */
UTVM_CDSP_INLINE void utvm_cdsp_convert_chunks(const int8_t *src, int32_t chunks, int32_t offset_pair, int32_t *dst)
{
    int32_t i = 0;
    for (; i + 2 <= chunks; i += 2, src += 8, dst += 8) {
        const int32_t x = utvm_dsp_read_s32(src);
        const int32_t y = utvm_dsp_read_s32(src + 4);
        dst[0] = utvm_dsp_sxtab16(offset_pair, x);
        dst[1] = utvm_dsp_sxtab16_ror8(offset_pair, x);
        dst[4] = utvm_dsp_sxtab16(offset_pair, y);
        dst[5] = utvm_dsp_sxtab16_ror8(offset_pair, y);
    }
    if (i < chunks) {
        const int32_t x = utvm_dsp_read_s32(src);
        dst[0] = utvm_dsp_sxtab16(offset_pair, x);
        dst[1] = utvm_dsp_sxtab16_ror8(offset_pair, x);
    }
}

UTVM_CDSP_INLINE void utvm_cdsp_zero_chunks(int32_t *dst, int32_t chunks)
{
    for (int32_t i = 0; i < chunks; i++, dst += 4) {
        dst[0] = 0;
        dst[1] = 0;
    }
}

/* The first input cell of output pixel `pixel` (numbered over [batch, out_h, out_w]) and its window. */
UTVM_CDSP_INLINE const int8_t *utvm_cdsp_window_of(const utvm_cdsp_gather_ctx *g, int32_t pixel, int32_t *y0, int32_t *x0)
{
    const utvm_conv2d_params_s8 *p = g->p;
    const int32_t ox = pixel % p->out_w;
    const int32_t rest = pixel / p->out_w;
    *y0 = (rest % p->out_h) * p->stride_h - p->pad_top;
    *x0 = ox * p->stride_w - p->pad_left;
    return g->input + (size_t)(rest / p->out_h) * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
}

/* in_c % 4 == 0: every tap is whole words, converted straight from the input. */
UTVM_CDSP_OUTLINE void utvm_cdsp_gather_words(const utvm_cdsp_gather_ctx *g, int32_t pixel, int32_t slot)
{
    const utvm_conv2d_params_s8 *p = g->p;
    const int32_t cq = p->in_c / 4;
    int32_t y0, x0, ky0, ky1, kx0, kx1;
    const int8_t *image = utvm_cdsp_window_of(g, pixel, &y0, &x0);
    if (p->dilation_h == 1 && p->dilation_w == 1 && y0 >= 0 && y0 + p->kernel_h <= p->in_h && x0 >= 0 &&
        x0 + p->kernel_w <= p->in_w) {
        /* The whole window inside the image: kernel_h runs of kernel_w * in_c contiguous bytes. */
        const int8_t *in = image + ((size_t)y0 * (size_t)p->in_w + (size_t)x0) * (size_t)p->in_c;
        const int32_t run = p->kernel_w * cq;
        int32_t *col = g->cols + 2 * slot;
        for (int32_t ky = 0; ky < p->kernel_h; ky++, in += (size_t)p->in_w * (size_t)p->in_c, col += 4 * run) {
            utvm_cdsp_convert_chunks(in, run, g->offset_pair, col);
        }
        return;
    }
    utvm_conv_taps(y0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_conv_taps(x0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    for (int32_t ky = 0; ky < p->kernel_h; ky++) {
        int32_t *row = g->cols + 2 * slot + 4 * ky * p->kernel_w * cq;
        if (ky < ky0 || ky >= ky1) {
            utvm_cdsp_zero_chunks(row, p->kernel_w * cq);
            continue;
        }
        const int8_t *in = image + (size_t)(y0 + ky * p->dilation_h) * (size_t)p->in_w * (size_t)p->in_c;
        utvm_cdsp_zero_chunks(row, kx0 * cq);
        if (p->dilation_w == 1) {
            utvm_cdsp_convert_chunks(in + (x0 + kx0) * p->in_c, (kx1 - kx0) * cq, g->offset_pair, row + 4 * kx0 * cq);
        } else {
            for (int32_t kx = kx0; kx < kx1; kx++) {
                utvm_cdsp_convert_chunks(in + (x0 + kx * p->dilation_w) * p->in_c, cq, g->offset_pair, row + 4 * kx * cq);
            }
        }
        utvm_cdsp_zero_chunks(row + 4 * kx1 * cq, (p->kernel_w - kx1) * cq);
    }
}

/* n bytes from src (n >= 0), or n copies of `pad` when src is NULL; returns the end of dst. */
UTVM_CDSP_INLINE int8_t *utvm_cdsp_stage_run(int8_t *dst, const int8_t *src, int32_t n, int8_t pad)
{
    if (src != NULL) {
        for (int32_t i = 0; i < n; i++) dst[i] = src[i];
    } else {
        for (int32_t i = 0; i < n; i++) dst[i] = pad;
    }
    return dst + n;
}

/* Any in_c: the window's bytes are staged (padding = the zero point, which the offset turns into 0). */
UTVM_CDSP_OUTLINE void utvm_cdsp_gather_bytes(const utvm_cdsp_gather_ctx *g, int32_t pixel, int32_t slot, int32_t k4)
{
    const utvm_conv2d_params_s8 *p = g->p;
    const int8_t pad = (int8_t)(-p->input_offset);
    const int32_t c = p->in_c;
    int32_t y0, x0, ky0, ky1, kx0, kx1;
    const int8_t *image = utvm_cdsp_window_of(g, pixel, &y0, &x0);
    utvm_conv_taps(y0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_conv_taps(x0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    int8_t *s = g->stage;
    for (int32_t ky = 0; ky < p->kernel_h; ky++) {
        if (ky < ky0 || ky >= ky1) {
            s = utvm_cdsp_stage_run(s, NULL, p->kernel_w * c, pad);
            continue;
        }
        const int8_t *in = image + (size_t)(y0 + ky * p->dilation_h) * (size_t)p->in_w * (size_t)c;
        s = utvm_cdsp_stage_run(s, NULL, kx0 * c, pad);
        if (p->dilation_w == 1) {
            s = utvm_cdsp_stage_run(s, in + (x0 + kx0) * c, (kx1 - kx0) * c, pad);
        } else {
            for (int32_t kx = kx0; kx < kx1; kx++) s = utvm_cdsp_stage_run(s, in + (x0 + kx * p->dilation_w) * c, c, pad);
        }
        s = utvm_cdsp_stage_run(s, NULL, (p->kernel_w - kx1) * c, pad);
    }
    utvm_cdsp_stage_run(s, NULL, (int32_t)(g->stage + k4 - s), pad);
    utvm_cdsp_convert_chunks(g->stage, k4 / 4, g->offset_pair, g->cols + 2 * slot);
}

/* One chunk (4 depths) of the 2 x 2 block, reading (and advancing) w and col with paired loads:
   a00 += x0 . w0, a01 += x0 . w1, a10 += x1 . w0, a11 += x1 . w1. */
#define UTVM_CDSP_DOT_2X2_CHUNK(w, col)                      \
    do {                                                \
        int32_t wa, wb, x0a, x0b, x1a, x1b, t;          \
        utvm_dsp_load_pair(&(w), &wa, &wb);             \
        utvm_dsp_load_pair(&(col), &x0a, &x0b);         \
        utvm_dsp_load_pair(&(col), &x1a, &x1b);         \
        t = utvm_dsp_sxtb16(wa);                        \
        a00 = utvm_dsp_smlad(x0a, t, a00);              \
        a10 = utvm_dsp_smlad(x1a, t, a10);              \
        t = utvm_dsp_sxtb16_ror8(wa);                   \
        a00 = utvm_dsp_smlad(x0b, t, a00);              \
        a10 = utvm_dsp_smlad(x1b, t, a10);              \
        t = utvm_dsp_sxtb16(wb);                        \
        a01 = utvm_dsp_smlad(x0a, t, a01);              \
        a11 = utvm_dsp_smlad(x1a, t, a11);              \
        t = utvm_dsp_sxtb16_ror8(wb);                   \
        a01 = utvm_dsp_smlad(x0b, t, a01);              \
        a11 = utvm_dsp_smlad(x1b, t, a11);              \
    } while (0)

/* acc[pixel * 2 + channel] += the dot products of two weight rows (interleaved words) with two columns. */
UTVM_CDSP_INLINE void utvm_cdsp_dot_2x2(const int32_t *w, const int32_t *col, int32_t chunks, int32_t acc[4])
{
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    const int32_t *end = w + 2 * (chunks & ~1);
    while (w < end) {
        UTVM_CDSP_DOT_2X2_CHUNK(w, col);
        UTVM_CDSP_DOT_2X2_CHUNK(w, col);
    }
    if (chunks & 1) UTVM_CDSP_DOT_2X2_CHUNK(w, col);
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}


/*
 * Gathers the windows of output pixels `pixel` and `second` (the same pixel again for an odd last one) into
 * the two columns of g->cols.
 */
UTVM_CDSP_INLINE void utvm_conv_dsp_gather2(const utvm_cdsp_gather_ctx *g, int32_t pixel, int32_t second, int32_t k4)
{
    if (g->p->in_c % 4 == 0) {
        utvm_cdsp_gather_words(g, pixel, 0);
        utvm_cdsp_gather_words(g, second, 1);
    } else {
        utvm_cdsp_gather_bytes(g, pixel, 0, k4);
        utvm_cdsp_gather_bytes(g, second, 1, k4);
    }
}

/* The gather context of a call: columns at the start of scratch, the staging bytes after them. */
UTVM_CDSP_INLINE utvm_cdsp_gather_ctx utvm_conv_dsp_context(const utvm_conv2d_params_s8 *p, const int8_t *input, void *scratch)
{
    const int32_t k4 = utvm_conv2d_s8_dsp_depth(p);
    utvm_cdsp_gather_ctx g = {p, input, (int32_t *)scratch, (int8_t *)scratch + 4 * k4, 0};
    g.offset_pair = (int32_t)(((uint32_t)p->input_offset << 16) | ((uint32_t)p->input_offset & 0xFFFFu));
    return g;
}

/* The outputs of one channel (record ch = {bias, multiplier, r, round}) for both pixels. */
UTVM_CDSP_INLINE void utvm_cdsp_write_pair_rec(const int32_t *ch, int32_t lo, int32_t hi, int32_t acc0, int32_t acc1, int8_t *out0,
                                  int8_t *out1)
{
    const int8_t v0 = utvm_sat_s8(utvm_conv_out_dsp(acc0, ch), lo, hi);
    const int8_t v1 = utvm_sat_s8(utvm_conv_out_dsp(acc1, ch), lo, hi);
    *out0 = v0;
    *out1 = v1;
}

/*
 * utvm_conv2d_s8_dsp_rec (utvm/conv2d_s8_dsp.h) as a static inline function: at a call site with a `static
 * const` parameter struct (knob `specialise`, issue 17) the compiler folds the layer's window, channel
 * counts, strides and clamp into the gathers, the dot product and the output stage. Same results.
 * weights16 (a constant at the call): 0, weights packed int8 as for utvm_conv2d_s8_dsp; 1, the int16 form
 * of utvm_conv_dot_2x2_w16 (utvm/conv2d_s8_dsp.h).
 */
UTVM_CDSP_INLINE void utvm_conv2d_s8_dsp_rec_const(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *channels, int8_t *output, void *scratch, int32_t weights16)
{
    const int32_t k4 = utvm_conv2d_s8_dsp_depth(p);
    const int32_t chunks = k4 / 4;
    const int32_t pixels = p->batch * p->out_h * p->out_w;
    const int32_t lo = p->requant.act_min, hi = p->requant.act_max;
    const utvm_cdsp_gather_ctx g = utvm_conv_dsp_context(p, input, scratch);
    for (int32_t pixel = 0; pixel < pixels; pixel += 2) {
        /* An odd last pixel runs as both columns: the second writes the same values again. */
        const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
        utvm_conv_dsp_gather2(&g, pixel, second, k4);
        int8_t *out0 = output + (size_t)pixel * (size_t)p->out_c;
        int8_t *out1 = output + (size_t)second * (size_t)p->out_c;
        const int32_t *w = weights;
        const int32_t *ch = channels;
        for (int32_t oc = 0; oc < p->out_c; oc += 2, w += (weights16 ? 4 : 2) * chunks, ch += 8) {
            int32_t acc[4] = {ch[0], ch[4], ch[0], ch[4]};
            if (weights16) utvm_conv_dot_2x2_w16(w, g.cols, chunks, acc);
            else utvm_cdsp_dot_2x2(w, g.cols, chunks, acc);
            utvm_cdsp_write_pair_rec(ch, lo, hi, acc[0], acc[2], out0 + oc, out1 + oc);
            if (oc + 1 < p->out_c) utvm_cdsp_write_pair_rec(ch + 4, lo, hi, acc[1], acc[3], out0 + oc + 1, out1 + oc + 1);
        }
    }
}

#endif /* UTVM_CONV2D_S8_DSP_CORE_H */
