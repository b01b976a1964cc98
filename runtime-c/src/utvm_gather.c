/* Rows named by an int32 index tensor (TFLite GATHER with batch dims; see utvm/copy.h). */
#include "utvm/copy.h"

#include <string.h>

/* The rows of one (batch, outer) block; a constant SIZE lets each memcpy become one load and store. */
#define UTVM_GATHER_ROWS(SIZE)                                                                  \
    do {                                                                                        \
        for (int32_t c = 0; c < p->coords; c++) {                                               \
            const int32_t k = idx[c];                                                           \
            if (k >= 0 && k < p->axis_size) memcpy(out, block + (size_t)k * (SIZE), (SIZE));    \
            else memset(out, 0, (SIZE));                                                        \
            out += (SIZE);                                                                      \
        }                                                                                       \
    } while (0)

void utvm_gather(const utvm_gather_params *p, const void *input, const int32_t *indices, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const size_t inner = (size_t)p->inner_bytes;
    for (int32_t b = 0; b < p->batches; b++) {
        const int32_t *idx = indices + (size_t)b * (size_t)p->coords;
        for (int32_t o = 0; o < p->outer; o++) {
            const uint8_t *block = in + ((size_t)b * (size_t)p->outer + (size_t)o) * (size_t)p->axis_size * inner;
            if (inner == 1) UTVM_GATHER_ROWS(1);
            else if (inner == 2) UTVM_GATHER_ROWS(2);
            else if (inner == 4) UTVM_GATHER_ROWS(4);
            else UTVM_GATHER_ROWS(inner);
        }
    }
}
