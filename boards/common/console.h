/*
 * console.h: the firmware's text output without printf (newlib's stdio stays out of flash). Every
 * function writes through board_write (board.h); console_format_float only formats, into a buffer.
 * Used by the firmware main.c of every MCU and emulator board (templates/project/firmware/main.c.hbs).
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes console_format_float may write: sign, 6 digits, '.', "e-45"-style exponent, with room to spare. */
#define CONSOLE_FLOAT_CHARS 24

/* Writes the NUL-terminated string s. */
void console_put_str(const char *s);

/* Writes v in decimal (0 to 18446744073709551615). */
void console_put_u64(uint64_t v);

/* Writes v in decimal with a leading '-' when negative (INT32_MIN included). */
void console_put_i32(int32_t v);

/*
 * Formats f like printf("%.6g", f) into out (not NUL-terminated) and returns the number of characters
 * (at most CONSOLE_FLOAT_CHARS): 6 significant digits rounded half to even from the exact value, trailing
 * zeros dropped, exponent form ("1.5e+07", "2e-05") outside 1e-4 <= |f| < 1e6. "nan", "inf" and "-inf"
 * as printf writes them; a negative zero and a negative NaN are written without their sign.
 */
size_t console_format_float(char *out, float f);

/* Writes f as console_format_float formats it. */
void console_put_float(float f);

/* Writes "error: <what><detail>\n" and ends the program with status 1 (board_exit). */
void console_fail(const char *what, const char *detail);

#endif /* CONSOLE_H */
