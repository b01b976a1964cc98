/* int8 -> int16 through a 256-entry table (see utvm/requantize_fast.h). */
#include "utvm/requantize_fast.h"

void utvm_lut_s8_s16(const int16_t *table, const int8_t *in, int16_t *out, int32_t count)
{
    const int16_t *t = table + 128;
    for (int32_t i = 0; i < count; i++) out[i] = t[in[i]];
}
