/*
 * test_console.c: boards/common/console.c against the C library (tests/boards/common-c.test.ts).
 * Prints the integer printers' output for edge values, one per line, then compares
 * console_format_float with snprintf("%.6g") on hand-picked values (boundaries of the fixed and
 * exponent forms, rounding ties, the float range's ends, subnormals) and on random float bit patterns:
 * prints each mismatch, then `floats: <compared> compared, <mismatches> differ`.
 */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "console.h"

static uint32_t state = 2463534242u;

static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static long compared, differ;

static void check(float f)
{
    char ours[CONSOLE_FLOAT_CHARS + 1], theirs[64];
    size_t n = console_format_float(ours, f);
    ours[n] = '\0';
    snprintf(theirs, sizeof theirs, "%.6g", (double)f);
    compared++;
    if (strcmp(ours, theirs) != 0) {
        differ++;
        if (differ <= 20) printf("mismatch %a: printf %s, console %s\n", (double)f, theirs, ours);
    }
}

int main(void)
{
    static const float picked[] = {
        1.0f, -1.0f, 0.5f, 1.5f, 2.5f, 0.1f, 0.0001f, 0.00009999999f, 0.00001f, 123456.0f, 999999.0f, 999999.5f,
        1000000.0f, 1234567.0f, 1.5e7f, 3.14159265f, 2.7182818f, 100.0f, 1e10f, 1e-10f, 1e30f, 1e-30f, 1e38f,
        FLT_MAX, -FLT_MAX, FLT_MIN, 1.4e-45f, 1e-40f, 0.333333333f, 0.666666666f, 99999.95f, 9.999995f, 0.125f,
        -0.00123f, 12.5f, 1234.5f, 65536.0f, 8388608.5f, 16777216.0f, 4294967296.0f, 0.95f, 0.995f, 0.9995f,
    };
    size_t i;
    long k;
    float f;

    console_put_u64(0u);
    console_put_str("\n");
    console_put_u64(18446744073709551615u);
    console_put_str("\n");
    console_put_i32(INT32_MIN);
    console_put_str("\n");
    console_put_i32(-1);
    console_put_str("\n");
    console_put_i32(INT32_MAX);
    console_put_str("\n");
    console_put_float(0.0f);
    console_put_str(" ");
    console_put_float(-0.0f);
    console_put_str(" ");
    f = 0.0f;
    console_put_float(f / f);
    console_put_str(" ");
    console_put_float(1.0f / f);
    console_put_str(" ");
    console_put_float(-1.0f / f);
    console_put_str("\n");

    for (i = 0; i < sizeof picked / sizeof picked[0]; i++) {
        check(picked[i]);
        check(-picked[i]);
    }
    for (k = 0; k < 300000; k++) {
        uint32_t bits = next();
        memcpy(&f, &bits, sizeof f);
        if (f == f && f - f == 0.0f && f != 0.0f) check(f);  /* finite, non-zero: printf's nan/inf/-0 differ */
    }
    for (k = 0; k < 100000; k++) check(((float)(int32_t)next() / 2147483648.0f) * 1000.0f);  /* typical outputs */
    printf("floats: %ld compared, %ld differ\n", compared, differ);
    return 0;
}
