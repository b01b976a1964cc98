/*
 * The Cortex-M7 (ARMv7E-M DSP) variant of the int8 convolution with groups 1: same semantics, same
 * parameter struct (utvm_conv2d_params_s8, groups == 1) and bit-identical results as utvm_conv2d_s8 and
 * utvm_conv2d_1x1_s8 (utvm/conv2d_s8.h), for any kernel size, stride, dilation and padding — 1x1 layers
 * and first layers (in_c = 1 or 3) included. Chosen once, at lowering, when the board's core has the DSP
 * extension (src/ops/conv2d/s8.ts); on other cores the instructions are portable C (utvm/dsp.h).
 *
 * How: two output pixels at a time, their windows are gathered into two int16 columns in `scratch`
 * (input offset added; padded taps are 0; the depth K = kernel_h * kernel_w * in_c rounded up to
 * K4 = a multiple of 4), then every pair of output channels runs over both columns with SMLAD: each
 * weight word loaded serves two pixels and each column word two channels (2 x 2 accumulators).
 *
 * Layouts (compile time, src/ops/conv2d/s8.ts):
 *   weights: int32 words packing int8 bytes, [ceil(out_c / 2)][K4 / 4][2]: word (b, j, r) holds the
 *            weights k = 4j .. 4j + 3 (OHWI order: k = (ky * kernel_w + kx) * in_c + c) of output
 *            channel 2b + r, little-endian; bytes past K and the channel past an odd out_c are 0.
 *   bias:    int32 [out_c rounded up to even] (the last one 0 when out_c is odd), or NULL for none.
 *   scratch: utvm_conv2d_s8_dsp_scratch_bytes(p) bytes, 4-byte aligned, not shared with anything live.
 */
#ifndef UTVM_CONV2D_S8_DSP_H
#define UTVM_CONV2D_S8_DSP_H

#include "utvm/conv2d_s8.h"
#include "utvm/dsp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* K4: the window depth rounded up to a multiple of 4. */
static inline int32_t utvm_conv2d_s8_dsp_depth(const utvm_conv2d_params_s8 *p)
{
    return (p->kernel_h * p->kernel_w * p->in_c + 3) / 4 * 4;
}

/* Scratch bytes: two int16 columns (4 * K4), plus K4 bytes of staging when in_c is not a multiple of 4. */
static inline int32_t utvm_conv2d_s8_dsp_scratch_bytes(const utvm_conv2d_params_s8 *p)
{
    const int32_t k4 = utvm_conv2d_s8_dsp_depth(p);
    return 4 * k4 + (p->in_c % 4 != 0 ? k4 : 0);
}

/*
 * input:       int8 [batch, in_h, in_w, in_c], contiguous.
 * weights:     int32 packed words, see above.
 * bias:        int32 [out_c rounded up to even], or NULL.
 * multipliers: int32 [out_c], or NULL (then requant.multiplier for every channel).
 * shifts:      int32 [out_c], or NULL (then requant.shift for every channel).
 * output:      int8 [batch, out_h, out_w, out_c], contiguous; must not overlap the input or scratch.
 * scratch:     see above.
 */
void utvm_conv2d_s8_dsp(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                        const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output,
                        void *scratch);

/*
 * The output stage of the fast variants below, from one record per output channel prepared at compile
 * time (src/ops/conv2d/1x1-s8-dsp.ts): {bias, multiplier, r, round}, r = -shift >= 1, round = 2^(r-1) +
 * output_offset * 2^r. high = (2 acc * m + 2^31) >> 32 (SMMULR) equals TFLite's doubling high multiply
 * (acc * m + 2^30) >> 31; (high + round + (high < 0 ? -1 : 0)) >> r equals its rounding right shift by r
 * (round half away from zero) plus the output offset. Exact when |acc| < 2^30 and |high| + round < 2^31,
 * which the compiler checks per channel from the weights and bias (else it keeps utvm_conv2d_s8_dsp).
 */
/*
 * The 2 pixels x 2 channels dot product of the specialised kernels' int16-weight form (`weights16`, knob
 * `weights`): the columns as above (per chunk j of 4 depths: pixel 0's pairs (x0, x2), (x1, x3), then pixel
 * 1's), the weights of a channel pair pre-extended at compile time to int16 pairs, per chunk 4 words:
 * (w0[4j], w0[4j+2]), (w1[4j], w1[4j+2]), (w0[4j+1], w0[4j+3]), (w1[4j+1], w1[4j+3]) (w0, w1 the two
 * channels; lane 0 in the low half). No sign extension in the loop: 4 LDRD and 8 SMLAD per chunk.
 * acc[pixel * 2 + channel] += the dot products; the same integer sums as the int8 form.
 */
#define UTVM_CONV_DOT_W16_CHUNK(w, col)                                                              \
    do {                                                                                             \
        int32_t wa_, wb_, x0a_, x0b_, x1a_, x1b_;                                                    \
        utvm_dsp_load_pair(&(col), &x0a_, &x0b_);                                                    \
        utvm_dsp_load_pair(&(col), &x1a_, &x1b_);                                                    \
        utvm_dsp_load_pair(&(w), &wa_, &wb_);                                                        \
        a00 = utvm_dsp_smlad(x0a_, wa_, a00);                                                        \
        a01 = utvm_dsp_smlad(x0a_, wb_, a01);                                                        \
        a10 = utvm_dsp_smlad(x1a_, wa_, a10);                                                        \
        a11 = utvm_dsp_smlad(x1a_, wb_, a11);                                                        \
        utvm_dsp_load_pair(&(w), &wa_, &wb_);                                                        \
        a00 = utvm_dsp_smlad(x0b_, wa_, a00);                                                        \
        a01 = utvm_dsp_smlad(x0b_, wb_, a01);                                                        \
        a10 = utvm_dsp_smlad(x1b_, wa_, a10);                                                        \
        a11 = utvm_dsp_smlad(x1b_, wb_, a11);                                                        \
    } while (0)

static inline void utvm_conv_dot_2x2_w16(const int32_t *w, const int32_t *col, int32_t chunks, int32_t acc[4])
{
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    const int32_t *end = w + 4 * (chunks & ~1);
    while (w < end) {
        UTVM_CONV_DOT_W16_CHUNK(w, col);
        UTVM_CONV_DOT_W16_CHUNK(w, col);
    }
    if (chunks & 1) UTVM_CONV_DOT_W16_CHUNK(w, col);
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

/* requantize(acc) + output_offset of the channel whose record is `ch` (not yet clamped). */
static inline int32_t utvm_conv_out_dsp(int32_t acc, const int32_t *ch)
{
    const int32_t high = utvm_dsp_smmulr((int32_t)((uint32_t)acc << 1), ch[1]);
    return (high + ch[3] + (high >> 31)) >> ch[2];
}

/*
 * utvm_conv2d_s8_dsp with the output stage of the records below (same parameters, columns, weights and
 * scratch): channels int32 [out_c rounded up to even][4] {bias, multiplier, r, round} (bias the layer's
 * own, 0 when none; a padding channel {0, 0, 1, 0}); of p->requant only act_min / act_max are read. The
 * compiler uses it when every channel meets the records' exactness conditions with |acc| bounded by
 * |bias| + max|x + input_offset| * sum|w| (src/ops/conv2d/1x1-s8-dsp.ts), else utvm_conv2d_s8_dsp.
 */
void utvm_conv2d_s8_dsp_rec(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *channels, int8_t *output, void *scratch);

/*
 * 1x1 convolution, no padding, any stride, in_c a multiple of 4: out[pixel][oc] = clamp(requantized(
 * bias'[oc] + dot(in[pixel], weights[oc]))), the input offset folded into bias' at compile time.
 * p:        utvm_conv2d_1x1_params_s8; of its requant only act_min / act_max are read (the rest is in
 *           `channels`). in_c % 4 == 0.
 * input:    int8 [batch, in_h, in_w, in_c], contiguous.
 * weights:  int32 packed words [ceil(out_c / 2)][in_c / 4][2], as utvm_conv2d_s8_dsp's (K = in_c).
 * channels: int32 [out_c rounded up to even][4] records {bias', multiplier, r, round} (see above);
 *           bias' = bias + input_offset * sum(weights[oc]); a padding channel's record is {0, 0, 1, 0}.
 * output:   int8 [batch, out_h, out_w, out_c]; must not overlap the scratch. It may overlap the input
 *           (the planner runs the kernel in place, src/ops/conv2d/1x1-s8-dsp.ts, src/plan/liveness.ts) when
 *           output pixel p reads input pixel p (out_h == in_h, out_w == in_w: stride 1, or a size-1
 *           dimension) and input == output + D, where D = 0 when out_c <= in_c (the same address) and
 *           D = P * (out_c - in_c) when out_c > in_c (the input ENDS where the output ends), P = batch *
 *           out_h * out_w. Otherwise the two must not overlap.
 * scratch:  4 * in_c bytes, 4-byte aligned (two int16 columns; = utvm_conv2d_s8_dsp_scratch_bytes).
 *
 * Why in place is safe under those conditions: the pixels go in pairs (p, p + 1), and the kernel copies
 * BOTH pixels' input channels into the int16 columns in `scratch` before it writes any output of the
 * pair. The pair's writes cover bytes [p * out_c, (p + 2) * out_c) of the output; the first byte not
 * read yet is input pixel p + 2's, at D + (p + 2) * in_c. With D = 0 and out_c <= in_c that is at or
 * past (p + 2) * out_c; with D = P * (out_c - in_c), (p + 2) * out_c <= D + (p + 2) * in_c reduces to
 * p + 2 <= P, true whenever pixel p + 2 exists. So no write reaches an unread input byte, and pixels
 * keep their order across batches (contiguous NHWC). An odd last pixel runs as both columns (read
 * twice, then written twice to [p * out_c, (p + 1) * out_c)), and nothing is left to read. The portable
 * utvm_conv2d_1x1_s8 reads its input while it writes and is NOT safe in place.
 */
void utvm_conv2d_1x1_s8_dsp(const utvm_conv2d_1x1_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *channels, int8_t *output, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_CONV2D_S8_DSP_H */
