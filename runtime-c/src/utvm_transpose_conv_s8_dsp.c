/*
 * Transposed convolution, int8, for cores with the DSP extension (see utvm/transpose_conv.h): for each
 * output pixel, four output channels per pass over the covering input pixels. An input word of four
 * channels is offset and sign-extended once (SXTAB16: byte + input_offset fits an int16 lane) and feeds
 * two SMLADs per channel against the packed weights; the padded lanes meet zero weights (exact).
 */
#include "utvm/transpose_conv.h"
#include "utvm/dsp.h"
#include "utvm/simd_s8.h"

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
        const int32_t xe = utvm_dsp_sxtab16(off, x);                         \
        const int32_t xo = utvm_dsp_sxtab16_ror8(off, x);                    \
        s.a0 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16((w)[0]), s.a0);            \
        s.a0 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8((w)[0]), s.a0);       \
        s.a1 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16((w)[1]), s.a1);            \
        s.a1 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8((w)[1]), s.a1);       \
        s.a2 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16((w)[2]), s.a2);            \
        s.a2 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8((w)[2]), s.a2);       \
        s.a3 = utvm_dsp_smlad(xe, utvm_dsp_sxtb16((w)[3]), s.a3);            \
        s.a3 = utvm_dsp_smlad(xo, utvm_dsp_sxtb16_ror8((w)[3]), s.a3);       \
    } while (0)

/* s + the dot products of c input bytes at in (plus the offset pair off) with the four weight rows at w. */
static inline __attribute__((always_inline)) tconv_acc4 dot_4(const int8_t *in, const int32_t *w, int32_t c, int32_t off, tconv_acc4 s)
{
    for (int32_t j = c >> 2; j > 0; j--) {
        const int32_t x = utvm_dsp_read_s32(in);
        UTVM_TCONV_CHUNK(x, w);
        in += 4;
        w += 4;
    }
    if (c & 3) {
        const int32_t x = tail_word(in, c & 3);
        UTVM_TCONV_CHUNK(x, w);
    }
    return s;
}

static inline int8_t out_s8(const utvm_transpose_conv_params_s8 *p, int32_t acc, int32_t mult, int32_t shift)
{
    const int32_t v = utvm_requantize_fast(acc, mult, shift) + p->output_offset;
    return (int8_t)(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));
}

/* All output channels of output pixel (oy, ox) of one batch image in_b. */
static void one_pixel(const utvm_transpose_conv_params_s8 *p, const int8_t *in_b, const int32_t *weights, const int32_t *bias,
                      const int32_t *multipliers, const int32_t *shifts, int32_t oy, int32_t ox, int8_t *out)
{
    const utvm_transpose_conv_geometry *g = &p->g;
    const int32_t c4 = ((g->in_c + 3) >> 2) << 2; /* words per tap of a 4-channel block */
    const int32_t block_words = g->k_h * g->k_w * c4;
    const int32_t off = utvm_dsp_pack16(p->input_offset, p->input_offset);
    int32_t y0, y1, x0, x1;
    utvm_transpose_conv_range(oy, g->pad_h, g->stride_h, g->k_h, g->in_h, &y0, &y1);
    utvm_transpose_conv_range(ox, g->pad_w, g->stride_w, g->k_w, g->in_w, &x0, &x1);
    const int32_t *wb = weights;
    for (int32_t o = 0; o < g->out_c; o += 4, wb += block_words) {
        tconv_acc4 s = {0, 0, 0, 0};
        if (bias != NULL) s = (tconv_acc4){bias[o], bias[o + 1], bias[o + 2], bias[o + 3]};
        for (int32_t iy = y0; iy < y1; iy++) {
            const int32_t fy = oy + g->pad_h - iy * g->stride_h;
            for (int32_t ix = x0; ix < x1; ix++) {
                const int32_t fx = ox + g->pad_w - ix * g->stride_w;
                const int8_t *in = in_b + (size_t)(iy * g->in_w + ix) * (size_t)g->in_c;
                s = dot_4(in, wb + (fy * g->k_w + fx) * c4, g->in_c, off, s);
            }
        }
        const int32_t acc[4] = {s.a0, s.a1, s.a2, s.a3};
        const int32_t count = g->out_c - o < 4 ? g->out_c - o : 4;
        for (int32_t r = 0; r < count; r++) {
            out[o + r] = multipliers != NULL ? out_s8(p, acc[r], multipliers[o + r], shifts[o + r]) : out_s8(p, acc[r], p->multiplier, p->shift);
        }
    }
}

void utvm_transpose_conv_s8_dsp(const utvm_transpose_conv_params_s8 *p, const int8_t *input, const int32_t *weights,
                                const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const utvm_transpose_conv_geometry *g = &p->g;
    for (int32_t b = 0; b < g->batches; b++) {
        const int8_t *in_b = input + (size_t)b * (size_t)(g->in_h * g->in_w * g->in_c);
        for (int32_t oy = 0; oy < g->out_h; oy++) {
            for (int32_t ox = 0; ox < g->out_w; ox++) {
                one_pixel(p, in_b, weights, bias, multipliers, shifts, oy, ox, output);
                output += g->out_c;
            }
        }
    }
}
