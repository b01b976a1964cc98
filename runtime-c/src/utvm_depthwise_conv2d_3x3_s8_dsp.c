/* 3x3 depthwise convolution, int8, four channels per SIMD step (see utvm/depthwise_conv2d_s8_dsp.h). */
#include "utvm/depthwise_conv2d_s8_dsp.h"

/* The per-tap and per-output helpers must inline into the loops (gcc otherwise keeps some out of line). */
#if defined(__GNUC__)
#define DW_INLINE static inline __attribute__((always_inline))
#else
#define DW_INLINE static inline
#endif

/* Accumulators of four channels c .. c+3. */
typedef struct {
    int32_t a0, a1, a2, a3;
} acc4;

/* One tap of four channels: x = the tap's input bytes, w = its two packed weight words. */
DW_INLINE void tap4(acc4 *acc, int32_t x, int32_t w02, int32_t w13, int32_t offset2)
{
    const int32_t x02 = utvm_dsp_sxtab16(offset2, x);
    const int32_t x13 = utvm_dsp_sxtab16_ror8(offset2, x);
    acc->a0 = utvm_dsp_smlabb(x02, w02, acc->a0);
    acc->a2 = utvm_dsp_smlatt(x02, w02, acc->a2);
    acc->a1 = utvm_dsp_smlabb(x13, w13, acc->a1);
    acc->a3 = utvm_dsp_smlatt(x13, w13, acc->a3);
}

/* The input bytes of channels c .. c + n - 1 as one word (n < 4: 0 in the missing lanes). */
DW_INLINE int32_t load_lanes(const int8_t *in, int32_t n)
{
    if (n == 4) return utvm_dsp_read_s32(in);
    uint32_t x = 0;
    for (int32_t j = 0; j < n; j++) x |= (uint32_t)(uint8_t)in[j] << (8 * j);
    return (int32_t)x;
}

/* The output stage: per-channel {bias, multiplier, right shift, rounding half} and the output range. */
typedef struct {
    const int32_t *channels;
    int32_t output_offset, act_min, act_max;
} out_stage;

/*
 * Bias, requantization and clamp of output channel c. high = TFLite's doubling high multiply (one SMLAL
 * with the 2^30 nudge, utvm/dsp.h); its rounding right shift by r >= 1 is (high + 2^(r-1) - (high < 0)) >> r,
 * which equals gemmlowp's RoundingDivideByPOT whenever high + 2^(r-1) does not overflow — the compiler
 * checks |bias| + 256 * sum |w| < 2^30 per channel, so it never does.
 */
DW_INLINE int8_t out_value(const out_stage *o, int32_t acc, int32_t c)
{
    const int32_t *ch = o->channels + 4 * c;
    const int64_t product = (int64_t)(acc + ch[0]) * ch[1] + (1LL << 30);
    const int32_t high = (int32_t)(product >> 31);
    const int32_t v = ch[2] == 0 ? high : (high + ch[3] + (high >> 31)) >> ch[2];
    return utvm_sat_s8(v + o->output_offset, o->act_min, o->act_max);
}

DW_INLINE void store4(const out_stage *o, const acc4 *acc, int32_t c, int32_t n, int8_t *out)
{
    out[c] = out_value(o, acc->a0, c);
    if (n > 1) out[c + 1] = out_value(o, acc->a1, c + 1);
    if (n > 2) out[c + 2] = out_value(o, acc->a2, c + 2);
    if (n > 3) out[c + 3] = out_value(o, acc->a3, c + 3);
}

/* Channels c .. c + n - 1 of an interior pixel (all nine taps inside); `in` is the top-left tap at c. */
DW_INLINE acc4 block_full(const int8_t *in, ptrdiff_t cell, ptrdiff_t row, const int32_t *w, int32_t n, int32_t offset2)
{
    acc4 acc = {0, 0, 0, 0};
    for (int32_t ky = 0; ky < 3; ky++, in += row, w += 6) {
        tap4(&acc, load_lanes(in, n), w[0], w[1], offset2);
        tap4(&acc, load_lanes(in + cell, n), w[2], w[3], offset2);
        tap4(&acc, load_lanes(in + 2 * cell, n), w[4], w[5], offset2);
    }
    return acc;
}

/* Taps ky in [t[0], t[1]), kx in [t[2], t[3]) of channels c .. c + n - 1; `in` is the top-left tap at c. */
DW_INLINE acc4 block_border(const int8_t *in, ptrdiff_t cell, ptrdiff_t row, const int32_t t[4], const int32_t *w,
                            int32_t n, int32_t offset2)
{
    acc4 acc = {0, 0, 0, 0};
    for (int32_t ky = t[0]; ky < t[1]; ky++) {
        for (int32_t kx = t[2]; kx < t[3]; kx++) {
            const int32_t *wt = w + 2 * (ky * 3 + kx);
            tap4(&acc, load_lanes(in + ky * row + kx * cell, n), wt[0], wt[1], offset2);
        }
    }
    return acc;
}

/* One output pixel, every channel; `in` is the window's top-left cell (channel 0), `t` its taps. Kept
   out of line so that its loops have the registers to themselves. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void pixel(const utvm_depthwise_conv2d_params_s8 *p, const out_stage *o, const int8_t *in, const int32_t t[4],
                  const int32_t *weights, int8_t *out)
{
    const int32_t channels = p->in_c;
    const ptrdiff_t cell = channels;
    const ptrdiff_t row = (ptrdiff_t)p->in_w * cell;
    const int32_t offset2 = utvm_dsp_pack16(p->input_offset, p->input_offset);
    const int full = t[1] - t[0] == 3 && t[3] - t[2] == 3;
    const int32_t *w = weights;
    int32_t c = 0;
    for (; c + 4 <= channels; c += 4, w += 18) {
        const acc4 acc = full ? block_full(in + c, cell, row, w, 4, offset2) : block_border(in + c, cell, row, t, w, 4, offset2);
        store4(o, &acc, c, 4, out);
    }
    if (c < channels) {
        const acc4 acc = block_border(in + c, cell, row, t, w, channels - c, offset2);
        store4(o, &acc, c, channels - c, out);
    }
}

void utvm_depthwise_conv2d_3x3_s8_dsp(const utvm_depthwise_conv2d_params_s8 *p, const int8_t *input,
                                      const int32_t *weights, const int32_t *channels, int8_t *output)
{
    const out_stage o = {channels, p->requant.output_offset, p->requant.act_min, p->requant.act_max};
    const ptrdiff_t cell = p->in_c;
    const ptrdiff_t row = (ptrdiff_t)p->in_w * cell;
    int32_t t[4];
    for (int32_t b = 0; b < p->batch; b++) {
        const int8_t *image = input + b * (ptrdiff_t)p->in_h * row;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            utvm_conv_taps(y0, p->in_h, 3, 1, &t[0], &t[1]);
            for (int32_t ox = 0; ox < p->out_w; ox++, output += cell) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                utvm_conv_taps(x0, p->in_w, 3, 1, &t[2], &t[3]);
                pixel(p, &o, image + (ptrdiff_t)y0 * row + (ptrdiff_t)x0 * cell, t, weights, output);
            }
        }
    }
}
