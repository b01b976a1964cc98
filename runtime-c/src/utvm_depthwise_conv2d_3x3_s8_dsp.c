/*
 * 3x3 depthwise convolution, int8, four channels per SIMD step (see utvm/depthwise_conv2d_s8_dsp.h).
 *
 * One pixel is a loop over blocks of four channels; a block is up to nine taps, each guarded by "is this
 * tap inside the image" with the tap bounds passed as arguments. The pixel code is always inlined and
 * called with constant bounds for the nine usual cases (top / middle / bottom row × left / middle /
 * right column of a window that overhangs the image by at most one cell), so that each case compiles
 * to straight-line code with only its taps; any other case (tiny images, wide padding) and the last
 * channels when in_c is not a multiple of 4 take one out-of-line copy with runtime bounds.
 */
#include "utvm/depthwise_conv2d_s8_dsp.h"

/* The per-tap, per-block and per-case helpers must inline (gcc otherwise keeps some out of line). */
#if defined(__GNUC__)
#define DW_INLINE static inline __attribute__((always_inline))
#define DW_NOINLINE static __attribute__((noinline))
#else
#define DW_INLINE static inline
#define DW_NOINLINE static
#endif

/* Accumulators of four channels c .. c+3. */
typedef struct {
    int32_t a0, a1, a2, a3;
} acc4;

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
} dw_layer;

/* Tap bounds: ky in [ky0, ky1), kx in [kx0, kx1). */
typedef struct {
    int32_t ky0, ky1, kx0, kx1;
} dw_taps;

/* The input bytes of channels c .. c + n - 1 as one word (n < 4: 0 in the missing lanes). */
DW_INLINE int32_t load_lanes(const int8_t *in, int32_t n)
{
    if (n == 4) return utvm_dsp_read_s32(in);
    uint32_t x = 0;
    for (int32_t j = 0; j < n; j++) x |= (uint32_t)(uint8_t)in[j] << (8 * j);
    return (int32_t)x;
}

/* Tap (ky, kx) of four channels if it lies inside `t`; `r` is the window's row ky at channel c. */
DW_INLINE void tap(acc4 *acc, const dw_layer *L, const int8_t *r, const int32_t *w, int32_t n, dw_taps t,
                   int32_t ky, int32_t kx)
{
    if (ky < t.ky0 || ky >= t.ky1 || kx < t.kx0 || kx >= t.kx1) return;
    const int32_t x = load_lanes(r + kx * L->cell, n);
    const int32_t *wt = w + 2 * (ky * 3 + kx);
    const int32_t x02 = utvm_dsp_sxtab16(L->offset2, x);
    const int32_t x13 = utvm_dsp_sxtab16_ror8(L->offset2, x);
    acc->a0 = utvm_dsp_smlabb(x02, wt[0], acc->a0);
    acc->a2 = utvm_dsp_smlatt(x02, wt[0], acc->a2);
    acc->a1 = utvm_dsp_smlabb(x13, wt[1], acc->a1);
    acc->a3 = utvm_dsp_smlatt(x13, wt[1], acc->a3);
}

/* The three taps of row ky in `t`; `r` is the window's row ky at channel c. */
DW_INLINE void tap_row(acc4 *acc, const dw_layer *L, const int8_t *r, const int32_t *w, int32_t n, dw_taps t,
                       int32_t ky)
{
    tap(acc, L, r, w, n, t, ky, 0);
    tap(acc, L, r, w, n, t, ky, 1);
    tap(acc, L, r, w, n, t, ky, 2);
}

/*
 * The taps of `t` for channels c .. c + n - 1: `in` and `w` at channel c's block. The empty asm hides
 * where `in` comes from, so that gcc addresses the taps from it (LDR [r, cell], [r, cell, LSL #1])
 * instead of keeping nine offsets from the pixel's start in spilled registers.
 */
DW_INLINE acc4 block(const dw_layer *L, const int8_t *in, const int32_t *w, int32_t n, dw_taps t)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(in));
#endif
    acc4 acc = {0, 0, 0, 0};
    tap_row(&acc, L, in, w, n, t, 0);
    tap_row(&acc, L, in + L->row, w, n, t, 1);
    tap_row(&acc, L, in + 2 * L->row, w, n, t, 2);
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
#define OUT_VALUE(acc, blk, k, v)                                                \
    do {                                                                         \
        int32_t bias2_, mult_, r_, round_;                                       \
        UTVM_DSP_READ_PAIR(blk, 18 + 4 * (k), bias2_, mult_);                    \
        UTVM_DSP_READ_PAIR(blk, 20 + 4 * (k), r_, round_);                       \
        (v) = out_value(acc, bias2_, mult_, r_, round_);                         \
    } while (0)

DW_INLINE int32_t out_value(int32_t acc, int32_t bias2, int32_t mult, int32_t r, int32_t round)
{
    const int32_t x2 = acc + bias2;
    const int32_t t = utvm_dsp_smmlar(x2, mult, round + (x2 >> 31));
    return utvm_dsp_ssat8(t >> r);
}

/* The four outputs of a block as one word of bytes (channel c in byte 0), clamped to the activation range. */
DW_INLINE int32_t out_word(const dw_layer *L, const acc4 *acc, const int32_t *blk)
{
    int32_t v0, v1, v2, v3;
    OUT_VALUE(acc->a0, blk, 0, v0);
    OUT_VALUE(acc->a1, blk, 1, v1);
    OUT_VALUE(acc->a2, blk, 2, v2);
    OUT_VALUE(acc->a3, blk, 3, v3);
    int32_t word = utvm_dsp_pack_s8x4(v0, v1, v2, v3);
    if (L->clamp) word = utvm_dsp_min_s8x4(utvm_dsp_max_s8x4(word, L->lo4), L->hi4);
    return word;
}

/* Channels from c to in_c - 1 (fewer than four) of one pixel, any taps. */
DW_NOINLINE void pixel_tail(const dw_layer *L, const int8_t *in, dw_taps t, int32_t c, int8_t *out)
{
    const int32_t n = L->channels - c;
    const int32_t *blk = L->blocks + 34 * (c / 4);
    const acc4 acc = block(L, in + c, blk, n, t);
    const int32_t word = out_word(L, &acc, blk);
    for (int32_t j = 0; j < n; j++) out[c + j] = (int8_t)(word >> (8 * j));
}

/*
 * Every channel of one output pixel with taps `t`; `in` is the window's top-left cell (channel 0). `L` is
 * the caller's local copy of `layer` (kept in registers: the out-of-line tail gets the original).
 */
DW_INLINE void pixel(const dw_layer *L, const dw_layer *layer, const int8_t *in, dw_taps t, int8_t *out)
{
    const int32_t *blk = L->blocks;
    int32_t c = 0;
    for (; c + 4 <= L->channels; c += 4, blk += 34) {
        const acc4 acc = block(L, in + c, blk, 4, t);
        const int32_t word = out_word(L, &acc, blk);
        memcpy(out + c, &word, sizeof word);
    }
    if (c < L->channels) pixel_tail(layer, in, t, c, out);
}

/* A pixel of any taps (runtime bounds): the rare cases. */
DW_NOINLINE void pixel_any(const dw_layer *layer, const int8_t *in, dw_taps t, int8_t *out)
{
    const dw_layer copy = *layer;
    pixel(&copy, layer, in, t, out);
}

/* Pixel ox of a row with vertical taps [ky0, ky1) (constants at the call), dispatched on its columns. */
DW_INLINE void pixel_edge(const dw_layer *L, const dw_layer *layer, const int8_t *in, int32_t ox, int32_t ky0,
                          int32_t ky1, int8_t *out)
{
    dw_taps t = {ky0, ky1, 0, 0};
    utvm_conv_taps(ox * L->stride_w - L->pad_left, L->in_w, 3, 1, &t.kx0, &t.kx1);
    if (t.kx0 == 1 && t.kx1 == 3) pixel(L, layer, in, (dw_taps){ky0, ky1, 1, 3}, out);
    else if (t.kx0 == 0 && t.kx1 == 2) pixel(L, layer, in, (dw_taps){ky0, ky1, 0, 2}, out);
    else pixel_any(layer, in, t, out);
}

/*
 * One output row with vertical taps [ky0, ky1); `in` is the window's top-left cell of its first pixel.
 * Pixels [mid_lo, mid_hi) have all three columns inside; the others are dispatched one by one.
 */
DW_INLINE void row(const dw_layer *layer, const int8_t *in, int32_t ky0, int32_t ky1, int8_t *out)
{
    const dw_layer copy = *layer, *L = &copy; /* a local: the int8 stores cannot alias it */
    int32_t ox = 0;
    for (; ox < L->mid_lo; ox++, in += L->step, out += L->channels) pixel_edge(L, layer, in, ox, ky0, ky1, out);
    for (; ox < L->mid_hi; ox++, in += L->step, out += L->channels) pixel(L, layer, in, (dw_taps){ky0, ky1, 0, 3}, out);
    for (; ox < L->out_w; ox++, in += L->step, out += L->channels) pixel_edge(L, layer, in, ox, ky0, ky1, out);
}

/* Rows dispatched on their vertical taps: the three usual cases get code of their own. */
DW_NOINLINE void row_any(const dw_layer *L, const int8_t *in, int32_t ky0, int32_t ky1, int8_t *out)
{
    if (ky0 == 0 && ky1 == 3) row(L, in, 0, 3, out);
    else if (ky0 == 1 && ky1 == 3) row(L, in, 1, 3, out);
    else if (ky0 == 0 && ky1 == 2) row(L, in, 0, 2, out);
    else {
        for (int32_t ox = 0; ox < L->out_w; ox++, in += L->step, out += L->channels) {
            dw_taps t = {ky0, ky1, 0, 0};
            utvm_conv_taps(ox * L->stride_w - L->pad_left, L->in_w, 3, 1, &t.kx0, &t.kx1);
            pixel_any(L, in, t, out);
        }
    }
}

/* A word with byte b in all four lanes. */
static int32_t bytes4(int32_t b)
{
    return (int32_t)(0x01010101u * (uint32_t)(uint8_t)b);
}

void utvm_depthwise_conv2d_3x3_s8_dsp(const utvm_depthwise_conv2d_params_s8 *p, const int8_t *input,
                                      const int32_t *blocks, int8_t *output)
{
    const int32_t lo = p->requant.act_min, hi = p->requant.act_max;
    dw_layer L;
    L.cell = p->in_c;
    L.row = (ptrdiff_t)p->in_w * L.cell;
    L.channels = p->in_c;
    L.offset2 = utvm_dsp_pack16(p->input_offset, p->input_offset);
    L.blocks = blocks;
    L.lo4 = bytes4(lo);
    L.hi4 = bytes4(hi);
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
            row_any(&L, image + (ptrdiff_t)y0 * L.row - (ptrdiff_t)p->pad_left * L.cell, ky0, ky1, output);
        }
    }
}
