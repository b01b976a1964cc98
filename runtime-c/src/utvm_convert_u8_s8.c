/* uint8 -> int8 with the zero point moved by -128 (see utvm/convert.h). */
#include "utvm/convert.h"

void utvm_convert_u8_s8(const uint8_t *in, int8_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = (int8_t)((int32_t)in[i] - 128);
    }
}
