/* N-d strided read into a contiguous output: transpose, slice, strided slice (see utvm/copy.h). */
#include "utvm/copy.h"

#include <string.h>

/* One innermost row: n5 elements of SIZE bytes, `stride` elements apart in the input. A constant size
   lets the compiler turn each memcpy into one load and one store (no alignment or aliasing assumed). */
#define UTVM_COPY_ND_ROW(SIZE)                                                                   \
    for (int32_t i5 = 0; i5 < n5; i5++) memcpy(out + (size_t)i5 * (SIZE), row + (ptrdiff_t)i5 * stride * (ptrdiff_t)(SIZE), (SIZE))

void utvm_copy_nd(const utvm_copy_nd_params *p, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const int32_t eb = p->element_bytes;
    const int32_t *n = p->out_shape;
    const int32_t *s = p->in_strides;
    const int32_t n5 = n[5];
    const ptrdiff_t stride = (ptrdiff_t)s[5];
    const size_t row_bytes = (size_t)n5 * (size_t)eb;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const ptrdiff_t base = (ptrdiff_t)i0 * s[0] + (ptrdiff_t)i1 * s[1] + (ptrdiff_t)i2 * s[2] + (ptrdiff_t)i3 * s[3] + (ptrdiff_t)i4 * s[4];
        const uint8_t *row = in + base * (ptrdiff_t)eb;
        if (stride == 1) memcpy(out, row, row_bytes);
        else if (eb == 1) UTVM_COPY_ND_ROW(1);
        else if (eb == 2) UTVM_COPY_ND_ROW(2);
        else if (eb == 4) UTVM_COPY_ND_ROW(4);
        else UTVM_COPY_ND_ROW((size_t)eb);
        out += row_bytes;
    }
}
