/*
 * console.c: the small printers of console.h (see there for what each writes).
 */
#include "console.h"

#include <string.h>

#include "board.h"

void console_put_str(const char *s)
{
    board_write(s, strlen(s));
}

void console_put_u64(uint64_t v)
{
    char buf[21];
    int i = (int)sizeof buf;
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    board_write(buf + i, sizeof buf - (size_t)i);
}

void console_put_i32(int32_t v)
{
    if (v < 0) {
        console_put_str("-");
        console_put_u64((uint64_t)(-(int64_t)v));
    } else {
        console_put_u64((uint64_t)v);
    }
}

/* Appends the digits of m (exactly n of them, most significant first) to out. */
static size_t digits(char *out, uint32_t m, int n)
{
    int i;
    for (i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + (int)(m % 10u));
        m /= 10u;
    }
    return (size_t)n;
}

/* 10^k for -45 <= k <= 45 (exact for 0 <= k <= 22). */
static double ten_to(int k)
{
    double p = 1.0;
    int i;
    for (i = 0; i < (k < 0 ? -k : k); i++) p *= 10.0;
    return k < 0 ? 1.0 / p : p;
}

size_t console_format_float(char *out, float f)
{
    char d[6];
    size_t n = 0;
    double v = f;
    int e = 0, last, i;
    uint32_t m;
    if (v != v) {
        memcpy(out, "nan", 3);
        return 3;
    }
    if (v < 0) { out[n++] = '-'; v = -v; }
    if (v > 3.5e38) { out[n++] = 'i'; out[n++] = 'n'; out[n++] = 'f'; return n; }
    if (v == 0.0) { out[n++] = '0'; return n; }
    /* scale to 6 integer digits with one rounding: powers of ten up to 1e22 are exact doubles */
    while (v >= ten_to(e + 1) && e < 38) e++;
    while (v < ten_to(e) && e > -45) e--;
    v = e >= 5 ? v / ten_to(e - 5) : v * ten_to(5 - e);
    m = (uint32_t)v;
    if (v - m > 0.5 || (v - m == 0.5 && (m & 1u) != 0u)) m++; /* round half to even, as printf does */
    if (m >= 1000000u) { m /= 10u; e++; }
    digits(d, m, 6);
    for (last = 5; last > 0 && d[last] == '0'; last--) {
    }
    if (e < -4 || e >= 6) {
        out[n++] = d[0];
        if (last > 0) out[n++] = '.';
        for (i = 1; i <= last; i++) out[n++] = d[i];
        out[n++] = 'e';
        out[n++] = e < 0 ? '-' : '+';
        n += digits(out + n, (uint32_t)(e < 0 ? -e : e), (e <= -100 || e >= 100) ? 3 : 2);
    } else if (e >= 0) {
        for (i = 0; i <= e; i++) out[n++] = d[i];
        if (last > e) out[n++] = '.';
        for (i = e + 1; i <= last; i++) out[n++] = d[i];
    } else {
        out[n++] = '0';
        out[n++] = '.';
        for (i = -1; i > e; i--) out[n++] = '0';
        for (i = 0; i <= last; i++) out[n++] = d[i];
    }
    return n;
}

void console_put_float(float f)
{
    char out[CONSOLE_FLOAT_CHARS];
    board_write(out, console_format_float(out, f));
}

void console_fail(const char *what, const char *detail)
{
    console_put_str("error: ");
    console_put_str(what);
    console_put_str(detail);
    console_put_str("\n");
    board_exit(1);
}
