/* int16 TANH (16x8), TFLite's table-interpolated integer formula (see utvm/sigmoid_s16.h). */
#include "utvm/sigmoid_s16.h"

void utvm_tanh_s16(const int16_t *in, int16_t *out, int32_t count, int32_t multiplier, int32_t shift)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = utvm_tanh16(in[i], multiplier, shift);
    }
}
