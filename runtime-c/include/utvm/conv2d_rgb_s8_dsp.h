/*
 * The Cortex-M7 (ARMv7E-M DSP) int8 convolution for first layers: few input channels (in_c < 4, e.g.
 * RGB), groups 1, dilation 1, any kernel size, stride and padding. Same semantics and bit-identical
 * results as utvm_conv2d_s8 (utvm/conv2d_s8.h), with the parameter struct utvm_conv2d_params_s8. Chosen
 * at lowering (src/ops/conv2d/rgb-s8-dsp.ts); on other cores the DSP instructions are portable C (utvm/dsp.h).
 *
 * How: output pixels two at a time (in row-major order over the whole image, so rows need not be even):
 * each pixel's window is gathered a window row at a time (kernel_w * in_c contiguous input bytes) into
 * an int16 column with the input offset added and padded cells 0 (K = kernel_h * kernel_w * in_c values,
 * then zeros up to K4 = K rounded up to 4); then each pair of output channels runs over both columns with
 * SMLAD (2 pixels x 2 channels: every weight word serves both pixels). Requantization uses per-channel
 * constants prepared at compile time and the short form of utvm/dsp_requant.h (the compiler bounds the
 * accumulators: |acc| <= |bias| + 255 * sum |w|).
 *
 * Layouts (compile time):
 *   weights: int32 words, [ceil(out_c / 2)][K4 / 4][2]: word (b, j, r) holds, for output channel 2b + r,
 *            the weights of column values 4j, 4j + 2, 4j + 1, 4j + 3 in bytes 0..3 (so SXTB16 of the
 *            word pairs with column values (4j, 4j + 1) and SXTB16 ROR 8 with (4j + 2, 4j + 3)); the
 *            column order is OHWI's, k = (ky * kernel_w + kx) * in_c + c; bytes past K and the channel
 *            past an odd out_c are 0.
 *   bias:    int32 [out_c rounded up to even] (0 past out_c), or NULL for none.
 *   requant: int32 [out_c rounded up to even][5], the utvm_fast_requant fields of each channel
 *            (multiplier, left1, right, half, sign_mask; utvm/dsp_requant.h).
 *   scratch: utvm_conv2d_rgb_s8_dsp_scratch_bytes(p) bytes, 4-byte aligned, not shared with anything live.
 */
#ifndef UTVM_CONV2D_RGB_S8_DSP_H
#define UTVM_CONV2D_RGB_S8_DSP_H

#include "utvm/conv2d_s8.h"
#include "utvm/dsp.h"
#include "utvm/dsp_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Scratch bytes: two int16 columns of K4 values. */
static inline int32_t utvm_conv2d_rgb_s8_dsp_scratch_bytes(const utvm_conv2d_params_s8 *p)
{
    return 4 * ((p->kernel_h * p->kernel_w * p->in_c + 3) / 4 * 4);
}

/*
 * input:   int8 [batch, in_h, in_w, in_c], contiguous; in_c in [1, 3].
 * weights: int32 packed words, see above.
 * bias:    int32 [out_c rounded up to even], or NULL.
 * requant: int32 [out_c rounded up to even][5], see above (p->requant.multiplier / shift are unused;
 *          output_offset, act_min and act_max apply).
 * output:  int8 [batch, out_h, out_w, out_c], contiguous; must not overlap the input or scratch.
 * scratch: see above.
 */
void utvm_conv2d_rgb_s8_dsp(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *bias, const int32_t *requant, int8_t *output, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_CONV2D_RGB_S8_DSP_H */
