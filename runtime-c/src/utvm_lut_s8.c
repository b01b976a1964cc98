/* out[i] = table[(uint8_t)in[i]]: an int8 function given by its 256 values (see utvm/unary.h). */
#include "utvm/unary.h"

#include <string.h>

void utvm_lut_s8(const int8_t *table, const int8_t *in, int8_t *out, int32_t count)
{
    const uint8_t *t = (const uint8_t *)table;
    int32_t i = 0;
    /* Four elements per word: one load, four lookups, one store (memcpy: any alignment, one LDR/STR on
       the Cortex-M7). Each word is read whole before its result is stored, so in place is safe. */
    for (; i + 4 <= count; i += 4) {
        uint32_t x;
        memcpy(&x, in + i, 4);
        const uint32_t y = (uint32_t)t[x & 0xFFu] | ((uint32_t)t[(x >> 8) & 0xFFu] << 8) |
                           ((uint32_t)t[(x >> 16) & 0xFFu] << 16) | ((uint32_t)t[x >> 24] << 24);
        memcpy(out + i, &y, 4);
    }
    for (; i < count; i++) {
        out[i] = table[(uint8_t)in[i]];
    }
}
