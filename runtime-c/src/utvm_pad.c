/* Generic N-d pad in constant, reflect, edge, wrap and symmetric modes (see utvm/pad.h). */
#include "utvm/pad.h"

#include <string.h>

/* Source coordinate for k = output coordinate - pad_begin along a dim of extent n, or -1 for fill. */
static int32_t utvm_pad_source_index(int32_t k, int32_t n, int32_t mode)
{
    if (k >= 0 && k < n) {
        return k;
    }
    if (mode == UTVM_PAD_EDGE) {
        return k < 0 ? 0 : n - 1;
    }
    if (mode == UTVM_PAD_REFLECT) {
        const int32_t period = 2 * (n - 1);
        int32_t m;
        if (period == 0) {
            return 0;
        }
        m = k % period;
        if (m < 0) {
            m += period;
        }
        return m < n ? m : period - m;
    }
    if (mode == UTVM_PAD_WRAP) {
        const int32_t m = k % n;
        return m < 0 ? m + n : m;
    }
    if (mode == UTVM_PAD_SYMMETRIC) {
        int32_t m = k % (2 * n);
        if (m < 0) {
            m += 2 * n;
        }
        return m < n ? m : 2 * n - 1 - m;
    }
    return -1;
}

/* One output row along the last dim; `src` points at the row's source (NULL: the row is all fill). */
static uint8_t *utvm_pad_row(const utvm_pad_params *p, const uint8_t *src, const uint8_t *fill, uint8_t *out)
{
    const int32_t last = UTVM_MAX_RANK - 1;
    const size_t eb = (size_t)p->element_bytes;
    const int32_t width = p->out_shape[last];
    const int32_t n = p->in_shape[last];
    const int32_t begin = p->pad_begin[last];
    const int32_t stride = p->in_strides[last];
    int32_t lo = src == NULL ? width : begin;
    int32_t hi = src == NULL ? width : begin + n;
    if (hi > width) {
        hi = width;
    }
    for (int32_t j = 0; j < width; j++) {
        if (j == lo && hi > lo) {
            /* Interior: the source row is contiguous (stride 1, or a single element). */
            memcpy(out, src, (size_t)(hi - lo) * eb);
            out += (size_t)(hi - lo) * eb;
            j = hi - 1;
            continue;
        }
        {
            const int32_t k = src == NULL ? -1 : utvm_pad_source_index(j - begin, n, p->mode);
            if (k >= 0 && p->mode == UTVM_PAD_WRAP) {
                /* Wrapping walks the source row forwards: copy up to its end (or the next stop) at once. */
                const int32_t stop = j < lo ? lo : width;
                const int32_t run = n - k < stop - j ? n - k : stop - j;
                memcpy(out, src + (size_t)k * (size_t)stride * eb, (size_t)run * eb);
                out += (size_t)run * eb;
                j += run - 1;
                continue;
            }
            memcpy(out, k < 0 ? fill : src + (size_t)k * (size_t)stride * eb, eb);
            out += eb;
        }
    }
    return out;
}

void utvm_pad(const utvm_pad_params *p, const void *input, const void *fill, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const int32_t last = UTVM_MAX_RANK - 1;
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t rows = 1;
    for (int32_t d = 0; d < last; d++) {
        rows *= p->out_shape[d];
    }
    for (int32_t r = 0; r < rows; r++) {
        const uint8_t *src = in;
        for (int32_t d = 0; d < last && src != NULL; d++) {
            const int32_t k = utvm_pad_source_index(idx[d] - p->pad_begin[d], p->in_shape[d], p->mode);
            src = k < 0 ? NULL : src + (size_t)k * (size_t)p->in_strides[d] * (size_t)p->element_bytes;
        }
        out = utvm_pad_row(p, src, (const uint8_t *)fill, out);
        for (int32_t d = last - 1; d >= 0; d--) {
            if (++idx[d] < p->out_shape[d]) {
                break;
            }
            idx[d] = 0;
        }
    }
}
