/* Byte move between possibly overlapping places (see utvm/copy.h). */
#include "utvm/copy.h"

#include <string.h>

void utvm_move(const void *input, void *output, int32_t bytes)
{
    if (bytes > 0) {
        memmove(output, input, (size_t)bytes);
    }
}
