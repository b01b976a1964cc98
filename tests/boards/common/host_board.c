/*
 * host_board.c: the board API (boards/common/board.h) on a desktop, for the host tests of the board-
 * independent firmware C (tests/boards/common-c.test.ts): the console is stdout, files are host files
 * (read as the semihosting board reads them: at most `bytes`, the rest zero-filled), the command line is
 * the program's arguments after argv[0], joined by spaces, and board_exit is exit().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"

const uint32_t board_cycle_scale = 1u;
const char board_cycle_unit[] = "ticks";

/* Set by the test's main from argv; NULL when the program was given no arguments. */
const char *host_command_line = NULL;

void board_init(void)
{
}

void board_write(const char *text, size_t n)
{
    fwrite(text, 1, n, stdout);
}

uint32_t board_cycles(void)
{
    return 0u;
}

int board_read_file(const char *path, void *dst, size_t bytes)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    int extra;
    if (f == NULL) return -1;
    n = fread(dst, 1, bytes, f);
    extra = fgetc(f);
    fclose(f);
    if (extra != EOF) return -1;
    memset((char *)dst + n, 0, bytes - n);
    return 0;
}

int board_write_file(const char *path, const void *src, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (f == NULL) return -1;
    ok = fwrite(src, 1, bytes, f) == bytes;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int board_command_line(char *buf, size_t size)
{
    if (host_command_line == NULL || strlen(host_command_line) >= size) return -1;
    strcpy(buf, host_command_line);
    return 0;
}

void board_exit(int code)
{
    fflush(stdout);
    exit(code);
}
