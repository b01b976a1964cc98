/* float32 holding an integer below 2^24 in magnitude -> int32 (see utvm/convert.h). */
#include "utvm/convert.h"

void utvm_convert_f32_s32(const float *in, int32_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = (int32_t)in[i];
    }
}
