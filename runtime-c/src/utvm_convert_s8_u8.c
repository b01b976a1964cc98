/* int8 -> uint8 with the zero point moved by +128 (see utvm/convert.h). */
#include "utvm/convert.h"

void utvm_convert_s8_u8(const int8_t *in, uint8_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = (uint8_t)((int32_t)in[i] + 128);
    }
}
