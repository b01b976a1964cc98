/*
 * Transposed convolution, int8, for cores with the DSP extension (see utvm/transpose_conv.h): for each
 * output pixel, four output channels per pass over the covering input pixels. The input offset's share
 * of each covering tap, input_offset * sum_c w[o][tap][c], is a compile-time constant added per tap
 * (tap_offsets), so the inner loop is a plain int8 dot product: each input word is sign-extended once
 * (SXTB16) and feeds two SMLADs per channel against the packed weights (two words per LDRD); the padded
 * lanes meet zero weights. The same int32 sum as TFLite's, reordered (wrapping): the same bits. The
 * loops run block by block of four output channels (their requantization constants prepared once), and
 * requantize with the short form of utvm/dsp_requant.h: the compiler chooses this kernel only when its
 * bound on the accumulators meets that precondition (src/ops/transpose-conv.ts).
 */
#include "utvm/transpose_conv.h"
#include "utvm/dsp.h"
#include "utvm/simd_s8.h"
#include "utvm/dsp_requant.h"

typedef struct {
    int32_t a0, a1, a2, a3;
} tconv_acc4;

/* The last n (< 4) input bytes as one word, zero in the missing lanes. */
static int32_t tail_word(const int8_t *in, int32_t n)
{
    uint32_t x = 0;
    for (int32_t j = 0; j < n; j++) x |= (uint32_t)(uint8_t)in[j] << (8 * j);
    return (int32_t)x;
}

/* One input word x against the four interleaved weight words at w. */
#define UTVM_TCONV_CHUNK(x, w)                                               \
    do {                                                                     \
        const int32_t xe = utvm_dsp_sxtb16(x);                               \
        const int32_t xo = utvm_dsp_sxtb16_ror8(x);                          \
        int32_t w0_, w1_;                                                    \
        utvm_dsp_load_pair(&(w), &w0_, &w1_);                                \
        s.a0 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w0_), s.a0);               \
        s.a0 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w0_), s.a0);          \
        s.a1 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w1_), s.a1);               \
        s.a1 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w1_), s.a1);          \
        utvm_dsp_load_pair(&(w), &w0_, &w1_);                                \
        s.a2 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w0_), s.a2);               \
        s.a2 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w0_), s.a2);          \
        s.a3 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16(w1_), s.a3);               \
        s.a3 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8(w1_), s.a3);          \
    } while (0)

/* s + the dot products of c raw input bytes at in with the four weight rows at w (one tap). */
static __attribute__((noinline)) tconv_acc4 dot_4(const int8_t *in, const int32_t *w, int32_t c, tconv_acc4 s)
{
    for (int32_t j = c >> 2; j > 0; j--) {
        const int32_t x = utvm_dsp_read_s32(in);
        in += 4;
        UTVM_TCONV_CHUNK(x, w);
    }
    if (c & 3) {
        const int32_t x = tail_word(in, c & 3);
        UTVM_TCONV_CHUNK(x, w);
    }
    return s;
}

/* Output channels o .. o + 3 (those below out_c) of every output pixel: the block's packed weights at wb. */
static void one_block(const utvm_transpose_conv_params_s8 *p, const int8_t *input, const int32_t *wb, const int32_t *tb,
                      const int32_t *bias, const utvm_fast_requant q[4], int32_t o, int8_t *output)
{
    const utvm_transpose_conv_geometry *g = &p->g;
    const int32_t c4 = ((g->in_c + 3) >> 2) << 2; /* words per tap of the block */
    const int32_t count = g->out_c - o < 4 ? g->out_c - o : 4;
    const tconv_acc4 start = bias != NULL ? (tconv_acc4){bias[o], bias[o + 1], bias[o + 2], bias[o + 3]} : (tconv_acc4){0, 0, 0, 0};
    int8_t *out = output + o;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = input + (size_t)b * (size_t)(g->in_h * g->in_w * g->in_c);
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            int32_t y0, y1;
            utvm_transpose_conv_range(oy, g->pad_h, g->stride_h, g->k_h, g->in_h, &y0, &y1);
            for (int32_t ox = 0; ox < g->out_w; ox++, out += g->out_c) {
                int32_t x0, x1;
                utvm_transpose_conv_range(ox, g->pad_w, g->stride_w, g->k_w, g->in_w, &x0, &x1);
                tconv_acc4 s = start;
                for (int32_t iy = y0; iy < y1; iy++) {
                    const int32_t fy = oy + g->pad_h - iy * g->stride_h;
                    const int8_t *in = in_b + (size_t)(iy * g->in_w + x0) * (size_t)g->in_c;
                    const int32_t t0 = fy * g->k_w + ox + g->pad_w - x0 * g->stride_w; /* tap of ix = x0 */
                    const int32_t *w = wb + t0 * c4;
                    const int32_t *t = tb + 4 * t0;
                    for (int32_t ix = x0; ix < x1; ix++, in += g->in_c, w -= g->stride_w * c4, t -= 4 * g->stride_w) {
                        s.a0 += t[0];
                        s.a1 += t[1];
                        s.a2 += t[2];
                        s.a3 += t[3];
                        s = dot_4(in, w, g->in_c, s);
                    }
                }
                const int32_t acc[4] = {s.a0, s.a1, s.a2, s.a3};
                for (int32_t r = 0; r < count; r++) {
                    out[r] = utvm_fast_clamp_s8(utvm_fast_requantize(acc[r], &q[r]), p->output_offset, p->act_min, p->act_max);
                }
            }
        }
    }
}

void utvm_transpose_conv_s8_dsp(const utvm_transpose_conv_params_s8 *p, const int8_t *input, const int32_t *weights,
                                const int32_t *tap_offsets, const int32_t *bias, const int32_t *multipliers,
                                const int32_t *shifts, int8_t *output)
{
    const utvm_transpose_conv_geometry *g = &p->g;
    const int32_t taps = g->k_h * g->k_w;
    const int32_t block_words = taps * (((g->in_c + 3) >> 2) << 2);
    for (int32_t o = 0; o < g->out_c; o += 4, weights += block_words, tap_offsets += 4 * taps) {
        utvm_fast_requant q[4];
        for (int32_t r = 0; r < 4; r++) {
            const int32_t c = o + r < g->out_c ? o + r : o;
            q[r] = multipliers != NULL ? utvm_fast_requant_of(multipliers[c], shifts[c]) : utvm_fast_requant_of(p->multiplier, p->shift);
        }
        one_block(p, input, weights, tap_offsets, bias, q, o, output);
    }
}
