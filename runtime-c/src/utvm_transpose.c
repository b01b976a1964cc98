/* Generic strided transpose (see utvm/transpose.h). */
#include "utvm/transpose.h"

#include <string.h>

void utvm_transpose(const utvm_transpose_params *p, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const int32_t eb = p->element_bytes;
    const int32_t *n = p->out_shape;
    const int32_t *s = p->in_strides;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int32_t base = i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) {
            memcpy(out, in + (size_t)(base + i5 * s[5]) * (size_t)eb, (size_t)eb);
            out += eb;
        }
    }
}
