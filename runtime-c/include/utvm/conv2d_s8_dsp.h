/*
 * The Cortex-M7 (ARMv7E-M DSP) variant of the int8 convolution with groups 1: same semantics, same
 * parameter struct (utvm_conv2d_params_s8, groups == 1) and bit-identical results as utvm_conv2d_s8 and
 * utvm_conv2d_1x1_s8 (utvm/conv2d_s8.h), for any kernel size, stride, dilation and padding — 1x1 layers
 * and first layers (in_c = 1 or 3) included. Chosen once, at lowering, when the board's core has the DSP
 * extension (src/ops/conv2d-s8.ts); on other cores the instructions are portable C (utvm/dsp.h).
 *
 * How: two output pixels at a time, their windows are gathered into two int16 columns in `scratch`
 * (input offset added; padded taps are 0; the depth K = kernel_h * kernel_w * in_c rounded up to
 * K4 = a multiple of 4), then every pair of output channels runs over both columns with SMLAD: each
 * weight word loaded serves two pixels and each column word two channels (2 x 2 accumulators).
 *
 * Layouts (compile time, src/ops/conv2d-s8.ts):
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

#ifdef __cplusplus
}
#endif

#endif /* UTVM_CONV2D_S8_DSP_H */
