/* Batch normalization statistics to per-channel scale and shift, float32 (see utvm/batchnorm.h). */
#include "utvm/batchnorm.h"

#include <math.h>

void utvm_batchnorm_coefficients_f32(const utvm_batchnorm_coefficients_params_f32 *p, const float *gamma,
                                     const float *beta, const float *mean, const float *var, float *scale,
                                     float *shift)
{
    for (int32_t c = 0; c < p->channels; c++) {
        const float s = gamma[c] / sqrtf(var[c] + p->epsilon);
        scale[c] = s;
        shift[c] = beta[c] - mean[c] * s;
    }
}
