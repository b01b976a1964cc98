/* Bilinear resize, int8, TFLite's integer arithmetic (see utvm/resize.h). */
#include "utvm/resize.h"

void utvm_resize_bilinear_s8(const utvm_resize_params *p, const int32_t *taps, const int8_t *input, int8_t *output)
{
    const int32_t c = p->channels;
    const size_t row = (size_t)p->in_w * (size_t)c;
    const int32_t *cols = taps + 3 * p->out_h;
    for (int32_t n = 0; n < p->batch; n++) {
        const int8_t *image = input + (size_t)n * (size_t)p->in_h * row;
        for (int32_t y = 0; y < p->out_h; y++) {
            const int8_t *r0 = image + (size_t)taps[3 * y] * row;
            const int8_t *r1 = image + (size_t)taps[3 * y + 1] * row;
            const int32_t dy = taps[3 * y + 2], ey = 1024 - dy;
            for (int32_t x = 0; x < p->out_w; x++) {
                const int32_t *t = cols + 3 * x;
                const int8_t *v00 = r0 + (size_t)t[0] * (size_t)c, *v01 = r0 + (size_t)t[1] * (size_t)c;
                const int8_t *v10 = r1 + (size_t)t[0] * (size_t)c, *v11 = r1 + (size_t)t[1] * (size_t)c;
                const int32_t dx = t[2], ex = 1024 - dx;
                for (int32_t k = 0; k < c; k++) {
                    /* (v00 (1024 - dx) + v01 dx) (1024 - dy) + (v10 (1024 - dx) + v11 dx) dy: TFLite's four
                       products regrouped, exact in int32. */
                    const int32_t top = v00[k] * ex + v01[k] * dx;
                    const int32_t bottom = v10[k] * ex + v11[k] * dx;
                    const int32_t sum = top * ey + bottom * dy;
                    /* TFLite's (sum ± 2^19) / 2^20 (C division, toward zero) as one arithmetic shift:
                       sum > 0 adds 2^19, sum <= 0 adds 2^19 - 1 (rounding half away from zero). */
                    *output++ = (int8_t)((sum + (1 << 19) - 1 + (sum > 0)) >> 20);
                }
            }
        }
    }
}
