/* Contiguous source into a strided destination, block by block (see utvm/copy.h). */
#include "utvm/copy.h"

#include <string.h>

void utvm_copy_strided(const utvm_copy_strided_params *p, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const size_t block = (size_t)p->block_bytes;
    const size_t stride = (size_t)p->dst_stride_bytes;
    if (block == 0) {
        return;
    }
    for (int32_t b = 0; b < p->outer; b++) {
        memcpy(out, in, block);
        in += block;
        out += stride;
    }
}
