/*
 * int8 convolution, groups 1, for cores with the DSP extension (see utvm/conv2d_s8_dsp.h): two output
 * pixels' windows gathered into int16 columns, then 2 pixels x 2 channels of SMLAD per weight word.
 */
#include "utvm/conv2d_s8_dsp.h"

/* What gathering a column needs. */
typedef struct {
    const utvm_conv2d_params_s8 *p;
    const int8_t *input;
    int32_t *cols;
    int8_t *stage;
    /* input_offset in both int16 lanes. */
    int32_t offset_pair;
} gather_ctx;

/* `chunks` words of int8 at src → pairs (x0 + o, x2 + o), (x1 + o, x3 + o) at dst[4i], dst[4i + 1]. */
static void convert_chunks(const int8_t *src, int32_t chunks, int32_t offset_pair, int32_t *dst)
{
    for (int32_t i = 0; i < chunks; i++, src += 4, dst += 4) {
        const int32_t x = utvm_dsp_read_s32(src);
        dst[0] = utvm_dsp_sxtab16(offset_pair, x);
        dst[1] = utvm_dsp_sxtab16_ror8(offset_pair, x);
    }
}

static void zero_chunks(int32_t *dst, int32_t chunks)
{
    for (int32_t i = 0; i < chunks; i++, dst += 4) {
        dst[0] = 0;
        dst[1] = 0;
    }
}

/* The first input cell of output pixel `pixel` (numbered over [batch, out_h, out_w]) and its window. */
static const int8_t *window_of(const gather_ctx *g, int32_t pixel, int32_t *y0, int32_t *x0)
{
    const utvm_conv2d_params_s8 *p = g->p;
    const int32_t ox = pixel % p->out_w;
    const int32_t rest = pixel / p->out_w;
    *y0 = (rest % p->out_h) * p->stride_h - p->pad_top;
    *x0 = ox * p->stride_w - p->pad_left;
    return g->input + (size_t)(rest / p->out_h) * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
}

/* in_c % 4 == 0: every tap is whole words, converted straight from the input. */
static void gather_words(const gather_ctx *g, int32_t pixel, int32_t slot)
{
    const utvm_conv2d_params_s8 *p = g->p;
    const int32_t cq = p->in_c / 4;
    int32_t y0, x0, ky0, ky1, kx0, kx1;
    const int8_t *image = window_of(g, pixel, &y0, &x0);
    if (p->kernel_h == 1 && p->kernel_w == 1 && y0 >= 0 && y0 < p->in_h && x0 >= 0 && x0 < p->in_w) {
        /* A 1x1 window inside the image: the pixel's channels. */
        const int8_t *in = image + ((size_t)y0 * (size_t)p->in_w + (size_t)x0) * (size_t)p->in_c;
        convert_chunks(in, cq, g->offset_pair, g->cols + 2 * slot);
        return;
    }
    utvm_conv_taps(y0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_conv_taps(x0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    for (int32_t ky = 0; ky < p->kernel_h; ky++) {
        int32_t *row = g->cols + 2 * slot + 4 * ky * p->kernel_w * cq;
        if (ky < ky0 || ky >= ky1) {
            zero_chunks(row, p->kernel_w * cq);
            continue;
        }
        const int8_t *in = image + (size_t)(y0 + ky * p->dilation_h) * (size_t)p->in_w * (size_t)p->in_c;
        zero_chunks(row, kx0 * cq);
        if (p->dilation_w == 1) {
            convert_chunks(in + (x0 + kx0) * p->in_c, (kx1 - kx0) * cq, g->offset_pair, row + 4 * kx0 * cq);
        } else {
            for (int32_t kx = kx0; kx < kx1; kx++) {
                convert_chunks(in + (x0 + kx * p->dilation_w) * p->in_c, cq, g->offset_pair, row + 4 * kx * cq);
            }
        }
        zero_chunks(row + 4 * kx1 * cq, (p->kernel_w - kx1) * cq);
    }
}

/* n bytes from src (n >= 0), or n copies of `pad` when src is NULL; returns the end of dst. */
static int8_t *stage_run(int8_t *dst, const int8_t *src, int32_t n, int8_t pad)
{
    if (src != NULL) {
        for (int32_t i = 0; i < n; i++) dst[i] = src[i];
    } else {
        for (int32_t i = 0; i < n; i++) dst[i] = pad;
    }
    return dst + n;
}

/* Any in_c: the window's bytes are staged (padding = the zero point, which the offset turns into 0). */
static void gather_bytes(const gather_ctx *g, int32_t pixel, int32_t slot, int32_t k4)
{
    const utvm_conv2d_params_s8 *p = g->p;
    const int8_t pad = (int8_t)(-p->input_offset);
    const int32_t c = p->in_c;
    int32_t y0, x0, ky0, ky1, kx0, kx1;
    const int8_t *image = window_of(g, pixel, &y0, &x0);
    utvm_conv_taps(y0, p->in_h, p->kernel_h, p->dilation_h, &ky0, &ky1);
    utvm_conv_taps(x0, p->in_w, p->kernel_w, p->dilation_w, &kx0, &kx1);
    int8_t *s = g->stage;
    for (int32_t ky = 0; ky < p->kernel_h; ky++) {
        if (ky < ky0 || ky >= ky1) {
            s = stage_run(s, NULL, p->kernel_w * c, pad);
            continue;
        }
        const int8_t *in = image + (size_t)(y0 + ky * p->dilation_h) * (size_t)p->in_w * (size_t)c;
        s = stage_run(s, NULL, kx0 * c, pad);
        if (p->dilation_w == 1) {
            s = stage_run(s, in + (x0 + kx0) * c, (kx1 - kx0) * c, pad);
        } else {
            for (int32_t kx = kx0; kx < kx1; kx++) s = stage_run(s, in + (x0 + kx * p->dilation_w) * c, c, pad);
        }
        s = stage_run(s, NULL, (p->kernel_w - kx1) * c, pad);
    }
    stage_run(s, NULL, (int32_t)(g->stage + k4 - s), pad);
    convert_chunks(g->stage, k4 / 4, g->offset_pair, g->cols + 2 * slot);
}

/* out = clamp(requantize(acc) + output_offset) of channel oc, for both pixels. */
static inline void write_pair(const utvm_requant_params_s8 *q, const int32_t *multipliers, const int32_t *shifts, int32_t oc,
                       int32_t acc0, int32_t acc1, int8_t *out0, int8_t *out1)
{
    const utvm_dsp_requant r = utvm_dsp_requant_of(multipliers != NULL ? multipliers[oc] : q->multiplier,
                                                   shifts != NULL ? shifts[oc] : q->shift);
    out0[oc] = utvm_sat_s8(utvm_dsp_requantize(acc0, &r) + q->output_offset, q->act_min, q->act_max);
    out1[oc] = utvm_sat_s8(utvm_dsp_requantize(acc1, &r) + q->output_offset, q->act_min, q->act_max);
}

/* One chunk (4 depths) of the 2 x 2 block, reading (and advancing) w and col with paired loads:
   a00 += x0 . w0, a01 += x0 . w1, a10 += x1 . w0, a11 += x1 . w1. */
#define UTVM_DOT_2X2_CHUNK(w, col)                      \
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
static inline void dot_2x2(const int32_t *w, const int32_t *col, int32_t chunks, int32_t acc[4])
{
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    const int32_t *end = w + 2 * (chunks & ~1);
    while (w < end) {
        UTVM_DOT_2X2_CHUNK(w, col);
        UTVM_DOT_2X2_CHUNK(w, col);
    }
    if (chunks & 1) UTVM_DOT_2X2_CHUNK(w, col);
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

void utvm_conv2d_s8_dsp(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                        const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output,
                        void *scratch)
{
    const int32_t k4 = utvm_conv2d_s8_dsp_depth(p);
    const int32_t chunks = k4 / 4;
    const int32_t pixels = p->batch * p->out_h * p->out_w;
    gather_ctx g = {p, input, (int32_t *)scratch, (int8_t *)scratch + 4 * k4, 0};
    g.offset_pair = (int32_t)(((uint32_t)p->input_offset << 16) | ((uint32_t)p->input_offset & 0xFFFFu));
    for (int32_t pixel = 0; pixel < pixels; pixel += 2) {
        /* An odd last pixel runs as both columns: the second writes the same values again. */
        const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
        if (p->in_c % 4 == 0) {
            gather_words(&g, pixel, 0);
            gather_words(&g, second, 1);
        } else {
            gather_bytes(&g, pixel, 0, k4);
            gather_bytes(&g, second, 1, k4);
        }
        int8_t *out0 = output + (size_t)pixel * (size_t)p->out_c;
        int8_t *out1 = output + (size_t)second * (size_t)p->out_c;
        const int32_t *w = weights;
        for (int32_t oc = 0; oc < p->out_c; oc += 2, w += 2 * chunks) {
            int32_t acc[4];
            acc[0] = acc[2] = bias != NULL ? bias[oc] : 0;
            acc[1] = acc[3] = bias != NULL ? bias[oc + 1] : 0;
            dot_2x2(w, g.cols, chunks, acc);
            write_pair(&p->requant, multipliers, shifts, oc, acc[0], acc[2], out0, out1);
            if (oc + 1 < p->out_c) write_pair(&p->requant, multipliers, shifts, oc + 1, acc[1], acc[3], out0, out1);
        }
    }
}
