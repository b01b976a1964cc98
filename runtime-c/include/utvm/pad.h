/*
 * Pad: a tensor of up to UTVM_MAX_RANK dims grown (or cropped) on each side of each axis, for any
 * element type. The compiler resolves negative pads (crops) at compile time: it offsets the input
 * pointer to the first kept element and passes the kept extents, so the kernel only ever pads.
 */
#ifndef UTVM_PAD_H
#define UTVM_PAD_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How out-of-range positions are filled (values of utvm_pad_params.mode). */
#define UTVM_PAD_CONSTANT 0 /* the fill value */
#define UTVM_PAD_REFLECT 1  /* mirror without repeating the border: ... c b | a b c | b a ... */
#define UTVM_PAD_EDGE 2     /* repeat the border element */
#define UTVM_PAD_WRAP 3     /* wrap around: ... b c | a b c | a b ... (TFLite TILE) */
#define UTVM_PAD_SYMMETRIC 4 /* mirror repeating the border: ... b a | a b c | c b ... */

typedef struct {
    /* Output shape, padded on the left with 1s to UTVM_MAX_RANK dims. Each >= 0. */
    int32_t out_shape[UTVM_MAX_RANK];
    /* Extent of the (cropped) input along each dim, left-padded with 1s. >= 1 except in
     * UTVM_PAD_CONSTANT mode, where 0 means the whole output along that dim is fill. */
    int32_t in_shape[UTVM_MAX_RANK];
    /* Elements added before the input along each dim, left-padded with 0s. Range: [0, out_shape[d]]. */
    int32_t pad_begin[UTVM_MAX_RANK];
    /* Input stride of each dim in elements (row-major strides of the uncropped input), left-padded
     * with 0s. The last entry is 1 (or 0 for a scalar). */
    int32_t in_strides[UTVM_MAX_RANK];
    /* Bytes per element: 1, 2 or 4 in UTVM_PAD_CONSTANT mode; in the other modes any size >= 1 (the
     * compiler folds trailing dims that are not padded into one larger element). */
    int32_t element_bytes;
    /* One of UTVM_PAD_CONSTANT, UTVM_PAD_REFLECT, UTVM_PAD_EDGE, UTVM_PAD_WRAP, UTVM_PAD_SYMMETRIC. */
    int32_t mode;
} utvm_pad_params;

/*
 * output[o] = input[map(o - pad_begin)] where each coordinate inside [0, in_shape) maps to itself and
 * one outside maps by p->mode (UTVM_PAD_CONSTANT: the element is *fill).
 * input:  first kept element of the input tensor (cropping already applied), strides p->in_strides.
 * fill:   one element of the tensor's type, the constant fill value; may be NULL unless
 *         p->mode == UTVM_PAD_CONSTANT.
 * output: contiguous, shape p->out_shape. Must not overlap the input.
 */
void utvm_pad(const utvm_pad_params *p, const void *input, const void *fill, void *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_PAD_H */
