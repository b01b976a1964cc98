/* out[i] = a[i] + b[i] (see utvm/binary.h). */
#include "utvm/binary.h"

void utvm_add_f32(const float *a, const float *b, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = a[i] + b[i];
    }
}
