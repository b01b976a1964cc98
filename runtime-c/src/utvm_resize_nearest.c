/* Nearest-neighbour resize, any element type (see utvm/resize.h). */
#include <string.h>
#include "utvm/resize.h"

void utvm_resize_nearest(const utvm_resize_params *p, const int32_t *src, const void *input, void *output)
{
    const size_t pixel = (size_t)p->channels * (size_t)p->element_bytes;
    const size_t row = (size_t)p->in_w * pixel;
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t y = 0; y < p->out_h; y++) {
            const uint8_t *in_row = in + (size_t)src[y] * row;
            for (int32_t x = 0; x < p->out_w; x++) {
                memcpy(out, in_row + (size_t)src[p->out_h + x] * pixel, pixel);
                out += pixel;
            }
        }
        in += (size_t)p->in_h * row;
    }
}
