/*
 * utvm_depthwise_conv2d_3x3_s8_dsp specialised at its call site (issue 17, knob `specialise`): the same kernel
 * (utvm/depthwise_conv2d_s8_dsp.h: same arguments, same results bit for bit) as a static inline function, so
 * that at a call with a `static const` parameter struct the C compiler folds the layer's shapes, strides,
 * padding and clamp into the code (TinyEngine's lever): the loops over channels and pixels get constant
 * bounds, the window cases that cannot occur disappear. Each call site is a copy of the kernel (flash).
 *
 * How the kernel works is told in utvm_depthwise_conv2d_3x3_s8_dsp.c's header comment, repeated here:
 *
 * 3x3 depthwise convolution, int8, four channels per SIMD step (see utvm/depthwise_conv2d_s8_dsp.h).
 *
 * One pixel is a loop over blocks of four channels; a block is up to nine taps, each guarded by "is this
 * tap inside the image" with the tap bounds passed as arguments. The pixel code is always inlined and
 * called with constant bounds for the nine usual cases (top / middle / bottom row × left / middle /
 * right column of a window that overhangs the image by at most one cell), so that each case compiles
 * to straight-line code with only its taps; any other case (tiny images, wide padding) and the last
 * channels when in_c is not a multiple of 4 take one out-of-line copy with runtime bounds.
 */
#ifndef UTVM_DEPTHWISE_CONV2D_3X3_S8_DSP_CONST_H
#define UTVM_DEPTHWISE_CONV2D_3X3_S8_DSP_CONST_H

#include "utvm/depthwise_conv2d_s8_dsp.h"


/* The per-tap, per-block and per-case helpers must inline (gcc otherwise keeps some out of line). The rare
   cases (pixel_any, pixel_tail) and the row dispatcher stay out of line in the library kernel
   (UTVM_DW3X3_OUT_OF_LINE, defined by utvm_depthwise_conv2d_3x3_s8_dsp.c); at a specialised call site
   everything inlines, so that the layer's constants reach every branch. */
#if defined(__GNUC__)
#define UTVM_DW3_INLINE static inline __attribute__((always_inline))
#if defined(UTVM_DW3X3_OUT_OF_LINE)
#define UTVM_DW3_NOINLINE static __attribute__((noinline))
#else
#define UTVM_DW3_NOINLINE static inline __attribute__((always_inline))
#endif
#else
#define UTVM_DW3_INLINE static inline
#define UTVM_DW3_NOINLINE static inline
#endif

/* Accumulators of four channels c .. c+3. */
typedef struct {
    int32_t a0, a1, a2, a3;
} utvm_acc4;

/* What every pixel needs, read once per call. */
typedef struct {
    ptrdiff_t cell, row;     /* bytes between horizontally / vertically adjacent input cells */
    int32_t channels;
    int32_t offset2;         /* the input offset in both 16-bit lanes */
    const int32_t *blocks;   /* per block of four channels: 18 weight words, 16 record words (the header) */
    int32_t lo4, hi4;        /* act_min / act_max in all four bytes */
    int32_t clamp;           /* 0 when [act_min, act_max] is the whole int8 range */
    int32_t in_w, out_w, stride_w, pad_left;
    ptrdiff_t step;          /* bytes between the windows of horizontally adjacent outputs */
    int32_t mid_lo, mid_hi;  /* the outputs ox in [mid_lo, mid_hi) have all three window columns inside */
} utvm_dw_layer;

/* Tap bounds: ky in [ky0, ky1), kx in [kx0, kx1). */
typedef struct {
    int32_t ky0, ky1, kx0, kx1;
} utvm_dw_taps;

/* The input bytes of channels c .. c + n - 1 as one word (n < 4: 0 in the missing lanes). */
UTVM_DW3_INLINE int32_t utvm_dw3_load_lanes(const int8_t *in, int32_t n)
{
    if (n == 4) return utvm_dsp_read_s32(in);
    uint32_t x = 0;
    for (int32_t j = 0; j < n; j++) x |= (uint32_t)(uint8_t)in[j] << (8 * j);
    return (int32_t)x;
}

/* Tap (ky, kx) of four channels if it lies inside `t`; `r` is the window's row ky at channel c. */
UTVM_DW3_INLINE void utvm_dw3_tap(utvm_acc4 *acc, const utvm_dw_layer *L, const int8_t *r, const int32_t *w, int32_t n, utvm_dw_taps t,
                   int32_t ky, int32_t kx)
{
    if (ky < t.ky0 || ky >= t.ky1 || kx < t.kx0 || kx >= t.kx1) return;
    const int32_t x = utvm_dw3_load_lanes(r + kx * L->cell, n);
    const int32_t *wt = w + 2 * (ky * 3 + kx);
    const int32_t x02 = utvm_dsp_sxtab16(L->offset2, x);
    const int32_t x13 = utvm_dsp_sxtab16_ror8(L->offset2, x);
    acc->a0 = utvm_dsp_smlabb(x02, wt[0], acc->a0);
    acc->a2 = utvm_dsp_smlatt(x02, wt[0], acc->a2);
    acc->a1 = utvm_dsp_smlabb(x13, wt[1], acc->a1);
    acc->a3 = utvm_dsp_smlatt(x13, wt[1], acc->a3);
}

/* The three taps of row ky in `t`; `r` is the window's row ky at channel c. */
UTVM_DW3_INLINE void utvm_dw3_tap_row(utvm_acc4 *acc, const utvm_dw_layer *L, const int8_t *r, const int32_t *w, int32_t n, utvm_dw_taps t,
                       int32_t ky)
{
    utvm_dw3_tap(acc, L, r, w, n, t, ky, 0);
    utvm_dw3_tap(acc, L, r, w, n, t, ky, 1);
    utvm_dw3_tap(acc, L, r, w, n, t, ky, 2);
}

/*
 * The taps of `t` for channels c .. c + n - 1: `in` and `w` at channel c's block. The empty asm hides
 * where `in` comes from, so that gcc addresses the taps from it (LDR [r, cell], [r, cell, LSL #1])
 * instead of keeping nine offsets from the pixel's start in spilled registers.
 */
UTVM_DW3_INLINE utvm_acc4 utvm_dw3_block(const utvm_dw_layer *L, const int8_t *in, const int32_t *w, int32_t n, utvm_dw_taps t)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(in));
#endif
    utvm_acc4 acc = {0, 0, 0, 0};
    utvm_dw3_tap_row(&acc, L, in, w, n, t, 0);
    utvm_dw3_tap_row(&acc, L, in + L->row, w, n, t, 1);
    utvm_dw3_tap_row(&acc, L, in + 2 * L->row, w, n, t, 2);
    return acc;
}

/*
 * The output value of one channel before the activation clamp: rec = {2 bias, multiplier, r >= 1,
 * 2^(r-1) + output_offset * 2^r}, acc = 2 * sum (doubled weights). x2 = 2 (acc/2 + bias) fits in int32
 * (|bias| + 256 sum |w| < 2^30), so SMMLAR(x2, m, .) adds TFLite's doubling high multiply
 * high = (x m + 2^30) >> 31 exactly. Its rounding right shift by r (round half away from zero) is
 * (high + 2^(r-1) - (high < 0)) >> r; x < 0 may stand for high < 0 (they differ only when high = 0,
 * where both give 0 for r >= 1), and adding output_offset * 2^r before the shift adds output_offset
 * after it. The compiler checks that the sum stays inside int32 (see the header).
 */
/* v = the output value of channel k of the block `blk` (its record: words 18 + 4k .. 21 + 4k). */
#define UTVM_DW3_OUT_VALUE(acc, blk, k, v)                                                \
    do {                                                                         \
        int32_t bias2_, mult_, r_, round_;                                       \
        UTVM_DSP_READ_PAIR(blk, 18 + 4 * (k), bias2_, mult_);                    \
        UTVM_DSP_READ_PAIR(blk, 20 + 4 * (k), r_, round_);                       \
        (v) = utvm_dw3_out_value(acc, bias2_, mult_, r_, round_);                         \
    } while (0)

UTVM_DW3_INLINE int32_t utvm_dw3_out_value(int32_t acc, int32_t bias2, int32_t mult, int32_t r, int32_t round)
{
    const int32_t x2 = acc + bias2;
    const int32_t t = utvm_dsp_smmlar(x2, mult, round + (x2 >> 31));
    return utvm_dsp_ssat8(t >> r);
}

/* The four outputs of a block as one word of bytes (channel c in byte 0), clamped to the activation range. */
UTVM_DW3_INLINE int32_t utvm_dw3_out_word(const utvm_dw_layer *L, const utvm_acc4 *acc, const int32_t *blk)
{
    int32_t v0, v1, v2, v3;
    UTVM_DW3_OUT_VALUE(acc->a0, blk, 0, v0);
    UTVM_DW3_OUT_VALUE(acc->a1, blk, 1, v1);
    UTVM_DW3_OUT_VALUE(acc->a2, blk, 2, v2);
    UTVM_DW3_OUT_VALUE(acc->a3, blk, 3, v3);
    int32_t word = utvm_dsp_pack_s8x4(v0, v1, v2, v3);
    if (L->clamp) word = utvm_dsp_min_s8x4(utvm_dsp_max_s8x4(word, L->lo4), L->hi4);
    return word;
}

/* Channels from c to in_c - 1 (fewer than four) of one pixel, any taps. */
UTVM_DW3_NOINLINE void utvm_dw3_pixel_tail(const utvm_dw_layer *L, const int8_t *in, utvm_dw_taps t, int32_t c, int8_t *out)
{
    const int32_t n = L->channels - c;
    const int32_t *blk = L->blocks + 34 * (c / 4);
    const utvm_acc4 acc = utvm_dw3_block(L, in + c, blk, n, t);
    const int32_t word = utvm_dw3_out_word(L, &acc, blk);
    for (int32_t j = 0; j < n; j++) out[c + j] = (int8_t)(word >> (8 * j));
}

/*
 * Every channel of one output pixel with taps `t`; `in` is the window's top-left cell (channel 0). `L` is
 * the caller's local copy of `layer` (kept in registers: the out-of-line tail gets the original).
 */
UTVM_DW3_INLINE void utvm_dw3_pixel(const utvm_dw_layer *L, const utvm_dw_layer *layer, const int8_t *in, utvm_dw_taps t, int8_t *out)
{
    const int32_t *blk = L->blocks;
    int32_t c = 0;
    for (; c + 4 <= L->channels; c += 4, blk += 34) {
        const utvm_acc4 acc = utvm_dw3_block(L, in + c, blk, 4, t);
        const int32_t word = utvm_dw3_out_word(L, &acc, blk);
        memcpy(out + c, &word, sizeof word);
    }
    if (c < L->channels) utvm_dw3_pixel_tail(layer, in, t, c, out);
}

/* A pixel of any taps (runtime bounds): the rare cases. */
UTVM_DW3_NOINLINE void utvm_dw3_pixel_any(const utvm_dw_layer *layer, const int8_t *in, utvm_dw_taps t, int8_t *out)
{
    const utvm_dw_layer copy = *layer;
    utvm_dw3_pixel(&copy, layer, in, t, out);
}

/* Pixel ox of a row with vertical taps [ky0, ky1) (constants at the call), dispatched on its columns. */
UTVM_DW3_INLINE void utvm_dw3_pixel_edge(const utvm_dw_layer *L, const utvm_dw_layer *layer, const int8_t *in, int32_t ox, int32_t ky0,
                          int32_t ky1, int8_t *out)
{
    utvm_dw_taps t = {ky0, ky1, 0, 0};
    utvm_conv_taps(ox * L->stride_w - L->pad_left, L->in_w, 3, 1, &t.kx0, &t.kx1);
    if (t.kx0 == 1 && t.kx1 == 3) utvm_dw3_pixel(L, layer, in, (utvm_dw_taps){ky0, ky1, 1, 3}, out);
    else if (t.kx0 == 0 && t.kx1 == 2) utvm_dw3_pixel(L, layer, in, (utvm_dw_taps){ky0, ky1, 0, 2}, out);
    else utvm_dw3_pixel_any(layer, in, t, out);
}

/*
 * One output row with vertical taps [ky0, ky1); `in` is the window's top-left cell of its first pixel.
 * Pixels [mid_lo, mid_hi) have all three columns inside; the others are dispatched one by one.
 */
UTVM_DW3_INLINE void utvm_dw3_row(const utvm_dw_layer *layer, const int8_t *in, int32_t ky0, int32_t ky1, int8_t *out)
{
    const utvm_dw_layer copy = *layer, *L = &copy; /* a local: the int8 stores cannot alias it */
    int32_t ox = 0;
    for (; ox < L->mid_lo; ox++, in += L->step, out += L->channels) utvm_dw3_pixel_edge(L, layer, in, ox, ky0, ky1, out);
    for (; ox < L->mid_hi; ox++, in += L->step, out += L->channels) utvm_dw3_pixel(L, layer, in, (utvm_dw_taps){ky0, ky1, 0, 3}, out);
    for (; ox < L->out_w; ox++, in += L->step, out += L->channels) utvm_dw3_pixel_edge(L, layer, in, ox, ky0, ky1, out);
}

/* Rows dispatched on their vertical taps: the three usual cases get code of their own. */
UTVM_DW3_NOINLINE void utvm_dw3_row_any(const utvm_dw_layer *L, const int8_t *in, int32_t ky0, int32_t ky1, int8_t *out)
{
    if (ky0 == 0 && ky1 == 3) utvm_dw3_row(L, in, 0, 3, out);
    else if (ky0 == 1 && ky1 == 3) utvm_dw3_row(L, in, 1, 3, out);
    else if (ky0 == 0 && ky1 == 2) utvm_dw3_row(L, in, 0, 2, out);
    else {
        for (int32_t ox = 0; ox < L->out_w; ox++, in += L->step, out += L->channels) {
            utvm_dw_taps t = {ky0, ky1, 0, 0};
            utvm_conv_taps(ox * L->stride_w - L->pad_left, L->in_w, 3, 1, &t.kx0, &t.kx1);
            utvm_dw3_pixel_any(L, in, t, out);
        }
    }
}

/* A word with byte b in all four lanes. */
static inline int32_t utvm_dw3_bytes4(int32_t b)
{
    return (int32_t)(0x01010101u * (uint32_t)(uint8_t)b);
}

UTVM_DW3_INLINE void utvm_depthwise_conv2d_3x3_s8_dsp_const(const utvm_depthwise_conv2d_params_s8 *p, const int8_t *input,
                                                      const int32_t *blocks, int8_t *output)
{
    const int32_t lo = p->requant.act_min, hi = p->requant.act_max;
    utvm_dw_layer L;
    L.cell = p->in_c;
    L.row = (ptrdiff_t)p->in_w * L.cell;
    L.channels = p->in_c;
    L.offset2 = utvm_dsp_pack16(p->input_offset, p->input_offset);
    L.blocks = blocks;
    L.lo4 = utvm_dw3_bytes4(lo);
    L.hi4 = utvm_dw3_bytes4(hi);
    L.clamp = lo > -128 || hi < 127;
    L.in_w = p->in_w;
    L.out_w = p->out_w;
    L.stride_w = p->stride_w;
    L.pad_left = p->pad_left;
    L.step = p->stride_w * L.cell;
    L.mid_lo = (p->pad_left + p->stride_w - 1) / p->stride_w;
    L.mid_hi = p->in_w - 3 + p->pad_left >= 0 ? (p->in_w - 3 + p->pad_left) / p->stride_w + 1 : 0;
    if (L.mid_lo > L.out_w) L.mid_lo = L.out_w;
    if (L.mid_hi > L.out_w) L.mid_hi = L.out_w;
    if (L.mid_hi < L.mid_lo) L.mid_hi = L.mid_lo;
    const ptrdiff_t out_row = (ptrdiff_t)p->out_w * L.channels;
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *image = input + b * (ptrdiff_t)p->in_h * L.row;
        for (int32_t oy = 0; oy < p->out_h; oy++, output += out_row) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            utvm_conv_taps(y0, p->in_h, 3, 1, &ky0, &ky1);
            utvm_dw3_row_any(&L, image + (ptrdiff_t)y0 * L.row - (ptrdiff_t)p->pad_left * L.cell, ky0, ky1, output);
        }
    }
}

#endif /* UTVM_DEPTHWISE_CONV2D_3X3_S8_DSP_CONST_H */
