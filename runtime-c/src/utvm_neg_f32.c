/* out = -in (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_neg_f32(const float *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = -in[i];
    }
}
