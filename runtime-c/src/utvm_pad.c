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
                int32_t run;
                if (j >= hi && hi > lo) {
                    /* Right of the input the row repeats with period n, and j - lo is a multiple of n:
                       copy what is written so far, doubling it each time. */
                    run = j - lo < width - j ? j - lo : width - j;
                    memcpy(out, out - (size_t)(j - lo) * eb, (size_t)run * eb);
                } else {
                    /* Left of it, the source row walked forwards up to its end or the input's start. */
                    const int32_t stop = j < lo ? lo : width;
                    run = n - k < stop - j ? n - k : stop - j;
                    memcpy(out, src + (size_t)k * (size_t)stride * eb, (size_t)run * eb);
                }
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

/* `bytes` bytes of fill at `out`: one element written, then doubled with memcpy. */
static void utvm_pad_fill(const uint8_t *fill, size_t eb, size_t bytes, uint8_t *out)
{
    size_t done = eb < bytes ? eb : bytes;
    memcpy(out, fill, done);
    while (done < bytes) {
        const size_t chunk = done < bytes - done ? done : bytes - done;
        memcpy(out + done, out, chunk);
        done += chunk;
    }
}

/*
 * The output block of dims d.. (`block` bytes per index of dim d): the indices that hold input first,
 * each from its source, then every padded index as one memcpy of the output block its source index
 * already produced (or fill). A tile or a reflection along an outer dim is thus one copy per block.
 */
static void utvm_pad_block(const utvm_pad_params *p, int32_t d, const uint8_t *src, const uint8_t *fill, uint8_t *out)
{
    const size_t eb = (size_t)p->element_bytes;
    const int32_t width = p->out_shape[d];
    const int32_t n = p->in_shape[d];
    const int32_t begin = p->pad_begin[d];
    size_t block = eb;
    int32_t lo = begin < width ? begin : width;
    int32_t hi = begin + n < width ? begin + n : width;
    if (d == UTVM_MAX_RANK - 1) {
        (void)utvm_pad_row(p, src, fill, out);
        return;
    }
    for (int32_t e = d + 1; e < UTVM_MAX_RANK; e++) {
        block *= (size_t)p->out_shape[e];
    }
    if (src == NULL || n == 0) {
        utvm_pad_fill(fill, eb, block * (size_t)width, out);
        return;
    }
    for (int32_t j = lo; j < hi; j++) {
        utvm_pad_block(p, d + 1, src + (size_t)(j - begin) * (size_t)p->in_strides[d] * eb, fill, out + (size_t)j * block);
    }
    for (int32_t j = 0; j < width; j++) {
        if (j == lo && hi > lo) {
            j = hi - 1;
            continue;
        }
        {
            const int32_t k = utvm_pad_source_index(j - begin, n, p->mode);
            if (k < 0) {
                utvm_pad_fill(fill, eb, block, out + (size_t)j * block);
            } else {
                memcpy(out + (size_t)j * block, out + (size_t)(k + begin) * block, block);
            }
        }
    }
}

void utvm_pad(const utvm_pad_params *p, const void *input, const void *fill, void *output)
{
    utvm_pad_block(p, 0, (const uint8_t *)input, (const uint8_t *)fill, (uint8_t *)output);
}
