/* out[i] = table[(uint8_t)in[i]]: an int8 function given by its 256 values (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_lut_s8(const int8_t *table, const int8_t *in, int8_t *out, int32_t count)
{
    const uint8_t *x = (const uint8_t *)in;
    int32_t i = 0;
    /* Four lookups per iteration: the loads of one group do not wait on its stores. */
    for (; i + 4 <= count; i += 4) {
        const int8_t y0 = table[x[i]];
        const int8_t y1 = table[x[i + 1]];
        const int8_t y2 = table[x[i + 2]];
        const int8_t y3 = table[x[i + 3]];
        out[i] = y0;
        out[i + 1] = y1;
        out[i + 2] = y2;
        out[i + 3] = y3;
    }
    for (; i < count; i++) {
        out[i] = table[x[i]];
    }
}
